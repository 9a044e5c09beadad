import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfidentialityRequiredError,
  ConstraintViolationError,
  InsufficientAccessError,
  InvalidCredentialsError,
  StrongAuthRequiredError,
  UnavailableCriticalExtensionError,
  UnwillingToPerformError,
} from 'ldapts';
import { decodeLdapFailure, ldapResultCode, toDirectoryError } from '../../src/directory/ldap-errors.ts';
import { AppError, type ErrorCode } from '../../src/errors.ts';

/** ldapts appends " Code: 0x<hex>" to the server's diagnostic message. */
const suffixed = (text: string, code: number) => `${text} Code: 0x${code.toString(16)}`;
const AD_BIND = (data: string) =>
  `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data ${data}, v1db1`;
const SAMBA_052D = '0000052D: Constraint violation - check_password_restrictions:';

describe('decodeLdapFailure: Samba AD table of exact failures', () => {
  const rows: ReadonlyArray<[string, number, string, ErrorCode]> = [
    ['simple bind without TLS', 8, 'BindSimple: Transport encryption required.', 'directory.tls_required'],
    ['wrong password', 49, AD_BIND('52e'), 'directory.invalid_credentials'],
    ['locked out', 49, AD_BIND('775'), 'directory.account_locked'],
    ['pwdLastSet=0', 49, AD_BIND('773'), 'directory.must_change_password'],
    ['account disabled', 49, AD_BIND('533'), 'directory.account_disabled'],
    [
      'complexity violation',
      19,
      `${SAMBA_052D} the password does not meet the complexity criteria!`,
      'directory.password_not_complex',
    ],
    [
      'too short',
      19,
      `${SAMBA_052D} the password is too short. It should be equal or longer than 8 characters!`,
      'directory.password_too_short',
    ],
    [
      'in history',
      19,
      `${SAMBA_052D} the password was already used (in history)!`,
      'directory.password_in_history',
    ],
    [
      'wrong old password',
      19,
      "00000056: Constraint violation - check_password_restrictions: The old password specified doesn't match!",
      'directory.invalid_credentials',
    ],
    ['policy hints sent critical', 12, '', 'directory.unsupported_control'],
    [
      'reset without the right',
      50,
      'error in module acl: insufficient access rights during LDB_MODIFY (50)',
      'directory.insufficient_rights',
    ],
    [
      'attribute write without the right',
      50,
      '00002098: Object CN=itadmin,OU=Staff,DC=sspr,DC=test has no write property access\n',
      'directory.insufficient_rights',
    ],
  ];
  for (const [scenario, resultCode, text, expected] of rows) {
    it(`when AD answers ${resultCode} for "${scenario}" (ldapts suffix included), it decodes to ${expected}`, () => {
      assert.equal(decodeLdapFailure({ resultCode, message: suffixed(text, resultCode) }), expected);
    });
    it(`when AD answers ${resultCode} for "${scenario}" (bare server text), it decodes to ${expected}`, () => {
      assert.equal(decodeLdapFailure({ resultCode, message: text }), expected);
    });
  }
});

describe('decodeLdapFailure: OpenLDAP table of exact failures', () => {
  const rows: ReadonlyArray<[string, number, string, number | undefined, ErrorCode]> = [
    ['simple bind without TLS', 13, 'confidentiality required', undefined, 'directory.tls_required'],
    ['wrong password (control, no error)', 49, '', undefined, 'directory.invalid_credentials'],
    ['locked out', 49, '', 1, 'directory.account_locked'],
    [
      'operation after a pwdReset bind',
      50,
      'Operations are restricted to bind/unbind/abandon/StartTLS/modify password',
      undefined,
      'directory.insufficient_rights',
    ],
    ['in history', 19, 'Password is in history of old passwords', 8, 'directory.password_in_history'],
    ['too short', 19, 'Password fails quality checking policy', 6, 'directory.password_too_short'],
    ['pre-hashed', 19, 'Password fails quality checking policy', 5, 'directory.password_not_complex'],
    [
      'wrong old password',
      53,
      'unwilling to verify old password',
      undefined,
      'directory.invalid_credentials',
    ],
    ['write outside the managed subtree', 50, '', undefined, 'directory.insufficient_rights'],
  ];
  for (const [scenario, resultCode, text, ppolicyError, expected] of rows) {
    it(`when OpenLDAP answers ${resultCode}/ppolicy ${ppolicyError ?? '-'} for "${scenario}", it decodes to ${expected}`, () => {
      assert.equal(
        decodeLdapFailure({ resultCode, message: suffixed(text, resultCode), ppolicyError }),
        expected,
      );
    });
  }

  it('when a pwdReset bind reports changeAfterReset (as open-ldap.ts raises it, 49 + 2), it is must_change_password', () => {
    assert.equal(toDirectoryError({ code: 49 }, 2).code, 'directory.must_change_password');
  });

  it('when 53 carries some other text than "old password", it is a generic directory.error', () => {
    assert.equal(decodeLdapFailure({ resultCode: 53, message: 'unwilling to perform' }), 'directory.error');
  });
});

