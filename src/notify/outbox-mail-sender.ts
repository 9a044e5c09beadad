import { JsonlFile, stringFields } from '../outbox/jsonl-file.ts';
import { isMailAddress, type MailMessage, MailSendError, type MailSender } from './mail-sender.ts';

/** One mail as written to the outbox file. */
export interface OutboxMail extends MailMessage {
  /** ISO 8601 time the mail was written. */
  at: string;
}

/**
 * The stub transport, like the SMS outbox: each mail becomes one JSON line appended to a file
 * (mode 0600), which the demo and the tests read back. For development, tests and demos only.
 */
export class OutboxMailSender implements MailSender {
  readonly id = 'outbox';
  private readonly outbox: JsonlFile<OutboxMail>;

  constructor(
    file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.outbox = new JsonlFile(file, (value) =>
      stringFields(value, ['at', 'to', 'subject', 'text'] as const),
    );
  }

  send(message: MailMessage): Promise<void> {
    if (!isMailAddress(message.to)) {
      return Promise.reject(new MailSendError('mail not sent: the recipient is not one address'));
    }
    return this.outbox.append({
      at: this.now().toISOString(),
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
  }

  /** The newest `n` mails, newest first; [] when nothing was sent yet. */
  readLast(n: number): Promise<OutboxMail[]> {
    return this.outbox.readLast(n);
  }
}
