import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { normaliseCodeInput } from './code-input.ts';

/**
 * One-time codes sent by SMS. Only a keyed hash is stored: with 10^6 possible codes a plain
 * hash would be reversed instantly from a leaked table, but an HMAC under the code key (derived
 * from SECRET_KEY, never stored in the database) cannot be brute-forced without that key.
 * Expiry, attempt counting (before comparing) and single use live in the Store.
 */

const CODE_SPACE = 1_000_000;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** Six uniformly random digits, leading zeros kept. `random(max)` must return an integer in [0, max). */
export function generateCode(random: (max: number) => number = (max) => randomInt(max)): string {
  const n = random(CODE_SPACE);
  if (!Number.isInteger(n) || n < 0 || n >= CODE_SPACE) throw new RangeError('random source out of range');
  return String(n).padStart(6, '0');
}

/**
 * HMAC-SHA256(codeKey, purpose NUL code), hex. The purpose ("flow:<id>", "enroll:<id>") is
 * inside the MAC, so a code issued for one purpose never verifies for another.
 */
export function hashCode(codeKey: Buffer, purpose: string, code: string): string {
  if (normaliseCodeInput(code) !== code) throw new RangeError('hashCode expects a 6-digit code');
  return createHmac('sha256', codeKey)
    .update(purpose, 'utf8')
    .update('\0')
    .update(code, 'utf8')
    .digest('hex');
}

/** Whether user input matches a stored hash; constant-time compare, malformed input never matches. */
export function codeMatches(codeKey: Buffer, purpose: string, input: string, storedHash: string): boolean {
  const code = normaliseCodeInput(input);
  if (code === null || !HEX_SHA256.test(storedHash)) return false;
  const actual = Buffer.from(hashCode(codeKey, purpose, code), 'hex');
  return timingSafeEqual(actual, Buffer.from(storedHash, 'hex'));
}
