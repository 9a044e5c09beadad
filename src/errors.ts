/**
 * One closed catalogue of error codes. Every refusal the portal can give is one of these;
 * the text a user sees lives in locales/en.json under the same key, never in the error.
 */
export const ERROR_CODES = [
  'directory.invalid_credentials',
  'directory.account_locked',
  'directory.account_disabled',
  'directory.account_expired',
  'directory.account_restricted',
  'directory.must_change_password',
  'directory.password_expired',
  'directory.password_too_short',
  'directory.password_too_long',
  'directory.password_not_complex',
  'directory.password_in_history',
  'directory.password_too_young',
  'directory.password_rejected',
  'directory.insufficient_rights',
  'directory.privileged_account',
  'directory.not_in_scope',
  'directory.user_not_found',
  'directory.tls_required',
  'directory.unsupported_control',
  'directory.unavailable',
  'directory.error',
  'writeback.password_reused',
  'flow.expired',
  'flow.invalid',
  'flow.code_invalid',
  'flow.locked',
  'flow.rate_limited',
  'flow.sms_not_sent',
  'flow.factor_required',
  'flow.not_enrolled',
  'enroll.signed_out',
  'enroll.code_invalid',
  'enroll.phone_invalid',
  'enroll.factor_not_found',
  'enroll.last_factor',
  'password.too_short',
  'password.too_long',
  'password.mismatch',
  'helpdesk.denied',
  'helpdesk.signed_out',
  'helpdesk.totp_required',
  'helpdesk.not_verified',
  'helpdesk.own_account',
  'helpdesk.reason_required',
  'helpdesk.no_phone',
  'password.too_few_classes',
  'password.too_weak',
  'password.banned',
  'password.breached',
  'password.personal',
  'password.too_similar',
  'password.breach_check_unavailable',
  'writeback.invalid_input',
  'internal.error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes a user may be told about; anything else renders as a generic failure with a reference. */
const INTERNAL_CODES: ReadonlySet<ErrorCode> = new Set(['directory.error', 'internal.error']);

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Safe to show the translated text of `code` to the user. */
  readonly expose: boolean;
  /** Values for the message's placeholders ({min}, {max}); settings only, never user input. */
  readonly params: Record<string, string | number> | undefined;
  /** An audit row was already written for this refusal (by the writeback). */
  readonly isAudited: boolean;

  constructor(
    code: ErrorCode,
    options: {
      cause?: unknown;
      detail?: string;
      params?: Record<string, string | number>;
      isAudited?: boolean;
    } = {},
  ) {
    // The message is the code plus an operator-facing detail; it never carries secrets or raw
    // directory text meant for users (the locale file holds what users read).
    super(options.detail ? `${code}: ${options.detail}` : code, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.expose = !INTERNAL_CODES.has(code);
    this.params = options.params;
    this.isAudited = options.isAudited === true;
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/** Narrow a value or throw the given code: `const user = assertThat(found, 'directory.user_not_found')`. */
export function assertThat<T>(value: T | null | undefined | false, code: ErrorCode): T {
  if (value === null || value === undefined || value === false) throw new AppError(code);
  return value;
}
