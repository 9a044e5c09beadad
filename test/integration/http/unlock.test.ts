import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import { badBinds, givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  directoryUserOf,
  givenApp,
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  identifyAs,
  lastCodeFor,
  pageText,
  submit,
  type TestApp,
  totpCode,
  wrongTotpCode,
} from '../../support/test-app.ts';

/** Unlock account end to end over HTTP: the factor unlocks, the password stays as it was. */

const UNLOCKED = pageText('ui.done.unlock');

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Unlock account over HTTP: ${kind}`, () => {
    let t: TestApp;
    const made: TestUser[] = [];
    const lockedUser = async (options?: { disabled?: boolean }) => {
      const u = await givenUser(kind, options);
      made.push(u);
      await badBinds(kind, u.dn, 5);
      const entry = await directoryUserOf(t, u.username);
      assert.equal(entry.status.isLocked, true, 'precondition: locked');
      return { ...u, entry };
    };

    before(async () => {
      t = await givenApp(kind);
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('a locked user proves an authenticator code: the account is unlocked and the current password works again', async () => {
      const u = await lockedUser();
      const secret = await givenTotpFactor(t.services, u.entry);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'unlock', u.username);
      assert.equal(verify.status, 200);
      const done = await submit(agent, '/unlock/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret),
      });
      assert.equal(done.status, 200);
      assert.ok(done.text.includes(UNLOCKED));
      assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, false);
      await t.services.directory.verifyPassword(u.entry, u.password);
      const actions = (await t.services.store.listAudit({ subject: u.username })).map((r) => r.action);
      assert.deepEqual(actions, ['writeback.unlock'], 'unlocked only: no password was written');
    });

    it('a locked user proves an SMS code: the account is unlocked', async () => {
      const u = await lockedUser();
      const phone = givenPhone();
      await givenSmsFactor(t.services, u.entry, phone);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'unlock', u.username);
      await submit(agent, '/unlock/send-code', verify.text).expect(200);
      const done = await submit(agent, '/unlock/verify', verify.text, {
        method: 'sms',
        code: await lastCodeFor(t, phone),
      });
      assert.ok(done.text.includes(UNLOCKED));
      assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, false);
    });

    it('with a wrong code the account stays locked and no writeback runs', async () => {
      const u = await lockedUser();
      const secret = await givenTotpFactor(t.services, u.entry);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'unlock', u.username);
      const wrong = await submit(agent, '/unlock/verify', verify.text, {
        method: 'totp',
        code: wrongTotpCode(secret),
      });
      assert.equal(wrong.status, 400);
      assert.ok(wrong.text.includes(pageText('flow.code_invalid')));
      assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, true);
      assert.equal((await t.services.store.listAudit({ subject: u.username })).length, 0);
    });

    it('a disabled user who proves a factor is told the account is disabled (not a generic flow error)', async () => {
      const u = await givenUser(kind, { disabled: true });
      made.push(u);
      const entry = await directoryUserOf(t, u.username);
      const secret = await givenTotpFactor(t.services, entry);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'unlock', u.username);
      const refused = await submit(agent, '/unlock/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret),
      });
      assert.equal(refused.status, 400);
      assert.ok(refused.text.includes(pageText('directory.account_disabled')), 'the refusal is named');
      const again = await agent.get('/unlock');
      assert.equal(again.status, 200, 'the portal is still usable for this session');
    });
  });
}
