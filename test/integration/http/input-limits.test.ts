import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import { givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  directoryUserOf,
  fullWidth,
  givenApp,
  givenTotpFactor,
  identifyAs,
  pageText,
  submit,
  type TestApp,
  totpCode,
} from '../../support/test-app.ts';

/** Inputs have length limits and are NFKC-normalised: huge input is harmless, full-width text is found. */

const HUGE_LOGIN = 'a'.repeat(10_240);
const LONG_PASSWORD = 'Aa1-'.repeat(75); // 300 characters, over the 256 limit

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Input limits and normalisation over HTTP: ${kind}`, () => {
    let t: TestApp;
    const made: TestUser[] = [];
    const user = async () => {
      const u = await givenUser(kind);
      made.push(u);
      return { ...u, entry: await directoryUserOf(t, u.username) };
    };

    before(async () => {
      t = await givenApp(kind);
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('a 10 kB login never causes a server error on identify, change or enroll sign-in', async () => {
      for (const flow of ['reset', 'unlock'] as const) {
        const res = await identifyAs(t.agent(), flow, HUGE_LOGIN);
        assert.ok(res.status < 500, `/${flow}/identify answered ${res.status}`);
      }
      const change = t.agent();
      const form = await change.get('/change');
      const changed = await submit(change, '/change', form.text, {
        login: HUGE_LOGIN,
        current: 'Some-Guess-1234567!',
        password: 'Some-New-Pass-1234567!',
        confirm: 'Some-New-Pass-1234567!',
      });
      assert.equal(changed.status, 400);
      assert.ok(changed.text.includes(pageText('directory.invalid_credentials')), 'as for an unknown login');
      const enroll = t.agent();
      const signInForm = await enroll.get('/enroll');
      const signedIn = await submit(enroll, '/enroll/sign-in', signInForm.text, {
        login: HUGE_LOGIN,
        password: 'Some-Guess-1234567!',
      });
      assert.equal(signedIn.status, 400);
      assert.ok(signedIn.text.includes(pageText('directory.invalid_credentials')), 'as for an unknown login');
    });

    it('a 10 kB login at identify gets the same answer as an unknown login', {}, async () => {
      const unknown = `t${randomBytes(4).toString('hex')}`;
      const expected = await identifyAs(t.agent(), 'reset', unknown);
      const huge = await identifyAs(t.agent(), 'reset', HUGE_LOGIN);
      assert.equal(huge.status, expected.status);
      assert.ok(huge.text.includes(pageText('ui.verify.title')), 'the verify page, as for any login');
    });

    it('a 300-character new password is refused as too long at the reset password step', async () => {
      const u = await user();
      const secret = await givenTotpFactor(t.services, u.entry);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', u.username);
      const choose = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret),
      });
      assert.ok(choose.text.includes(pageText('ui.password.title')));
      const refused = await submit(agent, '/reset/password', choose.text, {
        password: LONG_PASSWORD,
        confirm: LONG_PASSWORD,
      });
      assert.equal(refused.status, 400);
      assert.ok(refused.text.includes(pageText('password.too_long', { max: 256 })));
      const rows = await t.services.store.listAudit({ subject: u.username });
      assert.deepEqual(
        rows.map((r) => [r.outcome, r.errorCode]),
        [['refused', 'password.too_long']],
        'refused before any directory write',
      );
      await t.services.directory.verifyPassword(u.entry, u.password);
    });

    it('a 300-character new password is refused as too long by change password', async () => {
      const u = await user();
      const agent = t.agent();
      const form = await agent.get('/change');
      const refused = await submit(agent, '/change', form.text, {
        login: u.username,
        current: u.password,
        password: LONG_PASSWORD,
        confirm: LONG_PASSWORD,
      });
      assert.equal(refused.status, 400);
      assert.ok(refused.text.includes(pageText('password.too_long', { max: 256 })));
      await t.services.directory.verifyPassword(u.entry, u.password);
    });

    it('a full-width login (NFKC) finds the real account: its factor is accepted and the password step follows', async () => {
      const u = await user();
      const secret = await givenTotpFactor(t.services, u.entry);
      const wide = fullWidth(u.username);
      assert.notEqual(wide, u.username);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', wide);
      assert.equal(verify.status, 200);
      // A decoy (login not found) can never prove a factor: reaching the password step means found.
      const choose = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret),
      });
      assert.equal(choose.status, 200);
      assert.ok(choose.text.includes(pageText('ui.password.title')));
    });

    it('a full-width login signs in to enrollment with the right password', async () => {
      const u = await user();
      const agent = t.agent();
      const form = await agent.get('/enroll');
      const manage = await submit(agent, '/enroll/sign-in', form.text, {
        login: fullWidth(u.username),
        password: u.password,
      });
      assert.equal(manage.status, 200);
      assert.ok(manage.text.includes(pageText('ui.enroll.your_factors')));
    });
  });
}
