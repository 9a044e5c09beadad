import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dictionary as common } from '@zxcvbn-ts/language-common';
import { breachedPasswords, isBreachedOffline } from '../../../src/policy/breached-passwords.ts';

describe('offline breached-password list', () => {
  it('holds the whole zxcvbn breach list', () => {
    const list = breachedPasswords();
    for (const entry of common['passwords-common']) assert.ok(list.has(entry), entry);
  });

  it('holds the long padded forms a 15-character minimum provokes', () => {
    for (const password of [
      'password1234567',
      'qwertyuiopasdfg',
      'iloveyou1234567',
      'sunshine1234567890',
      'princess12345!',
      'passwordpassword',
      'football2024',
      '1qaz2wsx3edc4rfv5tgb',
      'abcdefghijklmno',
    ]) {
      assert.equal(isBreachedOffline(password), true, password);
    }
  });

  it('matches exactly after lowercasing, and nothing else', () => {
    assert.equal(isBreachedOffline('PassWord1234567'), true);
    assert.equal(isBreachedOffline('password1234567x'), false, 'one more character');
    assert.equal(isBreachedOffline('p@ssword1234567'), false, 'no leet folding here (banned words do that)');
    assert.equal(isBreachedOffline('violet kangaroo juggles'), false);
  });

  it('is built once and shared', () => {
    assert.equal(breachedPasswords(), breachedPasswords());
    assert.ok(breachedPasswords().size > 100_000, String(breachedPasswords().size));
  });
});
