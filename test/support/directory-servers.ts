import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Attribute, Change, Client } from 'ldapts';
import { type DirectoryConfig, loadConfig } from '../../src/config.ts';
import { unicodePwd } from '../../src/directory/active-directory.ts';
import type { DirectoryKind } from '../../src/directory/directory.ts';

/** Facts written by scripts/directory/*.sh start (URLs, DNs, passwords of the seed). */
export interface ServerFacts {
  url: string;
  caFile: string;
  baseDn: string;
  managedOu: string;
  bindDn: string;
  bindPassword: string;
  adminDn?: string;
  adminPassword?: string;
  rootDn?: string;
  rootPassword?: string;
  users: Record<string, { dn: string; password: string; mobile: string }>;
}

const FACT_FILES: Record<DirectoryKind, string> = {
  ad: `${process.env.SAMBA_DIR ?? '/tmp/sspr-samba'}/facts.json`,
  openldap: `${process.env.OPENLDAP_DIR ?? '/tmp/sspr-openldap'}/facts.json`,
};
const SCRIPTS: Record<DirectoryKind, string> = {
  ad: 'scripts/directory/samba-ad.sh',
  openldap: 'scripts/directory/openldap.sh',
};

export function facts(kind: DirectoryKind): ServerFacts {
  return JSON.parse(readFileSync(FACT_FILES[kind], 'utf8')) as ServerFacts;
}

export function directoryEnv(
  kind: DirectoryKind,
  overrides: Record<string, string> = {},
): Record<string, string> {
  const f = facts(kind);
  return {
    DIRECTORY_KIND: kind,
    LDAP_URL: f.url,
    LDAP_CA_FILE: f.caFile,
    LDAP_BIND_DN: f.bindDn,
    LDAP_BIND_PASSWORD: f.bindPassword,
    LDAP_BASE_DN: f.baseDn,
    LDAP_MANAGED_OUS: f.managedOu,
    LDAP_PRIVILEGED_GROUPS: kind === 'openldap' ? `cn=directory-admins,ou=groups,${f.baseDn}` : '',
    LDAP_TIMEOUT_MS: '5000',
    LDAP_CONNECT_TIMEOUT_MS: '2000',
    DATABASE_URL: 'sqlite::memory:',
    PASSWORD_HISTORY_SCRYPT_COST: '1024',
    SECRET_KEY: 'test-secret-key-0123456789-abcdefghijklmnop',
    ...overrides,
  };
}

export function directoryConfig(
  kind: DirectoryKind,
  overrides: Record<string, string> = {},
): DirectoryConfig {
  return loadConfig(directoryEnv(kind, overrides)).directory;
}

/** Stop or start a test server with the project's own scripts (used by the outage tests). */
export function server(kind: DirectoryKind, action: 'start' | 'stop'): void {
  execFileSync('bash', [SCRIPTS[kind], action], { stdio: 'ignore' });
}

/** A fresh policy-compliant password that contains no user's name. */
export function freshPassword(tag = 'P'): string {
  return `Zq-${tag}-${randomBytes(5).toString('hex')}-7!`;
}

export interface TestUser {
  username: string;
  dn: string;
  password: string;
}

/** Connection as the directory's administrator (AD Administrator, OpenLDAP root DN): test set-up only. */
export async function adminClient(kind: DirectoryKind): Promise<Client> {
  const f = facts(kind);
  const client = new Client({ url: f.url, tlsOptions: { ca: [readFileSync(f.caFile)] }, timeout: 10_000 });
  await client.bind(
    kind === 'ad' ? f.adminDn! : f.rootDn!,
    kind === 'ad' ? f.adminPassword! : f.rootPassword!,
  );
  return client;
}

/**
 * Builder: a new user in the managed OU, so tests never depend on (or disturb) the seed.
 * `removeTestUsers` deletes every user a suite made.
 */
export async function givenUser(
  kind: DirectoryKind,
  options: { disabled?: boolean; container?: string } = {},
): Promise<TestUser> {
  const f = facts(kind);
  const username = `t${randomBytes(4).toString('hex')}`;
  const password = freshPassword('S');
  const container = options.container ?? f.managedOu;
  const client = await adminClient(kind);
  try {
    if (kind === 'ad') {
      const dn = `CN=${username},${container}`;
      await client.add(dn, [
        new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user'] }),
        new Attribute({ type: 'sAMAccountName', values: [username] }),
        new Attribute({ type: 'userPrincipalName', values: [`${username}@sspr.test`] }),
        new Attribute({ type: 'mail', values: [`${username}.mail@sspr.test`] }),
        new Attribute({ type: 'givenName', values: ['Test'] }),
        new Attribute({ type: 'sn', values: ['User'] }),
        new Attribute({ type: 'displayName', values: ['Test User'] }),
        new Attribute({ type: 'unicodePwd', values: [unicodePwd(password)] as unknown as string[] }),
        new Attribute({ type: 'userAccountControl', values: [options.disabled ? '514' : '512'] }),
      ]);
      return { username, dn, password };
    }
    const dn = `uid=${username},${container}`;
    await client.add(dn, [
      new Attribute({ type: 'objectClass', values: ['inetOrgPerson'] }),
      new Attribute({ type: 'uid', values: [username] }),
      new Attribute({ type: 'cn', values: ['Test User'] }),
      new Attribute({ type: 'sn', values: ['User'] }),
      new Attribute({ type: 'givenName', values: ['Test'] }),
      new Attribute({ type: 'mail', values: [`${username}.mail@sspr.test`] }),
      new Attribute({ type: 'userPassword', values: [password] }),
      ...(options.disabled
        ? [new Attribute({ type: 'pwdAccountLockedTime', values: ['000001010000Z'] })]
        : []),
    ]);
    return { username, dn, password };
  } finally {
    await client.unbind();
  }
}