describe('decodeLdapFailure: AD bind data sub-codes', () => {
  const rows: ReadonlyArray<[string, ErrorCode]> = [
    ['52e', 'directory.invalid_credentials'],
    ['775', 'directory.account_locked'],
    ['773', 'directory.must_change_password'],
    ['533', 'directory.account_disabled'],
    ['532', 'directory.password_expired'],
    ['701', 'directory.account_expired'],
    ['530', 'directory.account_restricted'],
    ['531', 'directory.account_restricted'],
    ['525', 'directory.invalid_credentials'],
  ];
  for (const [data, expected] of rows) {
    it(`when the bind data is ${data}, it decodes to ${expected}`, () => {
      assert.equal(decodeLdapFailure({ resultCode: 49, message: AD_BIND(data) }), expected);
    });
  }

  it('when the bind data is in upper case (52E), it still decodes as 52e', () => {
    assert.equal(
      decodeLdapFailure({ resultCode: 49, message: AD_BIND('52E') }),
      'directory.invalid_credentials',
    );
  });

  it('when the bind data is an unknown value, it falls back to directory.invalid_credentials', () => {
    assert.equal(
      decodeLdapFailure({ resultCode: 49, message: AD_BIND('999') }),
      'directory.invalid_credentials',
    );
  });
});

describe('decodeLdapFailure: Win32 codes of AD diagnostics', () => {
  it('when 0000052D comes Windows-style with no rule named, it decodes to directory.password_rejected', () => {
    const windows =
      '0000052D: AtrErr: DSID-03191083, #1:\n\t0: 0000052D: DSID-03191083, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 9005a (unicodePwd)\n';
    assert.equal(
      decodeLdapFailure({ resultCode: 19, message: suffixed(windows, 19) }),
      'directory.password_rejected',
    );
  });

  it('when 0000052D says "too long", it decodes to directory.password_too_long', () => {
    const message = `${SAMBA_052D} the password is too long!`;
    assert.equal(decodeLdapFailure({ resultCode: 19, message }), 'directory.password_too_long');
  });

  it('when 0000052D says the password is too young, it decodes to directory.password_too_young', () => {
    const message = `${SAMBA_052D} password is too young to change!`;
    assert.equal(decodeLdapFailure({ resultCode: 19, message }), 'directory.password_too_young');
  });

  it('when the Win32 code is written in lower case (0000052d), it is still recognised', () => {
    const message = '0000052d: Constraint violation - the password was already used (in history)!';
    assert.equal(decodeLdapFailure({ resultCode: 19, message }), 'directory.password_in_history');
  });

  it('when Windows says 00000005 INSUFF_ACCESS_RIGHTS with 50, it decodes to insufficient_rights', () => {
    const message = '00000005: SecErr: DSID-03152857, problem 4003 (INSUFF_ACCESS_RIGHTS), data 0\n';
    assert.equal(decodeLdapFailure({ resultCode: 50, message }), 'directory.insufficient_rights');
  });

  it('when the Win32 code is not at the start of the message, it is ignored and 19 gives password_rejected', () => {
    const message = 'see 0000052D: the password is too short';
    assert.equal(decodeLdapFailure({ resultCode: 19, message }), 'directory.password_rejected');
  });

  it('when 19 carries no text at all, it decodes to directory.password_rejected', () => {
    assert.equal(decodeLdapFailure({ resultCode: 19 }), 'directory.password_rejected');
  });
});

describe('decodeLdapFailure: ppolicy error numbers', () => {
  const expected: ErrorCode[] = [
    'directory.password_expired',
    'directory.account_locked',
    'directory.must_change_password',
    'directory.insufficient_rights',
    'directory.invalid_credentials',
    'directory.password_not_complex',
    'directory.password_too_short',
    'directory.password_too_young',
    'directory.password_in_history',
    'directory.password_too_long',
  ];
  for (const resultCode of [19, 49]) {
    expected.forEach((code, ppolicyError) => {
      it(`when result ${resultCode} comes with ppolicy error ${ppolicyError}, it decodes to ${code}`, () => {
        assert.equal(decodeLdapFailure({ resultCode, message: '', ppolicyError }), code);
      });
    });
  }

  it('when the ppolicy error is outside the enumeration (10), the result code decides', () => {
    assert.equal(decodeLdapFailure({ resultCode: 19, ppolicyError: 10 }), 'directory.password_rejected');
  });

  it('when the ppolicy error contradicts the AD bind data, the ppolicy control wins', () => {
    assert.equal(
      decodeLdapFailure({ resultCode: 49, message: AD_BIND('52e'), ppolicyError: 1 }),
      'directory.account_locked',
    );
  });
});

