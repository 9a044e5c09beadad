import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BannedWordList,
  cheapestCut,
  GLOBAL_BANNED_WORDS,
  parseBannedWords,
} from '../../../src/policy/banned-words.ts';

const entra = new BannedWordList(['contoso', 'blank']);
const full = new BannedWordList([...GLOBAL_BANNED_WORDS, 'contoso', 'blank']);

describe("Entra's worked example", () => {
  it('"C0ntos0Blank12" scores exactly 4 points (contoso, blank, l, 2) and is refused at 5', () => {
    const score = entra.score('C0ntos0Blank12');
    assert.equal(score.points, 4);
    assert.deepEqual(score.terms, ['contoso', 'blank']);
  });

  it('"ContoS0Bl@nkf9!" scores exactly 5 points (contoso, blank, f, 9, !) and is accepted at 5', () => {
    const score = entra.score('ContoS0Bl@nkf9!');
    assert.equal(score.points, 5);
    assert.deepEqual(score.terms, ['contoso', 'blank']);
  });

  it('scores the same with the whole global list loaded as well', () => {
    assert.equal(full.score('C0ntos0Blank12').points, 4);
    assert.equal(full.score('ContoS0Bl@nkf9!').points, 5);
  });
});

describe('BannedWordList matching', () => {
  it('finds a term of 4+ letters anywhere, and counts each leftover character', () => {
    assert.deepEqual(full.score('xxpasswordyy'), { points: 5, terms: ['password'] });
  });

  it('matches terms under 4 letters only as the whole password', () => {
    const list = new BannedWordList(['sso']);
    assert.equal(list.score('sso').points, 1);
    assert.equal(list.score('Sso-login!').points, 10);
  });

  it('drops terms under 3 letters and folds the terms themselves (Passw0rd == password)', () => {
    const list = new BannedWordList(['ab', 'Passw0rd']);
    assert.equal(list.size, 1);
    assert.equal(list.score('PASSWORD').points, 1);
  });

  it("reads each '1' as l or i, whichever gives fewer points, per term", () => {
    const list = new BannedWordList(['blank', 'illicit']);
    assert.equal(list.score('B1ank').points, 1);
    assert.equal(list.score('1ll1c1t').points, 1, 'one term needs both readings at once');
  });

  it('allows one typo inside terms of 6+ letters: substitution, insertion, deletion', () => {
    const list = new BannedWordList(['fabrikam']);
    assert.equal(list.score('fabrokam').points, 1, 'substitution');
    assert.equal(list.score('fabrrikam').points, 1, 'insertion');
    assert.equal(list.score('fabikam').points, 1, 'deletion');
    assert.equal(list.score('xxfabrokamxx').points, 5, 'inside a longer password');
  });

  it('allows no typo on the first or last letter, nor two typos, nor any typo in short terms', () => {
    const list = new BannedWordList(['fabrikam', 'blank']);
    assert.equal(list.score('xxgabrikamxx').points, 12, 'first letter changed');
    assert.equal(list.score('xxfabrikanxx').points, 12, 'last letter changed');
    assert.equal(list.score('xxfabrukanxx').points, 12, 'two typos');
    assert.equal(list.score('xxblinkxx').points, 9, '5-letter term: no typo allowed');
  });

  it("applies Entra's one-edit rule to the whole password (any 4+ letter term)", () => {
    const list = new BannedWordList(['blank']);
    assert.equal(list.score('blanx').points, 1);
    assert.equal(list.score('blanks').points, 1);
    assert.equal(list.score('blanksy').points, 3, 'two edits away: the exact "blank" inside remains');
  });

  it('counts years 1940-2039 as one term each', () => {
    assert.deepEqual(full.score('Summer2024!'), { points: 3, terms: ['summer', '2o2a'] });
    assert.equal(full.score('ab1939cd').points, 8, '1939 is not in the range');
    assert.equal(full.score('ab1940cd').points, 5);
  });

  it('takes the cheapest cut when terms overlap', () => {
    const list = new BannedWordList(['pass', 'password', 'word']);
    assert.deepEqual(list.score('password').terms, ['password']);
  });
});

describe('cheapestCut', () => {
  it('is the minimum over every way to combine non-overlapping matches and single characters', () => {
    const matches = [
      { term: 'ab', start: 0, end: 2 },
      { term: 'bcd', start: 1, end: 4 },
      { term: 'de', start: 3, end: 5 },
      { term: 'abcde', start: 0, end: 5 },
    ];
    assert.equal(cheapestCut(5, matches).points, 1);
    assert.equal(cheapestCut(5, matches.slice(0, 3)).points, 3, 'ab + c + de, or a + bcd + e');
    assert.equal(cheapestCut(6, []).points, 6);
    assert.equal(cheapestCut(0, []).points, 0);
  });
});

describe('the lists', () => {
  it('ship a few hundred global terms including the usual stems', () => {
    assert.ok(GLOBAL_BANNED_WORDS.length >= 300, String(GLOBAL_BANNED_WORDS.length));
    for (const term of [
      'password',
      'welcome',
      'letmein',
      'qwerty',
      'admin',
      'summer',
      'monday',
      'changeme',
      'secret',
    ]) {
      assert.ok(GLOBAL_BANNED_WORDS.includes(term), term);
    }
  });

  it('parse the custom list from config: comma separated, trimmed, blanks dropped', () => {
    assert.deepEqual(parseBannedWords(' Contoso, Fabrikam ,,London,  '), ['Contoso', 'Fabrikam', 'London']);
    assert.deepEqual(parseBannedWords(''), []);
  });
});
