import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import speakeasy from 'speakeasy';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { composeServices, type Services } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import type { DirectoryKind, DirectoryUser } from '../../src/directory/directory.ts';
import { token } from '../../src/flows/flow.ts';
import { createLogger, type Logger } from '../../src/log.ts';
import { seal } from '../../src/mfa/secret-box.ts';
import { generateTotpSecret, totpStepAt } from '../../src/mfa/totp.ts';
import { directoryEnv } from './directory-servers.ts';

export interface TestApp {
  services: Services;
  app: ReturnType<typeof createApp>;
  agent: () => ReturnType<typeof request.agent>;
  /** Messages the SMS outbox got, newest first. */
  sms: () => Promise<Array<{ to: string; text: string }>>;
  close: () => Promise<void>;
}

/**
 * The real app over the real directory and a fresh SQLite store (or PostgreSQL via
 * DATABASE_URL in `env`), with the SMS outbox in a temporary file.
 */
export async function givenApp(
  kind: DirectoryKind,
  env: Record<string, string> = {},
  options: { log?: Logger; now?: () => Date } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sspr-test-'));
  const config = loadConfig(
    directoryEnv(kind, {
      SMS_OUTBOX_FILE: path.join(dir, 'outbox.jsonl'),
      SMS_COOLDOWN_SECONDS: '1',
      LOG_LEVEL: 'silent',
      ...env,
    }),
  );
  const services = await composeServices(config, options.log ?? createLogger('silent'), { now: options.now });
  const app = createApp(services);
  return {
    services,
    app,
    agent: () => request.agent(app),
    sms: async () => (services.sms.outbox ? services.sms.outbox.readLast(50) : []),
    close: () => services.close(),
  };
}

/** Enroll an authenticator for a user directly in the store; returns its secret. */
export async function givenTotpFactor(services: Services, user: DirectoryUser): Promise<string> {
  const secret = generateTotpSecret(user.username, 'test').base32;
  const id = token();
  await services.store.addFactor({
    id,
    userId: user.id,
    kind: 'totp',
    secretSealed: seal(services.keys.sealKey, secret, id),
    phone: null,
    label: 'Authenticator app',
    createdAt: new Date(),
    confirmedAt: new Date(),
    lastStep: null,
  });
  return secret;
}

export async function givenSmsFactor(services: Services, user: DirectoryUser, phone: string): Promise<void> {
  await services.store.addFactor({
    id: token(),
    userId: user.id,
    kind: 'sms',
    secretSealed: null,
    phone,
    label: 'Mobile phone',
    createdAt: new Date(),
    confirmedAt: new Date(),
    lastStep: null,
  });
}

/** The TOTP code for `secret` at a given step offset from now (0 = current step). */
export function totpCode(secret: string, stepOffset = 0, now = new Date()): string {
  const step = totpStepAt(now) + stepOffset;
  return speakeasy.totp({ secret, encoding: 'base32', time: step * 30 });
}

/** The CSRF token of the page's first form. */
export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token on the page');
  return m[1];
}

/** Last 6-digit code sent to `phone` by SMS. */
export async function lastCodeFor(app: TestApp, phone: string): Promise<string> {
  const message = (await app.sms()).find((m) => m.to === phone);
  const code = message && /\b(\d{6})\b/.exec(message.text)?.[1];
  if (!code) throw new Error(`no code sent to ${phone}`);
  return code;
}
