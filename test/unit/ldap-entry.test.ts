import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entry } from 'ldapts';
import {
  allBuffers,
  allStrings,
  fileTimeToDate,
  firstInteger,
  firstString,
  generalizedTimeToDate,
  guidToString,
  sidToString,
} from '../../src/directory/ldap-entry.ts';

const entry = (attributes: Omit<Entry, 'dn'>): Entry => ({
  dn: 'CN=alice,OU=Staff,DC=sspr,DC=test',
  ...attributes,
});

describe('firstString / allStrings over the shapes ldapts returns', () => {
  const e = entry({
    mail: 'alice@sspr.test',
    proxyAddresses: ['smtp:a@sspr.test', 'SMTP:alice@sspr.test'],
    displayName: Buffer.from('Zoë', 'utf8'),
    description: [Buffer.from('first', 'utf8'), Buffer.from('second', 'utf8')],
    mobile: [],
  });

  it('when the value is a single string, firstString returns it and allStrings wraps it', () => {
    assert.equal(firstString(e, 'mail'), 'alice@sspr.test');
    assert.deepEqual(allStrings(e, 'mail'), ['alice@sspr.test']);
  });

  it('when the value is an array of strings, firstString returns the first and allStrings all of them', () => {
    assert.equal(firstString(e, 'proxyAddresses'), 'smtp:a@sspr.test');
    assert.deepEqual(allStrings(e, 'proxyAddresses'), ['smtp:a@sspr.test', 'SMTP:alice@sspr.test']);
  });

  it('when the value is a Buffer, it is read as UTF-8', () => {
    assert.equal(firstString(e, 'displayName'), 'Zoë');
    assert.deepEqual(allStrings(e, 'description'), ['first', 'second']);
  });

  it('when the attribute was requested but is absent ([]), firstString is null and allStrings is empty', () => {
    assert.equal(firstString(e, 'mobile'), null);
    assert.deepEqual(allStrings(e, 'mobile'), []);
  });

  it('when the attribute was not returned at all, firstString is null and allStrings is empty', () => {
    assert.equal(firstString(e, 'givenName'), null);
    assert.deepEqual(allStrings(e, 'givenName'), []);
  });
});

describe('allBuffers', () => {
  it('when the value is one Buffer, it is returned in a one-element list, untouched', () => {
    const sid = Buffer.from([1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 32, 2, 0, 0]);
    const [got] = allBuffers(entry({ objectSid: sid }), 'objectSid');
    assert.ok(got?.equals(sid));
  });

  it('when the value is several Buffers, all are returned in order', () => {
    const a = Buffer.from([0xff, 0x00]);
    const b = Buffer.from([0x80]);
    const got = allBuffers(entry({ tokenGroups: [a, b] }), 'tokenGroups');
    assert.deepEqual(
      got.map((x) => x.toString('hex')),
      ['ff00', '80'],
    );
  });

  it('when the value is an ASCII string, it is turned into its bytes', () => {
    assert.deepEqual(allBuffers(entry({ x: 'AB' }), 'x')[0]?.toString('hex'), '4142');
  });

  it('when the attribute is absent ([] or missing), the list is empty', () => {
    assert.deepEqual(allBuffers(entry({ objectGUID: [] }), 'objectGUID'), []);
    assert.deepEqual(allBuffers(entry({}), 'objectGUID'), []);
  });

  it('when ldapts decoded binary bytes as a string because they were valid UTF-8 (c3 a9), the original bytes come back', {}, () => {
    const original = Buffer.from([0x01, 0xc3, 0xa9, 0x02]);
    const asLdaptsReturnsIt = original.toString('utf8');
    assert.equal(
      allBuffers(entry({ objectGUID: asLdaptsReturnsIt }), 'objectGUID')[0]?.toString('hex'),
      '01c3a902',
    );
  });
});

describe('firstInteger', () => {
  const rows: ReadonlyArray<[string, string | string[] | Buffer, number | null]> = [
    ['a decimal string', '512', 512],
    ['a negative number', '-1', -1],
    ['an array of numbers', ['66048', '1'], 66048],
    ['a Buffer holding digits', Buffer.from('16'), 16],
    ['a number with trailing text', '12abc', null],
    ['a hexadecimal value', '0x10', null],
    ['an empty string', '', null],
    ['an absent value', [], null],
  ];
  for (const [scenario, value, expected] of rows) {
    it(`when the value is ${scenario}, it returns ${expected}`, () => {
      assert.equal(firstInteger(entry({ v: value }), 'v'), expected);
    });
  }
});

