import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { editDistanceAtMost } from '../../../src/policy/edit-distance.ts';

/** Plain full-matrix Levenshtein by code point, to check the banded version against. */
function reference(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const curr = [i];
    for (let j = 1; j <= t.length; j++) {
      curr[j] = Math.min(prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1), prev[j]! + 1, curr[j - 1]! + 1);
    }
    prev = curr;
  }
  return prev[t.length]!;
}

describe('editDistanceAtMost', () => {
  it('gives the classic distances when they are within the bound', () => {
    assert.equal(editDistanceAtMost('kitten', 'sitting', 5), 3);
    assert.equal(editDistanceAtMost('password', 'password', 3), 0);
    assert.equal(editDistanceAtMost('password', 'pasword', 3), 1);
    assert.equal(editDistanceAtMost('password', 'passwords', 3), 1);
    assert.equal(editDistanceAtMost('password', 'passw0rd', 3), 1);
    assert.equal(editDistanceAtMost('', 'abc', 5), 3);
    assert.equal(editDistanceAtMost('abc', '', 5), 3);
  });

  it('returns max + 1 as soon as the distance exceeds the bound', () => {
    assert.equal(editDistanceAtMost('kitten', 'sitting', 2), 3);
    assert.equal(editDistanceAtMost('abcdef', 'uvwxyz', 1), 2);
    assert.equal(editDistanceAtMost('a', 'abcdefgh', 3), 4);
  });

  it('counts code points: one emoji swapped is one edit, not two', () => {
    assert.equal(editDistanceAtMost('\u{1F436}abc', '\u{1F431}abc', 3), 1);
  });

  it('agrees with the full matrix on 500 random pairs, for bounds 0 to 4', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const word = () => Array.from({ length: random() % 9 }, () => 'abcd'[random() % 4]).join('');
    for (let n = 0; n < 500; n++) {
      const a = word();
      const b = word();
      const exact = reference(a, b);
      for (let max = 0; max <= 4; max++) {
        assert.equal(editDistanceAtMost(a, b, max), Math.min(exact, max + 1), `${a} / ${b} / ${max}`);
      }
    }
  });
});
