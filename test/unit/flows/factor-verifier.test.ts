import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { DirectoryUser } from '../../../src/directory/directory.ts';
import { AppError, type ErrorCode } from '../../../src/errors.ts';
import {
  FactorVerifier,
  type FactorVerifierDeps,
  type VerifierStore,
} from '../../../src/flows/factor-verifier.ts';
import { seal } from '../../../src/mfa/secret-box.ts';
import { CooldownError } from '../../../src/mfa/sms-cooldown.ts';
import type { SmsSender } from '../../../src/mfa/sms-sender.ts';
import { generateTotpSecret, matchTotpStep } from '../../../src/mfa/totp.ts';
import type { Factor, OneTimeCode, RateLimitResult } from '../../../src/store/store.ts';

/**
 * FactorVerifier as pure logic: an in-memory fake of the Store methods it uses and fake SMS
 * senders. What matters here: sendCode answers before a slow gateway, never reports a cooldown
 * as a failure, gates requests per account for real and decoy subjects alike, and a decoy
 * fails and locks exactly like a real account.
 */

const SENDER_DELAY_MS = 500;
const PHONE = '+447700900123';

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-03-01T10:00:00.000Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

/** The Store methods FactorVerifier uses, in memory, with what was written kept for inspection. */
function fakeStore() {
  const factors: Factor[] = [];
  const codes: OneTimeCode[] = [];
  const windows = new Map<string, { count: number; resetAt: Date }>();
  const live = (key: string, now: Date) => {
    const window = windows.get(key);
    return window && now.getTime() < window.resetAt.getTime() ? window : undefined;
  };
  const store: VerifierStore = {
    async listFactors(userId) {
      return factors.filter((f) => f.userId === userId).map((f) => ({ ...f }));
    },
    async advanceTotpStep(factorId, step) {
      const factor = factors.find((f) => f.id === factorId);
      if (!factor || (factor.lastStep !== null && factor.lastStep >= step)) return false;
      factor.lastStep = step;
      return true;
    },
    async createCode(code) {
      codes.push({ ...code });
    },
    async findActiveCode(purpose, now) {
      const active = codes.filter((c) => c.purpose === purpose && !c.usedAt && c.expiresAt > now);
      return active.at(-1) ?? null;
    },
    async countCodeAttempt(id, maxAttempts, now) {
      const code = codes.find((c) => c.id === id);
      if (!code || code.usedAt || code.expiresAt <= now || code.attempts >= maxAttempts) return null;
      code.attempts += 1;
      return { ...code };
    },
    async consumeCode(id, now) {
      const code = codes.find((c) => c.id === id);
      if (!code || code.usedAt || code.expiresAt <= now) return false;
      code.usedAt = now;
      return true;
    },
    async hitRateLimit(key, limit, windowMs, now): Promise<RateLimitResult> {
      let window = live(key, now);
      if (!window) {
        window = { count: 0, resetAt: new Date(now.getTime() + windowMs) };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, isAllowed: window.count <= limit, resetAt: window.resetAt };
    },
    async peekRateLimit(key, now) {
      return live(key, now)?.count ?? 0;
    },
    async resetRateLimit(key) {
      windows.delete(key);
    },
  };
  return { store, factors, codes };
}

/**
 * A sender that takes `delayMs` per message, then succeeds or fails with `failWith`. `done`
 * settles (never rejects) when the last message asked for has finished.
 */
function slowSender(delayMs: number, failWith?: () => unknown) {
  const sent: Array<{ to: string; text: string }> = [];
  let finished = 0;
  let started = 0;
  let last: Promise<void> = Promise.resolve();
  const sender: SmsSender = {
    id: 'fake',
    send(to, text) {
      started += 1;
      const attempt = new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          finished += 1;
          if (failWith) {
            reject(failWith());
            return;
          }
          sent.push({ to, text });
          resolve();
        }, delayMs);
      });
      last = attempt.catch(() => undefined);
      return attempt;
    },
  };
  return {
    sender,
    sent,
    started: () => started,
    finished: () => finished,
    done: () => last,
  };
}