describe('fileTimeToDate', () => {
  it('when the FILETIME is 133000000000000000 (100 ns ticks since 1601), it is 2022-06-18T04:26:40Z', () => {
    // 13 300 000 000 s since 1601 - 11 644 473 600 s from 1601 to 1970 = 1 655 526 400 s since 1970.
    assert.equal(fileTimeToDate('133000000000000000')?.toISOString(), '2022-06-18T04:26:40.000Z');
  });

  it('when the FILETIME is exactly the Unix epoch (116444736000000000), it is 1970-01-01', () => {
    assert.equal(fileTimeToDate('116444736000000000')?.getTime(), 0);
  });

  it('when the FILETIME has sub-millisecond ticks, they are dropped, not rounded up', () => {
    assert.equal(fileTimeToDate('116444736000019999')?.getTime(), 1);
  });

  const nulls: ReadonlyArray<[string, string | null]> = [
    ['0 (never set / must change)', '0'],
    ['max int64 (never expires)', '9223372036854775807'],
    ['negative', '-1'],
    ['not a number', 'never'],
    ['empty', ''],
    ['null', null],
  ];
  for (const [scenario, value] of nulls) {
    it(`when the value is ${scenario}, it returns null`, () => {
      assert.equal(fileTimeToDate(value), null);
    });
  }
});

describe('generalizedTimeToDate', () => {
  const rows: ReadonlyArray<[string, string, string]> = [
    ['whole seconds', '20240102030405Z', '2024-01-02T03:04:05.000Z'],
    ['a fraction with a dot', '20240102030405.123Z', '2024-01-02T03:04:05.123Z'],
    ['a fraction with a comma', '20240102030405,5Z', '2024-01-02T03:04:05.500Z'],
    ['a microsecond fraction (rounded to ms)', '20240102030405.123456Z', '2024-01-02T03:04:05.123Z'],
  ];
  for (const [scenario, value, iso] of rows) {
    it(`when the value has ${scenario} (${value}), it is ${iso}`, () => {
      assert.equal(generalizedTimeToDate(value)?.toISOString(), iso);
    });
  }

  const nulls: ReadonlyArray<[string, string | null]> = [
    ['the permanent-lock value 000001010000Z (no seconds; open-ldap.ts matches it as text)', '000001010000Z'],
    ['garbage', 'yesterday'],
    ['no trailing Z', '20240102030405'],
    ['a time-zone offset instead of Z', '20240102030405+0100'],
    ['null', null],
  ];
  for (const [scenario, value] of nulls) {
    it(`when the value is ${scenario}, it returns null`, () => {
      assert.equal(generalizedTimeToDate(value), null);
    });
  }

  it('when the year is 0000 with seconds (00000101000000Z), it is year 0, not 1900', {}, () => {
    assert.equal(generalizedTimeToDate('00000101000000Z')?.getUTCFullYear(), 0);
  });
});

describe('sidToString', () => {
  it('when given the binary SID of a domain user, it prints S-1-5-21-1747484051-1543599604-3890473591-1108', () => {
    const sid = Buffer.from('AQUAAAAAAAUVAAAAk30oaPR1AVx36uPnVAQAAA==', 'base64');
    assert.equal(sidToString(sid), 'S-1-5-21-1747484051-1543599604-3890473591-1108');
  });

  it('when given BUILTIN\\Administrators, it prints S-1-5-32-544', () => {
    assert.equal(sidToString(Buffer.from('AQIAAAAAAAUgAAAAIAIAAA==', 'base64')), 'S-1-5-32-544');
  });

  it('when the SID is Everyone (S-1-1-0) or has no sub-authority (S-1-16), it prints both right', () => {
    assert.equal(sidToString(Buffer.from([1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])), 'S-1-1-0');
    assert.equal(sidToString(Buffer.from([1, 0, 0, 0, 0, 0, 0, 16])), 'S-1-16');
  });
});

describe('guidToString', () => {
  it('when given objectGUID bytes 6804f92a 2a16 704c b65b e7bb8e7dc582, it prints them mixed-endian', () => {
    const guid = Buffer.from('aAT5KioWcEy2W+e7jn3Fgg==', 'base64');
    assert.equal(guid.toString('hex'), '6804f92a2a16704cb65be7bb8e7dc582');
    assert.equal(guidToString(guid), '2af90468-162a-4c70-b65b-e7bb8e7dc582');
  });

  it('when given the user class schemaIDGUID bytes, it prints bf967aba-0de6-11d0-a285-00aa003049e2', () => {
    const bytes = Buffer.from('ba7a96bfe60dd011a28500aa003049e2', 'hex');
    assert.equal(guidToString(bytes), 'bf967aba-0de6-11d0-a285-00aa003049e2');
  });
});
