import type { Directory } from '../../directory/directory.ts';
import { normaliseLogin } from '../../directory/ldap-input.ts';
import { AppError } from '../../errors.ts';
import type { Writeback, WritebackContext } from '../../writeback/writeback.ts';
import { assertState, type Flow } from '../flow.ts';
import { checkNewPassword } from '../password-input.ts';
import { findSubject, provePassword } from '../pre-auth.ts';

/**
 * Change password: form -> done; with CHANGE_REQUIRES_FACTOR, identify -> verify -> form -> done
 * (the recovery steps, then the form for the verified login). The user binds with the current
 * password, so the directory enforces history and age.
 */
export type ChangeState = 'identify' | 'verify' | 'form' | 'done';

export interface ChangeDeps {
  directory: Pick<Directory, 'findUser' | 'readUser' | 'verifyPassword'>;
  writeback: Writeback;
  passwordMinLength: number;
  /** A DN under the managed OU where no entry exists: unknown logins bind against it. */
  decoyParentDn: string;
  /** An existing entry unknown logins read in place of a subject (see pre-auth.ts findSubject). */
  decoyDn: string;
}

export async function changePassword(
  flow: Flow,
  input: { login: unknown; current: unknown; password: unknown; confirm: unknown },
  ctx: WritebackContext,
  deps: ChangeDeps,
): Promise<Flow> {
  assertState(flow, 'form');
  const password = checkNewPassword(input.password, input.confirm);
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
  // Nothing about the account (privileged, out of scope, its password history) is said before
  // the current password is proven; unknown logins pay the same lookups and bind.
  const found = await findSubject(deps.directory, login, deps.decoyDn);
  const subject = await provePassword(deps.directory, found, input.current, {
    decoyParentDn: deps.decoyParentDn,
    isChangeDueProof: true,
  });
  const result = await deps.writeback.changePassword(subject, input.current, password, {
    ...ctx,
    actor: `self:${subject.username}`,
  });
  if (!result.ok) throw new AppError(result.code, { params: result.params });
  return { ...flow, state: 'done', data: { login } };
}
