import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import { freshPassword, givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  type Agent,
  directoryUserOf,
  givenApp,
  givenClock,
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  identifyAs,
  lastCodeFor,
  pageText,
  sessionIdOf,
  submit,
  type TestApp,
  type TestClock,
  totpCode,
} from '../../support/test-app.ts';

/** REQUIRED_FACTORS=2: an authenticator code AND an SMS code, two distinct factors, before the password step. */

const CHOOSE = pageText('ui.password.title');
const ONE_OF_TWO = pageText('ui.verify.progress', { done: 1, required: 2 });

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Two required factors over HTTP: ${kind}`, () => {
    let t: TestApp;
    let clock: TestClock;
    const made: TestUser[] = [];
    /** A user with an authenticator and a phone, and a reset flow at the verify step. */
    const enrolledFlow = async () => {
      clock.alignToTotpStep();
      const u = await givenUser(kind);
      made.push(u);
      const entry = await directoryUserOf(t, u.username);
      const secret = await givenTotpFactor(t.services, entry);
      const phone = givenPhone();
      await givenSmsFactor(t.services, entry, phone);
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', u.username);
      return { u, entry, secret, phone, agent, verify };
    };
    const smsCode = async (agent: Agent, page: string, phone: string) => {
      await submit(agent, '/reset/send-code', page).expect(200);
      return lastCodeFor(t, phone);
    };

    before(async () => {
      clock = givenClock();
      t = await givenApp(kind, { REQUIRED_FACTORS: '2' }, { now: clock.now });
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('an authenticator code alone is not enough; with the SMS code too the password step follows and the reset works', async () => {
      const { entry, secret, phone, agent, verify } = await enrolledFlow();
      const one = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      assert.equal(one.status, 200);
      assert.ok(one.text.includes(ONE_OF_TWO));
      assert.ok(!one.text.includes(CHOOSE));
      const code = await smsCode(agent, one.text, phone);
      const two = await submit(agent, '/reset/verify', one.text, { method: 'sms', code });
      assert.ok(two.text.includes(CHOOSE));
      const password = `${freshPassword('F')}abcdef`;
      await submit(agent, '/reset/password', two.text, { password, confirm: password }).expect(200);
      await t.services.directory.verifyPassword(entry, password);
    });

    it('two authenticator codes (two time steps) count as one factor', async () => {
      const { secret, agent, verify } = await enrolledFlow();
      await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      const again = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret, 1, clock.now()),
      });
      assert.ok(again.text.includes(ONE_OF_TWO));
      assert.ok(!again.text.includes(CHOOSE));
    });

    it('an SMS code is single use: the same code submitted again in the flow is refused', async () => {
      const { phone, agent, verify } = await enrolledFlow();
      const code = await smsCode(agent, verify.text, phone);
      const first = await submit(agent, '/reset/verify', verify.text, { method: 'sms', code });
      assert.equal(first.status, 200);
      assert.ok(first.text.includes(ONE_OF_TWO));
      const reused = await submit(agent, '/reset/verify', verify.text, { method: 'sms', code });
      assert.equal(reused.status, 400);
      assert.ok(reused.text.includes(pageText('flow.code_invalid')));
    });

    it('the password step right after the first factor is refused and the flow starts again', async () => {
      const { entry, phone, agent, verify } = await enrolledFlow();
      const code = await smsCode(agent, verify.text, phone);
      await submit(agent, '/reset/verify', verify.text, { method: 'sms', code }).expect(200);
      const password = `${freshPassword('F')}abcdef`;
      const skipped = await submit(agent, '/reset/password', verify.text, { password, confirm: password });
      assert.equal(skipped.status, 400);
      assert.ok(skipped.text.includes(pageText('flow.invalid')));
      assert.ok(skipped.text.includes('action="/reset/identify"'), 'back to the first step');
      await assert.rejects(t.services.directory.verifyPassword(entry, password));
    });

    it('the session id is rotated when the first of two factors is proven', {}, async () => {
      const { secret, agent, verify } = await enrolledFlow();
      const before = sessionIdOf(verify);
      const one = await submit(agent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      assert.ok(one.text.includes(ONE_OF_TWO));
      assert.ok(before);
      assert.notEqual(sessionIdOf(one), before);
    });
  });
}
