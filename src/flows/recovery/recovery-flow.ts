import type { Directory, DirectoryUser } from '../../directory/directory.ts';
import { normaliseLogin } from '../../directory/ldap-input.ts';
import { AppError } from '../../errors.ts';
import { translate } from '../../i18n.ts';
import type { FactorKind } from '../../store/store.ts';
import type { Writeback, WritebackContext } from '../../writeback/writeback.ts';
import type { FactorVerifier } from '../factor-verifier.ts';
import { assertState, type Flow } from '../flow.ts';
import { checkNewPassword } from '../password-input.ts';
import { findSubject, loginKey } from '../pre-auth.ts';

/**
 * Forgot password and unlock account: identify -> verify (1 or 2 factors) -> act -> done.
 * See recovery-flow.mmd. Unknown logins follow the same path with a decoy subject ("pretend it
 * exists") until a factor is proven, which a decoy never can.
 */
export type RecoveryState = 'identify' | 'verify' | 'choose_password' | 'done';

export interface RecoveryDeps {
  directory: Pick<Directory, 'findUser' | 'readUser'>;
  verifier: FactorVerifier;
  writeback: Writeback;
  requiredFactors: 1 | 2;
  passwordMinLength: number;
  /** An existing entry unknown logins read in place of a subject, so they cost what a known one does. */
  decoyDn: string;
}

export async function identify(flow: Flow, login: unknown, deps: RecoveryDeps): Promise<Flow> {
  assertState(flow, 'identify');
  if (typeof login !== 'string' || login.trim() === '') throw new AppError('writeback.invalid_input');
  // Input no account can have (too long, control characters) follows the unknown-login path,
  // so it is answered like any other unknown login and never reaches the directory.
  const normalised = normaliseLogin(login);
  const shown = normalised ?? `${[...login.normalize('NFKC')].slice(0, 64).join('')}…`;
  // Every login takes the same path and the same queries: lookup (or decoy read), then factors.
  const subject = await findSubject(deps.directory, login, deps.decoyDn);
  await deps.verifier.confirmedFactors(subject);
  return {
    ...flow,
    state: 'verify',
    data: {
      login: shown,
      ...(subject ? { subjectDn: subject.dn, subjectId: subject.id } : {}),
      // Keyed by the login as typed for every account alike (pre-auth.ts loginKey).
      accountKey: loginKey(login),
      proven: [],
    },
  };
}

/** The subject as the directory sees it now, or null for a decoy. */
export async function subjectOf(
  flow: Flow,
  deps: Pick<RecoveryDeps, 'directory'>,
): Promise<DirectoryUser | null> {
  if (!flow.data.subjectDn) return null;
  const user = await deps.directory.readUser(flow.data.subjectDn);
  return user && user.id === flow.data.subjectId ? user : null;
}

export async function sendSmsCode(flow: Flow, deps: RecoveryDeps): Promise<void> {
  assertState(flow, 'verify');
  const subject = await subjectOf(flow, deps);
  await deps.verifier.sendCode(`flow:${flow.id}`, flow.data.accountKey!, subject, (code) =>
    translate('sms.code', { code, minutes: deps.verifier.codeTtlMinutes }),
  );
}

/** Prove one factor; when enough distinct factors are proven, the flow moves on. */
export async function submitCode(
  flow: Flow,
  method: unknown,
  code: unknown,
  nextState: 'choose_password' | 'form' | 'act',
  deps: RecoveryDeps,
): Promise<{ flow: Flow; isVerified: boolean }> {
  assertState(flow, 'verify');
  if (method !== 'totp' && method !== 'sms') throw new AppError('flow.code_invalid');
  if (typeof code !== 'string' || code.length > 16) throw new AppError('flow.code_invalid');
  const subject = await subjectOf(flow, deps);
  await deps.verifier.prove(method, code, {
    purpose: `flow:${flow.id}`,
    accountKey: flow.data.accountKey!,
    subject,
    acceptsAssistCode: flow.kind === 'reset',
  });
  const proven = [...new Set<FactorKind>([...(flow.data.proven ?? []), method])];
  const isVerified = proven.length >= deps.requiredFactors;
  return {
    flow: {
      ...flow,
      state: isVerified ? (nextState === 'act' ? 'done' : nextState) : 'verify',
      data: { ...flow.data, proven },
    },
    isVerified,
  };
}

export async function choosePassword(
  flow: Flow,
  input: { password: unknown; confirm: unknown; unlock: boolean },
  ctx: WritebackContext,
  deps: RecoveryDeps,
): Promise<Flow> {
  assertState(flow, 'choose_password');
  const password = checkNewPassword(input.password, input.confirm);
  const subject = await subjectOf(flow, deps);
  if (!subject) throw new AppError('flow.invalid', { detail: 'verified subject vanished' });
  const result = await deps.writeback.resetPassword(subject, password, { ...ctx, unlock: input.unlock });
  if (!result.ok) throw new AppError(result.code, { params: result.params });
  return { ...flow, state: 'done' };
}

export async function unlockAccount(flow: Flow, ctx: WritebackContext, deps: RecoveryDeps): Promise<void> {
  assertState(flow, 'done');
  const subject = await subjectOf(flow, deps);
  if (!subject) throw new AppError('flow.invalid', { detail: 'verified subject vanished' });
  const result = await deps.writeback.unlock(subject, ctx);
  if (!result.ok) throw new AppError(result.code, { params: result.params });
}
