/**
 * Two normal forms. `normalisePassword` is what the directory receives (the writeback
 * NFKC-normalises before anything else), so every rule checks that same string and counts its
 * length in code points. `foldForMatching` is only for finding words inside a password: it
 * lowercases, drops Latin diacritics and undoes the usual character swaps, so "P@$$w0rd",
 * "ＰＡＳＳＷＯＲＤ" and "pässword" all read as "password".
 */

/** The same normalisation as the writeback: the policy must judge the string the directory gets. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in code points, so an emoji or a CJK character counts as one character. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The first `limit` code points (never splits a surrogate pair). */
export function codePointPrefix(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let out = '';
  let count = 0;
  for (const ch of text) {
    if (count++ === limit) break;
    out += ch;
  }
  return out;
}

/**
 * Swaps users make to dodge word lists. Entra documents 0→o, 1→l, $→s, @→a; the rest are the
 * other swaps password crackers try first. '1' is ambiguous (l or i), so it is resolved both ways.
 */
const SUBSTITUTIONS: Readonly<Record<string, string>> = {
  '0': 'o',
  $: 's',
  '@': 'a',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '!': 'i',
  '|': 'l',
  '+': 't',
};
const AMBIGUOUS_ONE = ['l', 'i'] as const;

/**
 * Characters outside the Basic Multilingual Plane (emoji, rare CJK) fold to U+FFFD, so one
 * UTF-16 unit is one code point in a folded string and positions count characters. No word
 * list holds such characters, so nothing is lost.
 */
const ASTRAL = /[\u{10000}-\u{10FFFF}]/gu;
/** Combining diacritical marks only: dropping every mark (\p{M}) would eat Indic vowel signs. */
const LATIN_DIACRITICS = /[\u0300-\u036f]/g;

/**
 * Fold for word matching: NFKC, lowercase, no Latin diacritics, substitutions undone. Returns one
 * string, or two when the text holds a '1' (read as 'l' in the first, 'i' in the second); both
 * have the same length, position for position.
 */
export function foldForMatching(text: string): string[] {
  const base = text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(LATIN_DIACRITICS, '')
    .normalize('NFC')
    .replace(ASTRAL, '\ufffd');
  let folded = '';
  for (const ch of base) folded += SUBSTITUTIONS[ch] ?? ch;
  if (!folded.includes('1')) return [folded];
  return AMBIGUOUS_ONE.map((letter) => folded.replaceAll('1', letter));
}

/** Reverse by code point (a reversed name is still the name). */
export function reverseText(text: string): string {
  return [...text].reverse().join('');
}
