import type { Entry } from 'ldapts';

/**
 * ldapts returns one value as a string, several as an array, non-UTF-8 values as Buffers, and
 * fills every requested attribute the entry lacks with []. These read that shape safely.
 */
export function firstString(entry: Entry, attribute: string): string | null {
  const value = entry[attribute];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return null;
  return Buffer.isBuffer(first) ? first.toString('utf8') : first;
}

export function allStrings(entry: Entry, attribute: string): string[] {
  const value = entry[attribute];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

export function allBuffers(entry: Entry, attribute: string): Buffer[] {
  const value = entry[attribute];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')));
}

export function firstInteger(entry: Entry, attribute: string): number | null {
  const s = firstString(entry, attribute);
  if (s === null || !/^-?\d+$/.test(s)) return null;
  return Number(s);
}

/** Windows FILETIME (100 ns ticks since 1601) as a Date; 0 and "never" (max int64) are null. */
export function fileTimeToDate(value: string | null): Date | null {
  if (!value || !/^\d+$/.test(value)) return null;
  const ticks = BigInt(value);
  if (ticks === 0n || ticks >= 0x7fffffffffffffffn) return null;
  return new Date(Number(ticks / 10_000n - 11_644_473_600_000n));
}

/** LDAP GeneralizedTime (YYYYMMDDHHMMSS[.fff]Z) as a Date. */
export function generalizedTimeToDate(value: string | null): Date | null {
  const m = value && /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:[.,](\d+))?Z$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  const date = new Date(Date.UTC(2000, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
  date.setUTCFullYear(Number(y)); // Date.UTC would read years 0-99 as 1900-1999
  return date;
}

/** Binary SID (objectSid, tokenGroups) to its S-1-5-21-... string form. */
export function sidToString(sid: Buffer): string {
  const revision = sid[0] ?? 0;
  const count = sid[1] ?? 0;
  const authority = sid.readUIntBE(2, 6);
  const parts = [`S-${revision}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(sid.readUInt32LE(8 + i * 4)));
  return parts.join('-');
}

/** objectGUID bytes in the mixed-endian order Windows prints them. */
export function guidToString(guid: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean) => {
    const bytes = [...guid.subarray(from, to)];
    return (reverse ? bytes.reverse() : bytes).map((b) => b.toString(16).padStart(2, '0')).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}
