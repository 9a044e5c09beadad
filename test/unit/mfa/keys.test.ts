import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveKeys } from '../../../src/mfa/keys.ts';

const SECRET = 'a-test-secret-key-of-at-least-32-characters';

describe('deriveKeys', () => {
  it('when called twice with one secret, it yields the same keys (stable across restarts)', () => {
    const a = deriveKeys(SECRET);
    const b = deriveKeys(SECRET);
    assert.equal(a.sessionSecret, b.sessionSecret);
    assert.deepEqual(a.sealKey, b.sealKey);
    assert.deepEqual(a.codeKey, b.codeKey);
  });

  it('when deriving, the three subkeys are 256-bit and differ from each other and from the secret', () => {
    const keys = deriveKeys(SECRET);
    assert.equal(keys.sealKey.length, 32);
    assert.equal(keys.codeKey.length, 32);
    assert.equal(Buffer.from(keys.sessionSecret, 'base64url').length, 32);
    const all = [keys.sessionSecret, keys.sealKey.toString('base64url'), keys.codeKey.toString('base64url')];
    assert.equal(new Set(all).size, 3);
    assert.ok(!all.includes(Buffer.from(SECRET).toString('base64url')));
    assert.ok(!keys.sessionSecret.includes(SECRET));
  });

  it('when the secret changes by one character, every subkey changes', () => {
    const a = deriveKeys(SECRET);
    const b = deriveKeys(`${SECRET.slice(0, -1)}X`);
    assert.notEqual(a.sessionSecret, b.sessionSecret);
    assert.notDeepEqual(a.sealKey, b.sealKey);
    assert.notDeepEqual(a.codeKey, b.codeKey);
  });

  it('when the secret is shorter than 32 characters, it throws', () => {
    assert.throws(() => deriveKeys('x'.repeat(31)), /at least 32/);
    assert.doesNotThrow(() => deriveKeys('x'.repeat(32)));
  });
});
