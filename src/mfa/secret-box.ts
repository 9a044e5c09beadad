import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption for small secrets at rest (TOTP seeds): AES-256-GCM with a fresh
 * random 96-bit IV per seal. Format: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. The
 * version prefix lets a later format or key rotation coexist with stored values.
 *
 * `associatedData` (optional) binds a sealed value to its context, e.g. the factor id, so a
 * sealed secret copied into another row does not open there. Pass the same value to `open`.
 */

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]*$/;

export function seal(key: Buffer, plaintext: string, associatedData = ''): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv, tag, ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypt and verify; throws when the value was altered, is malformed, or the key/context is wrong. */
export function open(key: Buffer, sealed: string, associatedData = ''): string {
  assertKey(key);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== VERSION) throw new SecretBoxError('unknown format');
  const [iv, tag, ciphertext] = parts.slice(1).map(decodePart);
  if (!iv || !tag || !ciphertext || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
    throw new SecretBoxError('malformed value');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch (error) {
    // Do not say which check failed: "wrong key" and "tampered" are the same answer to a caller.
    throw new SecretBoxError('authentication failed', error);
  }
}

export class SecretBoxError extends Error {
  constructor(reason: string, cause?: unknown) {
    super(`secret-box: cannot open (${reason})`, { cause });
    this.name = 'SecretBoxError';
  }
}

/** Node's base64url decoder skips junk characters; reject them so only canonical values open. */
function decodePart(part: string): Buffer | null {
  if (!B64URL.test(part)) return null;
  const bytes = Buffer.from(part, 'base64url');
  return bytes.toString('base64url') === part ? bytes : null;
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`secret-box key must be ${KEY_BYTES} bytes`);
}
