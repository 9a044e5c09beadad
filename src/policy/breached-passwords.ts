import { dictionary as zxcvbnCommon } from '@zxcvbn-ts/language-common';

/**
 * The offline breached-password list, checked exactly against the NFKC, lowercased password.
 *
 * Provenance, in two parts:
 * 1. `passwords-common` from @zxcvbn-ts/language-common (49,233 entries): zxcvbn's list built
 *    from Mark Burnett's release of ten million real passwords from public breach dumps (2015),
 *    lowercased, kept when seen more than 10 times, minus the ones zxcvbn's patterns guess faster
 *    anyway. Ships with the strength library, so it costs no extra download or file.
 * 2. Generated here from part 1: the forms users reach for when a site demands a longer
 *    password, which is exactly what a 15-character minimum provokes: a top-1,000 stem padded
 *    with a digit run ("password1234567"), a run plus "!", a recent year, or doubled
 *    ("passwordpassword"); and every 8+ character prefix of the common keyboard walks
 *    ("qwertyuiopasdfg"). These are not copied from a dump; they follow the padding patterns
 *    that breach corpora are full of, and they close the gap part 1 leaves above 12 characters
 *    (it holds fewer than 70 entries of 15 or more).
 * An organisation that wants the full breach corpus configures the k-anonymity range check
 * (breach-range.ts) as well.
 */

const STEM_COUNT = 1_000;
const DIGIT_RUN = '1234567890';
const YEARS = Array.from({ length: 31 }, (_, i) => String(2000 + i));
/** Typed in one sweep on a keyboard; every prefix of 8+ characters is a separate entry. */
const KEYBOARD_WALKS = [
  'qwertyuiopasdfghjklzxcvbnm',
  'qwertzuiopasdfghjklyxcvbnm',
  'azertyuiopqsdfghjklmwxcvbn',
  'qazwsxedcrfvtgbyhnujmikolp',
  '1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p',
  'zaq12wsxcde34rfvbgt56yhnmju78ik,9ol.0p;/',
  '1q2w3e4r5t6y7u8i9o0p',
  'q1w2e3r4t5y6u7i8o9p0',
  '1234567890qwertyuiopasdfghjklzxcvbnm',
  'qwerty1234567890',
  'abcdefghijklmnopqrstuvwxyz',
  'abc123456789',
  '123456789012345678901234567890',
  '098765432109876543210987654321',
  '123456789987654321',
];
const WALK_MIN_LENGTH = 8;
const PADDED_MIN_LENGTH = 8;

function generatedEntries(stems: readonly string[]): string[] {
  const out: string[] = [];
  const add = (candidate: string) => {
    if (candidate.length >= PADDED_MIN_LENGTH) out.push(candidate);
  };
  for (const walk of KEYBOARD_WALKS) {
    for (let end = WALK_MIN_LENGTH; end <= walk.length; end++) out.push(walk.slice(0, end));
  }
  for (const stem of stems) {
    for (let end = 1; end <= DIGIT_RUN.length; end++) {
      const run = DIGIT_RUN.slice(0, end);
      add(stem + run);
      add(`${stem + run}!`);
    }
    for (const year of YEARS) add(stem + year);
    add(`${stem}!`);
    add(stem + stem);
  }
  return out;
}

let offlineList: ReadonlySet<string> | undefined;

/** The list, built on first use (about 100k strings), then shared by every policy. */
export function breachedPasswords(): ReadonlySet<string> {
  if (!offlineList) {
    const common = zxcvbnCommon['passwords-common'];
    // Letter-only stems: "password", "iloveyou", "dragon"; digit stems are already runs.
    const stems = common.filter((entry) => /^[a-z]{4,}$/.test(entry)).slice(0, STEM_COUNT);
    offlineList = new Set([...common, ...generatedEntries(stems)]);
  }
  return offlineList;
}

/** Exact membership of the NFKC password, lowercased (the list is lowercase). */
export function isBreachedOffline(normalisedPassword: string): boolean {
  return breachedPasswords().has(normalisedPassword.toLowerCase());
}
