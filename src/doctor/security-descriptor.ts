import { sidToString } from '../directory/ldap-entry.ts';

/** One access-allowed or access-denied ACE of a DACL, as the doctor needs it. */
export interface Ace {
  isAllow: boolean;
  isInheritOnly: boolean;
  /** Inherited from a parent (INHERITED_ACE): ranks after every explicit ACE. */
  isInherited: boolean;
  mask: number;
  /** Right or property GUID (lower case), when the ACE is object-specific. */
  objectType: string | null;
  /** Object class the ACE applies to when inherited, when given. */
  inheritedObjectType: string | null;
  sid: string;
}

const ACCESS_ALLOWED = 0x00;
const ACCESS_DENIED = 0x01;
const ACCESS_ALLOWED_OBJECT = 0x05;
const ACCESS_DENIED_OBJECT = 0x06;
const INHERIT_ONLY_ACE = 0x08;
const INHERITED_ACE = 0x10;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;

/** Parse the DACL of a self-relative SECURITY_DESCRIPTOR (nTSecurityDescriptor read with SD flags = DACL). */
export function parseDacl(sd: Buffer): Ace[] {
  if (sd.length < 20) return [];
  const daclOffset = sd.readUInt32LE(16);
  if (daclOffset === 0 || daclOffset + 8 > sd.length) return [];
  const aceCount = sd.readUInt16LE(daclOffset + 4);
  const aces: Ace[] = [];
  let p = daclOffset + 8;
  for (let i = 0; i < aceCount && p + 4 <= sd.length; i++) {
    const type = sd[p] ?? 0;
    const flags = sd[p + 1] ?? 0;
    const size = sd.readUInt16LE(p + 2);
    if (size < 4) break;
    const body = sd.subarray(p + 4, p + size);
    const isObject = type === ACCESS_ALLOWED_OBJECT || type === ACCESS_DENIED_OBJECT;
    if (type === ACCESS_ALLOWED || type === ACCESS_DENIED || isObject) {
      const mask = body.readUInt32LE(0);
      let q = 4;
      let objectType: string | null = null;
      let inheritedObjectType: string | null = null;
      if (isObject) {
        const objectFlags = body.readUInt32LE(4);
        q = 8;
        if (objectFlags & ACE_OBJECT_TYPE_PRESENT) {
          objectType = guidString(body.subarray(q, q + 16));
          q += 16;
        }
        if (objectFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) {
          inheritedObjectType = guidString(body.subarray(q, q + 16));
          q += 16;
        }
      }
      aces.push({
        isAllow: type === ACCESS_ALLOWED || type === ACCESS_ALLOWED_OBJECT,
        isInheritOnly: (flags & INHERIT_ONLY_ACE) !== 0,
        isInherited: (flags & INHERITED_ACE) !== 0,
        mask,
        objectType,
        inheritedObjectType,
        sid: sidToString(body.subarray(q)),
      });
    }
    p += size;
  }
  return aces;
}

function guidString(b: Buffer): string {
  const h = (from: number, to: number, rev: boolean) => {
    const bytes = [...b.subarray(from, to)];
    return (rev ? bytes.reverse() : bytes).map((x) => x.toString(16).padStart(2, '0')).join('');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

export const ADS_RIGHT_DS_CONTROL_ACCESS = 0x100;
export const ADS_RIGHT_DS_WRITE_PROP = 0x20;
const GENERIC_ALL = 0x10000000;

/**
 * Does the DACL grant `right` (a control access right GUID) to any of `sids` on this object?
 * Windows walks a DACL in canonical order (explicit deny, explicit allow, inherited deny,
 * inherited allow) and the first ACE that applies decides. The ACEs are ranked that way
 * first (stable), so a DACL written out of order is still judged conservatively.
 */
export function grantsControlAccess(aces: Ace[], sids: ReadonlySet<string>, right: string): boolean {
  const rank = (a: Ace) => (a.isInherited ? 2 : 0) + (a.isAllow ? 1 : 0);
  const canonical = aces.map((a, i) => ({ a, i })).sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i);
  const decisive = canonical
    .map((x) => x.a)
    .find(
      (a) =>
        !a.isInheritOnly &&
        sids.has(a.sid) &&
        ((a.mask & ADS_RIGHT_DS_CONTROL_ACCESS) !== 0 || (a.mask & GENERIC_ALL) !== 0) &&
        (a.objectType === null || a.objectType === right),
    );
  return decisive?.isAllow === true;
}
