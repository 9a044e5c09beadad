import type { DirectoryUser } from '../directory/directory.ts';
import { AppError } from '../errors.ts';
import { codeMatches, generateCode, hashCode } from '../mfa/one-time-code.ts';
import { open } from '../mfa/secret-box.ts';
import { CooldownError } from '../mfa/sms-cooldown.ts';
import type { SmsSender } from '../mfa/sms-sender.ts';
import { matchTotpStep } from '../mfa/totp.ts';
import type { Factor, FactorKind, Store } from '../store/store.ts';
import { token } from './flow.ts';

export type VerifierStore = Pick<
  Store,
  | 'listFactors'
  | 'advanceTotpStep'
  | 'createCode'
  | 'findActiveCode'
  | 'countCodeAttempt'
  | 'consumeCode'
  | 'hitRateLimit'
  | 'peekRateLimit'
  | 'resetRateLimit'
>;

export interface FactorVerifierDeps {
  store: VerifierStore;
  sms: SmsSender;
  keys: { sealKey: Buffer; codeKey: Buffer };
  settings: {
    codeTtlSeconds: number;
    codeMaxAttempts: number;
    factorLockoutAttempts: number;
    factorLockoutMinutes: number;
    smsCooldownSeconds: number;
    trustDirectoryMobile: boolean;
  };
  now?: () => Date;
  /** Background delivery failures (never shown to the user: that would tell accounts apart). */
  onDeliveryError?: (error: unknown) => void;
  /** Answer before the gateway does (a remote gateway's latency would tell accounts with a phone apart). */
  deliverInBackground?: boolean;
}

/** A phone a code can go to: an enrolled SMS factor, or the directory's mobile when trusted. */
export interface Phone {
  number: string;
  source: 'enrolled' | 'directory';
}

/**
 * Proves factors for a subject, with the rules of the security baseline: TOTP codes single use
 * (step must advance, atomically), SMS codes keyed-hashed, short-lived, single use, attempts
 * counted before comparing; failures counted per account so that too many lock the
 * self-service flow (never the directory account) for a while. A decoy (unknown login) takes
 * the same calls and always fails, so the answers never tell whether the account exists.
 */
export class FactorVerifier {
  private readonly now: () => Date;

