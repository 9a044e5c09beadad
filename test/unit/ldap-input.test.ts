import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_LOGIN_LENGTH } from '../../src/directory/directory.ts';
import { isDnWithin, isSameDn, normaliseDn, normaliseLogin } from '../../src/directory/ldap-input.ts';

describe('normaliseLogin', () => {
  const accepted: ReadonlyArray<[string, string, string]> = [
    ['full-width letters', 'ａｌｉｃｅ', 'alice'],
    ['full-width capitals (case is kept)', 'Ａｌｉｃｅ', 'Alice'],
    ['a compatibility ligature', 'ﬁona', 'fiona'],
    ['surrounding spaces', '  alice  ', 'alice'],
    ['an ideographic space and a no-break space around it', '\u3000alice\u00a0', 'alice'],
    ['a UPN', 'alice@sspr.test', 'alice@sspr.test'],
    ['a down-level name', 'SSPR\\alice', 'SSPR\\alice'],
  ];
  for (const [scenario, input, expected] of accepted) {
    it(`when the input has ${scenario}, it normalises to ${JSON.stringify(expected)}`, () => {
      assert.equal(normaliseLogin(input), expected);
    });
  }

  const refused: ReadonlyArray<[string, string]> = [
    ['is empty', ''],
    ['is only spaces', '   \t  '],
    ['is one character too long', 'a'.repeat(MAX_LOGIN_LENGTH + 1)],
    ['holds a NUL', 'al\u0000ice'],
    ['starts with a NUL', '\u0000alice'],
    ['holds a tab inside', 'al\tice'],
    ['holds a newline inside', 'alice\nbob'],
    ['holds an escape character', 'alice\u001b[31m'],
    ['holds DEL', 'alice\u007f'],
    ['expands past the limit under NFKC', '\ufdfa'.repeat(15)],
  ];
  for (const [scenario, input] of refused) {
    it(`when the input ${scenario}, it returns null`, () => {
      assert.equal(normaliseLogin(input), null);
    });
  }

  it(`when the input is exactly ${MAX_LOGIN_LENGTH} characters, it is accepted`, () => {
    const input = 'a'.repeat(MAX_LOGIN_LENGTH);
    assert.equal(normaliseLogin(input), input);
  });

  it('when the input is a 100k-character string, it returns null within a few milliseconds', () => {
    const started = process.hrtime.bigint();
    assert.equal(normaliseLogin(`${'ａ'.repeat(100_000)}`), null);
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 50);
  });

  it('when the input is not a string at runtime, it returns null rather than throwing', () => {
    assert.equal(normaliseLogin(42 as unknown as string), null);
  });

  for (const [name, ch] of [
    ['NEL U+0085', '\u0085'],
    ['CSI U+009B', '\u009b'],
  ] as const) {
    it(`when the input holds the C1 control character ${name}, it returns null`, {}, () => {
      assert.equal(normaliseLogin(`al${ch}ice`), null);
    });
  }
});

describe('normaliseDn', () => {
  it('when a DN has mixed case and spaces after commas and around "=", it gives lower-cased trimmed RDNs', () => {
    assert.deepEqual(normaliseDn('CN = Alice , OU=Staff,  DC=SSPR,DC=test'), [
      'cn=alice',
      'ou=staff',
      'dc=sspr',
      'dc=test',
    ]);
  });

  it('when a value holds an escaped comma, it stays inside its RDN', () => {
    assert.deepEqual(normaliseDn('CN=Smith\\, John,OU=Staff,DC=sspr,DC=test'), [
      'cn=smith\\, john',
      'ou=staff',
      'dc=sspr',
      'dc=test',
    ]);
  });

  it('when a DN uses semicolons as separators (RFC 1779), they split RDNs too', () => {
    assert.deepEqual(normaliseDn('cn=a;ou=b'), ['cn=a', 'ou=b']);
  });

  it('when the DN is empty, it gives no RDN', () => {
    assert.deepEqual(normaliseDn(''), []);
  });
});

describe('isSameDn', () => {
  const same: ReadonlyArray<[string, string]> = [
    ['CN=alice,OU=Staff,DC=sspr,DC=test', 'cn=alice,ou=staff,dc=sspr,dc=test'],
    ['CN=alice,OU=Staff,DC=sspr,DC=test', 'CN=alice, OU=Staff, DC=sspr, DC=test'],
    ['CN=Smith\\, John,OU=Staff,DC=x', 'cn=smith\\, john, ou=staff, dc=x'],
  ];
  for (const [a, b] of same) {
    it(`when comparing "${a}" with "${b}", they are the same DN`, () => {
      assert.equal(isSameDn(a, b), true);
    });
  }

  const different: ReadonlyArray<[string, string]> = [
    ['CN=alice,OU=Staff,DC=sspr,DC=test', 'CN=bob,OU=Staff,DC=sspr,DC=test'],
    ['CN=alice,OU=Staff,DC=sspr,DC=test', 'OU=Staff,DC=sspr,DC=test'],
    ['CN=Smith\\, John,OU=Staff,DC=x', 'CN=Smith,CN=John,OU=Staff,DC=x'],
  ];
  for (const [a, b] of different) {
    it(`when comparing "${a}" with "${b}", they are different DNs`, () => {
      assert.equal(isSameDn(a, b), false);
    });
  }
});

describe('isDnWithin', () => {
  const base = 'OU=Staff,DC=sspr,DC=test';
  const within: ReadonlyArray<[string, string]> = [
    ['a direct child', 'CN=alice,OU=Staff,DC=sspr,DC=test'],
    ['a grandchild', 'CN=alice,OU=Sales,OU=Staff,DC=sspr,DC=test'],
    ['the base itself', 'OU=Staff,DC=sspr,DC=test'],
    ['a child in another case with spaces', 'cn=alice, ou=staff, dc=SSPR, dc=TEST'],
    ['a child whose CN holds an escaped comma', 'CN=Smith\\, John,OU=Staff,DC=sspr,DC=test'],
  ];
  for (const [scenario, dn] of within) {
    it(`when the DN is ${scenario}, it is within ${base}`, () => {
      assert.equal(isDnWithin(dn, base), true);
    });
  }

  const outside: ReadonlyArray<[string, string, string]> = [
    ['an RDN that merely ends with the same text', 'CN=x,OU=NotStaff,DC=x', 'OU=Staff,DC=x'],
    ['the base spelled without a separator', 'OU=NotStaff,DC=x', 'OU=Staff,DC=x'],
    ['a sibling OU', 'CN=outsider,CN=Users,DC=sspr,DC=test', base],
    ['the parent of the base', 'DC=sspr,DC=test', base],
    ['an escaped comma faking the base', 'CN=evil\\,OU=Staff,DC=sspr,DC=test', base],
    ['an empty base', 'CN=alice,OU=Staff,DC=sspr,DC=test', ''],
  ];
  for (const [scenario, dn, b] of outside) {
    it(`when the DN is ${scenario} ("${dn}" vs "${b}"), it is NOT within`, () => {
      assert.equal(isDnWithin(dn, b), false);
    });
  }
});
