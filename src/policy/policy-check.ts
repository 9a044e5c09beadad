import type { DirectoryUser } from '../directory/directory.ts';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import type { PasswordPolicyCheck, PolicyRefusal } from '../writeback/writeback.ts';
import type { PasswordPolicy, PolicyCode, PolicyContext } from './password-policy.ts';

/**
 * The writeback's view of the policy: DirectoryUser in, first refusal code (or null) out.
 * The optional third argument carries the current password in the change flow, so the
 * similarity rule applies there; the writeback's type allows the call without it.
 */

/** Until every policy code is in the ErrorCode catalogue, an unknown one reads as a generic refusal. */
const FALLBACK_CODE: ErrorCode = 'directory.password_rejected';
const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function toErrorCode(code: PolicyCode): ErrorCode {
  return KNOWN_CODES.has(code) ? (code as ErrorCode) : FALLBACK_CODE;
}

export function policyContextFor(subject: DirectoryUser, previousPassword?: string | null): PolicyContext {
  return {
    username: subject.username,
    givenName: subject.givenName,
    surname: subject.surname,
    mail: subject.mail,
    department: subject.department,
    previousPassword: previousPassword ?? null,
  };
}

export function policyCheckFor(policy: PasswordPolicy): PasswordPolicyCheck {
  return async function checkPasswordPolicy(
    password: string,
    subject: DirectoryUser,
    options: { previousPassword?: string | null } = {},
  ): Promise<PolicyRefusal | null> {
    const result = await policy.check(password, policyContextFor(subject, options.previousPassword));
    const [first] = result.failures;
    return first ? { code: toErrorCode(first.code), params: first.params } : null;
  };
}
