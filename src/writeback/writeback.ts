import type { Directory, DirectoryUser } from '../directory/directory.ts';
import { MAX_PASSWORD_LENGTH } from '../directory/directory.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { AuditOutcome, Store } from '../store/store.ts';
import type { HistoryCheck, PasswordHistory } from './password-history.ts';

/**
 * The single entry point through which every flow changes the directory:
 * eligibility (fresh read) -> password checks -> directory operation -> history -> audit -> notify.
 * Every call leaves exactly one audit row, success or not; no secret is ever in it.
 */

export type WritebackAction =
  | 'writeback.reset_password'
  | 'writeback.change_password'
  | 'writeback.unlock'
  | 'writeback.force_password_change';

export interface WritebackContext {
  /** "self:<username>", "agent:<username>", ... */
  actor: string;
  reason?: string | null;
  clientAddress?: string | null;
  /** Flow id or request id, to join audit rows with logs. */
  correlationId?: string | null;
}

export interface ResetContext extends WritebackContext {
  /** Temporary password: the user must change it at next logon. */
  mustChange?: boolean;
  /** Also clear a lockout in the same go (forgot-password + unlock). */
  unlock?: boolean;
}

export type WritebackResult =
  | { ok: true; action: WritebackAction; subject: DirectoryUser }
  | { ok: false; action: WritebackAction; code: ErrorCode; params?: Record<string, string | number> };

export interface PolicyRefusal {
  code: ErrorCode;
  params?: Record<string, string | number>;
}

/**
 * Checks a new password before it reaches the directory; returns the first refusal or null.
 * `previousPassword` is the current password in the change flow (for the similarity rule).
 */
export type PasswordPolicyCheck = (
  password: string,
  subject: DirectoryUser,
  options?: { previousPassword?: string | null },
) => PolicyRefusal | null | Promise<PolicyRefusal | null>;

export interface WritebackNotifier {
  notify(event: { action: WritebackAction; subject: DirectoryUser; actor: string }): Promise<void>;
}

export interface WritebackDeps {
  directory: Directory;
  store: Pick<Store, 'recordAudit'>;
  history: PasswordHistory;
  log: Logger;
  checkPolicy?: PasswordPolicyCheck;
  notifier?: WritebackNotifier;
  now?: () => Date;
}

export type Writeback = ReturnType<typeof createWriteback>;

