import type { DirectoryConfig } from '../config.ts';
import { ActiveDirectory } from '../directory/active-directory.ts';
import { isSameDn } from '../directory/ldap-input.ts';
import type { OpenLdapDirectory } from '../directory/open-ldap.ts';

export interface Finding {
  name: string;
  status: 'pass' | 'warn' | 'fail';
  detail: string;
}

const WELL_KNOWN_DOMAIN_RIDS: Record<number, string> = {
  500: 'the built-in Administrator',
  512: 'Domain Admins',
  516: 'Domain Controllers',
  518: 'Schema Admins',
  519: 'Enterprise Admins',
  521: 'Read-only Domain Controllers',
  526: 'Key Admins',
  527: 'Enterprise Key Admins',
};
const WELL_KNOWN_BUILTIN: Record<string, string> = {
  'S-1-5-32-544': 'Administrators',
  'S-1-5-32-548': 'Account Operators',
  'S-1-5-32-549': 'Server Operators',
  'S-1-5-32-550': 'Print Operators',
  'S-1-5-32-551': 'Backup Operators',
  'S-1-5-32-552': 'Replicator',
};

/**
 * The service account must hold only the writeback's rights. A Domain/Enterprise Admin (or an
 * Administrators member, or adminCount=1) turns any flaw in the portal into domain compromise.
 */
export async function checkServiceAccountPrivilege(
  directory: ActiveDirectory | OpenLdapDirectory,
  config: Pick<DirectoryConfig, 'bindDn' | 'privilegedGroups'>,
): Promise<Finding> {
  const name = 'service account is not privileged';
  if (directory instanceof ActiveDirectory) {
    const account = await directory.readSecurityFacts(config.bindDn);
    if (!account)
      return { name, status: 'fail', detail: `cannot read the service account entry ${config.bindDn}` };
    const sids = [account.sid, ...account.tokenGroups];
    const domain = account.sid.slice(0, account.sid.lastIndexOf('-'));
    const reasons = sids.flatMap((sid) => {
      const builtin = WELL_KNOWN_BUILTIN[sid];
      if (builtin) return [builtin];
      const rid = Number(sid.slice(sid.lastIndexOf('-') + 1));
      const group = sid.startsWith(`${domain}-`) ? WELL_KNOWN_DOMAIN_RIDS[rid] : undefined;
      return group ? [group] : [];
    });
    if (account.adminCount === 1) reasons.push('adminCount=1');
    const asUser = await directory.readUser(config.bindDn);
    if (asUser?.status.isPrivileged && reasons.length === 0)
      reasons.push('a member of a configured privileged group');
    return reasons.length > 0
      ? {
          name,
          status: 'fail',
          detail: `service account is ${[...new Set(reasons)].join(', ')}: give it only the delegated writeback rights`,
        }
      : { name, status: 'pass', detail: 'member of no protected group, adminCount not set' };
  }
  const groups = await directory.groupsOf(config.bindDn);
  const privileged = groups.filter((g) => config.privilegedGroups.some((p) => isSameDn(g, p)));
  return privileged.length > 0
    ? { name, status: 'fail', detail: `service account is a member of ${privileged.join('; ')}` }
    : { name, status: 'pass', detail: 'member of no configured privileged group' };
}
