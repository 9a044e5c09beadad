import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Ace, grantsControlAccess, parseDacl } from '../../src/doctor/security-descriptor.ts';

const RESET_PASSWORD = '00299570-246d-11d0-a768-00aa006e0529';
const CHANGE_PASSWORD = 'ab721a53-1e2f-11d0-9819-00aa0040529b';
const USER_CLASS = 'bf967aba-0de6-11d0-a285-00aa003049e2';
const SVC = 'S-1-5-21-1747484051-1543599604-3890473591-1108';
const OTHER = 'S-1-5-21-1747484051-1543599604-3890473591-1109';
const DOMAIN_USERS = 'S-1-5-21-1747484051-1543599604-3890473591-513';

const ALLOWED = 0x00;
const DENIED = 0x01;
const ALLOWED_OBJECT = 0x05;
const DENIED_OBJECT = 0x06;
const INHERIT_ONLY = 0x08;
const INHERITED = 0x10;
const CONTAINER_INHERIT = 0x02;
const CONTROL_ACCESS = 0x100;
const WRITE_PROP = 0x20;
const GENERIC_ALL = 0x10000000;

/** Binary SID: revision, sub-authority count, 48-bit big-endian authority, little-endian sub-authorities. */
function sidBytes(sid: string): Buffer {
  const [, revision, authority, ...subs] = sid.split('-').map(Number);
  const b = Buffer.alloc(8 + subs.length * 4);
  b[0] = revision as number;
  b[1] = subs.length;
  b.writeUIntBE(authority as number, 2, 6);
  subs.forEach((s, i) => {
    b.writeUInt32LE(s, 8 + i * 4);
  });
  return b;
}

/** GUID in the mixed-endian byte order Windows stores: first three groups little-endian. */
function guidBytes(guid: string): Buffer {
  const [a, b, c, d, e] = guid.split('-') as [string, string, string, string, string];
  const le = (h: string) => Buffer.from(h, 'hex').reverse();
  return Buffer.concat([le(a), le(b), le(c), Buffer.from(d + e, 'hex')]);
}

interface AceSpec {
  type: number;
  flags?: number;
  mask: number;
  objectType?: string;
  inheritedObjectType?: string;
  sid: string;
}

function aceBytes(spec: AceSpec): Buffer {
  const mask = Buffer.alloc(4);
  mask.writeUInt32LE(spec.mask >>> 0);
  const parts: Buffer[] = [mask];
  if (spec.type === ALLOWED_OBJECT || spec.type === DENIED_OBJECT) {
    const objectFlags = Buffer.alloc(4);
    objectFlags.writeUInt32LE((spec.objectType ? 1 : 0) | (spec.inheritedObjectType ? 2 : 0));
    parts.push(objectFlags);
    if (spec.objectType) parts.push(guidBytes(spec.objectType));
    if (spec.inheritedObjectType) parts.push(guidBytes(spec.inheritedObjectType));
  }
  parts.push(sidBytes(spec.sid));
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(4);
  header[0] = spec.type;
  header[1] = spec.flags ?? 0;
  header.writeUInt16LE(4 + body.length, 2);
  return Buffer.concat([header, body]);
}

/** Self-relative SECURITY_DESCRIPTOR with no owner, group or SACL, and the DACL right after the header. */
function securityDescriptor(aces: Buffer[]): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 1; // revision
  header.writeUInt16LE(0x8004, 2); // SE_SELF_RELATIVE | SE_DACL_PRESENT
  header.writeUInt32LE(20, 16); // DACL offset; owner, group, SACL offsets stay 0
  const body = Buffer.concat(aces);
  const acl = Buffer.alloc(8);
  acl[0] = 4; // ACL_REVISION_DS
  acl.writeUInt16LE(8 + body.length, 2);
  acl.writeUInt16LE(aces.length, 4);
  return Buffer.concat([header, acl, body]);
}

const dacl = (...specs: AceSpec[]): Ace[] => parseDacl(securityDescriptor(specs.map(aceBytes)));
const svcSids = new Set([SVC, DOMAIN_USERS, 'S-1-5-11']);
const allowReset = (extra: Partial<AceSpec> = {}): AceSpec => ({
  type: ALLOWED_OBJECT,
  mask: CONTROL_ACCESS,
  objectType: RESET_PASSWORD,
  sid: SVC,
  ...extra,
});

describe('test helpers (checked against known bytes)', () => {
  it('when encoding the Reset Password GUID, the bytes are 70952900 6d24 d011 a768 00aa006e0529', () => {
    assert.equal(guidBytes(RESET_PASSWORD).toString('hex'), '709529006d24d011a76800aa006e0529');
  });

  it('when encoding S-1-5-32-544, the bytes match the well-known binary form', () => {
    assert.equal(sidBytes('S-1-5-32-544').toString('base64'), 'AQIAAAAAAAUgAAAAIAIAAA==');
  });
});

