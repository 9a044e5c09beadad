import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { open, SecretBoxError, seal } from '../../../src/mfa/secret-box.ts';

const KEY = Buffer.alloc(32, 7);
const PLAINTEXT = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

/** Flip one bit of one decoded part (1 = iv, 2 = tag, 3 = ciphertext) and re-encode it canonically. */
function tamper(sealed: string, index: 1 | 2 | 3): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('secret-box', () => {
  it('when a value is sealed and opened with the same key, the plaintext comes back', () => {
    assert.equal(open(KEY, seal(KEY, PLAINTEXT)), PLAINTEXT);
    assert.equal(open(KEY, seal(KEY, 'ünïcødé ✓')), 'ünïcødé ✓');
    assert.equal(open(KEY, seal(KEY, '')), '');
  });

  it('when sealing, the output is v1 with a 12-byte iv, 16-byte tag and no plaintext in it', () => {
    const sealed = seal(KEY, PLAINTEXT);
    const [version, iv, tag, ciphertext] = sealed.split('.');
    assert.equal(version, 'v1');
    assert.equal(Buffer.from(iv!, 'base64url').length, 12);
    assert.equal(Buffer.from(tag!, 'base64url').length, 16);
    assert.equal(Buffer.from(ciphertext!, 'base64url').length, Buffer.byteLength(PLAINTEXT));
    assert.ok(!sealed.includes(PLAINTEXT));
  });

  it('when the same plaintext is sealed twice, the two values (and ivs) differ', () => {
    const a = seal(KEY, PLAINTEXT);
    const b = seal(KEY, PLAINTEXT);
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[1], b.split('.')[1]);
  });

  for (const [index, part] of [
    [3, 'ciphertext'],
    [2, 'tag'],
    [1, 'iv'],
  ] as const) {
    it(`when the ${part} was altered, open throws`, () => {
      assert.throws(() => open(KEY, tamper(seal(KEY, PLAINTEXT), index)), SecretBoxError);
    });
  }

  it('when opened with another key, it throws', () => {
    assert.throws(() => open(randomBytes(32), seal(KEY, PLAINTEXT)), SecretBoxError);
  });

  it('when sealed with associated data, it opens only with the same associated data', () => {
    const sealed = seal(KEY, PLAINTEXT, 'factor:1');
    assert.equal(open(KEY, sealed, 'factor:1'), PLAINTEXT);
    assert.throws(() => open(KEY, sealed, 'factor:2'), SecretBoxError);
    assert.throws(() => open(KEY, sealed), SecretBoxError);
  });

  it('when the value is malformed (version, part count, junk characters, truncated tag), it throws', () => {
    const sealed = seal(KEY, PLAINTEXT);
    const [, iv, tag, ciphertext] = sealed.split('.');
    for (const bad of [
      `v2.${iv}.${tag}.${ciphertext}`,
      `v1.${iv}.${tag}`,
      `${sealed}.x`,
      `v1.${iv}.${tag}.${ciphertext}!`,
      `v1.${iv}.${tag!.slice(0, 10)}.${ciphertext}`,
      '',
    ]) {
      assert.throws(() => open(KEY, bad), SecretBoxError, bad);
    }
  });

  it('when the key is not 32 bytes, seal and open throw', () => {
    assert.throws(() => seal(Buffer.alloc(16), PLAINTEXT), /32 bytes/);
    assert.throws(() => open(Buffer.alloc(16), seal(KEY, PLAINTEXT)), /32 bytes/);
  });
});
