import { MAX_PASSWORD_LENGTH } from '../directory/directory.ts';
import { BannedWordList, GLOBAL_BANNED_WORDS } from './banned-words.ts';
import { type BreachRangeClient, BreachRangeUnavailable, createBreachRangeClient } from './breach-range.ts';
import { breachedPasswords, isBreachedOffline } from './breached-passwords.ts';
import { characterClassCount } from './character-classes.ts';
import { editDistanceAtMost } from './edit-distance.ts';
import { codePointLength, foldForMatching, normalisePassword } from './normalise.ts';
import { containsPersonalInfo, personalTokens, strengthUserInputs } from './personal-info.ts';
import { estimateStrength, strengthEngine } from './strength.ts';

/**
 * The password policy: every rule a new password must meet before the writeback sends it to the
 * directory, and the live checklist the password page shows while the user types.
 *
 * Defaults follow NIST SP 800-63B Rev. 4: at least 15 characters, no composition rules, a
 * blocklist. Every rule judges the NFKC form, the exact string the writeback gives the directory.
 * `checkOffline` is pure and synchronous (bounded cost whatever the input); `check` adds the
 * optional k-anonymity breach range query.
 */

/**
 * Failure codes, in the order failures are reported. The first is the one a single-message
 * caller shows, so specific, easy-to-act-on reasons come before the generic "too weak".
 */
export const POLICY_CODES = [
  'password.too_short',
  'password.too_long',
  'password.too_few_classes',
  'password.personal',
  'password.too_similar',
  'password.breached',
  'password.banned',
  'password.too_weak',
  'password.breach_check_unavailable',
] as const;
export type PolicyCode = (typeof POLICY_CODES)[number];

export interface PolicySettings {
  /** Code points, after NFKC. */
  minLength: number;
  maxLength: number;
  /** Character classes required out of lower, upper, digit, symbol, other letter (AD's five). 0 = none. */
  minClasses: number;
  /** zxcvbn score 0-4 the password must reach. 0 disables the rule. */
  minStrengthScore: number;
  /** Code points zxcvbn analyses; the rest is credited by length (strength.ts). */
  strengthPrefixLength: number;
  /** Organisation terms (names, products, places), on top of the global list. */
  bannedWords: string[];
  /** Entra's threshold: points needed (1 per banned term, 1 per other character). */
  bannedMinScore: number;
  /** Edits needed away from the previous password, when it is known. 0 disables the rule. */
  minDifferentFromPrevious: number;
  /** HIBP-compatible range URL, with `{prefix}`; unset = offline list only. */
  breachedRangeUrl?: string;
  /** When the range service fails: accept on the offline checks (true) or refuse (false). */
  breachedRangeFailOpen: boolean;
  breachedRangeTimeoutMs: number;
}

export const DEFAULT_POLICY_SETTINGS: Readonly<PolicySettings> = {
  minLength: 15,
  maxLength: 256,
  minClasses: 0,
  minStrengthScore: 3,
  strengthPrefixLength: 32,
  bannedWords: [],
  bannedMinScore: 5,
  minDifferentFromPrevious: 4,
  breachedRangeFailOpen: true,
  breachedRangeTimeoutMs: 2_000,
};

export interface PolicyContext {
  username?: string | null;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  department?: string | null;
  company?: string | null;
  /** The current password in the change flow; never stored, only compared. */
  previousPassword?: string | null;
}

/** Params never carry any part of the password: only the rule's own settings. */
export type PolicyParams = Record<string, number>;

export interface PolicyFailure {
  code: PolicyCode;
  params: PolicyParams;
}

export interface ChecklistItem {
  rule: PolicyCode;
  isMet: boolean;
  params: PolicyParams;
}

export type BreachRangeStatus = 'not_configured' | 'skipped' | 'clean' | 'found' | 'unavailable';

export interface PolicyResult {
  isAccepted: boolean;
  /** Every failed rule, in POLICY_CODES order; failures[0] is the primary refusal. */
  failures: PolicyFailure[];
  /** One item per active rule, same codes and order, for the live checklist. */
  checklist: ChecklistItem[];
  /** What the range check did, so callers can log a fail-open. */
  breachRange: BreachRangeStatus;
}

export interface DescribedRule {
  rule: PolicyCode;
  params: PolicyParams;
}

export interface PasswordPolicy {
  check(password: string, context: PolicyContext): Promise<PolicyResult>;
  checkOffline(password: string, context: PolicyContext): PolicyResult;
  /** The rules in force, for the page ("at least {min} characters", ...). */
  describe(): DescribedRule[];
}

export interface PolicyDeps {
  fetch?: typeof fetch;
}

/**
 * Longer input is refused as too long anyway; only this much is looked at, so the cost of a
 * check is bounded even when a caller forgets to limit the form field.
 */
const INPUT_CAP = 4 * MAX_PASSWORD_LENGTH;