function givenSubject(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  const id = `user-${randomBytes(4).toString('hex')}`;
  return {
    dn: `uid=${id},ou=people,dc=example,dc=test`,
    id,
    username: id,
    userPrincipalName: null,
    mail: null,
    displayName: null,
    givenName: null,
    surname: null,
    mobile: null,
    department: null,
    status: {
      isDisabled: false,
      isLocked: false,
      mustChangePassword: false,
      passwordLastSet: null,
      passwordExpiresAt: null,
      isPrivileged: false,
      isInScope: true,
    },
    ...overrides,
  };
}

interface Setup {
  sender?: SmsSender;
  deliverInBackground?: boolean;
  onDeliveryError?: (error: unknown) => void;
  factorLockoutAttempts?: number;
  smsCooldownSeconds?: number;
}

function givenVerifier(setup: Setup = {}) {
  const fake = fakeStore();
  const clock = manualClock();
  const keys = { sealKey: randomBytes(32), codeKey: randomBytes(32) };
  const deps: FactorVerifierDeps = {
    store: fake.store,
    sms: setup.sender ?? slowSender(0).sender,
    keys,
    settings: {
      codeTtlSeconds: 300,
      codeMaxAttempts: 5,
      factorLockoutAttempts: setup.factorLockoutAttempts ?? 5,
      factorLockoutMinutes: 15,
      smsCooldownSeconds: setup.smsCooldownSeconds ?? 60,
      trustDirectoryMobile: false,
    },
    now: clock.now,
    ...(setup.onDeliveryError ? { onDeliveryError: setup.onDeliveryError } : {}),
    ...(setup.deliverInBackground !== undefined ? { deliverInBackground: setup.deliverInBackground } : {}),
  };
  return { verifier: new FactorVerifier(deps), fake, clock, keys };
}

/** A subject with a confirmed SMS factor at PHONE, registered in the fake store. */
function givenSubjectWithPhone(fake: ReturnType<typeof fakeStore>, phone = PHONE): DirectoryUser {
  const subject = givenSubject();
  fake.factors.push({
    id: `f-${randomBytes(4).toString('hex')}`,
    userId: subject.id,
    kind: 'sms',
    secretSealed: null,
    phone,
    label: 'Mobile phone',
    createdAt: new Date(0),
    confirmedAt: new Date(0),
    lastStep: null,
  });
  return subject;
}

const text = (code: string) => `Your code is ${code}`;

