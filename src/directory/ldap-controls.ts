import { type BerReader, BerWriter, Control } from 'ldapts';
import { PPOLICY_ERRORS } from './ldap-errors.ts';

export const OID = {
  /** LDAP_SERVER_POLICY_HINTS_OID: enforce history/age on an administrative reset (Windows 2012+). */
  policyHints: '1.2.840.113556.1.4.2239',
  /** draft-behera password policy request/response control (OpenLDAP ppolicy). */
  ppolicy: '1.3.6.1.4.1.42.2.27.8.5.1',
  /** RFC 3062 Password Modify extended operation. */
  passwordModify: '1.3.6.1.4.1.4203.1.11.1',
} as const;

/**
 * LDAP_SERVER_POLICY_HINTS with Flags = 1. Always sent non-critical: Windows honours it,
 * Samba ignores it non-critical and fails the whole modify with 12 when it is critical.
 */
export class PolicyHintsControl extends Control {
  constructor() {
    super(OID.policyHints, { critical: false });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(1);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}

export interface PasswordPolicyResponse {
  timeBeforeExpiration?: number;
  graceAuthNsRemaining?: number;
  /** Index into PPOLICY_ERRORS. */
  error?: number;
  errorName?: string;
}

/**
 * The ppolicy request control carries no value. ldapts hands a response control's value to the
 * request control of the same OID, on success and on error alike, so after the operation
 * `response` holds what the server said (or stays null when it said nothing).
 */
export class PasswordPolicyControl extends Control {
  response: PasswordPolicyResponse | null = null;

  constructor() {
    super(OID.ppolicy, { critical: false });
  }

  protected override parseControl(reader: BerReader): void {
    this.response = decodePasswordPolicyResponse(reader.buffer);
  }
}

/**
 * PasswordPolicyResponseValue ::= SEQUENCE {
 *   warning [0] CHOICE { timeBeforeExpiration [0] INTEGER, graceAuthNsRemaining [1] INTEGER } OPTIONAL,
 *   error   [1] ENUMERATED OPTIONAL }
 */
export function decodePasswordPolicyResponse(buf: Buffer): PasswordPolicyResponse {
  const out: PasswordPolicyResponse = {};
  if (!buf || buf.length < 2) return out;
  const seq = readTlv(buf, 0);
  let i = seq.start;
  while (i < seq.end && i < buf.length) {
    const t = readTlv(buf, i);
    if (t.tag === 0xa0) {
      const w = readTlv(buf, t.start);
      const v = readUnsigned(buf, w.start, w.end);
      if (w.tag === 0x80) out.timeBeforeExpiration = v;
      else if (w.tag === 0x81) out.graceAuthNsRemaining = v;
    } else if (t.tag === 0x81) {
      out.error = readUnsigned(buf, t.start, t.end);
      out.errorName = PPOLICY_ERRORS[out.error]?.name ?? `unknown(${out.error})`;
    }
    i = t.end;
  }
  return out;
}

function readTlv(b: Buffer, i: number): { tag: number; start: number; end: number } {
  const tag = b[i] ?? 0;
  let len = b[i + 1] ?? 0;
  let off = i + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let k = 0; k < n; k++) len = (len << 8) | (b[off + k] ?? 0);
    off += n;
  }
  return { tag, start: off, end: Math.min(off + len, b.length) };
}

function readUnsigned(b: Buffer, start: number, end: number): number {
  let v = 0;
  for (let k = start; k < end; k++) v = v * 256 + (b[k] ?? 0);
  return v;
}

/**
 * PasswdModifyRequestValue ::= SEQUENCE { userIdentity [0] OCTET STRING OPTIONAL,
 *   oldPasswd [1] OCTET STRING OPTIONAL, newPasswd [2] OCTET STRING OPTIONAL }   (RFC 3062)
 * ldapts has no helper for it.
 */
export function passwordModifyValue(value: {
  userIdentity?: string;
  oldPassword?: string;
  newPassword: string;
}): Buffer {
  const w = new BerWriter();
  w.startSequence();
  if (value.userIdentity) w.writeString(value.userIdentity, 0x80);
  if (value.oldPassword !== undefined) w.writeString(value.oldPassword, 0x81);
  w.writeString(value.newPassword, 0x82);
  w.endSequence();
  return w.buffer;
}

/** LDAP_SERVER_SD_FLAGS_OID with DACL_SECURITY_INFORMATION: lets a non-owner read the DACL part of nTSecurityDescriptor. */
export class SdFlagsControl extends Control {
  constructor() {
    super('1.2.840.113556.1.4.801', { critical: false });
  }

  protected override writeControl(writer: BerWriter): void {
    const value = new BerWriter();
    value.startSequence();
    value.writeInt(4);
    value.endSequence();
    writer.writeBuffer(value.buffer, 0x04);
  }
}
