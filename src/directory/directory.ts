/**
 * The directory seen by the writeback: one interface, two adapters (Active Directory and
 * OpenLDAP). Every method throws AppError with a `directory.*` code (see ldap-errors.ts);
 * raw LDAP text never leaves the adapter.
 */

export type DirectoryKind = 'ad' | 'openldap';

export interface AccountStatus {
  isDisabled: boolean;
  /** AD: msDS-User-Account-Control-Computed & 0x10; OpenLDAP: pwdAccountLockedTime within the lockout duration. */
  isLocked: boolean;
  /** AD: pwdLastSet = 0; OpenLDAP: pwdReset TRUE. */
  mustChangePassword: boolean;
  passwordLastSet: Date | null;
  /** null when the password never expires. */
  passwordExpiresAt: Date | null;
  /** adminCount=1, member (direct or nested) of a protected group, or of a configured privileged group. */
  isPrivileged: boolean;
  /** Inside one of the managed OUs / subtrees. */
  isInScope: boolean;
}

export interface DirectoryUser {
  dn: string;
  /** Stable id that survives renames: AD objectGUID, OpenLDAP entryUUID. */
  id: string;
  username: string;
  userPrincipalName: string | null;
  mail: string | null;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mobile: string | null;
  department: string | null;
  status: AccountStatus;
}

export interface ResetOptions {
  /** Force a password change at next logon (helpdesk temporary password). */
  mustChange?: boolean;
}

export interface Directory {
  readonly kind: DirectoryKind;

  /**
   * Find one user by login name (AD: sAMAccountName, DOMAIN\name, UPN or mail; OpenLDAP: uid or
   * mail). Input is NFKC-normalised, length-limited and escaped. Returns null when nothing or
   * more than one entry matches. Throws directory.unavailable.
   */
  findUser(login: string): Promise<DirectoryUser | null>;

  /** Re-read a user by DN (fresh status). Returns null when the entry is gone. */
  readUser(dn: string): Promise<DirectoryUser | null>;

  /**
   * Bind as the user. Resolves when the password is right and the account usable; throws
   * directory.invalid_credentials, account_locked, account_disabled, must_change_password,
   * password_expired, unavailable.
   */
  verifyPassword(user: DirectoryUser, password: string): Promise<void>;

  /**
   * Administrative reset as the service account (AD unicodePwd replace with the policy-hints
   * control non-critical; OpenLDAP Password Modify exop, or userPassword + pwdReset when
   * mustChange). Throws directory.password_* refusals, insufficient_rights, unavailable.
   */
  resetPassword(user: DirectoryUser, newPassword: string, options?: ResetOptions): Promise<void>;

  /**
   * Self change: old + new, so the directory enforces history and minimum age. Works for a user
   * who must change at next logon. Throws directory.invalid_credentials for a wrong old password.
   */
  changePassword(user: DirectoryUser, oldPassword: string, newPassword: string): Promise<void>;

  /** Clear the lockout. Idempotent on an unlocked account. */
  unlock(user: DirectoryUser): Promise<void>;

  /** Require a password change at next logon. */
  forcePasswordChange(user: DirectoryUser): Promise<void>;

  /** Release pooled connections. */
  close(): Promise<void>;
}

/** Longest login we search for; longer input is refused before it reaches the directory. */
export const MAX_LOGIN_LENGTH = 256;
/** Longest password accepted on the wire (AD's own limit is 256 UTF-16 units). */
export const MAX_PASSWORD_LENGTH = 256;