  constructor(private readonly deps: FactorVerifierDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Code lifetime in whole minutes, for the texts that tell users about it. */
  get codeTtlMinutes(): number {
    return Math.max(1, Math.round(this.deps.settings.codeTtlSeconds / 60));
  }

  async confirmedFactors(subject: DirectoryUser | null): Promise<Factor[]> {
    // A decoy still costs one query, like a real account.
    const factors = await this.deps.store.listFactors(subject?.id ?? `decoy:${token(8)}`);
    return factors.filter((f) => f.confirmedAt !== null);
  }

  async phones(subject: DirectoryUser | null): Promise<Phone[]> {
    const enrolled = (await this.confirmedFactors(subject))
      .filter((f) => f.kind === 'sms' && f.phone)
      .map((f): Phone => ({ number: f.phone!, source: 'enrolled' }));
    if (
      subject?.mobile &&
      this.deps.settings.trustDirectoryMobile &&
      !enrolled.some((p) => p.number === subject.mobile)
    ) {
      enrolled.push({ number: subject.mobile, source: 'directory' });
    }
    return enrolled;
  }

  /**
   * Send a fresh code for `purpose` to the subject's phones. Throws flow.sms_not_sent when the
   * account asked within the cooldown, for decoys and real accounts alike; otherwise resolves
   * whether or not anything was sent (the page says "if a phone is enrolled").
   */
  async sendCode(
    purpose: string,
    accountKey: string,
    subject: DirectoryUser | null,
    text: (code: string) => string,
  ) {
    const cooldownMs = Math.max(1, this.deps.settings.smsCooldownSeconds) * 1000;
    const gate = await this.deps.store.hitRateLimit(`sms-request:${accountKey}`, 1, cooldownMs, this.now());
    if (!gate.isAllowed) throw new AppError('flow.sms_not_sent');
    const phones = await this.phones(subject);
    if (phones.length === 0) return;
    // The answer must not wait for the gateway (only real accounts with a phone would), nor
    // tell its failures: the code is stored now, delivery goes on in the background. A number
    // shared with another account may still be cooling down: the account-level gate above
    // already gave this request its answer.
    const { delivery } = await this.createCodeFor(purpose, phones, text);
    const handled = delivery.catch((error: unknown) => {
      if (!(error instanceof AppError && error.code === 'flow.sms_not_sent'))
        this.deps.onDeliveryError?.(error);
    });
    // A local transport (the outbox) costs next to nothing: waiting keeps it in order.
    if (!this.deps.deliverInBackground) await handled;
  }

  /** Send a code to given numbers and wait for delivery (enrollment of a new phone), no account cooldown. */
  async sendCodeTo(purpose: string, phones: Phone[], text: (code: string) => string): Promise<void> {
    const { delivery } = await this.createCodeFor(purpose, phones, text);
    await delivery;
  }

  /** Store a fresh code for `purpose`; resolves once stored, with the delivery still under way (promises flatten, hence the wrapper). */
  private async createCodeFor(
    purpose: string,
    phones: Phone[],
    text: (code: string) => string,
    ttlSeconds = this.deps.settings.codeTtlSeconds,
    sender: SmsSender = this.deps.sms,
  ): Promise<{ delivery: Promise<void> }> {
    const code = generateCode();
    const now = this.now();
    await this.deps.store.createCode({
      id: token(),
      purpose,
      codeHash: hashCode(this.deps.keys.codeKey, purpose, code),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      attempts: 0,
      usedAt: null,
    });
    const delivery = Promise.all(phones.map((p) => sender.send(p.number, text(code)))).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof CooldownError) throw new AppError('flow.sms_not_sent', { cause: error });
        throw error;
      },
    );
    return { delivery };
  }

  /**
   * A helpdesk-started code ("the caller sets the password"): valid for `ttlMinutes`, it counts as
   * an SMS factor proven in the caller's own forgot-password flow (see `prove`).
   */
  async sendAssistCode(
    subjectId: string,
    phones: Phone[],
    text: (code: string) => string,
    ttlMinutes: number,
    sender: SmsSender = this.deps.sms,
  ) {
    const { delivery } = await this.createCodeFor(
      assistPurpose(subjectId),
      phones,
      text,
      ttlMinutes * 60,
      sender,
    );
    await delivery;
  }

  /** Throws flow.locked when the account has failed too often recently. */
  async assertNotLocked(accountKey: string): Promise<void> {
    const failures = await this.deps.store.peekRateLimit(`factor-fail:${accountKey}`, this.now());
    if (failures >= this.deps.settings.factorLockoutAttempts) throw new AppError('flow.locked');
  }

  /**
   * Check one code. Returns normally when proven; throws flow.code_invalid (wrong, reused,
   * expired, or no such factor: one answer for all) or flow.locked.
   */
  async prove(
    method: FactorKind,
    code: string,
    ctx: {
      purpose: string;
      accountKey: string;
      subject: DirectoryUser | null;
      /** Forgot password only: a helpdesk "caller sets it" code counts as the SMS factor. */
      acceptsAssistCode?: boolean;
    },
  ): Promise<void> {
    await this.proveWith(ctx.accountKey, async () =>
      ctx.subject === null
        ? false
        : method === 'totp'
          ? this.proveTotp(ctx.subject, code)
          : (await this.proveSmsCode(ctx.purpose, code)) ||
            (ctx.acceptsAssistCode === true &&
              (await this.proveSmsCode(assistPurpose(ctx.subject.id), code))),
    );
  }

  /**
   * Run one guessable check under the account's failure budget: refused while locked, a
   * failure counted (and flow.code_invalid or flow.locked thrown), a success clearing the count.
   */
  async proveWith(accountKey: string, check: () => Promise<boolean>): Promise<void> {
    await this.assertNotLocked(accountKey);
    if (await check()) {
      await this.deps.store.resetRateLimit(`factor-fail:${accountKey}`);
      return;
    }
    const { factorLockoutAttempts, factorLockoutMinutes } = this.deps.settings;
    const fail = await this.deps.store.hitRateLimit(
      `factor-fail:${accountKey}`,
      factorLockoutAttempts,
      factorLockoutMinutes * 60_000,
      this.now(),
    );
    throw new AppError(fail.count >= factorLockoutAttempts ? 'flow.locked' : 'flow.code_invalid');
  }

  /** TOTP: any confirmed authenticator of the subject whose code matches, with a step newer than its last. */
  async proveTotp(subject: DirectoryUser, code: string, factors?: Factor[]): Promise<boolean> {
    const candidates = (factors ?? (await this.confirmedFactors(subject))).filter(
      (f) => f.kind === 'totp' && f.secretSealed,
    );
    for (const factor of candidates) {
      const step = matchTotpStep(
        open(this.deps.keys.sealKey, factor.secretSealed!, factor.id),
        code,
        this.now(),
      );
      // The conditional update is the replay guard: a step already used (or older) loses.
      if (step !== null && (await this.deps.store.advanceTotpStep(factor.id, step))) return true;
    }
    return false;
  }

  /** SMS: the newest active code for the purpose; the attempt is counted before comparing. */
  async proveSmsCode(purpose: string, code: string): Promise<boolean> {
    const now = this.now();
    const active = await this.deps.store.findActiveCode(purpose, now);
    if (!active) return false;
    const counted = await this.deps.store.countCodeAttempt(
      active.id,
      this.deps.settings.codeMaxAttempts,
      now,
    );
    if (!counted || !codeMatches(this.deps.keys.codeKey, purpose, code, counted.codeHash)) return false;
    return this.deps.store.consumeCode(counted.id, now);
  }
}

/** The purpose of a helpdesk-started code for a subject: one per subject, newest wins. */
export function assistPurpose(subjectId: string): string {
  return `assist:${subjectId}`;
}
