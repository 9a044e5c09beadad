/**
 * Normalise what a user typed as a 6-digit code (TOTP or SMS): NFKC (so full-width digits from
 * a phone keyboard count), whitespace removed ("123 456" as authenticator apps show it).
 * Anything that is not then exactly six ASCII digits is refused here, before any comparison.
 */

/** Longer input is refused before normalising, so a huge form field costs nothing. */
const MAX_INPUT_LENGTH = 64;
const SIX_DIGITS = /^[0-9]{6}$/;

export function normaliseCodeInput(input: string): string | null {
  if (input.length > MAX_INPUT_LENGTH) return null;
  const code = input.normalize('NFKC').replace(/\s+/g, '');
  return SIX_DIGITS.test(code) ? code : null;
}
