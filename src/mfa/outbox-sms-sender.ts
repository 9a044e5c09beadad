import { JsonlFile, stringFields } from '../outbox/jsonl-file.ts';
import type { SmsSender } from './sms-sender.ts';

/** One message as written to the outbox file. */
export interface OutboxMessage {
  /** ISO 8601 time the message was written. */
  at: string;
  to: string;
  text: string;
}

/**
 * The stub transport: each message becomes one JSON line appended to a file, which the demo
 * page and the tests read back. It stores codes in clear, so it is for development, tests and
 * demos only; production uses HttpSmsSender.
 */
export class OutboxSmsSender implements SmsSender {
  readonly id = 'outbox';
  private readonly outbox: JsonlFile<OutboxMessage>;

  constructor(
    file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.outbox = new JsonlFile(file, (value) => stringFields(value, ['at', 'to', 'text'] as const));
  }

  send(to: string, text: string): Promise<void> {
    return this.outbox.append({ at: this.now().toISOString(), to, text });
  }

  /** The newest `n` messages, newest first; [] when nothing was sent yet. */
  readLast(n: number): Promise<OutboxMessage[]> {
    return this.outbox.readLast(n);
  }
}
