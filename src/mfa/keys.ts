import { hkdfSync } from 'node:crypto';

/**
 * One configured SECRET_KEY, several independent keys. HKDF with a distinct `info` label per
 * use means that learning one subkey (say, the session secret from a leaked cookie signer)
 * tells nothing about the others, and no key is ever used for two purposes.
 */
export interface DerivedKeys {
  /** Signs session cookies (express-session `secret`). */
  sessionSecret: string;
  /** AES-256-GCM key for TOTP secrets at rest (secret-box.ts). */
  sealKey: Buffer;
  /** HMAC-SHA256 key for one-time code hashes (one-time-code.ts). */
  codeKey: Buffer;
}

/** Fixed, public salt: it separates this application's derivations from any other use of the key. */
const SALT = 'sspr-portal/hkdf-salt/v1';
/** The labels are part of the key: changing one rotates that key (sealed secrets become unreadable). */
const INFO = {
  sessionSecret: 'sspr-portal/session-secret/v1',
  sealKey: 'sspr-portal/totp-seal-key/v1',
  codeKey: 'sspr-portal/code-hmac-key/v1',
} as const;
const MIN_SECRET_LENGTH = 32;

export function deriveKeys(secretKey: string): DerivedKeys {
  // config.ts enforces this too; repeated here because a short key silently weakens every subkey.
  if (secretKey.length < MIN_SECRET_LENGTH) {
    throw new Error(`secret key must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const ikm = Buffer.from(secretKey, 'utf8');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', ikm, SALT, info, 32));
  return {
    sessionSecret: derive(INFO.sessionSecret).toString('base64url'),
    sealKey: derive(INFO.sealKey),
    codeKey: derive(INFO.codeKey),
  };
}
