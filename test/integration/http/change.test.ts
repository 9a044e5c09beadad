import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import { freshPassword, givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  directoryUserOf,
  givenApp,
  pageText,
  submit,
  type TestApp,
  withoutTokens,
} from '../../support/test-app.ts';

/** Change password end to end over HTTP: bound as the user, one answer for every bad sign-in. */

const newPassword = () => `${freshPassword('C')}abcdef`;

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Change password over HTTP: ${kind}`, () => {
    let t: TestApp;
    const made: TestUser[] = [];
    const user = async () => {
      const u = await givenUser(kind);
      made.push(u);
      return { ...u, entry: await directoryUserOf(t, u.username) };
    };
    const change = async (login: string, current: string, password: string) => {
      const agent = t.agent();
      const form = await agent.get('/change').expect(200);
      return submit(agent, '/change', form.text, { login, current, password, confirm: password });
    };

    before(async () => {
      t = await givenApp(kind);
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('with the right current password, the new password is set and works for a directory bind', async () => {
      const u = await user();
      const password = newPassword();
      const done = await change(u.username, u.password, password);
      assert.equal(done.status, 200);
      assert.ok(done.text.includes(pageText('ui.done.change')));
      await t.services.directory.verifyPassword(u.entry, password);
    });

    it('with a wrong current password, it is refused as invalid credentials and the new password is not set', async () => {
      const u = await user();
      const password = newPassword();
      const refused = await change(u.username, `${u.password}x`, password);
      assert.equal(refused.status, 400);
      assert.ok(refused.text.includes(pageText('directory.invalid_credentials')));
      await assert.rejects(t.services.directory.verifyPassword(u.entry, password));
    });

    it('an unknown login gets the same status and page as a wrong current password', async () => {
      const u = await user();
      const unknown = `t${randomBytes(4).toString('hex')}`;
      const wrong = await change(u.username, `${u.password}x`, newPassword());
      const missing = await change(unknown, 'Some-Guess-1234567!', newPassword());
      assert.equal(missing.status, wrong.status);
      assert.ok(missing.text.includes(pageText('directory.invalid_credentials')));
      assert.equal(withoutTokens(missing.text), withoutTokens(wrong.text));
    });

    it('a new password shorter than the minimum is refused by the policy before any directory write, and audited', async () => {
      const u = await user();
      const refused = await change(u.username, u.password, 'Short-1a!');
      assert.equal(refused.status, 400);
      assert.ok(refused.text.includes(pageText('password.too_short', { min: 15 })));
      await t.services.directory.verifyPassword(u.entry, u.password);
      const rows = await t.services.store.listAudit({ subject: u.username });
      assert.deepEqual(
        rows.map((r) => [r.outcome, r.errorCode]),
        [['refused', 'password.too_short']],
      );
    });
  });
}
