import { MAX_LOGIN_LENGTH } from './directory.ts';

/**
 * Normalise a login the way users type it: NFKC (full-width and compatibility forms fold to
 * their plain letters), trimmed. Returns null for input that cannot be a login (empty, too
 * long, control characters), so it never reaches the directory; filter escaping happens
 * separately, with ldapts' escapeFilter, on every value put in a filter.
 */
export function normaliseLogin(input: string): string | null {
  if (typeof input !== 'string' || input.length > MAX_LOGIN_LENGTH * 4) return null;
  const value = input.normalize('NFKC').trim();
  if (value.length === 0 || value.length > MAX_LOGIN_LENGTH) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return null;
  return value;
}

/** Lower-cased RDN sequence, with spaces around separators removed, for comparing DNs. */
export function normaliseDn(dn: string): string[] {
  const rdns: string[] = [];
  let current = '';
  for (let i = 0; i < dn.length; i++) {
    const ch = dn[i];
    if (ch === '\\' && i + 1 < dn.length) {
      current += ch + dn[i + 1];
      i++;
    } else if (ch === ',' || ch === ';') {
      rdns.push(normaliseRdn(current));
      current = '';
    } else {
      current += ch;
    }
  }
  if (current.trim()) rdns.push(normaliseRdn(current));
  return rdns;
}

function normaliseRdn(rdn: string): string {
  const eq = rdn.indexOf('=');
  if (eq < 0) return rdn.trim().toLowerCase();
  return `${rdn.slice(0, eq).trim().toLowerCase()}=${rdn
    .slice(eq + 1)
    .trim()
    .toLowerCase()}`;
}

/** True when `dn` is `base` or below it. */
export function isDnWithin(dn: string, base: string): boolean {
  const d = normaliseDn(dn);
  const b = normaliseDn(base);
  if (b.length === 0 || d.length < b.length) return false;
  const offset = d.length - b.length;
  return b.every((rdn, i) => d[offset + i] === rdn);
}

export function isSameDn(a: string, b: string): boolean {
  const x = normaliseDn(a);
  const y = normaliseDn(b);
  return x.length === y.length && x.every((rdn, i) => rdn === y[i]);
}
