import { foldForMatching, reverseText } from './normalise.ts';

/**
 * The user's own attributes, which an attacker aiming at one account tries first. A password
 * containing the username, given name, surname or mail local part (folded like banned words,
 * forwards or reversed) is refused. Department and company are weaker signals (shared by many
 * people, often ordinary words), so they only feed the strength estimate.
 */

/** Two-letter names ("Al", "Li") would refuse far too many unrelated passwords. */
export const PERSONAL_MIN_LENGTH = 3;

export interface PersonalAttributes {
  username?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  department?: string | null;
  company?: string | null;
}

const SEPARATORS = /[^\p{L}\p{N}]+/u;

/** "DOMAIN\jsmith" and "jsmith@corp" both mean "jsmith". */
function bareUsername(username: string): string {
  const afterDomain = username.slice(username.lastIndexOf('\\') + 1);
  const at = afterDomain.indexOf('@');
  return at > 0 ? afterDomain.slice(0, at) : afterDomain;
}

function mailLocalPart(mail: string): string {
  const at = mail.lastIndexOf('@');
  return at > 0 ? mail.slice(0, at) : mail;
}

/** "john.smith" -> "john.smith", "johnsmith", "john", "smith". */
function withParts(value: string): string[] {
  const parts = value.split(SEPARATORS).filter(Boolean);
  return [value, parts.join(''), ...parts];
}

/** The raw values that identify the person (for the refusal rule). */
export function identifyingValues(attributes: PersonalAttributes): string[] {
  const values: string[] = [];
  if (attributes.username) values.push(...withParts(bareUsername(attributes.username)));
  if (attributes.givenName) values.push(...withParts(attributes.givenName));
  if (attributes.surname) values.push(...withParts(attributes.surname));
  if (attributes.mail) values.push(...withParts(mailLocalPart(attributes.mail)));
  return values;
}

/** Everything zxcvbn should treat as a personal dictionary (its "user inputs"). */
export function strengthUserInputs(attributes: PersonalAttributes): string[] {
  const values = identifyingValues(attributes);
  if (attributes.department) values.push(...withParts(attributes.department));
  if (attributes.company) values.push(...withParts(attributes.company));
  return [...new Set(values.map((value) => value.toLowerCase()).filter(Boolean))];
}

/** Folded tokens to look for, forwards and reversed, each at least PERSONAL_MIN_LENGTH long. */
export function personalTokens(attributes: PersonalAttributes): string[] {
  const tokens = new Set<string>();
  for (const value of identifyingValues(attributes)) {
    for (const folded of foldForMatching(value)) {
      if ([...folded].length < PERSONAL_MIN_LENGTH) continue;
      tokens.add(folded);
      tokens.add(reverseText(folded));
    }
  }
  return [...tokens];
}

/** True when any folded reading of the password contains any token. */
export function containsPersonalInfo(password: string, tokens: readonly string[]): boolean {
  if (tokens.length === 0) return false;
  return foldForMatching(password).some((folded) => tokens.some((token) => folded.includes(token)));
}
