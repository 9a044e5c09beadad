import { Attribute, Change, type Client, type Entry, escapeFilter } from 'ldapts';
import type { DirectoryConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import type {
  Directory,
  DirectoryUser,
  DirectoryUserSummary,
  ResetOptions,
  UserSearchOptions,
  UserSearchResult,
} from './directory.ts';
import { groupsContainingFilter, isNestedMember } from './group-membership.ts';
import { withBoundClient } from './ldap-connection.ts';
import { LdapConnectionPool } from './ldap-connection-pool.ts';
import { OID, PasswordPolicyControl, passwordModifyValue } from './ldap-controls.ts';
import { firstInteger, firstString, generalizedTimeToDate } from './ldap-entry.ts';
import { toDirectoryError } from './ldap-errors.ts';
import { isDnWithin, isSameDn, normaliseLogin } from './ldap-input.ts';
import {
  clampSearchLimit,
  normaliseSearchQuery,
  noUsers,
  readSearchWindow,
  toSearchResult,
} from './user-search.ts';

/** ppolicy's "locked until an administrator unlocks it": the way to disable an account. */
const PERMANENT_LOCK = '000001010000Z';
const POLICY_CACHE_MS = 60_000;

const USER_ATTRIBUTES = [
  'entryUUID',
  'uid',
  'mail',
  'displayName',
  'cn',
  'givenName',
  'sn',
  'mobile',
  'departmentNumber',
  'pwdAccountLockedTime',
  'pwdChangedTime',
  'pwdReset',
  'pwdPolicySubentry',
  'createTimestamp',
];

const SUMMARY_ATTRIBUTES = ['entryUUID', 'uid', 'mail', 'displayName', 'cn', 'departmentNumber'];

interface PasswordPolicy {
  lockoutDurationS: number;
  maxAgeS: number;
}

const replace = (type: string, ...values: string[]) =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

export class OpenLdapDirectory implements Directory {
  readonly kind = 'openldap' as const;
  private readonly pool: LdapConnectionPool;
  private policy: { value: PasswordPolicy; readAt: number } | null = null;

  constructor(
    private readonly config: DirectoryConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.pool = new LdapConnectionPool(
      config,
      config.bindDn,
      config.bindPassword,
      config.poolSize,
      config.poolIdleMs,
    );
  }

  async findUser(login: string): Promise<DirectoryUser | null> {
    const value = normaliseLogin(login);
    if (!value) return null;
    const filter = escapeFilter`(&(objectClass=inetOrgPerson)(|(uid=${value})(mail=${value})))`;
    const entries = await this.search(this.config.baseDn, filter, 'sub');
    if (entries.length !== 1) return null;
    return this.toUser(entries[0]!);
  }

  async readUser(dn: string): Promise<DirectoryUser | null> {
    try {
      const [entry] = await this.search(dn, '(objectClass=*)', 'base');
      return entry ? this.toUser(entry) : null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'directory.user_not_found') return null;
      throw error;
    }
  }

  async verifyPassword(user: DirectoryUser, password: string): Promise<void> {
    const ppolicy = new PasswordPolicyControl();
    try {
      await withBoundClient(this.config, user.dn, password, async () => undefined, [ppolicy]);
    } catch (error) {
      const decoded = toDirectoryError((error as AppError).cause ?? error, ppolicy.response?.error);
      // ppolicy says accountLocked for a permanent lock too; that one is how OpenLDAP disables.
      if (decoded.code === 'directory.account_locked' && (await this.readUser(user.dn))?.status.isDisabled) {
        throw new AppError('directory.account_disabled', { cause: error });
      }
      throw decoded;
    }
    // With pwdReset TRUE the bind succeeds but every other operation is refused (changeAfterReset).
    if (ppolicy.response?.error !== undefined) throw toDirectoryError({ code: 49 }, ppolicy.response.error);
  }

  async resetPassword(user: DirectoryUser, newPassword: string, options: ResetOptions = {}): Promise<void> {
    const ppolicy = new PasswordPolicyControl();
    await this.pool.use(async (c) => {
      try {
        if (options.mustChange) {
          // The exop never sets pwdReset; slapd keeps it only when written in the same modify as
          // the cleartext password (hashed by olcPPolicyHashCleartext).
          await c.modify(
            user.dn,
            [replace('userPassword', newPassword), replace('pwdReset', 'TRUE')],
            [ppolicy],
          );
        } else {
          await c.exop(OID.passwordModify, passwordModifyValue({ userIdentity: user.dn, newPassword }), [
            ppolicy,
          ]);
        }
      } catch (error) {
        throw toDirectoryError(error, ppolicy.response?.error);
      }
    });
  }

  async changePassword(user: DirectoryUser, oldPassword: string, newPassword: string): Promise<void> {
    const bindPolicy = new PasswordPolicyControl();
    // A user with pwdReset TRUE may still bind and run the Password Modify exop, nothing else.
    await withBoundClient(
      this.config,
      user.dn,
      oldPassword,
      async (c: Client) => {
        const ppolicy = new PasswordPolicyControl();
        try {
          await c.exop(OID.passwordModify, passwordModifyValue({ oldPassword, newPassword }), [ppolicy]);
        } catch (error) {
          throw toDirectoryError(error, ppolicy.response?.error);
        }
      },
      [bindPolicy],
    ).catch((error: unknown) => {
      // A locked account answers the bind with 49 + ppolicy accountLocked: say locked, not "wrong password".
      if (
        error instanceof AppError &&
        error.code === 'directory.invalid_credentials' &&
        bindPolicy.response?.error !== undefined
      ) {
        throw toDirectoryError(error.cause ?? error, bindPolicy.response.error);
      }
      throw error;
    });
  }

  async unlock(user: DirectoryUser): Promise<void> {
    // Deleting an absent attribute fails with 16; replacing with no values removes it or does nothing.
    await this.pool.use((c) =>
      c.modify(
        user.dn,
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'pwdAccountLockedTime', values: [] }),
        }),
      ),
    );
  }

  async forcePasswordChange(user: DirectoryUser): Promise<void> {
    await this.pool.use((c) => c.modify(user.dn, replace('pwdReset', 'TRUE')));
  }

  async isMemberOf(user: DirectoryUser, groupDn: string): Promise<boolean> {
    return isNestedMember(user.dn, groupDn, (dns) => this.groupsContaining(dns));
  }

  async searchUsers(query: string, options: UserSearchOptions): Promise<UserSearchResult> {
    const value = normaliseSearchQuery(query);
    const limit = clampSearchLimit(options.limit);
    if (!value || limit === 0) return noUsers();
    // The trailing * sits outside the escaped value: a prefix match, with the query itself literal.
    const filter = escapeFilter`(&(objectClass=inetOrgPerson)(|(uid=${value}*)(mail=${value}*)(displayName=${value}*)(givenName=${value}*)(sn=${value}*)(cn=${value}*)))`;
    const entries = await this.pool.use(
      (c) =>
        readSearchWindow(c, this.config.baseDn, {
          filter,
          attributes: SUMMARY_ATTRIBUTES,
        }),
      { retry: true },
    );
    return toSearchResult(entries, limit, (e) => this.toSummary(e));
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Groups (groupOfNames) whose member includes this DN, direct membership only. */
  async groupsOf(dn: string): Promise<string[]> {
    return this.groupsContaining([dn]);
  }

  /** Static groups under the base DN that list any of `dns` as member / uniqueMember. */
  private async groupsContaining(dns: string[]): Promise<string[]> {
    const filter = groupsContainingFilter(dns);
    const entries = await this.pool.use(
      async (c) =>
        (await c.search(this.config.baseDn, { scope: 'sub', filter, attributes: ['dn'] })).searchEntries,
      { retry: true },
    );
    return entries.map((e) => e.dn);
  }

  private toSummary(entry: Entry): DirectoryUserSummary {
    return {
      dn: entry.dn,
      id: firstString(entry, 'entryUUID') ?? entry.dn.toLowerCase(),
      username: firstString(entry, 'uid') ?? '',
      displayName: firstString(entry, 'displayName') ?? firstString(entry, 'cn'),
      department: firstString(entry, 'departmentNumber'),
      mail: firstString(entry, 'mail'),
      isInScope: this.config.managedOus.some((ou) => isDnWithin(entry.dn, ou)),
    };
  }

  private search(base: string, filter: string, scope: 'base' | 'sub', attributes = USER_ATTRIBUTES) {
    return this.pool.use(
      async (c) => (await c.search(base, { scope, filter, attributes, sizeLimit: 2 })).searchEntries,
      { retry: true },
    );
  }

  private async toUser(entry: Entry): Promise<DirectoryUser> {
    const policy = await this.passwordPolicy(firstString(entry, 'pwdPolicySubentry'));
    const lockedTime = firstString(entry, 'pwdAccountLockedTime');
    const lockedAt = generalizedTimeToDate(lockedTime);
    const changedAt = generalizedTimeToDate(firstString(entry, 'pwdChangedTime'));
    const isDisabled = lockedTime === PERMANENT_LOCK;
    // pwdAccountLockedTime stays after the lockout expires, until the next good bind.
    const isLocked =
      isDisabled ||
      (lockedAt !== null &&
        (policy.lockoutDurationS === 0 || lockedAt.getTime() + policy.lockoutDurationS * 1000 > this.now()));
    const groups = this.config.privilegedGroups.length > 0 ? await this.groupsOf(entry.dn) : [];
    const isPrivileged = groups.some((g) => this.config.privilegedGroups.some((p) => isSameDn(g, p)));
    return {
      dn: entry.dn,
      id: firstString(entry, 'entryUUID') ?? entry.dn.toLowerCase(),
      username: firstString(entry, 'uid') ?? '',
      userPrincipalName: null,
      mail: firstString(entry, 'mail'),
      displayName: firstString(entry, 'displayName') ?? firstString(entry, 'cn'),
      givenName: firstString(entry, 'givenName'),
      surname: firstString(entry, 'sn'),
      mobile: firstString(entry, 'mobile'),
      department: firstString(entry, 'departmentNumber'),
      status: {
        isDisabled,
        isLocked,
        mustChangePassword: firstString(entry, 'pwdReset')?.toUpperCase() === 'TRUE',
        passwordLastSet: changedAt,
        passwordExpiresAt:
          changedAt && policy.maxAgeS > 0 ? new Date(changedAt.getTime() + policy.maxAgeS * 1000) : null,
        isPrivileged,
        isInScope: this.config.managedOus.some((ou) => isDnWithin(entry.dn, ou)),
      },
    };
  }

  /** The policy that applies to a user: its pwdPolicySubentry, else the configured default. Cached a minute. */
  private async passwordPolicy(subentry: string | null): Promise<PasswordPolicy> {
    const dn = subentry ?? this.config.ppolicyDn;
    if (this.policy && this.now() - this.policy.readAt < POLICY_CACHE_MS && !subentry)
      return this.policy.value;
    const [entry] = await this.search(dn, '(objectClass=*)', 'base', [
      'pwdLockoutDuration',
      'pwdMaxAge',
    ]).catch(() => [] as Entry[]);
    const value = {
      lockoutDurationS: (entry && firstInteger(entry, 'pwdLockoutDuration')) ?? 0,
      maxAgeS: (entry && firstInteger(entry, 'pwdMaxAge')) ?? 0,
    };
    if (!subentry) this.policy = { value, readAt: this.now() };
    return value;
  }
}