export function createWriteback(deps: WritebackDeps) {
  const now = deps.now ?? (() => new Date());

  async function run(
    action: WritebackAction,
    subject: DirectoryUser,
    ctx: WritebackContext,
    operation: (fresh: DirectoryUser) => Promise<void>,
    details: Record<string, string | number | boolean | null> = {},
  ): Promise<WritebackResult> {
    let outcome: AuditOutcome = 'success';
    let code: ErrorCode | null = null;
    let params: Record<string, string | number> | undefined;
    let fresh: DirectoryUser | null = null;
    try {
      fresh = await eligibleSubject(deps.directory, subject);
      await operation(fresh);
    } catch (error) {
      if (!(error instanceof AppError)) {
        await audit(action, subject, ctx, 'failure', 'internal.error', details);
        throw error;
      }
      code = error.code;
      params = error.params;
      outcome = REFUSAL_CODES.has(error.code) ? 'refused' : 'failure';
      if (!error.expose || error.code === 'directory.unavailable') {
        deps.log.warn(
          { action, subject: subject.username, errorCode: error.code, err: error },
          'writeback failed',
        );
      }
    }
    await audit(action, subject, ctx, outcome, code, details);
    if (code !== null || !fresh) {
      return { ok: false, action, code: code ?? 'internal.error', ...(params ? { params } : {}) };
    }
    if (deps.notifier) {
      deps.notifier.notify({ action, subject: fresh, actor: ctx.actor }).catch((error: unknown) => {
        deps.log.warn({ action, subject: fresh?.username, err: error }, 'notification failed');
      });
    }
    return { ok: true, action, subject: fresh };
  }

  async function audit(
    action: WritebackAction,
    subject: DirectoryUser,
    ctx: WritebackContext,
    outcome: AuditOutcome,
    errorCode: ErrorCode | null,
    details: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    await deps.store.recordAudit({
      at: now(),
      actor: ctx.actor,
      subject: subject.username || subject.dn,
      action,
      outcome,
      errorCode,
      clientAddress: ctx.clientAddress ?? null,
      reason: ctx.reason ?? null,
      details: { ...details, ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}) },
    });
  }

  /** Policy, then the portal's own history: both before the directory is touched. */
  async function checkNewPassword(password: string, subject: DirectoryUser, previousPassword?: string) {
    const refusal = deps.checkPolicy ? await deps.checkPolicy(password, subject, { previousPassword }) : null;
    if (refusal) throw new AppError(refusal.code, { params: refusal.params });
    const check = await deps.history.check(subject.id, password);
    if (check.isReused) throw new AppError('writeback.password_reused');
    return check;
  }

  /** History is best effort once the directory holds the new password; a failure is logged loudly. */
  async function rememberQuietly(subject: DirectoryUser, entry: HistoryCheck['entry']): Promise<void> {
    await deps.history.remember(subject.id, entry).catch((error: unknown) => {
      deps.log.error(
        { subject: subject.username, err: error },
        'password set but not recorded in the portal history',
      );
    });
  }

  return {
    resetPassword(subject: DirectoryUser, newPassword: string, ctx: ResetContext): Promise<WritebackResult> {
      const details: Record<string, boolean> = {
        mustChange: ctx.mustChange === true,
        unlock: ctx.unlock === true,
      };
      return run(
        'writeback.reset_password',
        subject,
        ctx,
        async (fresh) => {
          const password = normaliseNewPassword(newPassword);
          const check = await checkNewPassword(password, fresh);
          await deps.directory.resetPassword(fresh, password, { mustChange: ctx.mustChange === true });
          // The password is set: what follows must not turn that into a reported failure.
          await rememberQuietly(fresh, check.entry);
          if (ctx.unlock && fresh.status.isLocked) {
            await deps.directory.unlock(fresh).catch((error: unknown) => {
              details.unlockFailed = true;
              deps.log.warn({ subject: fresh.username, err: error }, 'unlock after reset failed');
            });
          }
        },
        details,
      );
    },

    changePassword(
      subject: DirectoryUser,
      oldPassword: string,
      newPassword: string,
      ctx: WritebackContext,
    ): Promise<WritebackResult> {
      return run('writeback.change_password', subject, ctx, async (fresh) => {
        if (
          typeof oldPassword !== 'string' ||
          oldPassword.length === 0 ||
          oldPassword.length > MAX_PASSWORD_LENGTH
        ) {
          throw new AppError('directory.invalid_credentials');
        }
        const password = normaliseNewPassword(newPassword);
        const check = await checkNewPassword(password, fresh, oldPassword);
        await deps.directory.changePassword(fresh, oldPassword, password);
        await rememberQuietly(fresh, check.entry);
      });
    },

    unlock(subject: DirectoryUser, ctx: WritebackContext): Promise<WritebackResult> {
      return run('writeback.unlock', subject, ctx, (fresh) => deps.directory.unlock(fresh));
    },

    forcePasswordChange(subject: DirectoryUser, ctx: WritebackContext): Promise<WritebackResult> {
      return run('writeback.force_password_change', subject, ctx, (fresh) =>
        deps.directory.forcePasswordChange(fresh),
      );
    },
  };
}

/** Codes that mean "the rules say no", as opposed to "something broke". */
const REFUSAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'directory.privileged_account',
  'directory.not_in_scope',
  'directory.account_disabled',
  'directory.user_not_found',
  'directory.insufficient_rights',
  'directory.invalid_credentials',
  'directory.account_locked',
  'directory.password_too_short',
  'directory.password_too_long',
  'directory.password_not_complex',
  'directory.password_in_history',
  'directory.password_too_young',
  'directory.password_rejected',
  'writeback.password_reused',
  'writeback.invalid_input',
  'password.too_short',
  'password.too_long',
  'password.too_few_classes',
  'password.too_weak',
  'password.banned',
  'password.breached',
  'password.personal',
  'password.too_similar',
]);

/**
 * Re-read the subject so the decision uses the directory's state now, not when the flow began
 * (a user may have joined Domain Admins or been disabled meanwhile). Privileged, out-of-scope
 * and disabled accounts are refused before any write.
 */
async function eligibleSubject(directory: Directory, subject: DirectoryUser): Promise<DirectoryUser> {
  const fresh = await directory.readUser(subject.dn);
  if (!fresh || fresh.id !== subject.id) throw new AppError('directory.user_not_found');
  if (fresh.status.isPrivileged) throw new AppError('directory.privileged_account');
  if (!fresh.status.isInScope) throw new AppError('directory.not_in_scope');
  if (fresh.status.isDisabled) throw new AppError('directory.account_disabled');
  return fresh;
}

/**
 * New passwords are NFKC-normalised before policy, history and the directory see them, so the
 * same visible password always means the same stored one, whatever keyboard typed it.
 */
function normaliseNewPassword(password: string): string {
  if (typeof password !== 'string') throw new AppError('writeback.invalid_input');
  const value = password.normalize('NFKC');
  if (value.length === 0) throw new AppError('writeback.invalid_input');
  if (value.length > MAX_PASSWORD_LENGTH)
    throw new AppError('password.too_long', { params: { max: MAX_PASSWORD_LENGTH } });
  return value;
}
