import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it, mock } from 'node:test';
import { codeMatches, generateCode, hashCode } from '../../../src/mfa/one-time-code.ts';

const KEY = Buffer.alloc(32, 1);
const OTHER_KEY = Buffer.alloc(32, 2);
const PURPOSE = 'flow:f1';

describe('generateCode', () => {
  it('when the random source gives small numbers, the code keeps its leading zeros', () => {
    assert.equal(
      generateCode(() => 0),
      '000000',
    );
    assert.equal(
      generateCode(() => 7),
      '000007',
    );
    assert.equal(
      generateCode(() => 42_195),
      '042195',
    );
    assert.equal(
      generateCode(() => 999_999),
      '999999',
    );
  });

  it('when generating, it asks the random source for one integer below 1,000,000', () => {
    const random = mock.fn((_max: number) => 123_456);
    assert.equal(generateCode(random), '123456');
    assert.equal(random.mock.callCount(), 1);
    assert.equal(random.mock.calls[0]?.arguments[0], 1_000_000);
  });

  it('when the random source returns an out-of-range value, it throws instead of a bad code', () => {
    for (const n of [-1, 1_000_000, 1.5, Number.NaN]) assert.throws(() => generateCode(() => n), RangeError);
  });

  it('when drawing 10,000 codes with the real source, each digit position is roughly uniform', () => {
    const counts = Array.from({ length: 6 }, () => new Array<number>(10).fill(0));
    for (let i = 0; i < 10_000; i++) {
      const code = generateCode();
      assert.match(code, /^[0-9]{6}$/);
      for (let p = 0; p < 6; p++) counts[p]![Number(code[p])]! += 1;
    }
    // Expected 1000 per digit, sd about 30: 850..1150 is five sd, loose enough never to flake.
    for (const position of counts) {
      for (const count of position) assert.ok(count > 850 && count < 1150, `count ${count}`);
    }
  });
});

describe('hashCode', () => {
  it('when hashing, it returns 64 hex characters and the same value for the same input', () => {
    const hash = hashCode(KEY, PURPOSE, '123456');
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(hashCode(KEY, PURPOSE, '123456'), hash);
  });

  it('when the purpose or the key differs, the hash differs', () => {
    const hash = hashCode(KEY, PURPOSE, '123456');
    assert.notEqual(hashCode(KEY, 'flow:f2', '123456'), hash);
    assert.notEqual(hashCode(OTHER_KEY, PURPOSE, '123456'), hash);
    assert.notEqual(hashCode(KEY, PURPOSE, '123457'), hash);
  });

  it('when storing a code, neither the code nor an unkeyed hash of it appears in the stored value', () => {
    for (let n = 0; n < 1000; n++) {
      const code = String(n * 997).padStart(6, '0');
      const hash = hashCode(KEY, PURPOSE, code);
      assert.ok(!hash.includes(code), code);
      assert.notEqual(hash, createHash('sha256').update(code).digest('hex'));
      assert.notEqual(hash, createHash('sha256').update(`${PURPOSE}${code}`).digest('hex'));
    }
  });

  it('when the code is not six ASCII digits, it throws (a caller bug, not user input)', () => {
    for (const bad of ['12345', '1234567', '123 456', 'abcdef']) {
      assert.throws(() => hashCode(KEY, PURPOSE, bad), RangeError, bad);
    }
  });
});

describe('codeMatches', () => {
  const stored = hashCode(KEY, PURPOSE, '042195');

  it('when the input is the code (also with spaces or full-width digits), it matches', () => {
    assert.equal(codeMatches(KEY, PURPOSE, '042195', stored), true);
    assert.equal(codeMatches(KEY, PURPOSE, ' 042 195 ', stored), true);
    assert.equal(codeMatches(KEY, PURPOSE, '０４２１９５', stored), true);
  });

  it('when the code, purpose or key is wrong, it does not match', () => {
    assert.equal(codeMatches(KEY, PURPOSE, '042196', stored), false);
    assert.equal(codeMatches(KEY, 'flow:f2', '042195', stored), false);
    assert.equal(codeMatches(OTHER_KEY, PURPOSE, '042195', stored), false);
  });

  it('when the input is not 6 digits, it never matches', () => {
    for (const bad of ['42195', '0421950', '04219a', '+42195', '', '0'.repeat(100)]) {
      assert.equal(codeMatches(KEY, PURPOSE, bad, stored), false, bad);
    }
  });

  it('when the stored hash is malformed, it returns false rather than throwing', () => {
    for (const bad of ['', stored.slice(2), stored.toUpperCase(), `${stored}00`, 'z'.repeat(64)]) {
      assert.equal(codeMatches(KEY, PURPOSE, '042195', bad), false);
    }
  });
});