describe('decodeLdapFailure: result codes alone', () => {
  const rows: ReadonlyArray<[number, ErrorCode]> = [
    [3, 'directory.unavailable'],
    [32, 'directory.user_not_found'],
    [51, 'directory.unavailable'],
    [52, 'directory.unavailable'],
    [80, 'directory.error'],
  ];
  for (const [resultCode, expected] of rows) {
    it(`when the result code is ${resultCode} with no text, it decodes to ${expected}`, () => {
      assert.equal(decodeLdapFailure({ resultCode }), expected);
    });
  }

  it('when there is no result code (connection-level failure), it decodes to directory.unavailable', () => {
    assert.equal(decodeLdapFailure({ message: AD_BIND('775'), ppolicyError: 1 }), 'directory.unavailable');
  });
});

describe('toDirectoryError', () => {
  it('when given a plain Error("Connection closed ..."), it is directory.unavailable with detail connection', () => {
    const error = toDirectoryError(new Error('Connection closed before message response was received.'));
    assert.equal(error.code, 'directory.unavailable');
    assert.equal(error.message, 'directory.unavailable: connection');
  });

  it('when given a Node socket error (string code ECONNREFUSED), it is directory.unavailable', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:636'), { code: 'ECONNREFUSED' });
    assert.equal(toDirectoryError(socket).code, 'directory.unavailable');
  });

  it('when given a plain object with a numeric code, it decodes that code', () => {
    assert.equal(toDirectoryError({ code: 50 }).code, 'directory.insufficient_rights');
    assert.equal(toDirectoryError({ code: 32 }).code, 'directory.user_not_found');
  });

  it('when given an ldapts InvalidCredentialsError with AD data 775, it is account_locked with detail ldap 49', () => {
    const error = toDirectoryError(new InvalidCredentialsError(AD_BIND('775')));
    assert.equal(error.code, 'directory.account_locked');
    assert.equal(error.message, 'directory.account_locked: ldap 49');
  });

  it('when given an AppError, it returns the very same object', () => {
    const original = new AppError('directory.not_in_scope');
    assert.equal(toDirectoryError(original), original);
  });

  it('when the failure is decoded, the raw error is kept as cause for operators', () => {
    const raw = new InsufficientAccessError('');
    assert.equal(toDirectoryError(raw).cause, raw);
  });

  const serverTexts: ReadonlyArray<[string, Error, ErrorCode]> = [
    ['Samba 52e bind', new InvalidCredentialsError(AD_BIND('52e')), 'directory.invalid_credentials'],
    [
      'Samba complexity',
      new ConstraintViolationError(`${SAMBA_052D} the password does not meet the complexity criteria!`),
      'directory.password_not_complex',
    ],
    [
      'Samba 00002098',
      new InsufficientAccessError(
        '00002098: Object CN=itadmin,OU=Staff,DC=sspr,DC=test has no write property',
      ),
      'directory.insufficient_rights',
    ],
    [
      'BindSimple',
      new StrongAuthRequiredError('BindSimple: Transport encryption required.'),
      'directory.tls_required',
    ],
    [
      'OpenLDAP confidentiality',
      new ConfidentialityRequiredError('confidentiality required'),
      'directory.tls_required',
    ],
    [
      'OpenLDAP old password',
      new UnwillingToPerformError('unwilling to verify old password'),
      'directory.invalid_credentials',
    ],
    ['critical control', new UnavailableCriticalExtensionError(''), 'directory.unsupported_control'],
  ];
  for (const [scenario, raw, code] of serverTexts) {
    it(`when the server text is "${scenario}", the exposed AppError (${code}) carries only code and result code`, () => {
      const error = toDirectoryError(raw);
      assert.equal(error.code, code);
      assert.equal(error.expose, true);
      assert.equal(error.message, `${code}: ldap ${ldapResultCode(raw)}`);
      const serverText = raw.message.replace(/ Code: 0x[0-9a-f]+$/, '');
      if (serverText) assert.ok(!error.message.includes(serverText));
    });
  }

  it('when the decoded code is directory.error, the AppError is not exposed to users', () => {
    assert.equal(toDirectoryError({ code: 80 }).expose, false);
  });
});

describe('ldapResultCode', () => {
  it('when the error has a numeric code, it returns it; a string code or a non-object gives undefined', () => {
    assert.equal(ldapResultCode(new ConstraintViolationError('x')), 19);
    assert.equal(ldapResultCode({ code: 'ETIMEDOUT' }), undefined);
    assert.equal(ldapResultCode('49'), undefined);
    assert.equal(ldapResultCode(null), undefined);
  });
});
