import type { Directory, DirectoryUser } from '../../directory/directory.ts';
import { normaliseLogin } from '../../directory/ldap-input.ts';
import { AppError } from '../../errors.ts';
import type { Writeback, WritebackContext } from '../../writeback/writeback.ts';
import { decoyUser } from '../decoy-user.ts';
import { assertState, type Flow } from '../flow.ts';
import { checkNewPassword } from '../password-input.ts';

/**
 * Change password: form -> done; with CHANGE_REQUIRES_FACTOR, identify -> verify -> form -> done
 * (the recovery steps, then the form for the verified login). The user binds with the current
 * password, so the directory enforces history and age.
 */
export type ChangeState = 'identify' | 'verify' | 'form' | 'done';

export interface ChangeDeps {
  directory: Pick<Directory, 'findUser' | 'verifyPassword'>;
  writeback: Writeback;
  passwordMinLength: number;
  /** A DN under the managed OU where no entry exists: unknown logins bind against it. */
  decoyParentDn: string;
}

export async function changePassword(
  flow: Flow,
  input: { login: unknown; current: unknown; password: unknown; confirm: unknown },
  ctx: WritebackContext,
  deps: ChangeDeps,
): Promise<Flow> {
  assertState(flow, 'form');
  const password = checkNewPassword(input.password, input.confirm, deps.passwordMinLength);
  // After a proven factor the login is the verified one, whatever the form says.
  const typed = flow.data.login ?? input.login;
  const login = typeof typed === 'string' ? normaliseLogin(typed) : null;
  if (
    !login ||
    typeof input.current !== 'string' ||
    input.current.length === 0 ||
    input.current.length > 256
  ) {
    throw new AppError('directory.invalid_credentials');
  }
  const subject = await deps.directory.findUser(login);
  if (!subject) {
    // Pretend it exists: a bind that fails the way a wrong password does, costing the same round trip.
    await deps.directory.verifyPassword(decoyUser(deps.decoyParentDn), input.current).catch(() => undefined);
    throw new AppError('directory.invalid_credentials');
  }
  await proveCurrentPassword(deps.directory, subject, input.current);
  const result = await deps.writeback.changePassword(subject, input.current, password, {
    ...ctx,
    actor: `self:${subject.username}`,
  });
  if (!result.ok) throw new AppError(result.code);
  return { ...flow, state: 'done', data: { login } };
}

/**
 * Nothing about the account (privileged, out of scope, its password history) is said before the
 * current password is proven. A bind that fails only because a change is due (AD 773/532,
 * ppolicy changeAfterReset) still proves it. A lockout answer does not (the directory gives it
 * whatever the password), so it reads as a wrong password here; the page points to unlock.
 */
async function proveCurrentPassword(
  directory: Pick<Directory, 'verifyPassword'>,
  subject: DirectoryUser,
  current: string,
): Promise<void> {
  try {
    await directory.verifyPassword(subject, current);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === 'directory.must_change_password' || error.code === 'directory.password_expired')
      return;
    if (error.code === 'directory.account_locked') throw new AppError('directory.invalid_credentials');
    throw error;
  }
}
