import { timingSafeEqual } from 'node:crypto';

/** Equal in constant time for equal lengths (CSRF tokens, bindings, hashes); unequal lengths are simply unequal. */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const x = typeof a === 'string' ? Buffer.from(a) : a;
  const y = typeof b === 'string' ? Buffer.from(b) : b;
  return x.length === y.length && timingSafeEqual(x, y);
}
