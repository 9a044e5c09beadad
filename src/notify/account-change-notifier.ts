import type { DirectoryUser } from '../directory/directory.ts';
import type { Logger } from '../log.ts';
import type { WritebackAction, WritebackNotifier } from '../writeback/writeback.ts';
import { isMailAddress, type MailSender } from './mail-sender.ts';

/**
 * Tells users by mail that their account was changed, so a change they did not ask for (an
 * attacker who talked the helpdesk into a reset, or who got through self-service) is noticed.
 *
 * - Staff actions (any actor that is not "self:...", i.e. "agent:..." or "system") are always
 *   notified; self-service ones when `notifySelfService` is on (the default).
 * - The mail holds the action, the time and whom to contact: never a password, code, the
 *   agent's name or the client address. Its one link is built from the configured base URL.
 * - A subject without a mail address is skipped (resolves); a mail address that is not one
 *   plain address rejects, as does a transport failure: the writeback logs it and keeps the
 *   change.
 */

/** Writeback actions, plus the helpdesk's "clear factors" (see flows/helpdesk). */
export type AccountChangeAction = WritebackAction | 'helpdesk.clear_factors';

export interface AccountChangeEvent {
  action: AccountChangeAction;
  subject: DirectoryUser;
  actor: string;
}

/** src/i18n.ts `translate`, or a stand-in with the same shape. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

export interface AccountChangeNotifierOptions {
  mail: MailSender;
  translate: Translate;
  /** The configured BASE_URL: the only source of the link (never a request's Host header). */
  baseUrl: URL;
  /** Shown in the mail: "contact security at <this>" (an address, a phone number, a URL). */
  securityContact: string;
  /** Mail self-service changes too (reset, change, unlock). Default true. */
  notifySelfService?: boolean;
  /** IANA zone for the time in the mail. Default UTC. */
  timeZone?: string;
  /** BCP 47 locale for the time format. Default en-GB ("20 November 2026 at 10:15:00 UTC"). */
  dateLocale?: string;
  now?: () => Date;
  log?: Pick<Logger, 'info'>;
}

export const ACTION_TEXT_KEYS: Readonly<Record<AccountChangeAction, string>> = {
  'writeback.reset_password': 'mail.action.reset_password',
  'writeback.change_password': 'mail.action.change_password',
  'writeback.unlock': 'mail.action.unlock',
  'writeback.force_password_change': 'mail.action.force_password_change',
  'helpdesk.clear_factors': 'mail.action.clear_factors',
};

export const MAIL_TEXT_KEYS = [
  'mail.account_changed.subject',
  'mail.account_changed.by_helpdesk',
  'mail.account_changed.by_self',
  ...Object.values(ACTION_TEXT_KEYS),
] as const;

/** Page of the portal the mail links to, relative to the base URL. */
const LINK_PATH: Readonly<Record<AccountChangeAction, string>> = {
  'writeback.reset_password': '',
  'writeback.change_password': '',
  'writeback.unlock': '',
  'writeback.force_password_change': '',
  'helpdesk.clear_factors': 'enroll',
};

export class AccountChangeNotifier implements WritebackNotifier {
  private readonly notifySelfService: boolean;
  private readonly formatTime: Intl.DateTimeFormat;
  private readonly now: () => Date;

  constructor(private readonly options: AccountChangeNotifierOptions) {
    if (!options.securityContact.trim()) throw new Error('account change notifier: securityContact is empty');
    if (options.baseUrl.protocol !== 'https:' && options.baseUrl.protocol !== 'http:') {
      throw new Error('account change notifier: baseUrl must be http(s)');
    }
    assertTexts(options.translate);
    this.notifySelfService = options.notifySelfService ?? true;
    // Throws RangeError for an unknown zone: at startup, not at the first notice.
    this.formatTime = new Intl.DateTimeFormat(options.dateLocale ?? 'en-GB', {
      dateStyle: 'long',
      timeStyle: 'long',
      timeZone: options.timeZone ?? 'UTC',
    });
    this.now = options.now ?? (() => new Date());
  }

  async notify(event: AccountChangeEvent): Promise<void> {
    const isSelf = event.actor.startsWith('self:');
    if (isSelf && !this.notifySelfService) return;
    const to = event.subject.mail?.trim() ?? '';
    if (to === '') {
      this.options.log?.info(
        { action: event.action, subject: event.subject.username },
        'account change notice skipped: no mail address',
      );
      return;
    }
    if (!isMailAddress(to))
      throw new Error('account change notice not sent: the mail attribute is not one address');
    const actionKey = ACTION_TEXT_KEYS[event.action];
    if (!actionKey) throw new Error(`account change notice not sent: unknown action ${String(event.action)}`);
    const t = this.options.translate;
    const text = t(isSelf ? 'mail.account_changed.by_self' : 'mail.account_changed.by_helpdesk', {
      name: displayName(event.subject),
      action: t(actionKey),
      time: this.formatTime.format(this.now()),
      contact: this.options.securityContact.trim(),
      link: portalLink(this.options.baseUrl, LINK_PATH[event.action] ?? ''),
    });
    await this.options.mail.send({ to, subject: t('mail.account_changed.subject'), text });
  }
}

/**
 * `path` under the base URL, keeping a path prefix ("https://x/sspr" + "enroll" ->
 * "https://x/sspr/enroll"), without the base's query, fragment or credentials.
 */
export function portalLink(baseUrl: URL, path: string): string {
  const base = new URL(baseUrl.href);
  base.username = '';
  base.password = '';
  base.search = '';
  base.hash = '';
  if (!base.pathname.endsWith('/')) base.pathname = `${base.pathname}/`;
  return new URL(path.replace(/^\/+/, ''), base).href;
}

/** The name to greet: plain text, one line, bounded. */
function displayName(user: DirectoryUser): string {
  const name = (user.displayName ?? user.givenName ?? user.username ?? '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}]+/gu, ' ')
    .trim();
  return (name || user.username).slice(0, 100);
}

/** Fail at startup, not in a user's mailbox, when a locale text is missing. */
function assertTexts(translate: Translate): void {
  const fallback = translate('mail.__missing__');
  const missing = MAIL_TEXT_KEYS.filter((key) => {
    const text = translate(key);
    return text === fallback || text === key;
  });
  if (missing.length > 0) {
    throw new Error(`account change notifier: locale texts missing: ${missing.join(', ')}`);
  }
}
