import type { Store } from '../store/store.ts';
import type { SmsSender } from './sms-sender.ts';

/** A message to this number was sent less than the cooldown ago; nothing was sent now. */
export class CooldownError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`SMS cooldown: retry after ${retryAfterSeconds} s`);
    this.name = 'CooldownError';
  }
}

/**
 * Wraps a sender so each number gets at most one message per `cooldownSeconds`: this bounds SMS
 * cost and keeps the portal from being used to flood someone's phone. The count lives in the
 * Store's rate-limit table, so it holds across restarts and across instances. It relies on the
 * Store's window starting at the first hit (an epoch-aligned window would let two sends
 * straddle a boundary).
 *
 * A refused send throws CooldownError. Callers must show the user the same page either way
 * ("if this number is enrolled, a code is on its way"), so the cooldown does not reveal which
 * numbers are enrolled or were recently sent a code. A send that fails downstream still uses up
 * the cooldown: retrying a failing gateway in a loop helps no one.
 */
export class SmsCooldown implements SmsSender {
  readonly id: string;

  constructor(
    private readonly inner: SmsSender,
    private readonly store: Pick<Store, 'hitRateLimit'>,
    private readonly cooldownSeconds: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    // The wrapper is transparent: logs and the demo page still see which transport is in use.
    this.id = inner.id;
  }

  async send(to: string, text: string): Promise<void> {
    if (this.cooldownSeconds > 0) {
      const now = this.now();
      const hit = await this.store.hitRateLimit(`sms:${to}`, 1, this.cooldownSeconds * 1000, now);
      if (!hit.isAllowed) {
        const seconds = Math.ceil((hit.resetAt.getTime() - now.getTime()) / 1000);
        throw new CooldownError(Math.max(1, seconds));
      }
    }
    await this.inner.send(to, text);
  }
}
