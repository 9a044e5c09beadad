import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDoctor } from '../../src/doctor/doctor.ts';
import { directoryConfig, facts } from '../support/directory-servers.ts';

const statusOf = (report: Awaited<ReturnType<typeof runDoctor>>, name: string) =>
  report.findings.find((f) => f.name.startsWith(name))?.status;

describe('doctor', () => {
  it('passes every check with the least-privilege service account on Samba AD', async () => {
    const report = await runDoctor(directoryConfig('ad'));
    assert.equal(report.isHealthy, true, JSON.stringify(report.findings, null, 1));
    for (const right of ['Reset Password', 'Change Password', 'write lockoutTime', 'write pwdLastSet']) {
      assert.equal(statusOf(report, `right: ${right}`), 'pass', right);
    }
  });

  it('fails loudly when the service account is a Domain Admin (the "just use Enterprise Admin" advice)', async () => {
    const f = facts('ad');
    const report = await runDoctor(
      directoryConfig('ad', { LDAP_BIND_DN: f.adminDn!, LDAP_BIND_PASSWORD: f.adminPassword! }),
    );
    assert.equal(report.isHealthy, false);
    const finding = report.findings.find((x) => x.name === 'service account is not privileged');
    assert.equal(finding?.status, 'fail');
    assert.match(finding?.detail ?? '', /Domain Admins/);
  });

  it('fails when the service account lacks the rights (a plain user as service account)', async () => {
    const alice = facts('ad').users.alice!;
    const report = await runDoctor(
      directoryConfig('ad', { LDAP_BIND_DN: alice.dn, LDAP_BIND_PASSWORD: alice.password }),
      { probeLogin: 'bob' },
    );
    assert.equal(report.isHealthy, false);
    assert.equal(statusOf(report, 'right: Reset Password'), 'fail');
    assert.equal(statusOf(report, 'right: write lockoutTime'), 'fail');
  });

  it('on OpenLDAP, passes with the service account and fails with a member of directory-admins', async () => {
    assert.equal((await runDoctor(directoryConfig('openldap'))).isHealthy, true);
    const admin = facts('openldap').users.itadmin!;
    const report = await runDoctor(
      directoryConfig('openldap', { LDAP_BIND_DN: admin.dn, LDAP_BIND_PASSWORD: admin.password }),
    );
    assert.equal(report.isHealthy, false);
    assert.equal(statusOf(report, 'service account is not privileged'), 'fail');
    assert.equal(statusOf(report, 'right: reset password'), 'fail');
  });

  it('fails at bind when the service account password is wrong, without crashing', async () => {
    const report = await runDoctor(directoryConfig('ad', { LDAP_BIND_PASSWORD: 'wrong' }));
    assert.equal(report.isHealthy, false);
    assert.equal(statusOf(report, 'service account binds'), 'fail');
  });
});

describe('doctor: configuration mistakes', () => {
  it('names a configured privileged group that does not exist', async () => {
    const missing = 'cn=no-such-group,ou=groups,dc=sspr,dc=test';
    const report = await runDoctor(directoryConfig('openldap', { LDAP_PRIVILEGED_GROUPS: missing }));
    assert.equal(report.isHealthy, false);
    assert.equal(statusOf(report, `privileged group exists: ${missing}`), 'fail');
  });

  it('fails the managed OU check for an OU that does not exist', async () => {
    const report = await runDoctor(
      directoryConfig('ad', { LDAP_MANAGED_OUS: 'OU=Staff,DC=sspr,DC=test;OU=Nowhere,DC=sspr,DC=test' }),
    );
    assert.equal(report.isHealthy, false);
    assert.equal(statusOf(report, 'managed OU exists: OU=Nowhere'), 'fail');
    assert.equal(statusOf(report, 'managed OU exists: OU=Staff'), 'pass');
  });
});
