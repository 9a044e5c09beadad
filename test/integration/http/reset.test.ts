import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
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
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  identifyAs,
  lastCodeFor,
  pageText,
  smsSentTo,
  submit,
  type TestApp,
  totpCode,
  wrongTotpCode,
} from '../../support/test-app.ts';

/** Forgot password end to end over HTTP, against the real directory: who gets through, and what it does. */

const newPassword = () => `${freshPassword('R')}abcdef`;
const CHOOSE = pageText('ui.password.title');
const DONE = pageText('ui.done.reset');

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Forgot password over HTTP: ${kind}`, () => {
    let t: TestApp;
    const made: TestUser[] = [];
    const user = async (options?: { disabled?: boolean }) => {
      const u = await givenUser(kind, options);
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

    it('with an authenticator code, the user sets a new password that then works for a directory bind', async () => {
      const u = await user();
      const secret = await givenTotpFactor(t.services, u.entry);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', u.username);
      assert.equal(verify.status, 200);
      const choose = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret),
      });
      assert.equal(choose.status, 200);
      assert.ok(choose.text.includes(CHOOSE), 'the password step follows a proven factor');
      const password = newPassword();
      const done = await submit(agent, '/reset/password', choose.text, { password, confirm: password });
      assert.equal(done.status, 200);
      assert.ok(done.text.includes(DONE));
      await t.services.directory.verifyPassword(u.entry, password);
    });

    it('with a code sent to the enrolled phone and "unlock" checked, a locked user is unlocked and the new password works', async () => {
      const u = await user();
      const phone = givenPhone();
      await givenSmsFactor(t.services, u.entry, phone);
      await badBinds(kind, u.dn, 5);
      assert.equal(
        (await t.services.directory.readUser(u.dn))?.status.isLocked,
        true,
        'precondition: locked',
      );

      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', u.username);
      const sent = await submit(agent, '/reset/send-code', verify.text);
      assert.equal(sent.status, 200);
      assert.ok(sent.text.includes(pageText('ui.verify.code_sent')));
      const code = await lastCodeFor(t, phone);
      const choose = await submit(agent, '/reset/verify', sent.text, { method: 'sms', code });
      assert.ok(choose.text.includes(CHOOSE));
      const password = newPassword();
      const done = await submit(agent, '/reset/password', choose.text, {
        password,
        confirm: password,
        unlock: 'yes',
      });
      assert.equal(done.status, 200);
      assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, false, 'unlocked');
      await t.services.directory.verifyPassword(u.entry, password);
    });

    it('a privileged account (itadmin) gets the same pages but never reaches the password step without a factor', async () => {
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', 'itadmin');
      assert.equal(verify.status, 200);
      const sent = await submit(agent, '/reset/send-code', verify.text);
      assert.equal(sent.status, 200);
      const toAdmin = await smsSentTo(t, facts(kind).users.itadmin!.mobile);
      assert.deepEqual(toAdmin, [], 'no factor, no trusted directory mobile: nothing is sent');
      const wrong = await submit(agent, '/reset/verify', verify.text, { method: 'sms', code: '123456' });
      assert.equal(wrong.status, 400);
      assert.ok(wrong.text.includes(pageText('flow.code_invalid')));
      const skipped = await submit(agent, '/reset/password', verify.text, {
        password: 'Xx-never-set-1234567!',
        confirm: 'Xx-never-set-1234567!',
      });
      assert.equal(skipped.status, 400);
      assert.ok(!skipped.text.includes(CHOOSE));
      assert.equal((await t.services.store.listAudit({ subject: 'itadmin' })).length, 0, 'no writeback ran');
    });

    it('a privileged account (itadmin) with a proven factor is refused at the password step as privileged', async () => {
      const admin = await directoryUserOf(t, 'itadmin');
      assert.equal(admin.status.isPrivileged, true, 'precondition: itadmin is privileged');
      const secret = await givenTotpFactor(t.services, admin);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', 'itadmin');
      const choose = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret),
      });
      assert.ok(choose.text.includes(CHOOSE));
      const password = newPassword();
      const refused = await submit(agent, '/reset/password', choose.text, { password, confirm: password });
      assert.equal(refused.status, 400);
      assert.ok(refused.text.includes(pageText('directory.privileged_account')));
      await t.services.directory.verifyPassword(admin, facts(kind).users.itadmin!.password);
      await assert.rejects(t.services.directory.verifyPassword(admin, password));
    });

    if (kind === 'ad') {
      it('an account outside the managed OU (outsider) with a proven factor is refused as not in scope', async () => {
        const outsider = await directoryUserOf(t, 'outsider');
        assert.equal(outsider.status.isInScope, false, 'precondition: outsider is out of scope');
        const secret = await givenTotpFactor(t.services, outsider);
        const agent = t.agent();
        const verify = await identifyAs(agent, 'reset', 'outsider');
        const wrong = await submit(agent, '/reset/verify', verify.text, {
          method: 'totp',
          code: wrongTotpCode(secret),
        });
        assert.ok(!wrong.text.includes(CHOOSE), 'no password step without the factor');
        const choose = await submit(agent, '/reset/verify', verify.text, {
          method: 'totp',
          code: totpCode(secret),
        });
        assert.ok(choose.text.includes(CHOOSE));
        const password = newPassword();
        const refused = await submit(agent, '/reset/password', choose.text, { password, confirm: password });
        assert.equal(refused.status, 400);
        assert.ok(refused.text.includes(pageText('directory.not_in_scope')));
        await assert.rejects(t.services.directory.verifyPassword(outsider, password));
      });
    }

    it('a disabled user with a factor proves it, then the reset is refused as disabled and the password is unchanged', async () => {
      const u = await user({ disabled: true });
      const secret = await givenTotpFactor(t.services, u.entry);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', u.username);
      const choose = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret),
      });
      assert.ok(choose.text.includes(CHOOSE), 'nothing told the account apart before the factor');
      const password = newPassword();
      const refused = await submit(agent, '/reset/password', choose.text, { password, confirm: password });
      assert.equal(refused.status, 400);
      assert.ok(refused.text.includes(pageText('directory.account_disabled')));
      const [row] = await t.services.store.listAudit({ subject: u.username });
      assert.equal(row?.outcome, 'refused');
      assert.equal(row?.errorCode, 'directory.account_disabled');
    });

    it('with TRUST_DIRECTORY_MOBILE off, a user with no enrolled phone gets no SMS at the directory mobile', async () => {
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', 'carol');
      await submit(agent, '/reset/send-code', verify.text).expect(200);
      assert.deepEqual(await smsSentTo(t, facts(kind).users.carol!.mobile), []);
    });
  });

  describe(`Forgot password with TRUST_DIRECTORY_MOBILE=true: ${kind}`, () => {
    let t: TestApp;
    before(async () => {
      t = await givenApp(kind, { TRUST_DIRECTORY_MOBILE: 'true' });
    });
    after(() => t.close());

    it('a seeded user with no enrolled phone (carol) receives the code at the directory mobile and reaches the password step', async () => {
      const carolMobile = facts(kind).users.carol!.mobile;
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', 'carol');
      await submit(agent, '/reset/send-code', verify.text).expect(200);
      const code = await lastCodeFor(t, carolMobile);
      const choose = await submit(agent, '/reset/verify', verify.text, { method: 'sms', code });
      assert.equal(choose.status, 200);
      assert.ok(choose.text.includes(CHOOSE));
      // Stop here: carol is shared seed data, her password stays as seeded.
    });
  });
}