export async function removeTestUsers(kind: DirectoryKind, users: TestUser[]): Promise<void> {
  if (users.length === 0) return;
  const client = await adminClient(kind);
  try {
    for (const u of users) await client.del(u.dn).catch(() => undefined);
  } finally {
    await client.unbind();
  }
}

/** Make `count` failed binds, as a user mistyping a password would. */
export async function badBinds(kind: DirectoryKind, dn: string, count: number): Promise<void> {
  const f = facts(kind);
  for (let i = 0; i < count; i++) {
    const client = new Client({ url: f.url, tlsOptions: { ca: [readFileSync(f.caFile)] }, timeout: 5000 });
    await client.bind(dn, `wrong-${i}-${randomBytes(4).toString('hex')}`).catch(() => undefined);
    await client.unbind().catch(() => undefined);
  }
}

/** Read raw attributes as the administrator, to check what the directory really holds. */
export async function readAsAdmin(kind: DirectoryKind, dn: string, attributes: string[]) {
  const client = await adminClient(kind);
  try {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes,
    });
    return searchEntries[0];
  } finally {
    await client.unbind();
  }
}

export interface TestGroup {
  name: string;
  dn: string;
}

/** The seeded helpdesk group (facts.json `helpdeskGroupDn`): hdesk is its only member. */
export function helpdeskGroupDn(kind: DirectoryKind): string {
  const f = facts(kind) as ServerFacts & { helpdeskGroupDn?: string };
  return (
    f.helpdeskGroupDn ??
    (kind === 'ad' ? `CN=SSPR-Helpdesk,${f.managedOu}` : `cn=sspr-helpdesk,ou=groups,${f.baseDn}`)
  );
}

/** Where test groups go: AD's managed OU (beside SSPR-Helpdesk), OpenLDAP's ou=groups (beside sspr-helpdesk). */
function groupContainer(kind: DirectoryKind): string {
  const f = facts(kind);
  return kind === 'ad' ? f.managedOu : `ou=groups,${f.baseDn}`;
}

/**
 * Builder: a new group, as the administrator, listing `members` (DNs: users or other groups).
 * AD: a global security group (the default groupType); OpenLDAP: a groupOfNames (or, with
 * `uniqueNames`, a groupOfUniqueNames), which needs at least one member. `removeTestGroups`
 * deletes them.
 */
export async function givenGroup(
  kind: DirectoryKind,
  members: string[],
  options: { uniqueNames?: boolean } = {},
): Promise<TestGroup> {
  const name = `g${randomBytes(4).toString('hex')}`;
  const client = await adminClient(kind);
  try {
    if (kind === 'ad') {
      const dn = `CN=${name},${groupContainer(kind)}`;
      await client.add(dn, [
        new Attribute({ type: 'objectClass', values: ['top', 'group'] }),
        new Attribute({ type: 'sAMAccountName', values: [name] }),
        ...(members.length > 0 ? [new Attribute({ type: 'member', values: members })] : []),
      ]);
      return { name, dn };
    }
    const dn = `cn=${name},${groupContainer(kind)}`;
    await client.add(dn, [
      new Attribute({
        type: 'objectClass',
        values: [options.uniqueNames ? 'groupOfUniqueNames' : 'groupOfNames'],
      }),
      new Attribute({ type: 'cn', values: [name] }),
      new Attribute({ type: options.uniqueNames ? 'uniqueMember' : 'member', values: members }),
    ]);
    return { name, dn };
  } finally {
    await client.unbind();
  }
}

/** Add a member (user or group DN) to a group, as the administrator. */
export async function addGroupMember(kind: DirectoryKind, groupDn: string, memberDn: string): Promise<void> {
  const client = await adminClient(kind);
  try {
    await client.modify(
      groupDn,
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [memberDn] }) }),
    );
  } finally {
    await client.unbind();
  }
}

export async function removeTestGroups(kind: DirectoryKind, groups: TestGroup[]): Promise<void> {
  if (groups.length === 0) return;
  const client = await adminClient(kind);
  try {
    for (const g of groups) await client.del(g.dn).catch(() => undefined);
  } finally {
    await client.unbind();
  }
}

/** Replace attributes of an entry as the administrator (test set-up: e.g. give users a shared surname). */
export async function replaceAsAdmin(
  kind: DirectoryKind,
  dn: string,
  attributes: Record<string, string[]>,
): Promise<void> {
  const client = await adminClient(kind);
  try {
    await client.modify(
      dn,
      Object.entries(attributes).map(
        ([type, values]) =>
          new Change({ operation: 'replace', modification: new Attribute({ type, values }) }),
      ),
    );
  } finally {
    await client.unbind();
  }
}
