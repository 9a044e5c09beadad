import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import { givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  type Agent,
  directoryUserOf,
  givenApp,
  givenClock,
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  lastCodeFor,
  pageText,
  smsSentTo,
  submit,
  type TestApp,
  type TestClock,
  totpCode,
  withoutTokens,
} from '../../support/test-app.ts';

/**
 * Enrollment end to end over HTTP: sign in with the password, add factors, and the rule that a
 * stolen password alone cannot add or remove factors once one exists.
 */

const MANAGE = pageText('ui.enroll.your_factors');
const secretOf = (html: string) => {
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(html)?.[1];
  assert.ok(secret, 'the authenticator page shows its setup key');
  return secret;
};

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Enrollment over HTTP: ${kind}`, () => {
    let t: TestApp;
    let clock: TestClock;
    const made: TestUser[] = [];
    const user = async () => {
      const u = await givenUser(kind);
      made.push(u);
      return { ...u, entry: await directoryUserOf(t, u.username) };
    };
    const signIn = async (agent: Agent, login: string, password: string) => {
      const form = await agent.get('/enroll').expect(200);
      return submit(agent, '/enroll/sign-in', form.text, { login, password });
    };
    const smsTo = async (phone: string) => (await t.sms()).filter((m) => m.to === phone).map((m) => m.text);

    before(async () => {
      clock = givenClock();
      t = await givenApp(kind, {}, { now: clock.now });
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('signs in, adds an authenticator, proves it to add a phone, and a factor added later is announced to that phone', async () => {
      clock.alignToTotpStep();
      const u = await user();
      const agent = t.agent();
      const manage = await signIn(agent, u.username, u.password);
      assert.equal(manage.status, 200);
      assert.ok(manage.text.includes(MANAGE));

      const totpPage = await submit(agent, '/enroll/totp', manage.text).expect(200);
      const secret = secretOf(totpPage.text);
      const added = await submit(agent, '/enroll/totp/confirm', totpPage.text, {
        code: totpCode(secret, 0, clock.now()),
      });
      assert.equal(added.status, 200);
      const confirmed = async () =>
        (await t.services.store.listFactors(u.entry.id)).filter((f) => f.confirmedAt).map((f) => f.kind);
      assert.deepEqual(await confirmed(), ['totp']);

      const phone = givenPhone();
      const early = await submit(agent, '/enroll/phone', added.text, { phone });
      assert.equal(early.status, 400, 'with a factor enrolled, adding another needs proof first');
      assert.ok(early.text.includes(pageText('flow.factor_required')));
      assert.deepEqual(await smsSentTo(t, phone), [], 'no confirmation code went out');

      const unlocked = await submit(agent, '/enroll/verify', added.text, {
        method: 'totp',
        code: totpCode(secret, 1, clock.now()),
      });
      assert.equal(unlocked.status, 200);
      assert.ok(unlocked.text.includes(pageText('ui.enroll.unlocked')));
      const phonePage = await submit(agent, '/enroll/phone', unlocked.text, { phone }).expect(200);
      const withPhone = await submit(agent, '/enroll/phone/confirm', phonePage.text, {
        code: await lastCodeFor(t, phone),
      });
      assert.equal(withPhone.status, 200);
      assert.deepEqual(await confirmed(), ['totp', 'sms']);

      clock.advance(2_000); // past the per-number SMS cooldown (1 s in tests)
      const second = await submit(agent, '/enroll/totp', withPhone.text).expect(200);
      const confirmSecond = await submit(agent, '/enroll/totp/confirm', second.text, {
        code: totpCode(secretOf(second.text), 0, clock.now()),
      });
      assert.equal(confirmSecond.status, 200);
      const notices = (await smsTo(phone)).filter((text) => /was added to your account/.test(text));
      assert.equal(notices.length, 1, 'the enrolled phone hears that a factor was added');
    });

    it('removing a factor is refused until a factor is proven in this sign-in; then it works and the phone is told', async () => {
      clock.alignToTotpStep();
      const u = await user();
      const phone = givenPhone();
      await givenTotpFactor(t.services, u.entry);
      await givenSmsFactor(t.services, u.entry, phone);
      const totpId = (await t.services.store.listFactors(u.entry.id)).find((f) => f.kind === 'totp')?.id;
      assert.ok(totpId);

      const agent = t.agent();
      const manage = await signIn(agent, u.username, u.password);
      assert.ok(!manage.text.includes('action="/enroll/remove"'), 'no remove button before proof');
      const early = await submit(agent, '/enroll/remove', manage.text, { factorId: totpId });
      assert.equal(early.status, 400);
      assert.ok(early.text.includes(pageText('flow.factor_required')));
      assert.equal((await t.services.store.listFactors(u.entry.id)).length, 2, 'nothing removed');

      await submit(agent, '/enroll/send-code', manage.text).expect(200);
      const unlocked = await submit(agent, '/enroll/verify', manage.text, {
        method: 'sms',
        code: await lastCodeFor(t, phone),
      });
      assert.equal(unlocked.status, 200);
      assert.ok(unlocked.text.includes('action="/enroll/remove"'));

      clock.advance(2_000); // past the per-number SMS cooldown (1 s in tests)
      const removed = await submit(agent, '/enroll/remove', unlocked.text, { factorId: totpId });
      assert.equal(removed.status, 200);
      assert.deepEqual(
        (await t.services.store.listFactors(u.entry.id)).map((f) => f.kind),
        ['sms'],
      );
      const notices = (await smsTo(phone)).filter((text) => /was removed from your account/.test(text));
      assert.equal(notices.length, 1, 'the phone hears that a factor was removed');
    });

    it('a wrong password does not sign in, and the answer is the same as for an unknown login', async () => {
      const u = await user();
      const wrong = await signIn(t.agent(), u.username, `${u.password}x`);
      const unknown = await signIn(t.agent(), `nobody-${u.username}`, u.password);
      assert.equal(wrong.status, 400);
      assert.equal(unknown.status, 400);
      assert.ok(wrong.text.includes(pageText('directory.invalid_credentials')));
      assert.ok(unknown.text.includes(pageText('directory.invalid_credentials')));
      assert.ok(!wrong.text.includes(MANAGE));
      assert.equal(withoutTokens(wrong.text), withoutTokens(unknown.text));
    });

    it('a removal notice reaches the phone even when a code was sent to it seconds before', async () => {
      const u = await user();
      const phone = givenPhone();
      await givenTotpFactor(t.services, u.entry);
      await givenSmsFactor(t.services, u.entry, phone);
      const totpId = (await t.services.store.listFactors(u.entry.id)).find((f) => f.kind === 'totp')?.id;
      const agent = t.agent();
      const manage = await signIn(agent, u.username, u.password);
      await submit(agent, '/enroll/send-code', manage.text).expect(200);
      const unlocked = await submit(agent, '/enroll/verify', manage.text, {
        method: 'sms',
        code: await lastCodeFor(t, phone),
      });
      await submit(agent, '/enroll/remove', unlocked.text, { factorId: totpId ?? '' }).expect(200);
      const notices = (await smsTo(phone)).filter((text) => /was removed/.test(text));
      assert.equal(notices.length, 1, 'the removal is announced whatever the cooldown');
    });
  });
}
