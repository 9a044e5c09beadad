import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary } from '@zxcvbn-ts/language-en';
import { codePointPrefix } from './normalise.ts';

/**
 * zxcvbn-ts strength estimate over a bounded prefix.
 *
 * Why a prefix: zxcvbn's matching and its scoring pass grow faster than linearly with length
 * (about 1.5 s for 256 characters with stock settings on these machines; 8-20 ms for 64
 * characters even tuned, 2-6 ms for 32), so a long password could stall the event loop or be
 * sent to do so. Only the first `prefixLength` code points are analysed. The rest can only
 * add guesses, never remove them, so the prefix's estimate is a lower bound; "length speaks for
 * the rest": each later character that brings a character pair not seen before, and does not
 * continue a constant step (abcd, 1234), is credited as one more brute-force character (zxcvbn's
 * own rate, 10 guesses per character). Repeating the prefix ("passwordpassword...") earns
 * nothing, so padding cannot buy a pass.
 *
 * Why these zxcvbn settings (both measured by scripts/bench/policy-bench.ts):
 * - The six big word lists are merged into one ranked dictionary (each word keeps its best
 *   rank, so every guess count is exactly what separate lists give: zxcvbn scores a dictionary
 *   match by rank alone and keeps the cheapest match). zxcvbn looks every substring up in every
 *   list, so one list instead of six cuts the lookups sixfold.
 * - The English word-sequence lists (months, days, numbers, planets...) are left out: they are
 *   14 more lookups per substring, and the calendar words they catch are on the banned list.
 * - l33t variants are capped at 4 (stock: 100 re-runs of the dictionary pass): the banned-word
 *   rule already undoes character swaps against its own list.
 */

const MERGED_LISTS = [
  'passwords-common',
  'diceware-common',
  'commonWords-en',
  'firstnames-en',
  'lastnames-en',
  'wikipedia-en',
] as const;
const MERGED_NAME = 'merged';
const L33T_VARIANTS = 4;
/** zxcvbn's own cut-off (UTF-16 units); ours, in code points, always applies first. */
const ZXCVBN_MAX_LENGTH = 1024;
/** zxcvbn's score thresholds in guesses (timeEstimationValues.scoring), with its +5 delta. */
const SCORE_THRESHOLDS = [1e3, 1e6, 1e8, 1e10] as const;
const SCORE_DELTA = 5;

export type StrengthScore = 0 | 1 | 2 | 3 | 4;

export interface StrengthEstimate {
  score: StrengthScore;
  guessesLog10: number;
  /** Code points zxcvbn analysed. */
  analysedLength: number;
  /** Decimal digits credited for characters beyond the prefix. */
  tailCredit: number;
}

interface PatchableOptions {
  rankedDictionaries: Record<string, Record<string, number>>;
  rankedDictionariesMaxWordSize: Record<string, number>;
}

function isPatchable(value: unknown): value is PatchableOptions {
  if (typeof value !== 'object' || value === null) return false;
  const ranked: unknown = Reflect.get(value, 'rankedDictionaries');
  const sizes: unknown = Reflect.get(value, 'rankedDictionariesMaxWordSize');
  return typeof ranked === 'object' && ranked !== null && typeof sizes === 'object' && sizes !== null;
}

function wordLists(): Record<string, readonly (string | number)[]> {
  const all: Record<string, readonly (string | number)[]> = { ...commonDictionary, ...englishDictionary };
  return Object.fromEntries(MERGED_LISTS.map((name) => [name, all[name] ?? []]));
}

/** One ranked dictionary: each word at its best rank across the lists (null prototype: "constructor" is a word). */
function mergeRanked(lists: Record<string, readonly (string | number)[]>) {
  const ranked: Record<string, number> = Object.create(null);
  let maxWordSize = 0;
  for (const list of Object.values(lists)) {
    list.forEach((entry, index) => {
      const word = String(entry).toLowerCase();
      const rank = index + 1;
      if (!(ranked[word] !== undefined && ranked[word] <= rank)) ranked[word] = rank;
      if (word.length > maxWordSize) maxWordSize = word.length;
    });
  }
  return { ranked, maxWordSize };
}

export interface StrengthEngine {
  factory: ZxcvbnFactory;
  /** False when zxcvbn's internals changed shape and the separate lists are used instead (slower, same scores). */
  isMerged: boolean;
}

let engine: StrengthEngine | undefined;

/** Built once, on first use, and shared: the dictionaries take ~0.3 s and tens of MB to rank. */
export function strengthEngine(): StrengthEngine {
  if (engine) return engine;
  const base = { graphs: adjacencyGraphs, l33tMaxSubstitutions: L33T_VARIANTS, maxLength: ZXCVBN_MAX_LENGTH };
  const factory = new ZxcvbnFactory({ ...base, dictionary: { [MERGED_NAME]: ['-'] } });
  const options: unknown = Reflect.get(factory, 'options');
  const lists = wordLists();
  if (isPatchable(options)) {
    const { ranked, maxWordSize } = mergeRanked(lists);
    options.rankedDictionaries[MERGED_NAME] = ranked;
    options.rankedDictionariesMaxWordSize[MERGED_NAME] = maxWordSize;
    engine = { factory, isMerged: true };
  } else {
    const dictionary = Object.fromEntries(Object.entries(lists).map(([name, list]) => [name, [...list]]));
    engine = { factory: new ZxcvbnFactory({ ...base, dictionary }), isMerged: false };
  }
  return engine;
}

export function scoreFromGuessesLog10(guessesLog10: number): StrengthScore {
  const guesses = 10 ** guessesLog10;
  const below = SCORE_THRESHOLDS.findIndex((threshold) => guesses < threshold + SCORE_DELTA);
  return (below === -1 ? 4 : below) as StrengthScore;
}

/**
 * Characters beyond the prefix that add guesses: a new character pair that does not continue a
 * constant step. Case-folded, so "PASSWORD" after "password" earns nothing either.
 */
export function tailCredit(password: string, prefixLength: number): number {
  const points = [...password.toLowerCase()].map((ch) => ch.codePointAt(0) ?? 0);
  const seen = new Set<string>();
  let credit = 0;
  for (let k = 1; k < points.length; k++) {
    const pair = `${points[k - 1]},${points[k]}`;
    const isNewPair = !seen.has(pair);
    seen.add(pair);
    if (k < prefixLength) continue;
    const step = points[k]! - points[k - 1]!;
    const isRun = k >= 2 && step === points[k - 1]! - points[k - 2]!;
    if (isNewPair && !isRun) credit++;
  }
  return credit;
}

/** Estimate strength on the first `prefixLength` code points, crediting the rest as above. */
export function estimateStrength(
  password: string,
  userInputs: readonly string[],
  prefixLength: number,
): StrengthEstimate {
  const prefix = codePointPrefix(password, prefixLength);
  const result = strengthEngine().factory.check(prefix, [...userInputs]);
  const analysedLength = [...prefix].length;
  const isLonger = prefix.length < password.length;
  if (!isLonger) {
    return { score: result.score as StrengthScore, guessesLog10: result.guessesLog10, analysedLength, tailCredit: 0 };
  }
  const credit = tailCredit(password, prefixLength);
  const guessesLog10 = result.guessesLog10 + credit;
  return { score: scoreFromGuessesLog10(guessesLog10), guessesLog10, analysedLength, tailCredit: credit };
}