describe('parseDacl', () => {
  it('when the DACL holds one object ACE with both GUIDs (object flags 3), every field is read', () => {
    const aces = dacl(allowReset({ flags: INHERITED, inheritedObjectType: USER_CLASS }));
    assert.deepEqual(aces, [
      {
        isAllow: true,
        isInheritOnly: false,
        isInherited: true,
        mask: CONTROL_ACCESS,
        objectType: RESET_PASSWORD,
        inheritedObjectType: USER_CLASS,
        sid: SVC,
      },
    ]);
  });

  it('when the object ACE has only an inherited object type (flags 2), objectType is null and the SID still reads', () => {
    const [ace] = dacl({ type: ALLOWED_OBJECT, mask: WRITE_PROP, inheritedObjectType: USER_CLASS, sid: SVC });
    assert.equal(ace?.objectType, null);
    assert.equal(ace?.inheritedObjectType, USER_CLASS);
    assert.equal(ace?.sid, SVC);
  });

  it('when the ACEs are plain allow/deny and inherit-only, type, mask and flags come through in order', () => {
    const aces = dacl(
      { type: DENIED, mask: CONTROL_ACCESS, sid: OTHER },
      { type: ALLOWED, flags: CONTAINER_INHERIT | INHERIT_ONLY, mask: 0xf01ff, sid: 'S-1-5-32-544' },
    );
    assert.deepEqual(
      aces.map((a) => [a.isAllow, a.isInheritOnly, a.mask, a.objectType, a.sid]),
      [
        [false, false, CONTROL_ACCESS, null, OTHER],
        [true, true, 0xf01ff, null, 'S-1-5-32-544'],
      ],
    );
  });

  it('when an ACE type is not allow/deny (system audit 0x02), it is skipped and the next ACE is still read', () => {
    const audit = aceBytes({ type: ALLOWED, mask: CONTROL_ACCESS, sid: OTHER });
    audit[0] = 0x02;
    const aces = parseDacl(securityDescriptor([audit, aceBytes(allowReset())]));
    assert.deepEqual(
      aces.map((a) => a.sid),
      [SVC],
    );
  });

  it('when the DACL offset is 0 (no DACL), it returns no ACE', () => {
    const sd = securityDescriptor([aceBytes(allowReset())]);
    sd.writeUInt32LE(0, 16);
    assert.deepEqual(parseDacl(sd), []);
  });

  it('when the buffer is shorter than a descriptor header, it returns no ACE', () => {
    assert.deepEqual(parseDacl(Buffer.alloc(12)), []);
  });
});

describe('grantsControlAccess', () => {
  const rows: ReadonlyArray<[string, AceSpec[], boolean]> = [
    ['Reset Password is granted to the service SID', [allowReset()], true],
    [
      'Reset Password is granted to a group in the token (Domain Users)',
      [allowReset({ sid: DOMAIN_USERS })],
      true,
    ],
    [
      'the grant is inherited onto the user (ID flag, user class as inherited object type)',
      [allowReset({ flags: INHERITED, inheritedObjectType: USER_CLASS })],
      true,
    ],
    ['only Change Password is granted', [allowReset({ objectType: CHANGE_PASSWORD })], false],
    ['Reset Password is granted to a SID not in the set', [allowReset({ sid: OTHER })], false],
    [
      'the grant is inherit-only (applies to children, not this object)',
      [allowReset({ flags: CONTAINER_INHERIT | INHERIT_ONLY })],
      false,
    ],
    ['the ACE with the right GUID grants WRITE_PROP only', [allowReset({ mask: WRITE_PROP })], false],
    [
      'an explicit deny of Reset Password comes after the allow',
      [allowReset(), allowReset({ type: DENIED_OBJECT })],
      false,
    ],
    [
      'an explicit deny of Reset Password to a group in the token comes first',
      [allowReset({ type: DENIED_OBJECT, sid: DOMAIN_USERS }), allowReset()],
      false,
    ],
    [
      'a deny of Reset Password targets another SID',
      [allowReset({ type: DENIED_OBJECT, sid: OTHER }), allowReset()],
      true,
    ],
    [
      'a deny of Change Password only sits beside the Reset Password grant',
      [allowReset({ type: DENIED_OBJECT, objectType: CHANGE_PASSWORD }), allowReset()],
      true,
    ],
    [
      'an inherit-only deny sits beside the grant',
      [allowReset({ type: DENIED_OBJECT, flags: CONTAINER_INHERIT | INHERIT_ONLY }), allowReset()],
      true,
    ],
    [
      'a plain (non-object) deny of CONTROL_ACCESS denies every extended right',
      [{ type: DENIED, mask: CONTROL_ACCESS, sid: SVC }, allowReset()],
      false,
    ],
    [
      'an object ACE without object type grants CONTROL_ACCESS (all extended rights)',
      [{ type: ALLOWED_OBJECT, mask: CONTROL_ACCESS, inheritedObjectType: USER_CLASS, sid: SVC }],
      true,
    ],
    ['a plain allow ACE grants CONTROL_ACCESS', [{ type: ALLOWED, mask: CONTROL_ACCESS, sid: SVC }], true],
    ['a plain allow ACE grants GENERIC_ALL', [{ type: ALLOWED, mask: GENERIC_ALL, sid: SVC }], true],
    [
      'a plain allow ACE grants full control as stored (0xf01ff, includes CONTROL_ACCESS)',
      [{ type: ALLOWED, mask: 0xf01ff, sid: SVC }],
      true,
    ],
    [
      'a plain allow ACE grants read/write property but not CONTROL_ACCESS',
      [{ type: ALLOWED, mask: 0x30, sid: SVC }],
      false,
    ],
    ['the DACL is empty', [], false],
  ];
  for (const [scenario, specs, expected] of rows) {
    it(`when ${scenario}, Reset Password is ${expected ? 'granted' : 'not granted'}`, () => {
      assert.equal(grantsControlAccess(dacl(...specs), svcSids, RESET_PASSWORD), expected);
    });
  }

  it('when an explicit allow meets an inherited deny (canonical order), the explicit allow wins as in Windows', {}, () => {
    const aces = dacl(allowReset(), allowReset({ type: DENIED_OBJECT, flags: INHERITED }));
    assert.equal(grantsControlAccess(aces, svcSids, RESET_PASSWORD), true);
  });
});
