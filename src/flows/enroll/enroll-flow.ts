import type { Directory, DirectoryUser } from '../../directory/directory.ts';
import { normaliseLogin } from '../../directory/ldap-input.ts';
import { AppError, type ErrorCode } from '../../errors.ts';
import { translate } from '../../i18n.ts';
import { open, seal } from '../../mfa/secret-box.ts';
import type { SmsSender } from '../../mfa/sms-sender.ts';
import { generateTotpSecret } from '../../mfa/totp.ts';
import type { AuditEvent, Factor, Store } from '../../store/store.ts';
import type { FactorVerifier } from '../factor-verifier.ts';
import { assertState, type Flow, token } from '../flow.ts';
import { findSubject, provePassword } from '../pre-auth.ts';
import { normalisePhone } from './phone-number.ts';

/**
 * Enrollment, while the user knows the password: sign_in -> manage, with side trips to
 * totp_pending and phone_pending. See enroll-flow.mmd. Adding a factor when one exists, and
 * removing one, needs a factor proven in this sign-in ("management unlocked"), so a stolen
 * password alone cannot swap the factors that guard the reset.
 */
export type EnrollState = 'sign_in' | 'manage' | 'totp_pending' | 'phone_pending';

export interface EnrollDeps {
  directory: Pick<Directory, 'findUser' | 'readUser' | 'verifyPassword'>;
  store: Pick<
    Store,
    'listFactors' | 'getFactor' | 'addFactor' | 'confirmFactor' | 'deleteFactor' | 'recordAudit'
  >;
  verifier: FactorVerifier;
  sms: SmsSender;
  sealKey: Buffer;
  totpIssuer: string;
  /** The directory's mobile counts as an enrolled phone (TRUST_DIRECTORY_MOBILE). */
  trustDirectoryMobile: boolean;
  /** Parent DN for the decoy bind of unknown logins. */
  decoyParentDn: string;
  /** An existing entry unknown logins read in place of a subject (see pre-auth.ts findSubject). */
  decoyDn: string;
  now: () => Date;
}

const UNLOCK_MINUTES = 10;

export async function signIn(flow: Flow, login: unknown, password: unknown, deps: EnrollDeps): Promise<Flow> {
  assertState(flow, 'sign_in');
  const name = typeof login === 'string' ? normaliseLogin(login) : null;
  if (!name || typeof password !== 'string' || !password || password.length > 256) {
    throw new AppError('directory.invalid_credentials');
  }
  const found = await findSubject(deps.directory, name, deps.decoyDn);
  const subject = await provePassword(deps.directory, found, password, {
    decoyParentDn: deps.decoyParentDn,
    isChangeDueProof: false,
  });
  // The password is proven: now the account's own state may be told.
  const refusal: ErrorCode | null = subject.status.isPrivileged
    ? 'directory.privileged_account'
    : !subject.status.isInScope
      ? 'directory.not_in_scope'
      : null;
  if (refusal) throw new AppError(refusal);
  return {
    ...flow,
    state: 'manage',
    data: {
      login: subject.username,
      subjectDn: subject.dn,
      subjectId: subject.id,
      accountKey: `id:${subject.id}`,
    },
  };
}

export async function subjectOf(flow: Flow, deps: Pick<EnrollDeps, 'directory'>): Promise<DirectoryUser> {
  const user = flow.data.subjectDn ? await deps.directory.readUser(flow.data.subjectDn) : null;
  if (!user || user.id !== flow.data.subjectId) throw new AppError('enroll.signed_out');
  return user;
}

export function isManagementUnlocked(flow: Flow, now: Date): boolean {
  return !!flow.data.removalUnlockedUntil && new Date(flow.data.removalUnlockedUntil) > now;
}

