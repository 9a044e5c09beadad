import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isMailAddress, type MailMessage, MailSendError, type MailSender } from './mail-sender.ts';

/** One mail as written to the outbox file. */
export interface OutboxMail extends MailMessage {
  /** ISO 8601 time the mail was written. */
  at: string;
}

/**
 * The stub transport, like the SMS outbox: each mail becomes one JSON line appended to a file
 * (mode 0600), which the demo and the tests read back. For development, tests and demos only.
 *
 * Each mail is one appendFile (O_APPEND, one write), chained on a promise queue, so concurrent
 * sends from this process never interleave and keep their order.
 */
export class OutboxMailSender implements MailSender {
  readonly id = 'outbox';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  send(message: MailMessage): Promise<void> {
    if (!isMailAddress(message.to)) {
      return Promise.reject(new MailSendError('mail not sent: the recipient is not one address'));
    }
    const mail: OutboxMail = {
      at: this.now().toISOString(),
      to: message.to,
      subject: message.subject,
      text: message.text,
    };
    const line = `${JSON.stringify(mail)}\n`;
    const write = this.queue.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, line, { encoding: 'utf8', mode: 0o600 });
    });
    // A failed write rejects its own send but must not block the ones queued after it.
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** The newest `n` mails, newest first; [] when nothing was sent yet. */
  async readLast(n: number): Promise<OutboxMail[]> {
    if (n <= 0) return [];
    let content: string;
    try {
      content = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return content.split('\n').flatMap(parseLine).slice(-n).reverse();
  }
}

/** Lines that are not a mail (a torn write after a crash, a hand edit) are skipped. */
function parseLine(line: string): OutboxMail[] {
  if (line.trim() === '') return [];
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) return [];
    const v = value as Record<string, unknown>;
    if (
      typeof v.at === 'string' &&
      typeof v.to === 'string' &&
      typeof v.subject === 'string' &&
      typeof v.text === 'string'
    ) {
      return [{ at: v.at, to: v.to, subject: v.subject, text: v.text }];
    }
  } catch {
    // fall through
  }
  return [];
}
