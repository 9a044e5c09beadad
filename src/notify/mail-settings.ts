import { readFileSync } from 'node:fs';
import type { Logger } from '../log.ts';
import { AccountChangeNotifier, type Translate } from './account-change-notifier.ts';
import {
  isLoopbackHost,
  type MailSender,
  parseFromAddress,
  SmtpMailSender,
  type SmtpSecurity,
} from './mail-sender.ts';
import { OutboxMailSender } from './outbox-mail-sender.ts';

/**
 * Mail settings as config.ts hands them over (`config.mail`), the cross-field checks that
 * loadConfig runs on the raw environment, and the factories compose.ts calls.
 */

export type MailSenderKind = 'none' | 'smtp' | 'outbox';

export interface MailSettings {
  /** none: no account-change mails at all. */
  sender: MailSenderKind;
  /** Required for smtp (checked by checkMailEnv). */
  from: string | undefined;
  outboxFile: string;
  /** Required unless sender is none (checked by checkMailEnv). */
  securityContact: string | undefined;
  notifySelfService: boolean;
  timeZone: string;
  smtp: {
    host: string | undefined;
    port: number | undefined;
    security: SmtpSecurity;
    user: string | undefined;
    password: string | undefined;
    ca: Buffer | undefined;
    tlsServerName: string | undefined;
    connectionTimeoutMs: number;
    greetingTimeoutMs: number;
    socketTimeoutMs: number;
  };
}

/** For the zod schema: true for an IANA zone name Intl knows ("UTC", "Europe/Paris"). */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/**
 * The checks one key cannot make alone, on the raw environment (empty values already removed),
 * so they are listed with every other bad key at startup. Reads SMTP_PASSWORD_FILE and
 * SMTP_CA_FILE; returns what they hold (undefined when unset or unreadable).
 */
export function checkMailEnv(
  raw: Record<string, string | undefined>,
  problems: string[],
): { ca: Buffer | undefined; password: string | undefined } {
  const sender = raw.MAIL_SENDER ?? 'none';
  if (sender !== 'smtp' && sender !== 'outbox') return { ca: undefined, password: undefined };
  if (!raw.MAIL_SECURITY_CONTACT?.trim()) {
    problems.push(
      `MAIL_SECURITY_CONTACT: required when MAIL_SENDER=${sender} (whom users call about a change)`,
    );
  }
  if (sender !== 'smtp') return { ca: undefined, password: undefined };

  if (!raw.MAIL_FROM) problems.push('MAIL_FROM: required when MAIL_SENDER=smtp');
  else if (!parseFromAddress(raw.MAIL_FROM)) {
    problems.push(
      'MAIL_FROM: must be one address, e.g. noreply@example.com or "IT Desk <noreply@example.com>"',
    );
  }
  const host = raw.SMTP_HOST;
  if (!host) problems.push('SMTP_HOST: required when MAIL_SENDER=smtp');
  if (raw.SMTP_SECURITY === 'none' && host && !isLoopbackHost(host)) {
    problems.push('SMTP_SECURITY: none is only allowed for a relay on loopback (localhost, 127.0.0.1, ::1)');
  }

  let password: string | undefined;
  if (raw.SMTP_PASSWORD && raw.SMTP_PASSWORD_FILE) {
    problems.push('SMTP_PASSWORD_FILE: set either SMTP_PASSWORD or SMTP_PASSWORD_FILE, not both');
  } else if (raw.SMTP_PASSWORD_FILE) {
    try {
      password = readFileSync(raw.SMTP_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
      if (password === '') {
        problems.push('SMTP_PASSWORD_FILE: the file is empty');
        password = undefined;
      }
    } catch (error) {
      problems.push(`SMTP_PASSWORD_FILE: cannot read (${(error as NodeJS.ErrnoException).code})`);
    }
  } else {
    password = raw.SMTP_PASSWORD;
  }
  const hasPassword = Boolean(raw.SMTP_PASSWORD || raw.SMTP_PASSWORD_FILE);
  if (raw.SMTP_USER && !hasPassword) problems.push('SMTP_PASSWORD: required when SMTP_USER is set');
  if (!raw.SMTP_USER && hasPassword) problems.push('SMTP_USER: required when a SMTP password is set');

  let ca: Buffer | undefined;
  if (raw.SMTP_CA_FILE) {
    try {
      ca = readFileSync(raw.SMTP_CA_FILE);
    } catch (error) {
      problems.push(
        `SMTP_CA_FILE: cannot read ${raw.SMTP_CA_FILE} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  return { ca, password };
}

/** The configured transport, or null when MAIL_SENDER=none. Throws when smtp is incomplete. */
export function createMailSender(mail: MailSettings, now: () => Date = () => new Date()): MailSender | null {
  if (mail.sender === 'none') return null;
  if (mail.sender === 'outbox') return new OutboxMailSender(mail.outboxFile, now);
  const { smtp } = mail;
  if (!smtp.host || !mail.from) throw new Error('MAIL_SENDER=smtp needs SMTP_HOST and MAIL_FROM');
  return new SmtpMailSender({
    host: smtp.host,
    port: smtp.port,
    security: smtp.security,
    user: smtp.user,
    password: smtp.password,
    from: mail.from,
    ca: smtp.ca,
    tlsServerName: smtp.tlsServerName,
    connectionTimeoutMs: smtp.connectionTimeoutMs,
    greetingTimeoutMs: smtp.greetingTimeoutMs,
    socketTimeoutMs: smtp.socketTimeoutMs,
  });
}

/**
 * The writeback's notifier, or null when MAIL_SENDER=none. `sender` defaults to
 * createMailSender(mail); pass one to share it (e.g. the outbox the demo page reads).
 */
export function createAccountChangeNotifier(
  mail: MailSettings,
  deps: {
    baseUrl: URL;
    translate: Translate;
    log?: Pick<Logger, 'info'>;
    sender?: MailSender | null;
    now?: () => Date;
  },
): AccountChangeNotifier | null {
  const sender = deps.sender === undefined ? createMailSender(mail, deps.now) : deps.sender;
  if (!sender) return null;
  if (!mail.securityContact) throw new Error('account change mails need MAIL_SECURITY_CONTACT');
  return new AccountChangeNotifier({
    mail: sender,
    translate: deps.translate,
    baseUrl: deps.baseUrl,
    securityContact: mail.securityContact,
    notifySelfService: mail.notifySelfService,
    timeZone: mail.timeZone,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
}
