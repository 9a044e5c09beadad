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
import { withBoundClient } from './ldap-connection.ts';
import { LdapConnectionPool } from './ldap-connection-pool.ts';
import { PolicyHintsControl, SdFlagsControl } from './ldap-controls.ts';
import {
  allBuffers,
  allStrings,
  fileTimeToDate,
  firstInteger,
  firstString,
  guidToString,
  sidToString,
} from './ldap-entry.ts';
import { toDirectoryError } from './ldap-errors.ts';
import { isDnWithin, normaliseDn, normaliseLogin } from './ldap-input.ts';
import {
  clampSearchLimit,
  normaliseSearchQuery,
  noUsers,
  readSearchWindow,
  toSearchResult,
} from './user-search.ts';

const UAC_ACCOUNTDISABLE = 0x2;
const UAC_LOCKOUT = 0x10;
/** groupType bit of a security group (ADS_GROUP_TYPE_SECURITY_ENABLED); distribution groups lack it. */
const GROUP_TYPE_SECURITY = 0x80000000;
/** Group SIDs kept per adapter; group DNs come from configuration, so this is a safety bound only. */
const MAX_CACHED_GROUPS = 256;

/**
 * Groups whose members AdminSDHolder protects (MS "Protected Accounts and Groups"), by RID under
 * the domain SID, plus the built-in ones. Their members are never managed by the portal, even
 * where the directory's ACLs would allow it (Samba has no AdminSDHolder task, so it may).
 */
const PROTECTED_DOMAIN_RIDS = new Set([500, 502, 512, 516, 518, 519, 521, 526, 527]);
const PROTECTED_BUILTIN_SIDS = new Set(
  [544, 548, 549, 550, 551, 552].map((rid) => `S-1-5-32-${rid}`), // Administrators, Account/Server/Print/Backup Operators, Replicator
);

const USER_ATTRIBUTES = [
  'objectGUID',
  'objectSid',
  'sAMAccountName',
  'userPrincipalName',
  'mail',
  'displayName',
  'givenName',
  'sn',
  'mobile',
  'department',
  'userAccountControl',
  'msDS-User-Account-Control-Computed',
  'pwdLastSet',
  'msDS-UserPasswordExpiryTimeComputed',
  'adminCount',
];

const SUMMARY_ATTRIBUTES = ['objectGUID', 'sAMAccountName', 'mail', 'displayName', 'department'];

export const unicodePwd = (password: string) => Buffer.from(`"${password}"`, 'utf16le');
const replace = (type: string, ...values: Array<string | Buffer>) =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values: values as string[] }) });
const change = (operation: 'add' | 'delete', type: string, value: Buffer) =>
  new Change({ operation, modification: new Attribute({ type, values: [value] as unknown as string[] }) });

export interface SecurityFacts {
  sid: string;
  adminCount: number | null;
  tokenGroups: string[];
  allowedAttributesEffective: string[];
  securityDescriptor: Buffer | null;
}

export class ActiveDirectory implements Directory {
  readonly kind = 'ad' as const;
  private readonly pool: LdapConnectionPool;
  private privilegedGroupSids: Promise<Set<string>> | null = null;
  /** objectSid of each group isMemberOf was asked about, by normalised DN. */
  private readonly groupSids = new Map<string, Promise<string>>();

  constructor(private readonly config: DirectoryConfig) {
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
    // DOMAIN\name is how Windows users often type their login.
    const name = value.includes('\\') ? value.slice(value.lastIndexOf('\\') + 1) : value;
    if (!name) return null;
    const filter = escapeFilter`(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=${name})(userPrincipalName=${name})(mail=${name})))`;
    const entries = await this.search(this.config.baseDn, filter, 'sub');
    // Ambiguous logins (two entries share a mail) are treated as unknown, never guessed.
    if (entries.length !== 1) return null;
    return this.toUser(entries[0]!);
  }

