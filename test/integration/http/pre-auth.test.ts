import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type request from 'supertest';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import {
  badBinds,
  facts,
  freshPassword,
  givenUser,
  removeTestUsers,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  directoryUserOf,
  givenApp,
  identifyAs,
  pageText,
  submit,
  type TestApp,
  withoutTokens,
} from '../../support/test-app.ts';

/**
 * Pre-auth answers over HTTP (src/flows/pre-auth.ts): before the password is proven, a locked,
 * disabled or privileged account answers exactly like an unknown login; once it is proven, the
 * account's state may be told. Per-account budgets are keyed by the login without DOMAIN\.
 */

const INVALID = pageText('directory.invalid_credentials');
const PRIVILEGED = pageText('directory.privileged_account');
const NOT_IN_SCOPE = pageText('directory.not_in_scope');
const LIMITED = pageText('flow.rate_limited');
const MANAGE = pageText('ui.enroll.your_factors');
const unknownLogin = () => `t${randomBytes(4).toString('hex')}`;
const wrongPassword = () => `Wrong-${randomBytes(4).toString('hex')}-1!`;
const newPassword = () => `${freshPassword('P')}abcdef`;

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Pre-auth answers before the password is proven: ${kind}`, () => {
    let t: TestApp;
    const made: TestUser[] = [];
    const user = async (options: { disabled?: boolean } = {}) => {
      const u = await givenUser(kind, options);
      made.push(u);
      return u;
    };
    const lockedUser = async () => {
      const u = await user();
      await badBinds(kind, u.dn, 5);
      assert.equal(
        (await t.services.directory.readUser(u.dn))?.status.isLocked,
        true,
        'precondition: locked',
      );
      return u;
    };
    const change = async (login: string, current: string) => {
      const agent = t.agent();
      const form = await agent.get('/change').expect(200);
      const password = newPassword();
      return submit(agent, '/change', form.text, { login, current, password, confirm: password });
    };
    const signIn = async (login: string, password: string) => {
      const agent = t.agent();
      const form = await agent.get('/enroll').expect(200);
      return submit(agent, '/enroll/sign-in', form.text, { login, password });
    };
    /** Status and page equal to the unknown login's, which is the invalid-credentials answer. */
    const assertSameAsUnknown = (answer: request.Response, unknown: request.Response, label: string) => {
      assert.equal(unknown.status, 400, 'the unknown login is refused');
      assert.ok(unknown.text.includes(INVALID), 'the unknown login reads as invalid credentials');
      assert.equal(answer.status, unknown.status, `${label}: status`);
      assert.equal(withoutTokens(answer.text), withoutTokens(unknown.text), `${label}: page`);
      assert.ok(!answer.text.includes(PRIVILEGED), `${label}: never the privileged text`);
      assert.ok(!answer.text.includes(NOT_IN_SCOPE), `${label}: never the out-of-scope text`);
    };

    before(async () => {
      t = await givenApp(kind, { RATE_LIMIT_PER_ACCOUNT: '1000', RATE_LIMIT_PER_ADDRESS: '10000' });
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('change password: a locked account with a wrong current password gets the same status and page as an unknown login', async () => {
      const u = await lockedUser();
      const locked = await change(u.username, wrongPassword());
      const unknown = await change(unknownLogin(), wrongPassword());
      assertSameAsUnknown(locked, unknown, 'locked');
    });

    it('change password: the privileged itadmin with a wrong current password gets the same answer as an unknown login', async () => {
      const admin = await change('itadmin', wrongPassword());
      const unknown = await change(unknownLogin(), wrongPassword());
      assertSameAsUnknown(admin, unknown, 'itadmin');
      // Clear the failed bind so repeated runs never lock the seeded administrator.
      const entry = await directoryUserOf(t, 'itadmin');
      await t.services.directory.verifyPassword(entry, facts(kind).users.itadmin!.password);
    });

    if (kind === 'openldap') {
      it('change password: a disabled user (permanent ppolicy lock) with a wrong current password gets the same answer as an unknown login', async () => {
        const u = await user({ disabled: true });
        const disabled = await change(u.username, wrongPassword());
        const unknown = await change(unknownLogin(), wrongPassword());
        assertSameAsUnknown(disabled, unknown, 'disabled');
      });
    }

    it('enroll sign-in: a locked account with a wrong password gets the same status and page as an unknown login', async () => {
      const u = await lockedUser();
      const locked = await signIn(u.username, wrongPassword());
      const unknown = await signIn(unknownLogin(), wrongPassword());
      assertSameAsUnknown(locked, unknown, 'locked');
      assert.ok(!locked.text.includes(MANAGE), 'not signed in');
    });

    it('enroll sign-in: the privileged itadmin with the RIGHT password is told its state (password proven), and is not signed in', async () => {
      const admin = await signIn('itadmin', facts(kind).users.itadmin!.password);
      assert.equal(admin.status, 400);
      assert.ok(!admin.text.includes(MANAGE), 'not signed in');
      if (kind === 'ad') {
        assert.ok(admin.text.includes(PRIVILEGED), 'AD itadmin (in OU=Staff) is refused as privileged');
      } else {
        // OpenLDAP's itadmin lives in ou=admins, outside the managed OU.
        assert.ok(
          admin.text.includes(PRIVILEGED) || admin.text.includes(NOT_IN_SCOPE),
          'OpenLDAP itadmin is refused as privileged or out of scope',
        );
      }
      assert.ok(!admin.text.includes(INVALID), 'not the wrong-password answer: the password was right');
    });
  });

  describe(`Per-account budgets ignore a DOMAIN\\ prefix: ${kind}`, () => {
    let t: TestApp;
    const made: TestUser[] = [];
    before(async () => {
      t = await givenApp(kind, { RATE_LIMIT_PER_ACCOUNT: '3', RATE_LIMIT_PER_ADDRESS: '10000' });
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    /** Three identify attempts as `login`, then one as `prefixed`: returns the fourth answer. */
    const threeThenPrefixed = async (login: string, prefixed: string) => {
      for (let i = 1; i <= 3; i++) {
        const res = await identifyAs(t.agent(), 'reset', login);
        assert.equal(res.status, 200, `${login}: attempt ${i} passes`);
        assert.ok(!res.text.includes(LIMITED), `${login}: attempt ${i} is not rate limited`);
      }
      return identifyAs(t.agent(), 'reset', prefixed);
    };

    it('three identify attempts as a real user, then one as X1\\<username>: the 4th is 429 flow.rate_limited', async () => {
      const u = await givenUser(kind);
      made.push(u);
      const fourth = await threeThenPrefixed(u.username, `X1\\${u.username}`);
      assert.equal(fourth.status, 429);
      assert.ok(fourth.text.includes(LIMITED));
      const other = await identifyAs(t.agent(), 'reset', `X1\\${unknownLogin()}`);
      assert.equal(other.status, 200, 'another login with the same prefix has its own budget');
    });

    it('three identify attempts as an unknown login, then one as X2\\<login>: the 4th is 429 too, with the same page as for a real user', async () => {
      const u = await givenUser(kind);
      made.push(u);
      const real = await threeThenPrefixed(u.username, `X2\\${u.username}`);
      const login = `nobody${randomBytes(3).toString('hex')}`;
      const unknown = await threeThenPrefixed(login, `X2\\${login}`);
      assert.equal(unknown.status, 429);
      assert.ok(unknown.text.includes(LIMITED));
      assert.equal(real.status, unknown.status);
      assert.equal(
        withoutTokens(real.text, `X2\\${u.username}`, u.username),
        withoutTokens(unknown.text, `X2\\${login}`, login),
        'the limited page does not tell a real account from an unknown login',
      );
    });
  });
}
