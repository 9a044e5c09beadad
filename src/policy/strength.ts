import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary } from '@zxcvbn-ts/language-en';
import { codePointPrefix } from './normalise.ts';

/**
 * zxcvbn-ts strength estimate over a bounded prefix.
 *
 * Why a prefix: zxcvbn's matching and scoring grow faster than linearly with length (stock
 * settings: about 4 s for 256 random characters on these machines), so a long password could
 * stall the event loop, or be sent to. Only the first `prefixLength` code points (default 32)
 * are analysed. Appending characters never makes a password easier to guess, so the prefix's
 * estimate is a lower bound, and "length speaks for the rest": each later character that brings
 * a character pair not seen before, and does not continue a constant step (abcd, 1234, 9876), is
 * credited as one more brute-force character (zxcvbn's own rate: 10 guesses per character).
 * Repeating earlier material ("passwordpassword...", "aaaa...") earns nothing, so padding cannot
 * buy a pass; the banned-word and breach rules still read the whole password.
 *
 * Why these zxcvbn settings (measured by scripts/bench/policy-bench.ts, same scores as stock
 * for the lists used, checked in test/unit/policy/strength.test.ts):
 * - The six big word lists are merged into one ranked dictionary, each word at its best rank.
 *   zxcvbn scores a dictionary match by rank alone and keeps the cheapest reading, so guesses
 *   are unchanged, while every substring is looked up once instead of six times.
 * - Words ranked above 10^length are dropped (see mergeRanked): never part of the cheapest
 *   reading, but they match all over random text and each match costs scoring time.
 * - The English word-sequence lists (months, days, numbers, planets...) are left out: 14 more
 *   lookups per substring, and the calendar words they catch are on the banned list.
 * - l33t variants are capped at 2 (stock: 100 re-runs of the dictionary pass). The first
 *   variant substitutes every swappable character, which catches "P@$$w0rd"; the banned-word
 *   rule undoes swaps against its own list as well.
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
const L33T_VARIANTS = 2;
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

/**
 * One ranked dictionary: each word at its best rank across the lists (null prototype:
 * "constructor" is a word). Words ranked above 10^length are dropped: zxcvbn would always
 * guess such a word faster character by character (10 guesses each), so it can never be in the
 * cheapest reading, yet the short ones match everywhere in random text and cost scoring time.
 */
function mergeRanked(lists: Record<string, readonly (string | number)[]>) {
  const best = new Map<string, number>();
  for (const list of Object.values(lists)) {
    list.forEach((entry, index) => {
      const word = String(entry).toLowerCase();
      const rank = index + 1;
      const known = best.get(word);
      if (known === undefined || rank < known) best.set(word, rank);
    });
  }
  const ranked: Record<string, number> = Object.create(null);
  let maxWordSize = 0;
  for (const [word, rank] of best) {
    if (rank > 10 ** word.length) continue;
    ranked[word] = rank;
    if (word.length > maxWordSize) maxWordSize = word.length;
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
    return {
      score: result.score as StrengthScore,
      guessesLog10: result.guessesLog10,
      analysedLength,
      tailCredit: 0,
    };
  }
  const credit = tailCredit(password, prefixLength);
  const guessesLog10 = result.guessesLog10 + credit;
  return { score: scoreFromGuessesLog10(guessesLog10), guessesLog10, analysedLength, tailCredit: credit };
}
