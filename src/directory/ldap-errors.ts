import { AppError, type ErrorCode } from '../errors.ts';

/**
 * Decodes what a directory said into one ErrorCode. Sources, in order of precedence:
 * the ppolicy response control (OpenLDAP), the AD bind `data` sub-code, the leading Win32
 * code of an AD diagnostic message, then the LDAP result code. The raw message is kept only as
 * the error's cause for operators; users see the code's translated text.
 */

export interface LdapFailure {
  /** LDAP result code, when the server answered. Absent for connection-level failures. */
  resultCode?: number;
  /** Server diagnostic message (ldapts appends " Code: 0x.."). */
  message?: string;
  /** ppolicy response error number (RFC draft-behera), when the control came back. */
  ppolicyError?: number;
}

/** AD bind failures carry `data <hex>` in the diagnostic message. */
const AD_BIND_DATA: Record<string, ErrorCode> = {
  '525': 'directory.invalid_credentials', // user not found: same answer as a wrong password
  '52e': 'directory.invalid_credentials',
  '530': 'directory.account_restricted', // logon hours
  '531': 'directory.account_restricted', // workstation
  '532': 'directory.password_expired',
  '533': 'directory.account_disabled',
  '701': 'directory.account_expired',
  '773': 'directory.must_change_password',
  '775': 'directory.account_locked',
};

/** Leading 8-hex-digit Win32 error of an AD diagnostic message. */
const AD_WIN32: Record<string, ErrorCode> = {
  '00000005': 'directory.insufficient_rights', // ERROR_ACCESS_DENIED
  '00002098': 'directory.insufficient_rights', // ERROR_DS_INSUFF_ACCESS_RIGHTS
  '00000056': 'directory.invalid_credentials', // ERROR_INVALID_PASSWORD: wrong old password on change
  '0000052D': 'directory.password_rejected', // ERROR_PASSWORD_RESTRICTION: refined below when the text says which
  '00000775': 'directory.account_locked',
};

/** Samba spells out which ERROR_PASSWORD_RESTRICTION rule failed; Windows does not. */
const AD_RESTRICTION_TEXT: ReadonlyArray<[RegExp, ErrorCode]> = [
  [/too short/i, 'directory.password_too_short'],
  [/too long/i, 'directory.password_too_long'],
  [/complexity/i, 'directory.password_not_complex'],
  [/history/i, 'directory.password_in_history'],
  [/too young|minimum password age|too recently/i, 'directory.password_too_young'],
];

/** ppolicy PasswordPolicyResponseValue error enumeration. */
export const PPOLICY_ERRORS: ReadonlyArray<{ name: string; code: ErrorCode }> = [
  { name: 'passwordExpired', code: 'directory.password_expired' },
  { name: 'accountLocked', code: 'directory.account_locked' },
  { name: 'changeAfterReset', code: 'directory.must_change_password' },
  { name: 'passwordModNotAllowed', code: 'directory.insufficient_rights' },
  { name: 'mustSupplyOldPassword', code: 'directory.invalid_credentials' },
  { name: 'insufficientPasswordQuality', code: 'directory.password_not_complex' },
  { name: 'passwordTooShort', code: 'directory.password_too_short' },
  { name: 'passwordTooYoung', code: 'directory.password_too_young' },
  { name: 'passwordInHistory', code: 'directory.password_in_history' },
  { name: 'passwordTooLong', code: 'directory.password_too_long' },
];

const RESULT_CODES: Record<number, ErrorCode> = {
  3: 'directory.unavailable', // timeLimitExceeded
  8: 'directory.tls_required', // strongerAuthRequired (AD: simple bind without TLS)
  12: 'directory.unsupported_control', // unavailableCriticalExtension
  13: 'directory.tls_required', // confidentialityRequired (OpenLDAP)
  19: 'directory.password_rejected', // constraintViolation without detail
  32: 'directory.user_not_found', // noSuchObject
  49: 'directory.invalid_credentials',
  50: 'directory.insufficient_rights',
  51: 'directory.unavailable', // busy
  52: 'directory.unavailable', // unavailable
  // OpenLDAP answers a wrong old password in the Password Modify exop with unwillingToPerform.
  53: 'directory.error',
};

export function decodeLdapFailure(failure: LdapFailure): ErrorCode {
  const { resultCode, message = '', ppolicyError } = failure;
  if (resultCode === undefined) return 'directory.unavailable';

  if (ppolicyError !== undefined && resultCode !== 0) {
    const fromPolicy = PPOLICY_ERRORS[ppolicyError]?.code;
    if (fromPolicy) return fromPolicy;
  }

  if (resultCode === 49) {
    const data = /\bdata ([0-9a-f]{3,8})\b/i.exec(message)?.[1]?.toLowerCase();
    return (data && AD_BIND_DATA[data]) || 'directory.invalid_credentials';
  }

  const win32 = /^([0-9A-F]{8}):/i.exec(message)?.[1]?.toUpperCase();
  if (win32 && AD_WIN32[win32]) {
    if (win32 === '0000052D') {
      for (const [pattern, code] of AD_RESTRICTION_TEXT) if (pattern.test(message)) return code;
    }
    return AD_WIN32[win32];
  }

  if (resultCode === 53 && /old password/i.test(message)) return 'directory.invalid_credentials';
  return RESULT_CODES[resultCode] ?? 'directory.error';
}

/**
 * Turn anything an ldapts call threw into an AppError. Result-code errors are decoded;
 * anything else (refused connection, TLS failure, timeout, socket closed) means the directory
 * could not be used: directory.unavailable.
 */
export function toDirectoryError(error: unknown, ppolicyError?: number): AppError {
  if (error instanceof AppError) return error;
  const resultCode = ldapResultCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const code = decodeLdapFailure({ resultCode, message, ppolicyError });
  return new AppError(code, {
    cause: error,
    detail: resultCode === undefined ? 'connection' : `ldap ${resultCode}`,
  });
}

/** ldapts' ResultCodeError subclasses carry a numeric `code`; Node socket errors carry a string one. */
export function ldapResultCode(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'number') {
    return error.code;
  }
  return undefined;
}
