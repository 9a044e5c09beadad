import { isIP } from 'node:net';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';

/**
 * Sends one plain-text mail. Adapters: SmtpMailSender (nodemailer over TLS or STARTTLS) and
 * OutboxMailSender (a JSONL file, for development, tests and the demo).
 *
 * Contract:
 * - `to` is one bare address (`isMailAddress`); anything else is refused before any I/O, so a
 *   directory value such as "a@x, b@y" can never fan a notice out to a second recipient.
 * - Resolves once the message was accepted by the transport (for SMTP: the server answered
 *   250 to the data); throws when it was not. The error never holds `subject` or `text`.
 * - Never logs the message.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface MailSender {
  /** Which adapter this is ("smtp", "outbox"), for logs, health and the demo page. */
  readonly id: string;
  send(message: MailMessage): Promise<void>;
}

/** tls = implicit TLS (usually port 465); starttls = STARTTLS required (587); none = loopback relay only. */
export type SmtpSecurity = 'tls' | 'starttls' | 'none';

export const DEFAULT_SMTP_PORT: Readonly<Record<SmtpSecurity, number>> = {
  tls: 465,
  starttls: 587,
  none: 25,
};

export interface SmtpSettings {
  host: string;
  /** Default: 465 for tls, 587 for starttls, 25 for none. */
  port?: number | undefined;
  security: SmtpSecurity;
  user?: string | undefined;
  password?: string | undefined;
  /** "noreply@example.com" or "IT Service Desk <noreply@example.com>". */
  from: string;
  /** PEM of a private CA. When set it replaces the system roots for this connection. */
  ca?: Buffer | undefined;
  /** Name expected in the server certificate, when it differs from `host` (e.g. host is an IP). */
  tlsServerName?: string | undefined;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  /** Inactivity limit once connected. */
  socketTimeoutMs: number;
}

/** Safe facts about a failed send, for logs: no body, no subject, no address from the envelope. */
export class MailSendError extends Error {
  override readonly name = 'MailSendError';
  constructor(
    message: string,
    readonly code: string | null = null,
    /** SMTP reply code (e.g. 550), when the server answered. */
    readonly responseCode: number | null = null,
    /** The SMTP verb that failed ("RCPT TO", "DATA", "AUTH PLAIN", ...), without its arguments. */
    readonly command: string | null = null,
    /** The server's reply text, control characters removed, at most 200 characters. */
    readonly response: string | null = null,
    /** The transport's own message (e.g. "unable to get local issuer certificate"), same limits. */
    readonly detail: string | null = null,
  ) {
    super(message);
  }
}

const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/**
 * One bare address (local@domain, dot-atom local part, a domain with at least one dot), at most
 * 254 characters. No display name, comments, quoted local parts, lists or whitespace.
 */
export function isMailAddress(value: string): boolean {
  if (typeof value !== 'string' || value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at <= 0 || at > 64) return false;
  const local = value.slice(0, at);
  const labels = value.slice(at + 1).split('.');
  return LOCAL_PART.test(local) && labels.length >= 2 && labels.every((l) => DOMAIN_LABEL.test(l));
}

/**
 * Parse a sender: a bare address or "Name <address>". Returns null unless it is exactly one
 * mailbox with a valid address and a display name without control characters.
 */
export function parseFromAddress(value: string): { name: string; address: string } | null {
  if (typeof value !== 'string' || value.length > 320 || /\p{Cc}/u.test(value)) return null;
  const parsed = addressparser(value, { flatten: true });
  if (parsed.length !== 1) return null;
  const [mailbox] = parsed;
  if (!mailbox || !('address' in mailbox) || typeof mailbox.address !== 'string') return null;
  if (!isMailAddress(mailbox.address)) return null;
  return { name: mailbox.name ?? '', address: mailbox.address };
}

/** localhost, 127.0.0.0/8 and ::1: the only hosts where `security: 'none'` is allowed. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}

type Transporter = ReturnType<typeof nodemailer.createTransport>;

/**
 * SMTP through nodemailer. One connection per message (notices are rare; nothing to keep open).
 * TLS is required unless the relay is on loopback: `tls` connects with TLS, `starttls` refuses
 * to go on when the server does not offer STARTTLS. Certificates are always verified (system
 * roots, or `ca`); TLS 1.2 at least. nodemailer's logger and debug output are off, file and
 * URL access for attachments are off, and one overall deadline (the sum of the three timeouts)
 * bounds a send even against a server that answers one byte at a time.
 */
export class SmtpMailSender implements MailSender {
  readonly id = 'smtp';
  private readonly transport: Transporter;
  private readonly from: { name: string; address: string };
  private readonly deadlineMs: number;

  constructor(settings: SmtpSettings) {
    const from = parseFromAddress(settings.from);
    if (!from) throw new Error('SMTP sender: "from" must be one address, optionally with a display name');
    if (settings.security === 'none' && !isLoopbackHost(settings.host)) {
      throw new Error('SMTP sender: security "none" is only allowed for a relay on loopback');
    }
    if (Boolean(settings.user) !== Boolean(settings.password)) {
      throw new Error('SMTP sender: set both user and password, or neither');
    }
    this.from = from;
    this.deadlineMs = settings.connectionTimeoutMs + settings.greetingTimeoutMs + settings.socketTimeoutMs;
    this.transport = nodemailer.createTransport({
      host: settings.host,
      port: settings.port ?? DEFAULT_SMTP_PORT[settings.security],
      secure: settings.security === 'tls',
      requireTLS: settings.security === 'starttls',
      // A loopback relay's certificate names the public host, so STARTTLS there could only fail.
      ignoreTLS: settings.security === 'none',
      auth: settings.user ? { user: settings.user, pass: settings.password } : undefined,
      tls: {
        rejectUnauthorized: true,
        minVersion: 'TLSv1.2',
        ...(settings.ca ? { ca: [settings.ca] } : {}),
        ...(settings.tlsServerName ? { servername: settings.tlsServerName } : {}),
      },
      connectionTimeout: settings.connectionTimeoutMs,
      greetingTimeout: settings.greetingTimeoutMs,
      socketTimeout: settings.socketTimeoutMs,
      logger: false,
      debug: false,
      transactionLog: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(message: MailMessage): Promise<void> {
    if (!isMailAddress(message.to))
      throw new MailSendError('mail not sent: the recipient is not one address');
    try {
      await this.transport.sendMail({
        from: this.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        headers: {
          // RFC 3834: no vacation replies or other auto-answers back to the sender.
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
        },
        signal: AbortSignal.timeout(this.deadlineMs),
      });
    } catch (error) {
      throw toMailSendError(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}

/** Keep only the facts that are safe to log; nodemailer errors are never passed on as they are. */
function toMailSendError(error: unknown): MailSendError {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const code = typeof e.code === 'string' ? e.code : null;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  const command =
    typeof e.command === 'string' ? (/^[A-Za-z]+(?: [A-Za-z0-9-]+)?/.exec(e.command)?.[0] ?? null) : null;
  const response = typeof e.response === 'string' ? clean(e.response) : null;
  const detail = typeof e.message === 'string' ? clean(e.message) : null;
  const summary = [code, responseCode, command].filter((v) => v !== null).join(' ');
  return new MailSendError(
    `mail not sent${summary ? ` (${summary})` : ''}`,
    code,
    responseCode,
    command,
    response,
    detail,
  );
}

function clean(text: string): string {
  return text
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, 200);
}
