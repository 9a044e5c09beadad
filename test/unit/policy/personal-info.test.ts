import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  containsPersonalInfo,
  personalTokens,
  strengthUserInputs,
} from '../../../src/policy/personal-info.ts';

const john = { username: 'jsmith', givenName: 'John', surname: 'Smith', mail: 'john.smith@example.com' };

describe('personalTokens', () => {
  it('folds each attribute and adds it reversed; the mail local part whole, joined and split', () => {
    const tokens = personalTokens(john);
    for (const token of [
      'jsmith',
      'htimsj',
      'john',
      'nhoj',
      'smith',
      'htims',
      'john.smith',
      'johnsmith',
      'htimsnhoj',
    ]) {
      assert.ok(tokens.includes(token), token);
    }
  });

  it('skips values under 3 characters', () => {
    assert.deepEqual(personalTokens({ givenName: 'Al', surname: 'Li' }), []);
    assert.ok(personalTokens({ givenName: 'Ann' }).includes('ann'));
  });

  it('reads DOMAIN\\user and user@domain as the bare username', () => {
    assert.ok(personalTokens({ username: 'CORP\\jdoe' }).includes('jdoe'));
    assert.ok(!personalTokens({ username: 'CORP\\jdoe' }).includes('corp\\jdoe'));
    assert.ok(personalTokens({ username: 'jdoe@corp.example' }).includes('jdoe'));
  });

  it('folds names with diacritics so the plain spelling matches', () => {
    assert.equal(
      containsPersonalInfo('welcome-mueller-muller', personalTokens({ surname: 'M\u00fcller' })),
      true,
    );
  });

  it('ignores missing attributes', () => {
    assert.deepEqual(personalTokens({ username: null, givenName: undefined }), []);
  });
});

describe('containsPersonalInfo', () => {
  const tokens = personalTokens(john);

  it('finds names forwards, reversed, in capitals and in leet', () => {
    for (const password of ['xxJOHNxx', 'xxnhojxx', 'xxJ0hnxx', 'xxsm1thxx', 'xxHTIMSJxx', 'John.Smith!']) {
      assert.equal(containsPersonalInfo(password, tokens), true, password);
    }
  });

  it('does not flag fragments or unrelated words', () => {
    for (const password of ['jo-hn', 'smit', 'violet kangaroo', 'jsmit']) {
      assert.equal(containsPersonalInfo(password, tokens), false, password);
    }
  });

  it('flags nothing when there are no tokens', () => {
    assert.equal(containsPersonalInfo('anything', []), false);
  });
});

describe('strengthUserInputs', () => {
  it('adds department and company to the identifying values, lowercased and unique', () => {
    const inputs = strengthUserInputs({ ...john, department: 'Finance', company: 'Contoso Ltd' });
    for (const input of ['jsmith', 'john', 'smith', 'finance', 'contoso', 'ltd', 'contosoltd']) {
      assert.ok(inputs.includes(input), input);
    }
    assert.equal(new Set(inputs).size, inputs.length);
  });
});
