import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'sspr-config-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const caFile = join(dir, 'ca.crt');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n');
const missingFile = join(dir, 'does-not-exist.crt');

const validEnv = (): Record<string, string | undefined> => ({
  DIRECTORY_KIND: 'ad',
  LDAP_URL: 'ldaps://127.0.0.1:636',
  LDAP_CA_FILE: caFile,
  LDAP_BIND_DN: 'CN=svc-sspr,OU=Service Accounts,DC=sspr,DC=test',
  LDAP_BIND_PASSWORD: 'Svc-Writeback-Pass1!',
  LDAP_BASE_DN: 'DC=sspr,DC=test',
  LDAP_MANAGED_OUS: 'OU=Staff,DC=sspr,DC=test',
  SECRET_KEY: 'unit-test-secret-key-0123456789-abcdefghij',
});

/** The ConfigError's problems, failing the test when loadConfig does not throw one. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected loadConfig to throw ConfigError');
}

function assertProblemFor(problems: string[], key: string): void {
  assert.ok(
    problems.some((p) => p.startsWith(`${key}:`)),
    `expected a problem for ${key} in ${JSON.stringify(problems)}`,
  );
}

describe('loadConfig with a valid environment', () => {
  it('when only the required keys are set, the defaults apply (port 3000, pool 4, history 24, sqlite)', () => {
    const config = loadConfig(validEnv());
    assert.equal(config.http.port, 3000);
    assert.equal(config.http.host, '127.0.0.1');
    assert.equal(config.env, 'production');
    assert.equal(config.directory.poolSize, 4);
    assert.equal(config.directory.startTls, false);
    assert.equal(config.passwordHistory.count, 24);
    assert.equal(config.passwordHistory.scryptCost, 2048);
    assert.deepEqual(config.database, { kind: 'sqlite', file: 'data/sspr.sqlite' });
    assert.equal(config.directory.ppolicyDn, 'cn=default,ou=policies,DC=sspr,DC=test');
  });

  it('when the CA file exists, its bytes are loaded into directory.ca', () => {
    const config = loadConfig({ ...validEnv(), LDAP_CA_FILE: '/etc/ssl/certs/ca-certificates.crt' });
    assert.ok(config.directory.ca.toString('utf8').includes('BEGIN CERTIFICATE'));
  });

  it('when numbers come as strings, they are typed numbers', () => {
    const config = loadConfig({
      ...validEnv(),
      PORT: '8080',
      LDAP_POOL_SIZE: '8',
      PASSWORD_HISTORY_COUNT: '0',
    });
    assert.equal(config.http.port, 8080);
    assert.equal(config.directory.poolSize, 8);
    assert.equal(config.passwordHistory.count, 0);
  });

  it('when lists of DNs are given, they split on ";" (not on the commas inside DNs) and are trimmed', () => {
    const config = loadConfig({
      ...validEnv(),
      LDAP_MANAGED_OUS: 'OU=Staff,DC=sspr,DC=test; OU=Sales,DC=sspr,DC=test;',
      LDAP_PRIVILEGED_GROUPS: 'CN=Domain Admins,CN=Users,DC=sspr,DC=test',
    });
    assert.deepEqual(config.directory.managedOus, ['OU=Staff,DC=sspr,DC=test', 'OU=Sales,DC=sspr,DC=test']);
    assert.deepEqual(config.directory.privilegedGroups, ['CN=Domain Admins,CN=Users,DC=sspr,DC=test']);
  });

  it('when ldap:// comes with LDAP_STARTTLS=true, it is accepted with startTls on', () => {
    const config = loadConfig({ ...validEnv(), LDAP_URL: 'ldap://127.0.0.1:389', LDAP_STARTTLS: 'true' });
    assert.equal(config.directory.startTls, true);
  });

  it('when DATABASE_URL is postgres://, the database is postgres with that URL', () => {
    const url = 'postgres://sspr@db/sspr';
    assert.deepEqual(loadConfig({ ...validEnv(), DATABASE_URL: url }).database, { kind: 'postgres', url });
  });

  it('when optional keys are empty strings, they mean unset and the defaults apply', () => {
    const config = loadConfig({
      ...validEnv(),
      PORT: '',
      LDAP_POOL_SIZE: '',
      DATABASE_URL: '',
      LDAP_STARTTLS: '',
      LDAP_BIND_PASSWORD_FILE: '',
      LDAP_PRIVILEGED_GROUPS: '',
    });
    assert.equal(config.http.port, 3000);
    assert.equal(config.directory.poolSize, 4);
    assert.equal(config.database.kind, 'sqlite');
    assert.deepEqual(config.directory.privilegedGroups, []);
    assert.equal(config.directory.bindPassword, 'Svc-Writeback-Pass1!');
  });
});

describe('loadConfig bind password', () => {
  const withFile = (content: string) => {
    const file = join(dir, `pw-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, content);
    return { ...validEnv(), LDAP_BIND_PASSWORD: undefined, LDAP_BIND_PASSWORD_FILE: file };
  };

  it('when the password file ends with a newline, the newline is stripped', () => {
    assert.equal(loadConfig(withFile('From-File-Pass1!\n')).directory.bindPassword, 'From-File-Pass1!');
  });

  it('when the password file ends with CRLF, both characters are stripped', () => {
    assert.equal(loadConfig(withFile('From-File-Pass1!\r\n')).directory.bindPassword, 'From-File-Pass1!');
  });

  it('when the password file has no trailing newline, the content is taken as is (inner spaces kept)', () => {
    assert.equal(loadConfig(withFile(' a b ')).directory.bindPassword, ' a b ');
  });

  it('when both LDAP_BIND_PASSWORD and LDAP_BIND_PASSWORD_FILE are set, it is refused', () => {
    const problems = problemsOf({ ...withFile('x\n'), LDAP_BIND_PASSWORD: 'y' });
    assertProblemFor(problems, 'LDAP_BIND_PASSWORD_FILE');
  });

  it('when the password file cannot be read, it is refused', () => {
    assertProblemFor(
      problemsOf({ ...validEnv(), LDAP_BIND_PASSWORD: undefined, LDAP_BIND_PASSWORD_FILE: missingFile }),
      'LDAP_BIND_PASSWORD_FILE',
    );
  });

  it('when neither is set (or LDAP_BIND_PASSWORD is empty), it is refused', () => {
    assertProblemFor(problemsOf({ ...validEnv(), LDAP_BIND_PASSWORD: '' }), 'LDAP_BIND_PASSWORD');
  });

  it('when the password file is empty but for a newline, it is refused (an empty simple bind is anonymous)', {}, () => {
    assertProblemFor(problemsOf(withFile('\n')), 'LDAP_BIND_PASSWORD_FILE');
  });
});

describe('loadConfig refusals', () => {
  const single: ReadonlyArray<[string, Record<string, string | undefined>, string]> = [
    ['DIRECTORY_KIND is not ad/openldap', { DIRECTORY_KIND: 'ldap' }, 'DIRECTORY_KIND'],
    ['PORT is above 65535', { PORT: '70000' }, 'PORT'],
    ['PORT is not a number', { PORT: 'http' }, 'PORT'],
    ['LDAP_URL has a path', { LDAP_URL: 'ldaps://dc1/dc=sspr' }, 'LDAP_URL'],
    ['LDAP_URL is https', { LDAP_URL: 'https://dc1' }, 'LDAP_URL'],
    ['ldap:// comes without LDAP_STARTTLS', { LDAP_URL: 'ldap://127.0.0.1:389' }, 'LDAP_URL'],
    [
      'ldap:// comes with LDAP_STARTTLS=false',
      { LDAP_URL: 'ldap://dc1', LDAP_STARTTLS: 'false' },
      'LDAP_URL',
    ],
    ['LDAP_STARTTLS is set with ldaps://', { LDAP_STARTTLS: 'true' }, 'LDAP_STARTTLS'],
    [
      'LDAP_STARTTLS is not a boolean word',
      { LDAP_URL: 'ldap://dc1', LDAP_STARTTLS: 'maybe' },
      'LDAP_STARTTLS',
    ],
    ['the CA file does not exist', { LDAP_CA_FILE: missingFile }, 'LDAP_CA_FILE'],
    ['LDAP_MANAGED_OUS holds only separators', { LDAP_MANAGED_OUS: ' ; ; ' }, 'LDAP_MANAGED_OUS'],
    ['LDAP_POOL_SIZE is 0', { LDAP_POOL_SIZE: '0' }, 'LDAP_POOL_SIZE'],
    [
      'PASSWORD_HISTORY_SCRYPT_COST is not a power of two',
      { PASSWORD_HISTORY_SCRYPT_COST: '3000' },
      'PASSWORD_HISTORY_SCRYPT_COST',
    ],
    [
      'PASSWORD_HISTORY_SCRYPT_COST is below 1024',
      { PASSWORD_HISTORY_SCRYPT_COST: '512' },
      'PASSWORD_HISTORY_SCRYPT_COST',
    ],
    ['DATABASE_URL is mysql://', { DATABASE_URL: 'mysql://db/sspr' }, 'DATABASE_URL'],
    ['DATABASE_URL is sqlite: with no file', { DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    ['LDAP_BIND_DN is missing', { LDAP_BIND_DN: undefined }, 'LDAP_BIND_DN'],
    ['LDAP_BASE_DN is an empty string (unset)', { LDAP_BASE_DN: '' }, 'LDAP_BASE_DN'],
  ];
  for (const [scenario, overrides, key] of single) {
    it(`when ${scenario}, ConfigError lists ${key}`, () => {
      assertProblemFor(problemsOf({ ...validEnv(), ...overrides }), key);
    });
  }

  it('when the scrypt cost is a power of two (65536), it is accepted', () => {
    assert.equal(
      loadConfig({ ...validEnv(), PASSWORD_HISTORY_SCRYPT_COST: '65536' }).passwordHistory.scryptCost,
      65_536,
    );
  });

  it('when DIRECTORY_KIND, PORT and LDAP_URL are all bad, every one of them is listed', () => {
    const problems = problemsOf({ ...validEnv(), DIRECTORY_KIND: 'novell', PORT: '-1', LDAP_URL: 'dc1:636' });
    for (const key of ['DIRECTORY_KIND', 'PORT', 'LDAP_URL']) assertProblemFor(problems, key);
  });

  it('when several cross-field problems coexist (ldap:// without StartTLS, missing CA, both passwords), all are listed', () => {
    const problems = problemsOf({
      ...validEnv(),
      LDAP_URL: 'ldap://dc1',
      LDAP_CA_FILE: missingFile,
      LDAP_BIND_PASSWORD_FILE: caFile,
      DATABASE_URL: 'mysql://x',
    });
    for (const key of ['LDAP_URL', 'LDAP_CA_FILE', 'LDAP_BIND_PASSWORD_FILE', 'DATABASE_URL']) {
      assertProblemFor(problems, key);
    }
  });

  it('when a schema error (bad PORT) and cross-field errors (missing CA, both passwords) coexist, all are listed', {}, () => {
    const problems = problemsOf({
      ...validEnv(),
      PORT: 'http',
      LDAP_CA_FILE: missingFile,
      LDAP_BIND_PASSWORD_FILE: caFile,
    });
    for (const key of ['PORT', 'LDAP_CA_FILE', 'LDAP_BIND_PASSWORD_FILE']) assertProblemFor(problems, key);
  });

  it('when the error is thrown, its message names every problem on its own line', () => {
    try {
      loadConfig({ ...validEnv(), DIRECTORY_KIND: 'x', PORT: 'y' });
      assert.fail('expected ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^invalid configuration:\n {2}.+\n {2}.+$/);
    }
  });
});

describe('loadConfig: SMS webhook settings', () => {
  it('when SMS_SENDER=http has no URL, a malformed auth header and a template without {{text}}, all three are listed', () => {
    const problems = problemsOf({
      ...validEnv(),
      SMS_SENDER: 'http',
      SMS_HTTP_AUTH_HEADER: 'no colon here',
      SMS_HTTP_BODY_TEMPLATE: '{"to":"{{to}}"}',
    });
    for (const key of ['SMS_HTTP_URL', 'SMS_HTTP_AUTH_HEADER', 'SMS_HTTP_BODY_TEMPLATE'])
      assertProblemFor(problems, key);
  });

  it('when the webhook is fully configured, it loads', () => {
    const config = loadConfig({
      ...validEnv(),
      SMS_SENDER: 'http',
      SMS_HTTP_URL: 'https://sms.example.com/send',
      SMS_HTTP_AUTH_HEADER: 'Authorization: Bearer abc',
    });
    assert.equal(config.sms.sender, 'http');
  });
});
