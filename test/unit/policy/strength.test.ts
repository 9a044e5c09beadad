import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as common } from '@zxcvbn-ts/language-common';
import { dictionary as english } from '@zxcvbn-ts/language-en';
import { createPasswordPolicy, DEFAULT_POLICY_SETTINGS } from '../../../src/policy/password-policy.ts';
import {
  estimateStrength,
  scoreFromGuessesLog10,
  strengthEngine,
  tailCredit,
} from '../../../src/policy/strength.ts';

function randomPassword(length: number, seed: number): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789#%&*?^~';
  let x = seed;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[x % alphabet.length];
  }
  return out;
}

function medianMs(run: () => void, times = 9): number {
  run();
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

describe('the prefix bound', () => {
  it('analyses only the first 32 code points of a 256-character password', () => {
    const estimate = estimateStrength(randomPassword(256, 1), [], 32);
    assert.equal(estimate.analysedLength, 32);
    assert.ok(estimate.tailCredit > 100, 'fresh characters beyond the prefix are credited');
    assert.equal(estimate.score, 4);
  });

  it('keeps a 256-character check within a small multiple of a 20-character one (stock zxcvbn: ~500x)', () => {
    // Same content, so the ratio measures length alone (zxcvbn's cost varies a lot with content).
    const long = randomPassword(256, 2);
    const short = long.slice(0, 20);
    const ratio =
      medianMs(() => estimateStrength(long, [], 32)) / medianMs(() => estimateStrength(short, [], 32));
    assert.ok(ratio < 8, `256 vs 20 characters: ${ratio.toFixed(1)}x`);
  });

  it('keeps a whole 256-character policy check within a small multiple of a 20-character one', () => {
    const policy = createPasswordPolicy(DEFAULT_POLICY_SETTINGS);
    const context = { username: 'jsmith', givenName: 'John', surname: 'Smith' };
    const long = randomPassword(256, 4);
    const short = long.slice(0, 20);
    const ratio =
      medianMs(() => policy.checkOffline(long, context)) /
      medianMs(() => policy.checkOffline(short, context));
    assert.ok(ratio < 8, `256 vs 20 characters: ${ratio.toFixed(1)}x`);
  });
});

describe('length speaks beyond the prefix', () => {
  it('credits nothing for repeating what came before, or for a constant-step run', () => {
    assert.equal(tailCredit('password'.repeat(8), 32), 0);
    assert.equal(tailCredit('a'.repeat(64), 32), 0);
    assert.equal(
      tailCredit(`${'x'.repeat(32)}abcdefghij`, 32),
      2,
      'x->a and a->b are new; the run after them earns nothing',
    );
    assert.equal(tailCredit(`${'x'.repeat(32)}PASSWORD`, 32), 8, 'a new word');
    assert.equal(tailCredit(`${'password'.repeat(4)}PASSWORD`, 32), 0, 'case folded: the same pairs');
  });

  it('turns a weak prefix followed by fresh characters into a pass, and padding into a refusal', () => {
    const weakPrefix = 'A'.repeat(32);
    assert.ok(estimateStrength(`${weakPrefix}Xq7!vK2@mW9#`, [], 32).score >= 3);
    assert.ok(estimateStrength(`${weakPrefix}${'A'.repeat(40)}`, [], 32).score < 3);
  });
});

describe('scoreFromGuessesLog10', () => {
  it("uses zxcvbn's thresholds: 1e3, 1e6, 1e8, 1e10 guesses", () => {
    const cases: [number, number][] = [
      [0, 0],
      [2.9, 0],
      [3.1, 1],
      [5.9, 1],
      [6.1, 2],
      [7.9, 2],
      [8.1, 3],
      [9.9, 3],
      [10.1, 4],
      [40, 4],
    ];
    for (const [log10, score] of cases) assert.equal(scoreFromGuessesLog10(log10), score, String(log10));
  });
});

describe('the zxcvbn engine', () => {
  it('is built once, with the merged dictionary in place', () => {
    assert.equal(strengthEngine(), strengthEngine());
    assert.equal(strengthEngine().isMerged, true);
  });

  it('gives exactly the guesses of the same six lists kept separate and unpruned', () => {
    const lists = [
      'passwords-common',
      'diceware-common',
      'commonWords-en',
      'firstnames-en',
      'lastnames-en',
      'wikipedia-en',
    ];
    const all: Record<string, (string | number)[]> = { ...common, ...english };
    const reference = new ZxcvbnFactory({
      graphs: adjacencyGraphs,
      l33tMaxSubstitutions: 2,
      dictionary: Object.fromEntries(lists.map((name) => [name, all[name] ?? []])),
    });
    const samples = [
      'correcthorsebatterystaple',
      'Tr0ub4dor&3',
      'password1234567',
      'JohnSmith1984',
      'the quick brown fox',
      'P@$$w0rd!',
      'mountain river sunrise kettle',
      'kV9#qL2!mZ7$wRx4',
      'elizabethtaylor',
      'constructor',
      // Random text is where the pruned short words would show up, if pruning changed anything.
      ...Array.from({ length: 30 }, (_, i) => randomPassword(8 + (i % 24), 100 + i).toLowerCase()),
    ];
    for (const sample of samples) {
      const merged = strengthEngine().factory.check(sample, ['jsmith']);
      const separate = reference.check(sample, ['jsmith']);
      assert.equal(merged.guessesLog10.toFixed(9), separate.guessesLog10.toFixed(9), sample);
      assert.equal(merged.score, separate.score, sample);
    }
  });

  it("uses the user's own attributes as a personal dictionary", () => {
    const password = 'Jsmith-Finance-77';
    const without = estimateStrength(password, [], 32);
    const withInputs = estimateStrength(password, ['jsmith', 'finance'], 32);
    assert.ok(
      withInputs.guessesLog10 < without.guessesLog10 - 1,
      `${withInputs.guessesLog10} vs ${without.guessesLog10}`,
    );
  });
});
