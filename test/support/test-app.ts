import { randomInt } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import speakeasy from 'speakeasy';
import request from 'supertest';
import { createApp } from '../../src/app.ts';
import { composeServices, type Services } from '../../src/compose.ts';
import { loadConfig } from '../../src/config.ts';
import type { DirectoryKind, DirectoryUser } from '../../src/directory/directory.ts';
import { token } from '../../src/flows/flow.ts';
import { translate } from '../../src/i18n.ts';
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

/** Last 6-digit code sent to `phone` by SMS (delivery runs in the background: polls up to 3 s). */
export async function lastCodeFor(app: TestApp, phone: string): Promise<string> {
  for (let waited = 0; waited < 3000; waited += 50) {
    const message = (await app.sms()).find((m) => m.to === phone && /\b\d{6}\b/.test(m.text));
    const code = message && /\b(\d{6})\b/.exec(message.text)?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no code sent to ${phone}`);
}

// ---- Helpers for the HTTP suites (test/integration/http): pages, forms, clocks, captured logs.

export type Agent = ReturnType<typeof request.agent>;
export type PendingRequest = ReturnType<Agent['post']>;

/**
 * A clock for `givenApp(kind, env, { now: clock.now })`: real time plus an offset that tests
 * move forward. `alignToTotpStep` moves it to just after the start of the next TOTP step, so a
 * test has ~29 s in which totpCode(secret, k, clock.now()) names a fixed step.
 */
export interface TestClock {
  now: () => Date;
  advance: (ms: number) => void;
  alignToTotpStep: () => void;
}

export function givenClock(): TestClock {
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  return {
    now,
    advance: (ms) => {
      offsetMs += ms;
    },
    alignToTotpStep: () => {
      const current = now().getTime();
      const nextStep = (totpStepAt(now()) + 1) * 30_000;
      offsetMs += nextStep - current + 500;
    },
  };
}

/** A debug logger writing into memory, for "no secret in the logs" checks. */
export function capturingLogger(): { log: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { log: createLogger('debug', sink), text: () => chunks.join('') };
}

/** The directory entry for a login, as the app's own directory adapter reads it. */
export async function directoryUserOf(t: TestApp, login: string): Promise<DirectoryUser> {
  const user = await t.services.directory.findUser(login);
  if (!user) throw new Error(`test user ${login} not found in the directory`);
  return user;
}

/** POST a form with the CSRF token of `page` (the HTML the form came from) plus `fields`. */
export function submit(
  agent: Agent,
  path: string,
  page: string,
  fields: Record<string, string> = {},
): PendingRequest {
  return agent
    .post(path)
    .type('form')
    .send({ _csrf: csrfOf(page), ...fields });
}

/** Start a fresh reset or unlock flow on `agent` and submit `login`; returns the identify answer. */
export async function identifyAs(
  agent: Agent,
  kind: 'reset' | 'unlock',
  login: string,
  headers: Record<string, string> = {},
): Promise<request.Response> {
  let start = await agent.get(`/${kind}`).set(headers);
  // A flow already under way is restarted the way a person does it: the "Start again" form.
  if (!start.text.includes(`action="/${kind}/identify"`)) {
    start = await submit(agent, `/${kind}/restart`, start.text, {}).set(headers);
  }
  return submit(agent, `/${kind}/identify`, start.text, { login }).set(headers);
}

/** A user's text for a message code (or ui key), escaped the way EJS prints it. */
export function pageText(code: string, params: Record<string, string | number> = {}): string {
  return escapeHtml(translate(code, params));
}

export function escapeHtml(text: string): string {
  const map: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
  return text.replace(/[&<>"']/g, (c) => map[c] ?? c);
}

/** The page without what legitimately differs per request: CSRF tokens and the echoed login(s). */
export function withoutTokens(html: string, ...echoes: string[]): string {
  let out = html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="TOKEN"');
  for (const echo of echoes) out = out.split(escapeHtml(echo)).join('LOGIN');
  return out;
}

/** The session id a response's Set-Cookie carries (unsigned), or null when it sets none. */
export function sessionIdOf(res: request.Response): string | null {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  for (const cookie of cookies) {
    const m = /^(?:__Host-)?sspr=([^;]+)/.exec(cookie);
    if (m?.[1]) return /^s:([^.]+)\./.exec(decodeURIComponent(m[1]))?.[1] ?? null;
  }
  return null;
}

/** Every `<form method="post" ...>...</form>` of a page. */
export function postFormsOf(html: string): string[] {
  return [...html.matchAll(/<form\b[^>]*method="post"[^>]*>[\s\S]*?<\/form>/gi)].map((m) => m[0]);
}

/** The full-width (U+FF01..U+FF5E) spelling of ASCII text: NFKC folds it back. */
export function fullWidth(text: string): string {
  return [...text]
    .map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c))
    .join('');
}

/** A fresh E.164 mobile number, so SMS cooldowns of one test never touch another. */
export function givenPhone(): string {
  return `+447700${randomInt(100_000, 1_000_000)}`;
}

/** A 6-digit code that is NOT valid for `secret` anywhere near `now` (so a refusal is never luck). */
export function wrongTotpCode(secret: string, now = new Date()): string {
  const near = new Set([-2, -1, 0, 1, 2].map((k) => totpCode(secret, k, now)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

/**
 * Texts sent to `phone`, read after `settleMs`: codes are delivered in the background, so a
 * check that nothing was sent must give a late delivery the time to show up.
 */
export async function smsSentTo(app: TestApp, phone: string, settleMs = 400): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  return (await app.sms()).filter((m) => m.to === phone).map((m) => m.text);
}

// ---- Helpers for the helpdesk suites (test/integration/http/helpdesk*.test.ts, test/e2e/helpdesk-unlock.test.ts).

/** A signed-in helpdesk agent: its supertest agent and the CSRF token of its agent session. */
export interface HelpdeskSession {
  agent: Agent;
  csrf: string;
  /** POST a helpdesk form with the session's CSRF token plus `fields`. */
  post: (path: string, fields?: Record<string, string>) => PendingRequest;
}

/**
 * Sign in to /helpdesk on a fresh supertest agent: directory password, then a code of a TOTP
 * factor seeded for the agent now (one new factor per sign-in, so codes never collide with an
 * earlier sign-in's). `now` is the app's clock when the test moves it. Throws unless both steps
 * lead to the agent's search page.
 */
export async function signInToHelpdesk(
  t: TestApp,
  credentials: { login: string; password: string },
  options: { now?: () => Date } = {},
): Promise<HelpdeskSession> {
  const user = await directoryUserOf(t, credentials.login);
  const secret = await givenTotpFactor(t.services, user);
  const agent = t.agent();
  const start = await agent.get('/helpdesk');
  const totp = await submit(agent, '/helpdesk/sign-in', start.text, credentials);
  if (totp.status !== 200 || !totp.text.includes('action="/helpdesk/totp"')) {
    throw new Error(`helpdesk sign-in of ${credentials.login} refused: ${totp.status}`);
  }
  const done = await submit(agent, '/helpdesk/totp', totp.text, {
    code: totpCode(secret, 0, options.now?.() ?? new Date()),
  });
  if (done.status !== 303) throw new Error(`helpdesk TOTP of ${credentials.login} refused: ${done.status}`);
  const home = await agent.get('/helpdesk');
  const csrf = csrfOf(home.text);
  return {
    agent,
    csrf,
    post: (path, fields = {}) =>
      agent
        .post(path)
        .type('form')
        .send({ _csrf: csrf, ...fields }),
  };
}

export type StoredAudit = Awaited<ReturnType<Services['store']['listAudit']>>[number];

/** Audit rows written while `run` ran, oldest first (the store's ids only grow). */
export async function auditRowsDuring<T>(
  t: TestApp,
  run: () => Promise<T>,
): Promise<{ result: T; rows: StoredAudit[] }> {
  const before = (await t.services.store.listAudit({ limit: 1 }))[0]?.id ?? 0;
  const result = await run();
  const rows = (await t.services.store.listAudit({ limit: 1000 })).filter((r) => r.id > before).reverse();
  return { result, rows };
}
