import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import { givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  directoryUserOf,
  givenApp,
  givenClock,
  givenTotpFactor,
  identifyAs,
  pageText,
  submit,
  type TestApp,
  type TestClock,
  totpCode,
  wrongTotpCode,
} from '../../support/test-app.ts';

/**
 * Failed codes lock self-service for that user for a while (FACTOR_LOCKOUT_ATTEMPTS within
 * FACTOR_LOCKOUT_MINUTES), never the directory account: an attacker guessing codes must not be
 * able to lock a user out of Windows.
 */

const LOCKED = pageText('flow.locked');

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Factor lockout over HTTP: ${kind}`, () => {
    let t: TestApp;
    let clock: TestClock;
    const made: TestUser[] = [];
    before(async () => {
      clock = givenClock();
      t = await givenApp(
        kind,
        {
          FACTOR_LOCKOUT_ATTEMPTS: '3',
          FACTOR_LOCKOUT_MINUTES: '1',
          FLOW_TTL_MINUTES: '120',
          RATE_LIMIT_PER_ACCOUNT: '1000',
        },
        { now: clock.now },
      );
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('after 3 wrong codes even the right code is refused with "too many wrong codes", in this flow and a new one; the directory account stays unlocked', async () => {
      clock.alignToTotpStep();
      const u = await givenUser(kind);
      made.push(u);
      const entry = await directoryUserOf(t, u.username);
      const secret = await givenTotpFactor(t.services, entry);
      const agent = t.agent();
      const page = (await identifyAs(agent, 'reset', u.username)).text;
      const wrong = wrongTotpCode(secret, clock.now());
      const answers = [];
      for (let i = 0; i < 3; i++) {
        answers.push(await submit(agent, '/reset/verify', page, { method: 'totp', code: wrong }));
      }
      assert.deepEqual(
        answers.map((r) => r.status),
        [400, 400, 429],
      );
      assert.ok(answers[0]?.text.includes(pageText('flow.code_invalid')));
      assert.ok(answers[2]?.text.includes(LOCKED));

      const right = await submit(agent, '/reset/verify', page, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      assert.equal(right.status, 429);
      assert.ok(right.text.includes(LOCKED), 'the right code is refused while locked');
      assert.ok(!right.text.includes(pageText('ui.password.title')));

      const other = t.agent();
      const otherPage = (await identifyAs(other, 'unlock', u.username)).text;
      const viaUnlock = await submit(other, '/unlock/verify', otherPage, {
        method: 'totp',
        code: totpCode(secret, 1, clock.now()),
      });
      assert.ok(viaUnlock.text.includes(LOCKED), 'the lock is per user, not per flow or per kind');

      const fresh = await t.services.directory.readUser(u.dn);
      assert.equal(fresh?.status.isLocked, false, 'the directory account is not locked');
      await t.services.directory.verifyPassword(entry, u.password);
    });

    it('the lockout lifts after FACTOR_LOCKOUT_MINUTES: then the right code passes', async () => {
      clock.alignToTotpStep();
      const u = await givenUser(kind);
      made.push(u);
      const entry = await directoryUserOf(t, u.username);
      const secret = await givenTotpFactor(t.services, entry);
      const agent = t.agent();
      const page = (await identifyAs(agent, 'reset', u.username)).text;
      const wrong = wrongTotpCode(secret, clock.now());
      for (let i = 0; i < 3; i++) await submit(agent, '/reset/verify', page, { method: 'totp', code: wrong });
      const still = await submit(agent, '/reset/verify', page, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      assert.ok(still.text.includes(LOCKED));

      clock.advance(61_000);
      const passes = await submit(agent, '/reset/verify', page, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      assert.equal(passes.status, 200);
      assert.ok(passes.text.includes(pageText('ui.password.title')));
    });

    it('wrong codes for one user do not lock another user', async () => {
      clock.alignToTotpStep();
      const [victim, bystander] = [await givenUser(kind), await givenUser(kind)];
      made.push(victim, bystander);
      const secret = await givenTotpFactor(t.services, await directoryUserOf(t, bystander.username));
      const agent = t.agent();
      const page = (await identifyAs(agent, 'reset', victim.username)).text;
      for (let i = 0; i < 3; i++)
        await submit(agent, '/reset/verify', page, { method: 'totp', code: '000000' });
      const other = t.agent();
      const otherPage = (await identifyAs(other, 'reset', bystander.username)).text;
      const passes = await submit(other, '/reset/verify', otherPage, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      assert.equal(passes.status, 200);
      assert.ok(passes.text.includes(pageText('ui.password.title')));
    });
  });
}