  async readUser(dn: string): Promise<DirectoryUser | null> {
    try {
      // tokenGroups is constructed for base-scope reads only; here it comes in the same round trip.
      const entries = await this.search(dn, '(objectClass=user)', 'base', [
        ...USER_ATTRIBUTES,
        'tokenGroups',
      ]);
      return entries[0] ? this.toUser(entries[0]) : null;
    } catch (error) {
      if (error instanceof AppError && error.code === 'directory.user_not_found') return null;
      throw error;
    }
  }

  async verifyPassword(user: DirectoryUser, password: string): Promise<void> {
    await withBoundClient(this.config, user.dn, password, async () => undefined);
  }

  async resetPassword(user: DirectoryUser, newPassword: string, options: ResetOptions = {}): Promise<void> {
    const changes = [replace('unicodePwd', unicodePwd(newPassword))];
    // One modify, so the temporary password and the must-change flag land together or not at all.
    if (options.mustChange) changes.push(replace('pwdLastSet', '0'));
    await this.pool.use((c) => c.modify(user.dn, changes, [new PolicyHintsControl()]));
  }

  async changePassword(user: DirectoryUser, oldPassword: string, newPassword: string): Promise<void> {
    const changes = [
      change('delete', 'unicodePwd', unicodePwd(oldPassword)),
      change('add', 'unicodePwd', unicodePwd(newPassword)),
    ];
    try {
      // Bound as the user: the DC checks the old password, history and minimum age.
      await withBoundClient(this.config, user.dn, oldPassword, (c) => this.modify(c, user.dn, changes));
    } catch (error) {
      const code = error instanceof AppError ? error.code : undefined;
      if (code !== 'directory.must_change_password' && code !== 'directory.password_expired') throw error;
      // A user who must change (773) or whose password expired (532) cannot bind. The same
      // delete-old/add-new modify by the service account (its Change Password right) still
      // makes the DC verify the old password and apply history, like Windows' own logon prompt.
      await this.pool.use((c) => c.modify(user.dn, changes));
    }
  }

  async unlock(user: DirectoryUser): Promise<void> {
    await this.pool.use((c) => c.modify(user.dn, replace('lockoutTime', '0')));
  }

  async forcePasswordChange(user: DirectoryUser): Promise<void> {
    await this.pool.use((c) => c.modify(user.dn, replace('pwdLastSet', '0')));
  }

  async isMemberOf(user: DirectoryUser, groupDn: string): Promise<boolean> {
    const groupSid = await this.groupSid(groupDn);
    // Re-read, not the tokenGroups toUser saw: the user object may be minutes old, and this
    // answers an authorisation question. One base read (~1 ms) resolves every nesting level.
    let tokenSids: string[];
    try {
      tokenSids = await this.tokenGroups(user.dn);
    } catch (error) {
      if (error instanceof AppError && error.code === 'directory.user_not_found') return false;
      throw error;
    }
    return tokenSids.includes(groupSid);
  }

