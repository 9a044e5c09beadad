import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import speakeasy from 'speakeasy';
import {
  base32Encode,
  generateTotpSecret,
  matchTotpStep,
  totpQrDataUrl,
  totpStepAt,
} from '../../../src/mfa/totp.ts';

/** The RFC 6238 test secret "12345678901234567890" (SHA-1), base32. */
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
/** RFC 6238: at T = 1234567890 s the 8-digit code is 89005924, so the 6-digit one is 005924. */
const NOW = new Date(1_234_567_890_000);
const NOW_STEP = 41_152_263;
const NOW_CODE = '005924';

function codeAt(step: number): string {
  return speakeasy.totp({ secret: SECRET, encoding: 'base32', counter: step });
}

describe('matchTotpStep', () => {
  it('when the code is the RFC 6238 vector for now, it matches and returns the current step', () => {
    assert.equal(totpStepAt(NOW), NOW_STEP);
    assert.equal(matchTotpStep(SECRET, NOW_CODE, NOW), NOW_STEP);
    assert.equal(matchTotpStep(SECRET, '287082', new Date(59_000), 0), 1);
  });

  it('when the code is from the previous or next step, it matches within window 1 with that step', () => {
    assert.equal(matchTotpStep(SECRET, codeAt(NOW_STEP - 1), NOW), NOW_STEP - 1);
    assert.equal(matchTotpStep(SECRET, codeAt(NOW_STEP + 1), NOW), NOW_STEP + 1);
  });

  it('when the code is two steps away, it does not match with window 1 but does with window 2', () => {
    assert.equal(matchTotpStep(SECRET, codeAt(NOW_STEP - 2), NOW), null);
    assert.equal(matchTotpStep(SECRET, codeAt(NOW_STEP + 2), NOW), null);
    assert.equal(matchTotpStep(SECRET, codeAt(NOW_STEP - 2), NOW, 2), NOW_STEP - 2);
  });

  it('when the window is 0, only the current step matches', () => {
    assert.equal(matchTotpStep(SECRET, NOW_CODE, NOW, 0), NOW_STEP);
    assert.equal(matchTotpStep(SECRET, codeAt(NOW_STEP - 1), NOW, 0), null);
  });

  it('when the code is wrong, it returns null', () => {
    const wrong = String((Number(NOW_CODE) + 1) % 1_000_000).padStart(6, '0');
    assert.equal(matchTotpStep(SECRET, wrong, NOW), null);
  });

  it('when the code is typed with spaces or full-width digits, it still matches', () => {
    assert.equal(matchTotpStep(SECRET, '005 924', NOW), NOW_STEP);
    assert.equal(matchTotpStep(SECRET, ' 005924 ', NOW), NOW_STEP);
    assert.equal(matchTotpStep(SECRET, '００５９２４', NOW), NOW_STEP);
  });

  it('when the input is not exactly 6 digits, it returns null without asking speakeasy', (t) => {
    const verify = t.mock.method(speakeasy.totp, 'verifyDelta');
    // "+05924", "5924.0" and "  5924" have length 6 and parseInt to 5924: speakeasy alone would accept them.
    for (const bad of ['05924', '0059240', 'abcdef', '00592a', '+05924', '5924.0', '  5924', '', '-05924']) {
      assert.equal(matchTotpStep(SECRET, bad, NOW), null, bad);
    }
    assert.equal(verify.mock.callCount(), 0);
    assert.equal(matchTotpStep(SECRET, NOW_CODE, NOW), NOW_STEP);
    assert.equal(verify.mock.callCount(), 1);
  });

  it('when the window is negative, fractional or too large, it throws', () => {
    assert.throws(() => matchTotpStep(SECRET, NOW_CODE, NOW, -1), RangeError);
    assert.throws(() => matchTotpStep(SECRET, NOW_CODE, NOW, 1.5), RangeError);
    assert.throws(() => matchTotpStep(SECRET, NOW_CODE, NOW, 11), RangeError);
  });
});

describe('generateTotpSecret', () => {
  it('when given 20 known bytes, it encodes them as the RFC 6238 base32 secret', () => {
    const random = mock.fn((size: number) => Buffer.from('12345678901234567890').subarray(0, size));
    const { base32 } = generateTotpSecret('alice', 'SSPR Portal', random);
    assert.equal(random.mock.calls[0]?.arguments[0], 20);
    assert.equal(base32, SECRET);
  });

  it('when generating, the otpauth URL carries the secret, the issuer and an encoded issuer:label', () => {
    const { base32, otpauthUrl } = generateTotpSecret('alice@example.org', 'SSPR Portal');
    const url = new URL(otpauthUrl);
    assert.equal(url.protocol, 'otpauth:');
    assert.equal(url.host, 'totp');
    assert.equal(decodeURIComponent(url.pathname.slice(1)), 'SSPR Portal:alice@example.org');
    assert.ok(!otpauthUrl.includes(' '));
    assert.equal(url.searchParams.get('secret'), base32);
    assert.equal(url.searchParams.get('issuer'), 'SSPR Portal');
  });

  it('when generating twice, the secrets are 32 base32 characters (160 bits) and differ', () => {
    const a = generateTotpSecret('alice', 'SSPR Portal').base32;
    const b = generateTotpSecret('alice', 'SSPR Portal').base32;
    assert.match(a, /^[A-Z2-7]{32}$/);
    assert.notEqual(a, b);
  });

  it('when an app computes the code for a generated secret, it matches', () => {
    const { base32 } = generateTotpSecret('alice', 'SSPR Portal');
    const code = speakeasy.totp({ secret: base32, encoding: 'base32', time: NOW.getTime() / 1000 });
    assert.equal(matchTotpStep(base32, code, NOW), NOW_STEP);
  });
});

describe('base32Encode', () => {
  it('when encoding the RFC 4648 test vectors, it gives the unpadded expected text', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'MY'],
      ['fo', 'MZXQ'],
      ['foo', 'MZXW6'],
      ['foob', 'MZXW6YQ'],
      ['fooba', 'MZXW6YTB'],
      ['foobar', 'MZXW6YTBOI'],
    ];
    for (const [input, expected] of vectors) assert.equal(base32Encode(Buffer.from(input)), expected);
  });
});

describe('totpQrDataUrl', () => {
  it('when rendering an otpauth URL, it returns a PNG data URL', async () => {
    const dataUrl = await totpQrDataUrl(generateTotpSecret('alice', 'SSPR Portal').otpauthUrl);
    const prefix = 'data:image/png;base64,';
    assert.ok(dataUrl.startsWith(prefix));
    const png = Buffer.from(dataUrl.slice(prefix.length), 'base64');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
