import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  codePointLength,
  codePointPrefix,
  foldForMatching,
  normalisePassword,
  reverseText,
} from '../../../src/policy/normalise.ts';

describe('normalisePassword', () => {
  it('applies NFKC, as the writeback does: full-width, ligatures and composed accents', () => {
    assert.equal(normalisePassword('\uff30\uff41\uff53\uff53'), 'Pass');
    assert.equal(normalisePassword('\ufb01ne'), 'fine');
    assert.equal(normalisePassword('e\u0301'), '\u00e9');
    assert.equal(normalisePassword('\u{1D429}\u{1D41A}'), 'pa');
  });

  it('leaves look-alikes from other scripts alone (NFKC does not fold Cyrillic a)', () => {
    assert.equal(normalisePassword('p\u0430ss'), 'p\u0430ss');
  });
});

describe('codePointLength and codePointPrefix', () => {
  it('counts an emoji as one character, not two UTF-16 units', () => {
    assert.equal(codePointLength('\u{1F436}\u{1F431}a'), 3);
    assert.equal('\u{1F436}\u{1F431}a'.length, 5);
  });

  it('never cuts a surrogate pair in half', () => {
    assert.equal(codePointPrefix('\u{1F436}\u{1F431}\u{1F42D}', 2), '\u{1F436}\u{1F431}');
    assert.equal(codePointPrefix('abc', 10), 'abc');
    assert.equal(codePointPrefix('abcdef', 3), 'abc');
  });
});

describe('foldForMatching', () => {
  it('lowercases and undoes every listed swap', () => {
    assert.deepEqual(foldForMatching('P@$$W0RD'), ['password']);
    assert.deepEqual(foldForMatching('3457!|+'), ['eastilt']);
  });

  it("reads '1' both as l and as i, in two strings of equal length", () => {
    assert.deepEqual(foldForMatching('B1ank'), ['blank', 'biank']);
    assert.deepEqual(foldForMatching('sm1th'), ['smlth', 'smith']);
  });

  it('drops Latin diacritics but keeps Indic vowel signs', () => {
    assert.deepEqual(foldForMatching('P\u00e4ssw\u00f6rd'), ['password']);
    assert.deepEqual(foldForMatching('\u0928\u092e\u0938\u094d\u0924\u0947'), [
      '\u0928\u092e\u0938\u094d\u0924\u0947',
    ]);
  });

  it('folds full-width and circled forms through NFKC first', () => {
    assert.deepEqual(foldForMatching('\uff23\uff10\uff4e\uff54\uff4f\uff53\uff4f'), ['contoso']);
    assert.deepEqual(foldForMatching('\u24b8\u24c4\u24c3'), ['con']);
  });

  it('keeps one position per code point: astral characters fold to one placeholder unit', () => {
    const [folded] = foldForMatching('a\u{1F436}b');
    assert.equal(folded, 'a\ufffdb');
    assert.equal(folded?.length, 3);
  });

  it('keeps the Entra example readable: C0ntos0Blank12 -> contosoblankl2 / contosoblanki2', () => {
    assert.deepEqual(foldForMatching('C0ntos0Blank12'), ['contosoblankl2', 'contosoblanki2']);
    assert.deepEqual(foldForMatching('ContoS0Bl@nkf9!'), ['contosoblankf9i']);
  });
});

describe('reverseText', () => {
  it('reverses by code point', () => {
    assert.equal(reverseText('smith'), 'htims');
    assert.equal(reverseText('a\u{1F436}b'), 'b\u{1F436}a');
  });
});
