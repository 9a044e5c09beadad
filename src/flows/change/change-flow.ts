import type { Directory, DirectoryUser } from '../../directory/directory.ts';
import { normaliseLogin } from '../../directory/ldap-input.ts';
import { AppError } from '../../errors.ts';
import type { Writeback, WritebackContext } from '../../writeback/writeback.ts';
import { assertState, type Flow, token } from '../flow.ts';
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
    await deps.directory.verifyPassword(decoy(deps.decoyParentDn), input.current).catch(() => undefined);
    throw new AppError('directory.invalid_credentials');
  }
  const result = await deps.writeback.changePassword(subject, input.current, password, {
    ...ctx,
    actor: `self:${subject.username}`,
  });
  if (!result.ok) throw new AppError(result.code);
  return { ...flow, state: 'done', data: { login } };
}

function decoy(parentDn: string): DirectoryUser {
  const name = `sspr-decoy-${token(6)}`;
  return {
    dn: `cn=${name},${parentDn}`,
    id: name,
    username: name,
    userPrincipalName: null,
    mail: null,
    displayName: null,
    givenName: null,
    surname: null,
    mobile: null,
    department: null,
    status: {
      isDisabled: false,
      isLocked: false,
      mustChangePassword: false,
      passwordLastSet: null,
      passwordExpiresAt: null,
      isPrivileged: false,
      isInScope: true,
    },
  };
}