export function createPasswordPolicy(settings: PolicySettings, deps: PolicyDeps = {}): PasswordPolicy {
  assertValidSettings(settings);
  const banned = new BannedWordList([...GLOBAL_BANNED_WORDS, ...settings.bannedWords]);
  // Load the shared lists now, not in the first user's request.
  breachedPasswords();
  strengthEngine();
  const range: BreachRangeClient | null = settings.breachedRangeUrl
    ? createBreachRangeClient({
        url: settings.breachedRangeUrl,
        timeoutMs: settings.breachedRangeTimeoutMs,
        fetch: deps.fetch,
      })
    : null;
  const rules = activeRules(settings);

  function evaluate(password: string, context: PolicyContext): Map<PolicyCode, boolean> {
    const value = normalisePassword(password.slice(0, INPUT_CAP));
    const length = codePointLength(value);
    const met = new Map<PolicyCode, boolean>();
    met.set('password.too_short', length >= settings.minLength);
    // AD's own ceiling is 256 UTF-16 units: astral characters count twice there.
    met.set('password.too_long', length <= settings.maxLength && value.length <= MAX_PASSWORD_LENGTH);
    if (settings.minClasses > 0)
      met.set('password.too_few_classes', characterClassCount(value) >= settings.minClasses);
    met.set('password.personal', !containsPersonalInfo(value, personalTokens(context)));
    const previous = context.previousPassword;
    if (previous && settings.minDifferentFromPrevious > 0)
      met.set('password.too_similar', isDifferentEnough(value, previous));
    met.set('password.breached', !isBreachedOffline(value));
    met.set('password.banned', banned.score(value).points >= settings.bannedMinScore);
    if (settings.minStrengthScore > 0) {
      const inputs = [...strengthUserInputs(context), ...settings.bannedWords];
      met.set(
        'password.too_weak',
        estimateStrength(value, inputs, settings.strengthPrefixLength).score >= settings.minStrengthScore,
      );
    }
    return met;
  }

  function isDifferentEnough(value: string, previous: string): boolean {
    const [now = ''] = foldForMatching(value);
    const [before = ''] = foldForMatching(normalisePassword(previous.slice(0, INPUT_CAP)));
    const needed = settings.minDifferentFromPrevious;
    return editDistanceAtMost(now, before, needed) >= needed;
  }

  function toResult(met: Map<PolicyCode, boolean>, breachRange: BreachRangeStatus): PolicyResult {
    const checklist = POLICY_CODES.filter((code) => met.has(code)).map((rule) => ({
      rule,
      isMet: met.get(rule) === true,
      params: rules.get(rule) ?? {},
    }));
    const failures = checklist
      .filter((item) => !item.isMet)
      .map(({ rule, params }) => ({ code: rule, params }));
    // The unavailable range check is a refusal but not a rule the user can meet: no checklist item.
    return {
      isAccepted: failures.length === 0,
      failures,
      checklist: checklist.filter((item) => item.rule !== 'password.breach_check_unavailable'),
      breachRange,
    };
  }

  return {
    checkOffline(password, context) {
      return toResult(evaluate(password, context), range ? 'skipped' : 'not_configured');
    },

    async check(password, context) {
      const met = evaluate(password, context);
      if (!range) return toResult(met, 'not_configured');
      // Only ask about a password that passes everything else: a refused one will never be set,
      // so its hash prefix need not leave the portal and the user need not wait.
      if ([...met.values()].includes(false)) return toResult(met, 'skipped');
      try {
        const isFound = await range.isBreached(normalisePassword(password.slice(0, INPUT_CAP)));
        met.set('password.breached', !isFound);
        return toResult(met, isFound ? 'found' : 'clean');
      } catch (error) {
        if (!(error instanceof BreachRangeUnavailable)) throw error;
        if (!settings.breachedRangeFailOpen) met.set('password.breach_check_unavailable', false);
        return toResult(met, 'unavailable');
      }
    },

    describe() {
      return [...rules].map(([rule, params]) => ({ rule, params }));
    },
  };
}

/** The rules in force and their params, in POLICY_CODES order. */
function activeRules(settings: PolicySettings): Map<PolicyCode, PolicyParams> {
  const rules = new Map<PolicyCode, PolicyParams>();
  rules.set('password.too_short', { min: settings.minLength });
  rules.set('password.too_long', { max: settings.maxLength });
  if (settings.minClasses > 0) rules.set('password.too_few_classes', { min: settings.minClasses });
  rules.set('password.personal', {});
  if (settings.minDifferentFromPrevious > 0)
    rules.set('password.too_similar', { min: settings.minDifferentFromPrevious });
  rules.set('password.breached', {});
  rules.set('password.banned', {});
  if (settings.minStrengthScore > 0) rules.set('password.too_weak', {});
  return rules;
}

function assertValidSettings(s: PolicySettings): void {
  const problems: string[] = [];
  const isInt = (value: number, min: number, max: number) =>
    Number.isInteger(value) && value >= min && value <= max;
  if (!isInt(s.minLength, 1, MAX_PASSWORD_LENGTH)) problems.push('minLength');
  if (!isInt(s.maxLength, s.minLength, MAX_PASSWORD_LENGTH)) problems.push('maxLength');
  if (!isInt(s.minClasses, 0, 4)) problems.push('minClasses');
  if (!isInt(s.minStrengthScore, 0, 4)) problems.push('minStrengthScore');
  if (!isInt(s.strengthPrefixLength, 8, MAX_PASSWORD_LENGTH)) problems.push('strengthPrefixLength');
  if (!isInt(s.bannedMinScore, 0, 64)) problems.push('bannedMinScore');
  if (!isInt(s.minDifferentFromPrevious, 0, 64)) problems.push('minDifferentFromPrevious');
  if (!isInt(s.breachedRangeTimeoutMs, 1, 60_000)) problems.push('breachedRangeTimeoutMs');
  if (problems.length > 0) throw new RangeError(`invalid password policy settings: ${problems.join(', ')}`);
}
