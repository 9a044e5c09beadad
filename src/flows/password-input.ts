import { MAX_PASSWORD_LENGTH } from '../directory/directory.ts';
import { AppError } from '../errors.ts';

/**
 * The checks every flow makes on a new password before the writeback sees it: present, the
 * two entries equal, within length. The full policy engine comes in the writeback's
 * `checkPolicy`; the directory's own rules still apply after that.
 */
export function checkNewPassword(password: unknown, confirm: unknown, minLength: number): string {
  if (typeof password !== 'string' || typeof confirm !== 'string')
    throw new AppError('writeback.invalid_input');
  if (password !== confirm) throw new AppError('password.mismatch');
  const length = [...password.normalize('NFKC')].length;
  if (length < minLength) throw new AppError('password.too_short');
  if (password.length > MAX_PASSWORD_LENGTH) throw new AppError('password.too_long');
  return password;
}
