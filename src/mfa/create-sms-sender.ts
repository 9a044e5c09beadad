import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import { HttpSmsSender } from './http-sms-sender.ts';
import { OutboxSmsSender } from './outbox-sms-sender.ts';
import { SmsCooldown } from './sms-cooldown.ts';
import type { SmsSender } from './sms-sender.ts';

export interface SmsSenders {
  /** The configured transport wrapped in the per-number cooldown: what flows use. */
  sender: SmsSender;
  /** The outbox when it is the transport (demo page reads it), else null. */
  outbox: OutboxSmsSender | null;
  /**
   * The transport without the cooldown: for notices about factor changes, which must reach the
   * phone even right after it received a code (that is when an attacker would change factors).
   */
  transport: SmsSender;
}

/** Build the sender from config.sms; throws when the chosen transport is not fully configured. */
export function createSmsSender(
  sms: Config['sms'],
  store: Pick<Store, 'hitRateLimit'>,
  now: () => Date = () => new Date(),
): SmsSenders {
  let transport: SmsSender;
  let outbox: OutboxSmsSender | null = null;
  if (sms.sender === 'http') {
    if (!sms.http.url) throw new Error('SMS_SENDER=http needs SMS_HTTP_URL');
    transport = new HttpSmsSender({
      url: sms.http.url,
      authHeader: sms.http.authHeader,
      bodyTemplate: sms.http.bodyTemplate,
      timeoutMs: sms.http.timeoutMs,
    });
  } else {
    outbox = new OutboxSmsSender(sms.outboxFile, now);
    transport = outbox;
  }
  return { sender: new SmsCooldown(transport, store, sms.cooldownSeconds, now), outbox, transport };
}
