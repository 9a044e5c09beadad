import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createPasswordPolicy,
  DEFAULT_POLICY_SETTINGS,
  type PolicyResult,
} from '../../../src/policy/password-policy.ts';

const policy = createPasswordPolicy(DEFAULT_POLICY_SETTINGS);
const previous = 'violet kangaroo juggles 42';
const codes = (result: PolicyResult) => result.failures.map((failure) => failure.code);

describe('not similar to the previous password (change flow)', () => {
  it('refuses the usual small changes: a bumped number, an added character, a case change, a leet swap', () => {
    for (const next of [
      'violet kangaroo juggles 43',
      'violet kangaroo juggles 42!',
      'violet kangaroo juggles 4',
      'Violet Kangaroo Juggles 42',
      'VIOLET KANGAROO JUGGLES 42',
      'v1olet kangar00 juggle$ 42',
      'violet kangaroo juggles 421',
      'violet kangaroo juggles 42!!!',
    ]) {
      const result = policy.checkOffline(next, { previousPassword: previous });
      assert.deepEqual(codes(result), ['password.too_similar'], next);
    }
  });

  it('accepts a password four or more edits away (the default), and a wholly new one', () => {
    for (const next of [
      'violet kangaroo juggles 42!!!!',
      'violet wallaby juggles 42',
      'copper lantern whistles sideways',
    ]) {
      const result = policy.checkOffline(next, { previousPassword: previous });
      assert.deepEqual(codes(result), [], next);
    }
  });

  it('compares NFKC forms: the full-width spelling of the same password is the same password', () => {
    const fullWidth = previous.replace(/[a-z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
    assert.deepEqual(codes(policy.checkOffline(fullWidth, { previousPassword: previous })), [
      'password.too_similar',
    ]);
  });

  it('applies only when the previous password is known, and shows in the checklist only then', () => {
    const withoutPrevious = policy.checkOffline('violet kangaroo juggles 43', {});
    assert.ok(!withoutPrevious.checklist.some((item) => item.rule === 'password.too_similar'));
    const withPrevious = policy.checkOffline('copper lantern whistles sideways', {
      previousPassword: previous,
    });
    const item = withPrevious.checklist.find((entry) => entry.rule === 'password.too_similar');
    assert.deepEqual(item, { rule: 'password.too_similar', isMet: true, params: { min: 4 } });
  });

  it('follows the configured minimum, and 0 turns the rule off', () => {
    const strict = createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minDifferentFromPrevious: 6 });
    assert.deepEqual(
      codes(strict.checkOffline('violet kangaroo juggles 42!!!!', { previousPassword: previous })),
      ['password.too_similar'],
    );
    const off = createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minDifferentFromPrevious: 0 });
    assert.deepEqual(
      codes(off.checkOffline('violet kangaroo juggles 43', { previousPassword: previous })),
      [],
    );
  });
});
