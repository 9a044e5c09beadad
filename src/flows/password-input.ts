import { MAX_PASSWORD_LENGTH } from '../directory/directory.ts';
import { AppError } from '../errors.ts';

/**
 * The checks a flow makes on the form before the writeback sees the password: present, and the
 * two entries equal. The rules (length, strength, banned, breached, personal, similar) are the
 * policy's, applied by the writeback; the directory's own rules apply after that.
 */
export function checkNewPassword(password: unknown, confirm: unknown): string {
  if (typeof password !== 'string' || typeof confirm !== 'string') {
    throw new AppError('writeback.invalid_input');
  }
  if (password !== confirm) throw new AppError('password.mismatch');
  if (password.length > MAX_PASSWORD_LENGTH * 4) {
    throw new AppError('password.too_long', { params: { max: MAX_PASSWORD_LENGTH } });
  }
  return password;
}