  async searchUsers(query: string, options: UserSearchOptions): Promise<UserSearchResult> {
    const value = normaliseSearchQuery(query);
    const limit = clampSearchLimit(options.limit);
    if (!value || limit === 0) return noUsers();
    // The trailing * sits outside the escaped value: a prefix match, with the query itself literal.
    const filter = escapeFilter`(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=${value}*)(userPrincipalName=${value}*)(mail=${value}*)(displayName=${value}*)(givenName=${value}*)(sn=${value}*)))`;
    const entries = await this.pool.use(
      (c) =>
        readSearchWindow(c, this.config.baseDn, {
          filter,
          attributes: SUMMARY_ATTRIBUTES,
          explicitBufferAttributes: ['objectGUID'],
        }),
      { retry: true },
    );
    return toSearchResult(entries, limit, (e) => this.toSummary(e));
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Exposed for the doctor: the pool's live numbers. */
  poolStats() {
    return this.pool.stats();
  }

  private async modify(client: Client, dn: string, changes: Change[]): Promise<void> {
    try {
      await client.modify(dn, changes);
    } catch (error) {
      throw toDirectoryError(error);
    }
  }

  private search(base: string, filter: string, scope: 'base' | 'sub', attributes = USER_ATTRIBUTES) {
    return this.pool.use(
      async (c) =>
        (
          await c.search(base, {
            scope,
            filter,
            attributes,
            explicitBufferAttributes: ['objectGUID', 'objectSid', 'tokenGroups'],
            sizeLimit: 2,
          })
        ).searchEntries,
      { retry: true },
    );
  }

  private toSummary(entry: Entry): DirectoryUserSummary {
    const guid = allBuffers(entry, 'objectGUID')[0];
    return {
      dn: entry.dn,
      id: guid ? guidToString(guid) : entry.dn.toLowerCase(),
      username: firstString(entry, 'sAMAccountName') ?? '',
      displayName: firstString(entry, 'displayName'),
      department: firstString(entry, 'department'),
      mail: firstString(entry, 'mail'),
      isInScope: this.config.managedOus.some((ou) => isDnWithin(entry.dn, ou)),
    };
  }

  private async toUser(entry: Entry): Promise<DirectoryUser> {
    const uac = firstInteger(entry, 'userAccountControl') ?? 0;
    const computed = firstInteger(entry, 'msDS-User-Account-Control-Computed') ?? 0;
    const pwdLastSet = firstString(entry, 'pwdLastSet');
    const guid = allBuffers(entry, 'objectGUID')[0];
    const sid = allBuffers(entry, 'objectSid')[0];
    const isInScope = this.config.managedOus.some((ou) => isDnWithin(entry.dn, ou));
    return {
      dn: entry.dn,
      id: guid ? guidToString(guid) : entry.dn.toLowerCase(),
      username: firstString(entry, 'sAMAccountName') ?? '',
      userPrincipalName: firstString(entry, 'userPrincipalName'),
      mail: firstString(entry, 'mail'),
      displayName: firstString(entry, 'displayName'),
      givenName: firstString(entry, 'givenName'),
      surname: firstString(entry, 'sn'),
      mobile: firstString(entry, 'mobile'),
      department: firstString(entry, 'department'),
      status: {
        isDisabled: (uac & UAC_ACCOUNTDISABLE) !== 0,
        // lockoutTime stays non-zero after the lockout expires; only the computed bit is current.
        isLocked: (computed & UAC_LOCKOUT) !== 0,
        mustChangePassword: pwdLastSet === '0',
        passwordLastSet: fileTimeToDate(pwdLastSet),
        passwordExpiresAt: fileTimeToDate(firstString(entry, 'msDS-UserPasswordExpiryTimeComputed')),
        isPrivileged: firstInteger(entry, 'adminCount') === 1 || (await this.isInPrivilegedGroup(entry, sid)),
        isInScope,
      },
    };
  }

  /** Nested membership comes from tokenGroups (constructed, base scope only): one read resolves it all. */
  private async isInPrivilegedGroup(entry: Entry, sid: Buffer | undefined): Promise<boolean> {
    const read = allBuffers(entry, 'tokenGroups');
    const tokenSids = read.length > 0 ? read.map(sidToString) : await this.tokenGroups(entry.dn);
    const userSid = sid ? sidToString(sid) : '';
    const domainSid = userSid.slice(0, userSid.lastIndexOf('-'));
    const configured = await this.configuredPrivilegedGroupSids();
    return [userSid, ...tokenSids].some((s) => {
      if (PROTECTED_BUILTIN_SIDS.has(s) || configured.has(s)) return true;
      const rid = Number(s.slice(s.lastIndexOf('-') + 1));
      return s.slice(0, s.lastIndexOf('-')) === domainSid && PROTECTED_DOMAIN_RIDS.has(rid);
    });
  }

  /** SIDs of every group the entry belongs to, directly or nested. */
  async tokenGroups(dn: string): Promise<string[]> {
    const [entry] = await this.search(dn, '(objectClass=*)', 'base', ['tokenGroups']);
    return entry ? allBuffers(entry, 'tokenGroups').map(sidToString) : [];
  }

  /** What the doctor needs to judge rights: SIDs, adminCount, effective attributes, DACL. */
  async readSecurityFacts(dn: string): Promise<SecurityFacts | null> {
    const entries = await this.pool.use(
      async (c) =>
        (
          await c.search(
            dn,
            {
              scope: 'base',
              filter: '(objectClass=*)',
              attributes: [
                'objectSid',
                'adminCount',
                'tokenGroups',
                'allowedAttributesEffective',
                'nTSecurityDescriptor',
              ],
              explicitBufferAttributes: ['objectSid', 'tokenGroups', 'nTSecurityDescriptor'],
            },
            [new SdFlagsControl()],
          )
        ).searchEntries,
      { retry: true },
    );
    const entry = entries[0];
    if (!entry) return null;
    const sid = allBuffers(entry, 'objectSid')[0];
    return {
      sid: sid ? sidToString(sid) : '',
      adminCount: firstInteger(entry, 'adminCount'),
      tokenGroups: allBuffers(entry, 'tokenGroups').map(sidToString),
      allowedAttributesEffective: allStrings(entry, 'allowedAttributesEffective').map((a) => a.toLowerCase()),
      securityDescriptor: allBuffers(entry, 'nTSecurityDescriptor')[0] ?? null,
    };
  }

  /** rootDSE supportedControl: Windows lists the policy-hints OID, Samba does not. */
  async supportedControls(): Promise<string[]> {
    const [entry] = await this.search('', '(objectClass=*)', 'base', ['supportedControl']);
    return entry ? allStrings(entry, 'supportedControl') : [];
  }

  private configuredPrivilegedGroupSids(): Promise<Set<string>> {
    this.privilegedGroupSids ??= Promise.all(
      this.config.privilegedGroups.map(async (groupDn) => {
        const [entry] = await this.search(groupDn, '(objectClass=group)', 'base', ['objectSid']);
        const sid = entry && allBuffers(entry, 'objectSid')[0];
        if (!sid) throw new AppError('directory.error', { detail: `privileged group not found: ${groupDn}` });
        return sidToString(sid);
      }),
    ).then(
      (sids) => new Set(sids),
      (error) => {
        this.privilegedGroupSids = null; // retry on the next call rather than cache a failure
        throw error;
      },
    );
    return this.privilegedGroupSids;
  }

  /**
   * objectSid of a security group, read once per DN and cached (a group's SID never changes).
   * A DN that is not an existing security group is a configuration fault: directory.error naming
   * it. Failures are not cached, so a fixed configuration or a recovered DC is seen next call.
   */
  private groupSid(groupDn: string): Promise<string> {
    const key = normaliseDn(groupDn).join(',');
    let sid = this.groupSids.get(key);
    if (!sid) {
      if (this.groupSids.size >= MAX_CACHED_GROUPS) this.groupSids.clear();
      sid = this.readGroupSid(groupDn);
      this.groupSids.set(key, sid);
      const pending = sid;
      pending.catch(() => {
        if (this.groupSids.get(key) === pending) this.groupSids.delete(key);
      });
    }
    return sid;
  }

  private async readGroupSid(groupDn: string): Promise<string> {
    const notUsable = (why: string, cause?: unknown) =>
      new AppError('directory.error', { cause, detail: `group ${why}: ${groupDn}` });
    let entry: Entry | undefined;
    try {
      [entry] = await this.search(groupDn, '(objectClass=group)', 'base', ['objectSid', 'groupType']);
    } catch (error) {
      // noSuchObject, invalid DN syntax, no read right: all say the configured DN is unusable.
      if (error instanceof AppError && error.code === 'directory.unavailable') throw error;
      throw notUsable('not found', error);
    }
    const sid = entry && allBuffers(entry, 'objectSid')[0];
    if (!entry || !sid) throw notUsable('not found (or not a group)');
    // tokenGroups lists security groups only: a distribution group would never match anyone.
    if (((firstInteger(entry, 'groupType') ?? 0) & GROUP_TYPE_SECURITY) === 0) {
      throw notUsable('is not a security group');
    }
    return sidToString(sid);
  }
}
