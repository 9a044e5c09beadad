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

/**
 * What a helpdesk agent sees in "find a user", before verifying the caller: enough to pick the
 * right person, nothing more (no account status, no mobile number).
 */
export interface DirectoryUserSummary {
  dn: string;
  /** Same stable id as DirectoryUser.id (AD objectGUID, OpenLDAP entryUUID). */
  id: string;
  /** AD sAMAccountName, OpenLDAP uid. */
  username: string;
  /** AD displayName; OpenLDAP displayName, else cn. */
  displayName: string | null;
  /** AD department; OpenLDAP departmentNumber. */
  department: string | null;
  mail: string | null;
  /**
   * Inside one of the managed OUs / subtrees. The search covers the whole base DN, so users the
   * portal may not act on are listed too, flagged here, rather than silently missing.
   */
  isInScope: boolean;
}

export interface UserSearchResult {
  /** At most `limit` users, sorted by username (case-insensitive), then DN. */
  users: DirectoryUserSummary[];
  /** More entries matched than are listed: the agent should refine the query. */
  isTruncated: boolean;
}

export interface UserSearchOptions {
  /** Most users to return; above MAX_USER_SEARCH_LIMIT counts as that, below 1 returns none. */
  limit: number;
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

  /**
   * Whether the user belongs to the group, directly or through nested groups, read fresh from
   * the directory on every call (so a removal from the group counts at once).
   *
   * AD: the group's objectSid (read once per group DN, then cached) against the user's
   * tokenGroups (constructed by the DC: transitive, cycles and the primary group included;
   * security groups only). A group DN that does not name an existing security group is a
   * configuration fault and throws directory.error naming the DN, so a mistyped helpdesk group
   * shows up in the logs and the doctor instead of reading as "nobody is a member". A user entry
   * that is gone is a member of nothing (false).
   *
   * OpenLDAP: groupOfNames (member) and groupOfUniqueNames (uniqueMember) under the base DN,
   * resolved upwards from the user, level by level: a group that is a member of another group
   * passes its members on. At most MAX_GROUP_NESTING levels (the user's own groups are level 1);
   * cycles are cut. A group DN that does not exist is a group nobody is in: false.
   *
   * Throws directory.unavailable (and, AD only, directory.error as above).
   */
  isMemberOf(user: DirectoryUser, groupDn: string): Promise<boolean>;

  /**
   * Helpdesk "find a user": person entries anywhere under the base DN whose login (AD
   * sAMAccountName, OpenLDAP uid), AD userPrincipalName, mail, displayName, givenName or sn
   * (OpenLDAP: also cn) starts with the query, case-insensitively. The query is NFKC-normalised
   * and trimmed; a query shorter than MIN_USER_SEARCH_LENGTH or longer than
   * MAX_USER_SEARCH_LENGTH characters, or holding control characters, matches nothing
   * (`{ users: [], isTruncated: false }`) without reaching the directory. The value is escaped,
   * so `*`, `(`, `)`, `\` and NUL are matched literally, never as filter syntax.
   *
   * Never returns more than `limit` users. Up to USER_SEARCH_WINDOW matches are read and sorted,
   * so the first `limit` by username are returned whenever fewer than that many match; beyond
   * the window the server's order decides which ones. isTruncated says more matched than listed.
   * Throws directory.unavailable.
   */
  searchUsers(query: string, options: UserSearchOptions): Promise<UserSearchResult>;

  /** Release pooled connections. */
  close(): Promise<void>;
}

/** Longest login we search for; longer input is refused before it reaches the directory. */
export const MAX_LOGIN_LENGTH = 256;
/** Longest password accepted on the wire (AD's own limit is 256 UTF-16 units). */
export const MAX_PASSWORD_LENGTH = 256;
/** Deepest group nesting the OpenLDAP adapter follows (AD's tokenGroups has no such bound). */
export const MAX_GROUP_NESTING = 8;
/** searchUsers: shortest and longest query, in characters after NFKC normalisation. */
export const MIN_USER_SEARCH_LENGTH = 2;
export const MAX_USER_SEARCH_LENGTH = 64;
/** searchUsers: largest `limit` honoured. */
export const MAX_USER_SEARCH_LIMIT = 50;
/** searchUsers: most entries read from the directory per search (then sorted and cut to `limit`). */
export const USER_SEARCH_WINDOW = 200;
