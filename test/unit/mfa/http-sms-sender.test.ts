import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { HttpSmsSender, parseHeaderLine, renderBodyTemplate } from '../../../src/mfa/http-sms-sender.ts';

const TEMPLATE = '{"to":"{{to}}","text":"{{text}}"}';

interface Received {
  method: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A gateway on 127.0.0.1:0 that records each request and answers with `respond`. */
async function startGateway(respond: (res: ServerResponse, body: string) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method, headers: req.headers, body });
      respond(res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { url: `http://127.0.0.1:${port}/sms`, received, close };
}

const ok = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');

describe('HttpSmsSender', () => {
  it('when the text holds quotes, backslashes, newlines and placeholders, the body is valid JSON with exactly to and text', async () => {
    const gateway = await startGateway(ok);
    try {
      const sender = new HttpSmsSender({ url: gateway.url, bodyTemplate: TEMPLATE, timeoutMs: 2000 });
      const text = 'Code "123456"\\n real\nnewline\r\t", "to": "+19999999999 {{to}} $& $1 \u2028 ✓';
      await sender.send('+15550100', text);
      const [request] = gateway.received;
      assert.equal(request?.method, 'POST');
      assert.equal(request?.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(request!.body), { to: '+15550100', text });
      assert.equal(sender.id, 'http');
    } finally {
      await gateway.close();
    }
  });

  it('when an auth header line is configured, it is sent with its value (colons in the value kept)', async () => {
    const gateway = await startGateway(ok);
    try {
      for (const authHeader of ['Authorization: Bearer xyz', 'X-Api-Key:  k:with:colons ']) {
        await new HttpSmsSender({
          url: gateway.url,
          authHeader,
          bodyTemplate: TEMPLATE,
          timeoutMs: 2000,
        }).send('+15550100', 'hi');
      }
      assert.equal(gateway.received[0]?.headers.authorization, 'Bearer xyz');
      assert.equal(gateway.received[1]?.headers['x-api-key'], 'k:with:colons');
      assert.equal(gateway.received[1]?.headers.authorization, undefined);
    } finally {
      await gateway.close();
    }
  });

  it('when the gateway answers 500, it throws with the status and without the message or response text', async () => {
    const gateway = await startGateway((res, body) => res.writeHead(500).end(`failed for ${body}`));
    try {
      const sender = new HttpSmsSender({ url: gateway.url, bodyTemplate: TEMPLATE, timeoutMs: 2000 });
      await assert.rejects(sender.send('+15550100', 'Your code is 918273'), (error: Error) => {
        assert.match(error.message, /500/);
        assert.ok(!error.message.includes('918273'));
        assert.ok(!error.message.includes('failed for'));
        assert.ok(!error.message.includes(gateway.url));
        return true;
      });
    } finally {
      await gateway.close();
    }
  });

  it('when the gateway answers 204 or 202, the send resolves', async () => {
    let status = 204;
    const gateway = await startGateway((res) => res.writeHead(status).end());
    try {
      const sender = new HttpSmsSender({ url: gateway.url, bodyTemplate: TEMPLATE, timeoutMs: 2000 });
      await sender.send('+15550100', 'a');
      status = 202;
      await sender.send('+15550100', 'b');
      assert.equal(gateway.received.length, 2);
    } finally {
      await gateway.close();
    }
  });

  it('when the gateway redirects, it throws rather than posting the code elsewhere', async () => {
    const gateway = await startGateway((res) => res.writeHead(307, { location: '/elsewhere' }).end());
    try {
      const sender = new HttpSmsSender({ url: gateway.url, bodyTemplate: TEMPLATE, timeoutMs: 2000 });
      await assert.rejects(sender.send('+15550100', 'code'), /SMS gateway/);
      assert.equal(gateway.received.length, 1);
    } finally {
      await gateway.close();
    }
  });

  it('when the gateway does not answer within the timeout, it throws a timeout error', async () => {
    const gateway = await startGateway(() => {
      // never answer
    });
    try {
      const sender = new HttpSmsSender({ url: gateway.url, bodyTemplate: TEMPLATE, timeoutMs: 200 });
      const started = Date.now();
      await assert.rejects(sender.send('+15550100', 'code'), /no answer within 200 ms/);
      assert.ok(Date.now() - started < 2000);
    } finally {
      await gateway.close();
    }
  });

  it('when the gateway is unreachable, it throws naming the failure but not the URL', async () => {
    const gateway = await startGateway(ok);
    await gateway.close();
    const sender = new HttpSmsSender({
      url: `${gateway.url}?api_key=s3cret`,
      bodyTemplate: TEMPLATE,
      timeoutMs: 2000,
    });
    await assert.rejects(sender.send('+15550100', 'code'), (error: Error) => {
      assert.match(error.message, /request failed \(ECONNREFUSED\)/);
      assert.ok(!error.message.includes('s3cret'));
      return true;
    });
  });

  it('when the auth header is not "Name: value", construction throws without echoing the credential', () => {
    for (const authHeader of [
      'Bearer xyz-secret',
      ': xyz-secret',
      'Bad Name: xyz-secret',
      'X-Key:',
      'X: a\r\nY: xyz-secret',
    ]) {
      assert.throws(
        () =>
          new HttpSmsSender({
            url: 'http://127.0.0.1:1/',
            authHeader,
            bodyTemplate: TEMPLATE,
            timeoutMs: 100,
          }),
        (error: Error) => /SMS_HTTP_AUTH_HEADER/.test(error.message) && !error.message.includes('xyz-secret'),
        authHeader,
      );
    }
  });

  it('when the template lacks a placeholder or puts one outside a JSON string, construction throws', () => {
    for (const bodyTemplate of [
      '{"to":"{{to}}"}',
      '{"to":{{to}},"text":"{{text}}"}',
      'to={{to}}&text={{text}}',
    ]) {
      assert.throws(
        () => new HttpSmsSender({ url: 'http://127.0.0.1:1/', bodyTemplate, timeoutMs: 100 }),
        /SMS_HTTP_BODY_TEMPLATE/,
        bodyTemplate,
      );
    }
    assert.doesNotThrow(
      () =>
        new HttpSmsSender({
          url: 'http://127.0.0.1:1/',
          bodyTemplate: '{"messages":[{"destination":"{{to}}","content":"Portal: {{text}}"}]}',
          timeoutMs: 100,
        }),
    );
  });
});

describe('parseHeaderLine and renderBodyTemplate', () => {
  it('when parsing a header line, the name is lowercased and the value trimmed', () => {
    assert.deepEqual(parseHeaderLine('Authorization:   Basic dXNlcjpwYXNz  '), {
      name: 'authorization',
      value: 'Basic dXNlcjpwYXNz',
    });
  });

  it('when a value contains "{{text}}", it is not substituted a second time', () => {
    const body = renderBodyTemplate(TEMPLATE, { to: '{{text}}', text: '{{to}}' });
    assert.deepEqual(JSON.parse(body), { to: '{{text}}', text: '{{to}}' });
  });
});
