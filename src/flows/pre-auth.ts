import { createHash } from 'node:crypto';
import type { Directory, DirectoryUser } from '../directory/directory.ts';
import { normaliseLogin } from '../directory/ldap-input.ts';
import { AppError } from '../errors.ts';
import { decoyUser } from './decoy-user.ts';

/**
 * Steps taken before anything about an account has been proven. Unknown and known logins must
 * cost the same and answer the same here; see DESIGN.md "No user enumeration".
 */

/**
 * The key for per-account limits and the factor lockout before sign-in: the login as typed,
 * normalised, with any DOMAIN\ prefix dropped (the directory lookup ignores it too, so
 * `x1\alice` and `alice` share one budget). Keyed the same way for real and unknown logins, so
 * a limit reached never tells them apart. Input no login can be hashes to a key of its own.
 */
export function loginKey(login: string): string {
  const normalised = normaliseLogin(login);
  if (!normalised) return `login#${createHash('sha256').update(login).digest('base64url')}`;
  const lower = normalised.toLowerCase();
  return `login:${lower.slice(lower.lastIndexOf('\\') + 1)}`;
}

/**
 * Look the login up; for an unknown one, read `decoyDn` (an existing entry) instead, because a
 * found user costs a second read (group membership) and the two paths must cost the same.
 */
export async function findSubject(
  directory: Pick<Directory, 'findUser' | 'readUser'>,
  login: string,
  decoyDn: string,
): Promise<DirectoryUser | null> {
  const normalised = normaliseLogin(login);
  const subject = normalised ? await directory.findUser(normalised) : null;
  if (!subject) await directory.readUser(decoyDn).catch(() => null);
  return subject;
}

/**
 * Bind with the password typed, for a known subject or a decoy. A lockout (or OpenLDAP's
 * permanent lock, its way to disable) is answered by the directory whatever the password, so
 * before sign-in it reads as a wrong password; the pages point to "Unlock account".
 * `isChangeDueProof`: a bind refused only because a change is due (AD 773/532, ppolicy
 * changeAfterReset) proves the password, which is what the change flow needs.
 */
export async function provePassword(
  directory: Pick<Directory, 'verifyPassword'>,
  subject: DirectoryUser | null,
  password: string,
  options: { decoyParentDn: string; isChangeDueProof: boolean },
): Promise<DirectoryUser> {
  if (!subject) {
    await directory.verifyPassword(decoyUser(options.decoyParentDn), password).catch(() => undefined);
    throw new AppError('directory.invalid_credentials');
  }
  try {
    await directory.verifyPassword(subject, password);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const isChangeDue =
      error.code === 'directory.must_change_password' || error.code === 'directory.password_expired';
    if (isChangeDue && options.isChangeDueProof) return subject;
    if (error.code === 'directory.account_locked' || error.code === 'directory.account_disabled') {
      throw new AppError('directory.invalid_credentials', { cause: error });
    }
    throw error;
  }
  return subject;
}