/** Wait until `predicate` holds or `ms` pass (background work the test cannot await). */
async function eventually(predicate: () => boolean, ms = 2_000): Promise<void> {
  for (let waited = 0; waited < ms && !predicate(); waited += 10) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const isCode = (code: ErrorCode) => (error: unknown) => error instanceof AppError && error.code === code;

describe('FactorVerifier.sendCode delivery', () => {
  it('with deliverInBackground, answers well before a 500 ms gateway delivers, the code already stored', async () => {
    const gateway = slowSender(SENDER_DELAY_MS);
    const { verifier, fake } = givenVerifier({ sender: gateway.sender, deliverInBackground: true });
    const subject = givenSubjectWithPhone(fake);

    const began = performance.now();
    await verifier.sendCode('flow:bg', 'acct:bg', subject, text);
    const elapsed = performance.now() - began;

    assert.equal(gateway.started(), 1, 'delivery was started');
    assert.equal(gateway.finished(), 0, 'sendCode resolved before the gateway finished');
    assert.equal(fake.codes.length, 1, 'the code record is stored before sendCode resolves');
    assert.equal(fake.codes[0]?.purpose, 'flow:bg');
    assert.ok(
      elapsed < SENDER_DELAY_MS / 5,
      `sendCode took ${elapsed.toFixed(1)} ms against a ${SENDER_DELAY_MS} ms gateway (ratio ${(elapsed / SENDER_DELAY_MS).toFixed(2)})`,
    );
    await gateway.done();
    assert.equal(gateway.sent.length, 1, 'the message is still delivered in the background');
    assert.equal(gateway.sent[0]?.to, PHONE);
  });

  it('without deliverInBackground, sendCode resolves only after the gateway has delivered', async () => {
    const gateway = slowSender(100);
    const { verifier, fake } = givenVerifier({ sender: gateway.sender, deliverInBackground: false });
    const subject = givenSubjectWithPhone(fake);
    await verifier.sendCode('flow:fg', 'acct:fg', subject, text);
    assert.equal(gateway.finished(), 1, 'delivery finished before sendCode resolved');
    assert.equal(gateway.sent.length, 1);
    assert.equal(fake.codes.length, 1);
  });

  for (const deliverInBackground of [true, false]) {
    it(`a gateway failure is reported to onDeliveryError exactly once and sendCode still resolves (deliverInBackground=${deliverInBackground})`, async () => {
      const failure = new Error('gateway down');
      const gateway = slowSender(20, () => failure);
      const reported: unknown[] = [];
      const { verifier, fake } = givenVerifier({
        sender: gateway.sender,
        deliverInBackground,
        onDeliveryError: (error) => reported.push(error),
      });
      const subject = givenSubjectWithPhone(fake);
      await verifier.sendCode('flow:fail', 'acct:fail', subject, text);
      await gateway.done();
      await eventually(() => reported.length > 0);
      await new Promise((resolve) => setTimeout(resolve, 50)); // a second report would show by now
      assert.equal(reported.length, 1);
      assert.equal(reported[0], failure, 'the gateway error itself is reported');
    });

    it(`a CooldownError from the sender is not reported to onDeliveryError and sendCode resolves (deliverInBackground=${deliverInBackground})`, async () => {
      const gateway = slowSender(20, () => new CooldownError(30));
      const reported: unknown[] = [];
      const { verifier, fake } = givenVerifier({
        sender: gateway.sender,
        deliverInBackground,
        onDeliveryError: (error) => reported.push(error),
      });
      const subject = givenSubjectWithPhone(fake);
      await verifier.sendCode('flow:cool', 'acct:cool', subject, text);
      await gateway.done();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(gateway.finished(), 1, 'the sender was asked and refused');
      assert.deepEqual(reported, []);
    });
  }
});

describe('FactorVerifier.sendCode account-level gate', () => {
  const subjects = {
    'a real subject with a phone': (fake: ReturnType<typeof fakeStore>) => givenSubjectWithPhone(fake),
    'a decoy (subject null)': () => null,
  };
  for (const [label, makeSubject] of Object.entries(subjects)) {
    it(`${label}: a second request within the cooldown throws flow.sms_not_sent; after it, a request passes`, async () => {
      const gateway = slowSender(0);
      const { verifier, fake, clock } = givenVerifier({ sender: gateway.sender, smsCooldownSeconds: 60 });
      const subject = makeSubject(fake);
      await verifier.sendCode('flow:gate', 'acct:gate', subject, text);
      clock.advance(30_000);
      await assert.rejects(
        verifier.sendCode('flow:gate', 'acct:gate', subject, text),
        isCode('flow.sms_not_sent'),
      );
      const sentWithinCooldown = gateway.sent.length;
      await verifier.sendCode('flow:other', 'acct:other', subject, text); // another account is not gated
      clock.advance(31_000);
      await verifier.sendCode('flow:gate', 'acct:gate', subject, text);
      if (subject) {
        assert.equal(sentWithinCooldown, 1, 'the refused request sent nothing');
        assert.equal(gateway.sent.length, 3);
      } else {
        assert.equal(gateway.sent.length, 0, 'a decoy has no phone');
      }
    });
  }

  it('the refusal is the same for a real subject and a decoy', async () => {
    const { verifier, fake } = givenVerifier({ smsCooldownSeconds: 60 });
    const real = givenSubjectWithPhone(fake);
    const refusal = async (subject: DirectoryUser | null, key: string) => {
      await verifier.sendCode(`flow:${key}`, key, subject, text);
      return verifier.sendCode(`flow:${key}`, key, subject, text).then(
        () => null,
        (error: unknown) =>
          error instanceof AppError ? { code: error.code, message: error.message } : error,
      );
    };
    const forReal = await refusal(real, 'acct:real');
    const forDecoy = await refusal(null, 'acct:decoy');
    assert.deepEqual(forReal, { code: 'flow.sms_not_sent', message: 'flow.sms_not_sent' });
    assert.deepEqual(forDecoy, forReal);
  });
});

describe('FactorVerifier.prove for a decoy', () => {
  /** A subject with a confirmed authenticator, and a code that is wrong for it right now. */
  const subjectWithTotp = (fake: ReturnType<typeof fakeStore>, sealKey: Buffer, now: Date) => {
    const subject = givenSubject();
    const secret = generateTotpSecret(subject.username, 'test').base32;
    const id = `f-${randomBytes(4).toString('hex')}`;
    fake.factors.push({
      id,
      userId: subject.id,
      kind: 'totp',
      secretSealed: seal(sealKey, secret, id),
      phone: null,
      label: 'Authenticator app',
      createdAt: new Date(0),
      confirmedAt: new Date(0),
      lastStep: null,
    });
    let n = 0;
    while (matchTotpStep(secret, String(n).padStart(6, '0'), now) !== null) n += 1;
    return { subject, wrong: String(n).padStart(6, '0') };
  };

  /** Outcome codes of `attempts` calls of `prove`. */
  const outcomes = async (attempts: number, call: () => Promise<void>) => {
    const seen: string[] = [];
    for (let i = 0; i < attempts; i++) {
      seen.push(
        await call().then(
          () => 'proven',
          (error: unknown) => (error instanceof AppError ? error.code : String(error)),
        ),
      );
    }
    return seen;
  };

  it('prove() on a decoy fails with flow.code_invalid for any code and method, even one just sent to a real phone', async () => {
    const gateway = slowSender(0);
    const { verifier, fake } = givenVerifier({ sender: gateway.sender, factorLockoutAttempts: 100 });
    const real = givenSubjectWithPhone(fake);
    await verifier.sendCode('flow:shared', 'acct:real', real, text);
    const sent = /(\d{6})/.exec(gateway.sent[0]?.text ?? '')?.[1];
    assert.ok(sent, 'a code went to the real phone');
    for (const method of ['totp', 'sms'] as const) {
      for (const code of [sent, '000000', '123456', '']) {
        await assert.rejects(
          verifier.prove(method, code, { purpose: 'flow:shared', accountKey: 'acct:decoy', subject: null }),
          isCode('flow.code_invalid'),
          `${method} ${JSON.stringify(code)}`,
        );
      }
    }
    // The code itself was good: the real subject proves with it.
    await verifier.prove('sms', sent, { purpose: 'flow:shared', accountKey: 'acct:real', subject: real });
  });

  it('failures on a decoy count toward flow.locked exactly like wrong codes on a real account', async () => {
    const { verifier, fake, clock, keys } = givenVerifier({ factorLockoutAttempts: 3 });
    const { subject, wrong } = subjectWithTotp(fake, keys.sealKey, clock.now());
    const real = await outcomes(5, () =>
      verifier.prove('totp', wrong, { purpose: 'flow:r', accountKey: 'acct:r', subject }),
    );
    const decoy = await outcomes(5, () =>
      verifier.prove('totp', wrong, { purpose: 'flow:d', accountKey: 'acct:d', subject: null }),
    );
    assert.deepEqual(real, [
      'flow.code_invalid',
      'flow.code_invalid',
      'flow.locked',
      'flow.locked',
      'flow.locked',
    ]);
    assert.deepEqual(decoy, real);
    await assert.rejects(verifier.assertNotLocked('acct:d'), isCode('flow.locked'));
  });
});
