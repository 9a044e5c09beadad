import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CooldownError, SmsCooldown } from '../../../src/mfa/sms-cooldown.ts';
import type { SmsSender } from '../../../src/mfa/sms-sender.ts';
import { fakeRateLimitStore } from './fake-rate-limit-store.ts';

/** A sender that records what it was asked to send. */
function recordingSender(fail = false): SmsSender & { sent: { to: string; text: string }[] } {
  const sent: { to: string; text: string }[] = [];
  return {
    id: 'recording',
    sent,
    async send(to, text) {
      if (fail) throw new Error('gateway down');
      sent.push({ to, text });
    },
  };
}

/** A clock the test moves by hand. */
function clock(start = Date.parse('2025-01-01T00:00:00Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (seconds: number) => (t += seconds * 1000) };
}

describe('SmsCooldown', () => {
  it('when a second message to the same number comes inside the cooldown, it is refused with the time left', async () => {
    const inner = recordingSender();
    const time = clock();
    const sender = new SmsCooldown(inner, fakeRateLimitStore().store, 60, time.now);
    await sender.send('+15550100', 'first');
    time.advance(20);
    await assert.rejects(sender.send('+15550100', 'second'), (error: unknown) => {
      assert.ok(error instanceof CooldownError);
      assert.equal(error.retryAfterSeconds, 40);
      assert.ok(!error.message.includes('second'));
      return true;
    });
    assert.deepEqual(
      inner.sent.map((m) => m.text),
      ['first'],
    );
  });

  it('when the message goes to a different number inside the cooldown, it is sent', async () => {
    const inner = recordingSender();
    const sender = new SmsCooldown(inner, fakeRateLimitStore().store, 60, clock().now);
    await sender.send('+15550100', 'a');
    await sender.send('+15550199', 'b');
    assert.deepEqual(
      inner.sent.map((m) => m.to),
      ['+15550100', '+15550199'],
    );
  });

  it('when the cooldown has passed, the same number may be sent to again', async () => {
    const inner = recordingSender();
    const time = clock();
    const sender = new SmsCooldown(inner, fakeRateLimitStore().store, 60, time.now);
    await sender.send('+15550100', 'a');
    time.advance(59);
    await assert.rejects(sender.send('+15550100', 'b'), CooldownError);
    time.advance(1);
    await sender.send('+15550100', 'c');
    assert.deepEqual(
      inner.sent.map((m) => m.text),
      ['a', 'c'],
    );
  });

  it('when sending, it counts one hit on "sms:<number>" with limit 1 over the cooldown in ms', async () => {
    const { store, calls } = fakeRateLimitStore();
    const time = clock();
    await new SmsCooldown(recordingSender(), store, 90, time.now).send('+15550100', 'a');
    assert.deepEqual(calls, [{ key: 'sms:+15550100', limit: 1, windowMs: 90_000, now: time.now() }]);
  });

  it('when the cooldown is 0, every message is sent and the store is not touched', async () => {
    const inner = recordingSender();
    const { store, calls } = fakeRateLimitStore();
    const sender = new SmsCooldown(inner, store, 0, clock().now);
    await sender.send('+15550100', 'a');
    await sender.send('+15550100', 'b');
    assert.equal(inner.sent.length, 2);
    assert.equal(calls.length, 0);
  });

  it('when the wrapped sender fails, the error propagates and the cooldown still applies', async () => {
    const sender = new SmsCooldown(recordingSender(true), fakeRateLimitStore().store, 60, clock().now);
    await assert.rejects(sender.send('+15550100', 'a'), /gateway down/);
    await assert.rejects(sender.send('+15550100', 'a'), CooldownError);
  });

  it('when wrapping, it reports the id of the wrapped transport', () => {
    assert.equal(new SmsCooldown(recordingSender(), fakeRateLimitStore().store, 60).id, 'recording');
  });
});
