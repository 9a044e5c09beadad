/**
 * Character classes, for organisations that must still require them (NIST 800-63B Rev. 4 says
 * not to, so the default is 0). Five classes, as Active Directory's complexity rule counts them:
 * lowercase, uppercase, digits, symbols, and letters that have no case (CJK, Arabic, ...), so a
 * password in a caseless script can meet a class rule at all.
 */

const CLASSES: readonly RegExp[] = [
  /\p{Ll}/u,
  /[\p{Lu}\p{Lt}]/u,
  /\p{Nd}/u,
  /[^\p{L}\p{N}]/u,
  /[\p{Lo}\p{Lm}]/u,
];

export function characterClassCount(password: string): number {
  return CLASSES.filter((pattern) => pattern.test(password)).length;
}
