import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
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
 *
 * Each message is one appendFile (O_APPEND, one write), and sends are chained on a promise
 * queue, so concurrent sends from this process never interleave and keep their order.
 */
export class OutboxSmsSender implements SmsSender {
  readonly id = 'outbox';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  send(to: string, text: string): Promise<void> {
    const message: OutboxMessage = { at: this.now().toISOString(), to, text };
    const line = `${JSON.stringify(message)}\n`;
    const write = this.queue.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      // 0600: the file holds codes, other local users have no business reading it.
      await appendFile(this.file, line, { encoding: 'utf8', mode: 0o600 });
    });
    // A failed write rejects its own send but must not block the ones queued after it.
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** The newest `n` messages, newest first; [] when nothing was sent yet. */
  async readLast(n: number): Promise<OutboxMessage[]> {
    if (n <= 0) return [];
    let content: string;
    try {
      content = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const messages = content.split('\n').flatMap(parseLine);
    return messages.slice(-n).reverse();
  }
}

/** Lines that are not a message (a torn write after a crash, a hand edit) are skipped. */
function parseLine(line: string): OutboxMessage[] {
  if (line.trim() === '') return [];
  try {
    const value: unknown = JSON.parse(line);
    if (isOutboxMessage(value)) return [{ at: value.at, to: value.to, text: value.text }];
  } catch {
    // fall through
  }
  return [];
}

function isOutboxMessage(value: unknown): value is OutboxMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.at === 'string' && typeof v.to === 'string' && typeof v.text === 'string';
}
