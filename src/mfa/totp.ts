import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import speakeasy from 'speakeasy';
import { normaliseCodeInput } from './code-input.ts';

/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, the settings every authenticator app supports).
 *
 * Replay guard contract: `matchTotpStep` only says which time step a code belongs to. A code
 * stays valid for up to (2 * window + 1) steps, so the caller must make it single use: accept
 * it only when `await store.advanceTotpStep(factor.id, step)` returns true. That conditional
 * update stores the step and succeeds only when step > the last accepted one, so a code (or an
 * older code in the window) is accepted once, even by concurrent requests on several instances.
 */

export const TOTP_STEP_SECONDS = 30;
/** 160 bits, the HMAC-SHA1 block-friendly size RFC 4226 recommends. */
const SECRET_BYTES = 20;
const MAX_WINDOW = 10;

export interface TotpSecret {
  base32: string;
  otpauthUrl: string;
}

/** A fresh secret and its otpauth:// URL (issuer prefix in the label and as a parameter, as apps expect). */
export function generateTotpSecret(
  label: string,
  issuer: string,
  random: (size: number) => Buffer = randomBytes,
): TotpSecret {
  const base32 = base32Encode(random(SECRET_BYTES));
  // speakeasy puts the label into the URL path as is, so encode it here (spaces, '/', ':').
  const otpauthUrl = speakeasy.otpauthURL({
    secret: base32,
    encoding: 'base32',
    label: `${encodeURIComponent(issuer)}:${encodeURIComponent(label)}`,
    issuer,
  });
  return { base32, otpauthUrl };
}

/** The absolute time step (floor(unixSeconds / 30)) at which `code` is valid, within ±window of now. */
export function matchTotpStep(base32: string, code: string, now: Date, window = 1): number | null {
  if (!Number.isInteger(window) || window < 0 || window > MAX_WINDOW) {
    throw new RangeError(`TOTP window must be an integer in 0..${MAX_WINDOW}`);
  }
  const token = normaliseCodeInput(code);
  if (token === null) return null;
  const step = totpStepAt(now);
  const match = speakeasy.totp.verifyDelta({
    secret: base32,
    encoding: 'base32',
    token,
    counter: step,
    window,
  });
  return match ? step + match.delta : null;
}

export function totpStepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** A PNG data URL of the otpauth URL: rendered here, so the secret never goes to a third-party QR service. */
export function totpQrDataUrl(otpauthUrl: string): Promise<string> {
  return QRCode.toDataURL(otpauthUrl, {
    type: 'image/png',
    errorCorrectionLevel: 'M',
    margin: 2,
    width: 240,
  });
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (authenticator apps accept and expect it unpadded). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
