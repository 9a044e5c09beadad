import { randomBytes } from 'node:crypto';
import tls from 'node:tls';
import { Attribute, Change, escapeFilter } from 'ldapts';
import type { DirectoryConfig } from '../config.ts';
import { ActiveDirectory } from '../directory/active-directory.ts';
import { createDirectory } from '../directory/create-directory.ts';
import { closeQuietly, openBoundClient, tlsOptionsFor } from '../directory/ldap-connection.ts';
import { OID } from '../directory/ldap-controls.ts';
import { ldapResultCode, toDirectoryError } from '../directory/ldap-errors.ts';
import type { OpenLdapDirectory } from '../directory/open-ldap.ts';
import { AppError } from '../errors.ts';
import { grantsControlAccess, parseDacl } from './security-descriptor.ts';
import { checkServiceAccountPrivilege, type Finding } from './service-account-privilege.ts';

export type { Finding };

export interface DoctorReport {
  findings: Finding[];
  isHealthy: boolean;
}

const AD_RIGHTS = {
  resetPassword: '00299570-246d-11d0-a768-00aa006e0529',
  changePassword: 'ab721a53-1e2f-11d0-9819-00aa0040529b',
};
/** Everyone and Authenticated Users: ACEs granted to them apply to the service account too. */
const IMPLICIT_SIDS = ['S-1-1-0', 'S-1-5-11'];
const CERT_WARN_DAYS = 30;

/**
 * Checks a deployment without changing anything durable: TLS, the service account's bind,
 * that it is not privileged, that the managed OUs exist, and each writeback right on a managed
 * user. Any `fail` makes the report unhealthy (the CLI exits 1).
 */
export async function runDoctor(
  config: DirectoryConfig,
  options: { probeLogin?: string } = {},
): Promise<DoctorReport> {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  add(await checkTls(config));

  const directory = createDirectory(config);
  try {
    try {
      const client = await openBoundClient(config, config.bindDn, config.bindPassword);
      await closeQuietly(client);
      add({ name: 'service account binds', status: 'pass', detail: config.bindDn });
    } catch (error) {
      add({ name: 'service account binds', status: 'fail', detail: describe(error) });
      return finish(findings);
    }
    add(await checkServiceAccountPrivilege(directory, config));
    const probeDn = await checkManagedOus(config, findings, options.probeLogin, directory);
    if (probeDn) {
      const probe = await directory.readUser(probeDn);
      if (probe?.status.isPrivileged) {
        add({
          name: 'probe user',
          status: 'warn',
          detail: `${probeDn} is privileged; pick another with --user`,
        });
      }
      for (const f of directory instanceof ActiveDirectory
        ? await checkAdRights(directory, config, probeDn)
        : await checkOpenLdapRights(config, probeDn)) {
        add(f);
      }
    }
    if (directory instanceof ActiveDirectory) add(await checkPolicyHints(directory));
  } catch (error) {
    add({ name: 'directory checks', status: 'fail', detail: describe(error) });
  } finally {
    await directory.close();
  }
  return finish(findings);
}

function finish(findings: Finding[]): DoctorReport {
  return { findings, isHealthy: findings.every((f) => f.status !== 'fail') };
}

function describe(error: unknown): string {
  const decoded = error instanceof AppError ? error : toDirectoryError(error);
  const cause = decoded.cause instanceof Error ? ` (${decoded.cause.message.split('\n')[0]})` : '';
  return `${decoded.code}${cause}`;
}

/** For ldaps://, a direct TLS handshake shows the protocol and the certificate's validity. */
async function checkTls(config: DirectoryConfig): Promise<Finding> {
  const name = 'TLS verified against LDAP_CA_FILE';
  const url = new URL(config.url);
  if (config.startTls) return { name, status: 'pass', detail: 'StartTLS; verified at bind' };
  const port = Number(url.port || 636);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = tls.connect(
      { host, port, ...tlsOptionsFor(config), timeout: config.connectTimeoutMs },
      () => {
        const cert = socket.getPeerCertificate();
        const days = Math.floor((new Date(cert.valid_to).getTime() - Date.now()) / 86_400_000);
        const detail = `${socket.getProtocol()}, certificate ${cert.subject?.CN ?? '?'} valid ${days} more days`;
        socket.end();
        resolve({ name, status: days < CERT_WARN_DAYS ? 'warn' : 'pass', detail });
      },
    );
    socket.on('error', (error) => resolve({ name, status: 'fail', detail: error.message }));
    socket.on('timeout', () => {
      socket.destroy();
      resolve({ name, status: 'fail', detail: `no TLS answer from ${host}:${port}` });
    });
  });
}

