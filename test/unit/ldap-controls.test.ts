import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BerReader, BerWriter, ControlParser } from 'ldapts';
import {
  decodePasswordPolicyResponse,
  OID,
  PasswordPolicyControl,
  PolicyHintsControl,
  passwordModifyValue,
  SdFlagsControl,
} from '../../src/directory/ldap-controls.ts';

interface Tlv {
  tag: number;
  value: Buffer;
}

/** Minimal independent BER reader: the TLVs found one after another in `buf` (definite lengths only). */
function tlvs(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < buf.length) {
    const tag = buf[i] as number;
    let len = buf[i + 1] as number;
    let start = i + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = buf.readUIntBE(start, n);
      start += n;
    }
    out.push({ tag, value: buf.subarray(start, start + len) });
    i = start + len;
  }
  return out;
}

/** The one TLV `buf` holds; fails when there is trailing data. */
function single(buf: Buffer): Tlv {
  const all = tlvs(buf);
  assert.equal(all.length, 1, `expected one TLV, got ${all.length}`);
  return all[0] as Tlv;
}

const hex = (s: string) => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('decodePasswordPolicyResponse', () => {
  const rows: ReadonlyArray<[string, string, object]> = [
    ['error passwordInHistory only', '30 03 81 01 08', { error: 8, errorName: 'passwordInHistory' }],
    ['error accountLocked only', '30 03 81 01 01', { error: 1, errorName: 'accountLocked' }],
    ['error passwordExpired (0)', '30 03 81 01 00', { error: 0, errorName: 'passwordExpired' }],
    ['error changeAfterReset', '30 03 81 01 02', { error: 2, errorName: 'changeAfterReset' }],
    ['warning timeBeforeExpiration 60', '30 05 a0 03 80 01 3c', { timeBeforeExpiration: 60 }],
    [
      'warning timeBeforeExpiration 300 (two bytes)',
      '30 06 a0 04 80 02 01 2c',
      { timeBeforeExpiration: 300 },
    ],
    ['warning graceAuthNsRemaining 2', '30 05 a0 03 81 01 02', { graceAuthNsRemaining: 2 }],
    [
      'a grace warning and an error',
      '30 08 a0 03 81 01 03 81 01 02',
      { graceAuthNsRemaining: 3, error: 2, errorName: 'changeAfterReset' },
    ],
    ['a long-form SEQUENCE length', '30 81 03 81 01 06', { error: 6, errorName: 'passwordTooShort' }],
    ['an error outside the enumeration', '30 03 81 01 0c', { error: 12, errorName: 'unknown(12)' }],
    ['an empty SEQUENCE (control present, nothing said)', '30 00', {}],
    ['an empty buffer', '', {}],
  ];
  for (const [scenario, bytes, expected] of rows) {
    it(`when the response holds ${scenario} (${bytes || 'no bytes'}), it decodes to ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(decodePasswordPolicyResponse(hex(bytes)), expected);
    });
  }
});

describe('PasswordPolicyControl', () => {
  it('when constructed, it is the non-critical ppolicy request with no response yet', () => {
    const control = new PasswordPolicyControl();
    assert.equal(control.type, '1.3.6.1.4.1.42.2.27.8.5.1');
    assert.equal(control.critical, false);
    assert.equal(control.response, null);
  });

  it('when ldapts parses a response control of the same OID, the request control gets the decoded response', () => {
    const request = new PasswordPolicyControl();
    const w = new BerWriter();
    w.startSequence();
    w.writeString(OID.ppolicy);
    w.writeBuffer(hex('30 03 81 01 08'), 0x04);
    w.endSequence();
    const parsed = ControlParser.parse(new BerReader(w.buffer), [request]);
    assert.equal(parsed, request);
    assert.deepEqual(request.response, { error: 8, errorName: 'passwordInHistory' });
  });

  it('when the request is written, it carries the OID, criticality FALSE and no value', () => {
    const w = new BerWriter();
    new PasswordPolicyControl().write(w);
    const [oid, critical, ...rest] = tlvs(single(w.buffer).value);
    assert.equal(oid?.value.toString(), OID.ppolicy);
    assert.deepEqual(critical, { tag: 0x01, value: hex('00') });
    assert.equal(rest.length, 0);
  });
});

describe('passwordModifyValue', () => {
  it('when given userIdentity and newPassword (admin reset), it is SEQUENCE { [0] dn, [2] new } with no [1]', () => {
    const dn = 'uid=alice,ou=people,dc=sspr,dc=test';
    const seq = single(passwordModifyValue({ userIdentity: dn, newPassword: 'New-Pass-1!' }));
    assert.equal(seq.tag, 0x30);
    assert.deepEqual(
      tlvs(seq.value).map((t) => [t.tag, t.value.toString('utf8')]),
      [
        [0x80, dn],
        [0x82, 'New-Pass-1!'],
      ],
    );
  });

  it('when given oldPassword and newPassword (self change), it is SEQUENCE { [1] old, [2] new } with no [0]', () => {
    const seq = single(passwordModifyValue({ oldPassword: 'Old-Pass-1!', newPassword: 'New-Pass-1!' }));
    assert.deepEqual(
      tlvs(seq.value).map((t) => [t.tag, t.value.toString('utf8')]),
      [
        [0x81, 'Old-Pass-1!'],
        [0x82, 'New-Pass-1!'],
      ],
    );
  });

  it('when given all three, they come in the order [0] [1] [2]', () => {
    const seq = single(passwordModifyValue({ userIdentity: 'u', oldPassword: 'o', newPassword: 'n' }));
    assert.deepEqual(
      tlvs(seq.value).map((t) => t.tag),
      [0x80, 0x81, 0x82],
    );
  });

  it('when the old password is an empty string, it is still sent as [1] with length 0', () => {
    const seq = single(passwordModifyValue({ oldPassword: '', newPassword: 'n' }));
    assert.deepEqual(tlvs(seq.value)[0], { tag: 0x81, value: Buffer.alloc(0) });
  });

  it('when the password has non-ASCII characters, it is encoded as UTF-8 with the byte length', () => {
    const password = 'Pässwörd-€1';
    const seq = single(passwordModifyValue({ newPassword: password }));
    const [only] = tlvs(seq.value);
    assert.equal(only?.tag, 0x82);
    assert.equal(only?.value.length, 15);
    assert.ok(only?.value.equals(Buffer.from(password, 'utf8')));
  });

  it('when the password is 200 bytes, the length uses the long form and the value survives intact', () => {
    const password = 'x'.repeat(200);
    const seq = single(passwordModifyValue({ newPassword: password }));
    assert.equal(tlvs(seq.value)[0]?.value.toString(), password);
  });
});

describe('PolicyHintsControl', () => {
  it('when constructed, it has OID 1.2.840.113556.1.4.2239 and is non-critical', () => {
    const control = new PolicyHintsControl();
    assert.equal(control.type, '1.2.840.113556.1.4.2239');
    assert.equal(control.critical, false);
  });

  it('when written, it is SEQUENCE { OID, FALSE, OCTET STRING { SEQUENCE { INTEGER 1 } } }', () => {
    const w = new BerWriter();
    new PolicyHintsControl().write(w);
    const control = single(w.buffer);
    assert.equal(control.tag, 0x30);
    const [oid, critical, value] = tlvs(control.value);
    assert.deepEqual(oid, { tag: 0x04, value: Buffer.from('1.2.840.113556.1.4.2239') });
    assert.deepEqual(critical, { tag: 0x01, value: hex('00') });
    assert.equal(value?.tag, 0x04);
    assert.deepEqual(value?.value, hex('30 03 02 01 01'));
  });
});

describe('SdFlagsControl', () => {
  it('when written, it asks for the DACL only: value SEQUENCE { INTEGER 4 }, non-critical', () => {
    const w = new BerWriter();
    new SdFlagsControl().write(w);
    const [oid, critical, value] = tlvs(single(w.buffer).value);
    assert.equal(oid?.value.toString(), '1.2.840.113556.1.4.801');
    assert.deepEqual(critical?.value, hex('00'));
    assert.deepEqual(value?.value, hex('30 03 02 01 04'));
  });
});
