import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import {
  BreachRangeUnavailable,
  createBreachRangeClient,
  hasSuffix,
  rangeUrl,
} from '../../../src/policy/breach-range.ts';
import { createPasswordPolicy, DEFAULT_POLICY_SETTINGS } from '../../../src/policy/password-policy.ts';

const STRONG = 'violet kangaroo juggles 42 lanterns';
const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A range server on 127.0.0.1:0; `answer` writes the response for a 5-character prefix. */
async function startRangeServer(answer: (res: ServerResponse, prefix: string) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    answer(res, (req.url ?? '').split('/').pop() ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/range/{prefix}`,
    seen,
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The injected fetch refuses anything but loopback, so no test can reach the internet. */
const loopbackFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  assert.equal(url.hostname, '127.0.0.1', 'tests only talk to loopback');
  return fetch(input, init);
};

/** An answer holding `suffixes` with counts, plus padding lines (count 0). */
function rangeBody(entries: [suffix: string, count: number][]): string {
  return entries.map(([suffix, count]) => `${suffix}:${count}`).join('\r\n');
}

const fakeSuffix = (n: number) => n.toString(16).toUpperCase().padStart(35, '0');

describe('breach range client', () => {
  it('reports a password whose suffix is listed with a count', async () => {
    const hash = sha1(STRONG);
    const server = await startRangeServer((res) =>
      res.end(
        rangeBody([
          [fakeSuffix(1), 3],
          [hash.slice(5), 42],
          [fakeSuffix(2), 0],
        ]),
      ),
    );
    try {
      const client = createBreachRangeClient({ url: server.url, timeoutMs: 2000, fetch: loopbackFetch });
      assert.equal(await client.isBreached(STRONG), true);
    } finally {
      await server.close();
    }
  });

  it('reports a password whose suffix is absent as clean', async () => {
    const server = await startRangeServer((res) =>
      res.end(
        rangeBody([
          [fakeSuffix(1), 3],
          [fakeSuffix(2), 9],
        ]),
      ),
    );
    try {
      const client = createBreachRangeClient({ url: server.url, timeoutMs: 2000, fetch: loopbackFetch });
      assert.equal(await client.isBreached(STRONG), false);
    } finally {
      await server.close();
    }
  });

  it('ignores padding lines (count 0), even for the very suffix asked about', async () => {
    const hash = sha1(STRONG);
    const server = await startRangeServer((res) =>
      res.end(
        rangeBody([
          [hash.slice(5), 0],
          [fakeSuffix(7), 0],
        ]),
      ),
    );
    try {
      const client = createBreachRangeClient({ url: server.url, timeoutMs: 2000, fetch: loopbackFetch });
      assert.equal(await client.isBreached(STRONG), false);
    } finally {
      await server.close();
    }
  });

  it('sends only the first 5 hex characters of the SHA-1, and asks for padding', async () => {
    const hash = sha1(STRONG);
    const server = await startRangeServer((res) => res.end(''));
    try {
      const client = createBreachRangeClient({ url: server.url, timeoutMs: 2000, fetch: loopbackFetch });
      await client.isBreached(STRONG);
      const [request] = server.seen;
      assert.ok(request);
      assert.equal(request.url, `/range/${hash.slice(0, 5)}`);
      assert.match(request.url, /\/[0-9A-F]{5}$/);
      assert.equal(request.headers['add-padding'], 'true');
      const sent = JSON.stringify(request).toUpperCase();
      assert.ok(!sent.includes(hash.slice(5, 12)), 'no part of the suffix leaves the portal');
      assert.ok(!sent.includes(STRONG.toUpperCase()), 'the password never leaves the portal');
    } finally {
      await server.close();
    }
  });

  it('hashes the exact string given (HIBP hashes case-sensitively): "password" is 5BAA6', async () => {
    const server = await startRangeServer((res) => res.end(''));
    try {
      const client = createBreachRangeClient({ url: server.url, timeoutMs: 2000, fetch: loopbackFetch });
      await client.isBreached('password');
      assert.equal(server.seen[0]?.url, '/range/5BAA6');
    } finally {
      await server.close();
    }
  });

  it('fails with BreachRangeUnavailable on a non-2xx answer', async () => {
    const server = await startRangeServer((res) => res.writeHead(503).end('busy'));
    try {
      const client = createBreachRangeClient({ url: server.url, timeoutMs: 2000, fetch: loopbackFetch });
      await assert.rejects(client.isBreached(STRONG), BreachRangeUnavailable);
    } finally {
      await server.close();
    }
  });

  it('fails with BreachRangeUnavailable when the server does not answer in time', async () => {
    const server = await startRangeServer(() => {});
    try {
      const client = createBreachRangeClient({ url: server.url, timeoutMs: 100, fetch: loopbackFetch });
      const started = performance.now();
      await assert.rejects(client.isBreached(STRONG), BreachRangeUnavailable);
      assert.ok(performance.now() - started < 2000);
    } finally {
      await server.close();
    }
  });

  it('builds the URL from a {prefix} template, or appends the prefix', () => {
    assert.equal(rangeUrl('https://x.test/range/{prefix}?v=1', 'ABCDE'), 'https://x.test/range/ABCDE?v=1');
    assert.equal(rangeUrl('https://x.test/range/', 'ABCDE'), 'https://x.test/range/ABCDE');
  });

  it('parses suffix lines case-insensitively, with CRLF and spaces', () => {
    assert.equal(hasSuffix('abc:0\r\nDEF : 12\r\n', 'DEF'), true);
    assert.equal(hasSuffix('DEF:0\r\n', 'DEF'), false);
    assert.equal(hasSuffix('garbage\nDEF:x', 'DEF'), false);
  });
});

describe('policy with the range check configured', () => {
  const settings = (url: string, failOpen: boolean, timeoutMs = 2000) => ({
    ...DEFAULT_POLICY_SETTINGS,
    breachedRangeUrl: url,
    breachedRangeFailOpen: failOpen,
    breachedRangeTimeoutMs: timeoutMs,
  });

  it('refuses a password the range lists, with password.breached', async () => {
    const hash = sha1(STRONG);
    const server = await startRangeServer((res) => res.end(rangeBody([[hash.slice(5), 5]])));
    try {
      const policy = createPasswordPolicy(settings(server.url, true), { fetch: loopbackFetch });
      const offline = policy.checkOffline(STRONG, {});
      assert.equal(offline.isAccepted, true, 'offline the password is fine');
      const result = await policy.check(STRONG, {});
      assert.deepEqual(
        result.failures.map((f) => f.code),
        ['password.breached'],
      );
      assert.equal(result.breachRange, 'found');
      assert.equal(result.checklist.find((item) => item.rule === 'password.breached')?.isMet, false);
    } finally {
      await server.close();
    }
  });

  it('on timeout, fails open (accepted, status unavailable) when so configured', async () => {
    const server = await startRangeServer(() => {});
    try {
      const policy = createPasswordPolicy(settings(server.url, true, 100), { fetch: loopbackFetch });
      const result = await policy.check(STRONG, {});
      assert.equal(result.isAccepted, true);
      assert.equal(result.breachRange, 'unavailable');
    } finally {
      await server.close();
    }
  });

  it('on timeout, fails closed with password.breach_check_unavailable when so configured', async () => {
    const server = await startRangeServer(() => {});
    try {
      const policy = createPasswordPolicy(settings(server.url, false, 100), { fetch: loopbackFetch });
      const result = await policy.check(STRONG, {});
      assert.equal(result.isAccepted, false);
      assert.deepEqual(
        result.failures.map((f) => f.code),
        ['password.breach_check_unavailable'],
      );
      assert.ok(!result.checklist.some((item) => item.rule === 'password.breach_check_unavailable'));
    } finally {
      await server.close();
    }
  });

  it('does not query the range for a password the offline rules already refuse', async () => {
    const server = await startRangeServer((res) => res.end(''));
    try {
      const policy = createPasswordPolicy(settings(server.url, false), { fetch: loopbackFetch });
      const result = await policy.check('short', {});
      assert.equal(result.breachRange, 'skipped');
      assert.equal(server.seen.length, 0);
    } finally {
      await server.close();
    }
  });

  it('queries with the NFKC form, the string the directory will receive', async () => {
    const server = await startRangeServer((res) => res.end(''));
    try {
      const policy = createPasswordPolicy(settings(server.url, true), { fetch: loopbackFetch });
      const fullWidth = '\uff56\uff49\uff4f\uff4c\uff45\uff54 kangaroo juggles 42 lanterns';
      await policy.check(fullWidth, {});
      assert.equal(server.seen[0]?.url, `/range/${sha1(fullWidth.normalize('NFKC')).slice(0, 5)}`);
    } finally {
      await server.close();
    }
  });
});