/** Prove an enrolled factor (TOTP code, or an SMS code sent for this purpose) to unlock management. */
export async function unlockManagement(
  flow: Flow,
  method: unknown,
  code: unknown,
  deps: EnrollDeps,
): Promise<Flow> {
  assertState(flow, 'manage');
  if ((method !== 'totp' && method !== 'sms') || typeof code !== 'string' || code.length > 16) {
    throw new AppError('enroll.code_invalid');
  }
  const subject = await subjectOf(flow, deps);
  await deps.verifier.prove(method, code, {
    purpose: `manage:${flow.id}`,
    accountKey: flow.data.accountKey!,
    subject,
  });
  const until = new Date(deps.now().getTime() + UNLOCK_MINUTES * 60_000).toISOString();
  return { ...flow, data: { ...flow.data, removalUnlockedUntil: until } };
}

async function assertMayAdd(flow: Flow, deps: EnrollDeps): Promise<DirectoryUser> {
  const subject = await subjectOf(flow, deps);
  const confirmed = (await deps.store.listFactors(subject.id)).filter((f) => f.confirmedAt);
  const hasFactor = confirmed.length > 0 || (deps.trustDirectoryMobile && !!subject.mobile);
  if (hasFactor && !isManagementUnlocked(flow, deps.now())) throw new AppError('flow.factor_required');
  return subject;
}

export async function startTotp(flow: Flow, deps: EnrollDeps): Promise<Flow> {
  assertState(flow, 'manage');
  const subject = await assertMayAdd(flow, deps);
  const secret = generateTotpSecret(
    subject.userPrincipalName ?? subject.mail ?? subject.username,
    deps.totpIssuer,
  );
  const id = token();
  const factor: Factor = {
    id,
    userId: subject.id,
    kind: 'totp',
    // Bound to its factor id: a sealed secret copied into another row will not open there.
    secretSealed: seal(deps.sealKey, secret.base32, id),
    phone: null,
    label: 'Authenticator app',
    createdAt: deps.now(),
    confirmedAt: null,
    lastStep: null,
  };
  await deps.store.addFactor(factor);
  return { ...flow, state: 'totp_pending', data: { ...flow.data, pendingFactorId: factor.id } };
}

/** The pending secret, for the QR code and the text form (only while pending, only to this flow). */
export async function pendingTotpSecret(
  flow: Flow,
  deps: EnrollDeps,
): Promise<{ base32: string; label: string } | null> {
  const factor = flow.data.pendingFactorId ? await deps.store.getFactor(flow.data.pendingFactorId) : null;
  if (!factor?.secretSealed || factor.confirmedAt || factor.userId !== flow.data.subjectId) return null;
  return { base32: open(deps.sealKey, factor.secretSealed, factor.id), label: flow.data.login ?? '' };
}

export async function confirmTotp(flow: Flow, code: unknown, deps: EnrollDeps): Promise<Flow> {
  assertState(flow, 'totp_pending');
  const factor = await pendingFactor(flow, 'totp', deps);
  const subject = await subjectOf(flow, deps);
  await deps.verifier.proveWith(flow.data.accountKey!, () =>
    typeof code === 'string' && code.length <= 16
      ? deps.verifier.proveTotp(subject, code, [factor])
      : Promise.resolve(false),
  );
  return confirmed(flow, factor, subject, deps);
}

export async function startPhone(flow: Flow, phone: unknown, deps: EnrollDeps): Promise<Flow> {
  assertState(flow, 'manage');
  const number = normalisePhone(phone);
  if (!number) throw new AppError('enroll.phone_invalid');
  const subject = await assertMayAdd(flow, deps);
  const factor: Factor = {
    id: token(),
    userId: subject.id,
    kind: 'sms',
    secretSealed: null,
    phone: number,
    label: 'Mobile phone',
    createdAt: deps.now(),
    confirmedAt: null,
    lastStep: null,
  };
  await deps.store.addFactor(factor);
  await deps.verifier.sendCodeTo(`enroll:${factor.id}`, [{ number, source: 'enrolled' }], (code) =>
    translate('sms.enroll_code', { code }),
  );
  return { ...flow, state: 'phone_pending', data: { ...flow.data, pendingFactorId: factor.id } };
}

