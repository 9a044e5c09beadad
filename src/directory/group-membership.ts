import { escapeFilter } from 'ldapts';
import { MAX_GROUP_NESTING } from './directory.ts';
import { isSameDn, normaliseDn } from './ldap-input.ts';

/** Most DNs put in one "which groups contain these" filter; bigger levels are split. */
const DNS_PER_FILTER = 50;

const GROUP_CLASSES = '(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))';

/** Filter for the static groups (groupOfNames / groupOfUniqueNames) that list any of `dns` as a member. */
export function groupsContainingFilter(dns: string[]): string {
  const members = dns.map((dn) => escapeFilter`(member=${dn})(uniqueMember=${dn})`).join('');
  return `(&${GROUP_CLASSES}(|${members}))`;
}

const key = (dn: string) => normaliseDn(dn).join(',');

/**
 * Nested membership resolved upwards, one directory search per level: level 1 is the groups that
 * list `memberDn`, level 2 the groups that list any level-1 group, and so on, to `maxDepth`
 * levels. A group already seen is not searched again, so cycles end. `groupsContaining` returns
 * the DNs of the groups that list any of the DNs given.
 *
 * Upwards rather than downwards (reading the group's members and recursing into those that are
 * groups) because a user is in few groups while a group may list thousands of users: each level
 * is one indexed equality search, whatever the size of the groups.
 */
export async function isNestedMember(
  memberDn: string,
  groupDn: string,
  groupsContaining: (dns: string[]) => Promise<string[]>,
  maxDepth = MAX_GROUP_NESTING,
): Promise<boolean> {
  const seen = new Set<string>([key(memberDn)]);
  let frontier = [memberDn];
  for (let depth = 1; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += DNS_PER_FILTER) {
      for (const dn of await groupsContaining(frontier.slice(i, i + DNS_PER_FILTER))) {
        if (isSameDn(dn, groupDn)) return true;
        const k = key(dn);
        if (seen.has(k)) continue;
        seen.add(k);
        next.push(dn);
      }
    }
    frontier = next;
  }
  return false;
}
