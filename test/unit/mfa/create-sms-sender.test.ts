import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../src/config.ts';
import { createSmsSender } from '../../../src/mfa/create-sms-sender.ts';
import { CooldownError } from '../../../src/mfa/sms-cooldown.ts';
import { fakeRateLimitStore } from './fake-rate-limit-store.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sspr-create-sms-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function smsConfig(overrides: Partial<Config['sms']> = {}): Config['sms'] {
  return {
    sender: 'outbox',
    outboxFile: join(dir, 'outbox.jsonl'),
    http: {
      url: undefined,
      authHeader: undefined,
      bodyTemplate: '{"to":"{{to}}","text":"{{text}}"}',
      timeoutMs: 1000,
    },
    cooldownSeconds: 60,
    ...overrides,
  };
}

describe('createSmsSender', () => {
  it('when the outbox is configured, messages land in the outbox and the cooldown wraps it', async () => {
    const { sender, outbox } = createSmsSender(smsConfig(), fakeRateLimitStore().store);
    assert.equal(sender.id, 'outbox');
    assert.ok(outbox);
    await sender.send('+15550100', 'hello');
    await assert.rejects(sender.send('+15550100', 'again'), CooldownError);
    assert.deepEqual(
      (await outbox.readLast(5)).map((m) => m.text),
      ['hello'],
    );
  });

  it('when http is configured with a URL, it builds the HTTP sender and no outbox', () => {
    const http = { ...smsConfig().http, url: 'http://127.0.0.1:1/sms' };
    const { sender, outbox } = createSmsSender(
      smsConfig({ sender: 'http', http }),
      fakeRateLimitStore().store,
    );
    assert.equal(sender.id, 'http');
    assert.equal(outbox, null);
  });

  it('when http is configured without a URL, it throws naming SMS_HTTP_URL', () => {
    assert.throws(
      () => createSmsSender(smsConfig({ sender: 'http' }), fakeRateLimitStore().store),
      /SMS_HTTP_URL/,
    );
  });
});