export async function confirmPhone(flow: Flow, code: unknown, deps: EnrollDeps): Promise<Flow> {
  assertState(flow, 'phone_pending');
  const factor = await pendingFactor(flow, 'sms', deps);
  const subject = await subjectOf(flow, deps);
  await deps.verifier.proveWith(flow.data.accountKey!, () =>
    typeof code === 'string' && code.length <= 16
      ? deps.verifier.proveSmsCode(`enroll:${factor.id}`, code)
      : Promise.resolve(false),
  );
  return confirmed(flow, factor, subject, deps);
}

export async function cancelPending(flow: Flow, deps: EnrollDeps): Promise<Flow> {
  assertState(flow, 'totp_pending', 'phone_pending');
  if (flow.data.pendingFactorId) await deps.store.deleteFactor(flow.data.pendingFactorId);
  const { pendingFactorId: _dropped, ...data } = flow.data;
  return { ...flow, state: 'manage', data };
}

export async function removeFactor(flow: Flow, factorId: unknown, deps: EnrollDeps): Promise<Flow> {
  assertState(flow, 'manage');
  if (!isManagementUnlocked(flow, deps.now())) throw new AppError('flow.factor_required');
  const subject = await subjectOf(flow, deps);
  const factors = (await deps.store.listFactors(subject.id)).filter((f) => f.confirmedAt);
  const factor = factors.find((f) => f.id === factorId);
  if (!factor) throw new AppError('enroll.factor_not_found');
  if (factors.length === 1) throw new AppError('enroll.last_factor');
  await deps.store.deleteFactor(factor.id);
  await audit(deps, subject, 'enroll.remove_factor', factor);
  // The removed phone hears about it too: that is the channel an attacker would want silenced.
  await notify(
    deps,
    subject,
    [...factors.filter((f) => f.id !== factor.id), factor],
    translate('sms.factor_removed', { label: factor.label }),
  );
  return flow;
}

async function pendingFactor(flow: Flow, kind: Factor['kind'], deps: EnrollDeps): Promise<Factor> {
  const factor = flow.data.pendingFactorId ? await deps.store.getFactor(flow.data.pendingFactorId) : null;
  if (!factor || factor.kind !== kind || factor.confirmedAt || factor.userId !== flow.data.subjectId) {
    throw new AppError('enroll.factor_not_found');
  }
  return factor;
}

async function confirmed(
  flow: Flow,
  factor: Factor,
  subject: DirectoryUser,
  deps: EnrollDeps,
): Promise<Flow> {
  const others = (await deps.store.listFactors(subject.id)).filter(
    (f) => f.confirmedAt && f.id !== factor.id,
  );
  await deps.store.confirmFactor(factor.id, deps.now());
  await audit(deps, subject, 'enroll.add_factor', factor);
  await notify(deps, subject, others, translate('sms.factor_added', { label: factor.label }));
  const { pendingFactorId: _done, ...data } = flow.data;
  return { ...flow, state: 'manage', data };
}

/** Notices go to the phones among `factors` (the other channel); failures never undo the change. */
async function notify(
  deps: EnrollDeps,
  subject: DirectoryUser,
  factors: Factor[],
  text: string,
): Promise<void> {
  const enrolled = factors.filter((f) => f.kind === 'sms' && f.phone).map((f) => f.phone!);
  const trusted = deps.trustDirectoryMobile && subject.mobile ? [subject.mobile] : [];
  const phones = [...new Set([...enrolled, ...trusted])];
  await Promise.allSettled(phones.map((p) => deps.sms.send(p, text)));
}

async function audit(
  deps: EnrollDeps,
  subject: DirectoryUser,
  action: string,
  factor: Factor,
): Promise<void> {
  const event: AuditEvent = {
    at: deps.now(),
    actor: `self:${subject.username}`,
    subject: subject.username,
    action,
    outcome: 'success',
    errorCode: null,
    clientAddress: null,
    reason: null,
    details: { factorKind: factor.kind },
  };
  await deps.store.recordAudit(event);
}