/** Each managed OU must exist; returns the DN of a user to probe rights on. */
async function checkManagedOus(
  config: DirectoryConfig,
  findings: Finding[],
  probeLogin: string | undefined,
  directory: ActiveDirectory | OpenLdapDirectory,
): Promise<string | null> {
  const client = await openBoundClient(config, config.bindDn, config.bindPassword);
  try {
    let probe: string | null = null;
    for (const ou of config.managedOus) {
      try {
        await client.search(ou, { scope: 'base', filter: '(objectClass=*)', attributes: ['dn'] });
        findings.push({ name: `managed OU exists: ${ou}`, status: 'pass', detail: 'readable' });
      } catch (error) {
        findings.push({ name: `managed OU exists: ${ou}`, status: 'fail', detail: describe(error) });
        continue;
      }
      if (probe || probeLogin) continue;
      const filter =
        config.kind === 'ad'
          ? '(&(objectCategory=person)(objectClass=user)(!(adminCount=1))(!(userAccountControl:1.2.840.113556.1.4.803:=2)))'
          : '(objectClass=inetOrgPerson)';
      const { searchEntries } = await client
        .search(ou, { scope: 'sub', filter, attributes: ['dn'], sizeLimit: 1 })
        .catch(() => ({ searchEntries: [] }));
      probe = searchEntries[0]?.dn ?? null;
    }
    for (const group of config.privilegedGroups) {
      try {
        await client.search(group, { scope: 'base', filter: '(objectClass=*)', attributes: ['dn'] });
        findings.push({ name: `privileged group exists: ${group}`, status: 'pass', detail: 'readable' });
      } catch (error) {
        // A mistyped group would make every user lookup fail: say which one.
        findings.push({ name: `privileged group exists: ${group}`, status: 'fail', detail: describe(error) });
      }
    }
    if (probeLogin) {
      const user = await directory.findUser(probeLogin);
      if (!user)
        findings.push({
          name: 'probe user',
          status: 'fail',
          detail: `no single user matches ${escapeFilter`${probeLogin}`}`,
        });
      return user?.dn ?? null;
    }
    if (!probe)
      findings.push({
        name: 'probe user',
        status: 'warn',
        detail: 'no user found in the managed OUs: rights not checked',
      });
    return probe;
  } finally {
    await closeQuietly(client);
  }
}

async function checkAdRights(
  directory: ActiveDirectory,
  config: DirectoryConfig,
  probeDn: string,
): Promise<Finding[]> {
  const svc = await directory.readSecurityFacts(config.bindDn);
  const user = await directory.readSecurityFacts(probeDn);
  if (!svc || !user?.securityDescriptor) {
    return [
      {
        name: 'rights on a managed user',
        status: 'fail',
        detail: `cannot read the security descriptor of ${probeDn}`,
      },
    ];
  }
  const sids = new Set([svc.sid, ...svc.tokenGroups, ...IMPLICIT_SIDS]);
  const dacl = parseDacl(user.securityDescriptor);
  const right = (name: string, ok: boolean, what: string): Finding => ({
    name: `right: ${name}`,
    status: ok ? 'pass' : 'fail',
    detail: ok ? `granted on ${probeDn}` : `missing on ${probeDn}: delegate ${what} on the managed OUs`,
  });
  return [
    right(
      'Reset Password',
      grantsControlAccess(dacl, sids, AD_RIGHTS.resetPassword),
      'the Reset Password extended right',
    ),
    right(
      'Change Password',
      grantsControlAccess(dacl, sids, AD_RIGHTS.changePassword),
      'the Change Password extended right',
    ),
    right('write lockoutTime', user.allowedAttributesEffective.includes('lockouttime'), 'Write lockoutTime'),
    right('write pwdLastSet', user.allowedAttributesEffective.includes('pwdlastset'), 'Write pwdLastSet'),
  ];
}

/**
 * OpenLDAP has no effective-rights attribute. Deleting a value that is not there is a no-op
 * whose answer tells the ACL: 16 noSuchAttribute when write is allowed (the ACL is checked
 * first), 50 when it is not. The values are random, so nothing can match and nothing changes.
 */
async function checkOpenLdapRights(config: DirectoryConfig, probeDn: string): Promise<Finding[]> {
  const probes: Array<[string, string, string]> = [
    ['reset password (write userPassword)', 'userPassword', `sspr-doctor-${randomBytes(12).toString('hex')}`],
    ['unlock (write pwdAccountLockedTime)', 'pwdAccountLockedTime', '19700101000001Z'],
    ['force change (write pwdReset)', 'pwdReset', 'FALSE'],
  ];
  const client = await openBoundClient(config, config.bindDn, config.bindPassword);
  try {
    const findings: Finding[] = [];
    for (const [name, type, value] of probes) {
      const change = new Change({
        operation: 'delete',
        modification: new Attribute({ type, values: [value] }),
      });
      let code = 0;
      try {
        await client.modify(probeDn, change);
      } catch (error) {
        code = ldapResultCode(error) ?? -1;
      }
      findings.push({
        name: `right: ${name}`,
        status: code === 16 ? 'pass' : 'fail',
        detail:
          code === 16
            ? `granted on ${probeDn}`
            : `write refused on ${probeDn} (LDAP ${code}): grant the service account =w/write in the ACL`,
      });
    }
    const { searchEntries } = await client.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      attributes: ['supportedExtension'],
    });
    const extensions = searchEntries[0] ? [searchEntries[0].supportedExtension].flat().map(String) : [];
    const hasExop = extensions.includes(OID.passwordModify);
    findings.push({
      name: 'Password Modify extended operation',
      status: hasExop ? 'pass' : 'fail',
      detail: hasExop ? `${OID.passwordModify} advertised` : 'not in the rootDSE supportedExtension list',
    });
    return findings;
  } finally {
    await closeQuietly(client);
  }
}

async function checkPolicyHints(directory: ActiveDirectory): Promise<Finding> {
  const controls = await directory.supportedControls();
  const has = controls.includes(OID.policyHints);
  return {
    name: 'password history on resets',
    status: 'pass',
    detail: has
      ? 'the DC honours LDAP_SERVER_POLICY_HINTS; the portal keeps its own history as well'
      : 'the DC does not list LDAP_SERVER_POLICY_HINTS (Samba): history on resets is enforced by the portal only',
  };
}
