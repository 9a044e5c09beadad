import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type request from 'supertest';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import {
  badBinds,
  freshPassword,
  givenUser,
  removeTestUsers,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  capturingLogger,
  directoryUserOf,
  givenApp,
  givenClock,
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  identifyAs,
  lastCodeFor,
  pageText,
  submit,
  type TestApp,
  type TestClock,
  totpCode,
  wrongTotpCode,
} from '../../support/test-app.ts';

/**
 * Passwords and codes never reach logs, audit records, error pages or URLs. A full two-factor
 * reset (with wrong tries and a refused password on the way) and a password change run under a
 * debug logger writing to memory; then every captured byte is searched for every secret typed.
 */

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`No password or code in logs, audit, pages or URLs: ${kind}`, () => {
    let t: TestApp;
    let clock: TestClock;
    let logs: ReturnType<typeof capturingLogger>;
    const made: TestUser[] = [];
    const responses: request.Response[] = [];
    const track = async (pending: PromiseLike<request.Response>) => {
      const res = await pending;
      responses.push(res);
      return res;
    };

    before(async () => {
      clock = givenClock();
      logs = capturingLogger();
      t = await givenApp(
        kind,
        { REQUIRED_FACTORS: '2', LOG_LEVEL: 'debug' },
        { now: clock.now, log: logs.log },
      );
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('a full reset and a change leave no password and no code in logs, audit rows, pages, Location headers or URLs', async () => {
      clock.alignToTotpStep();
      const u = await givenUser(kind);
      made.push(u);
      const entry = await directoryUserOf(t, u.username);
      const secret = await givenTotpFactor(t.services, entry);
      const phone = givenPhone();
      await givenSmsFactor(t.services, entry, phone);
      await badBinds(kind, u.dn, 5);

      const agent = t.agent();
      const verify = await track(identifyAs(agent, 'reset', u.username));
      const wrongTotp = wrongTotpCode(secret, clock.now());
      await track(submit(agent, '/reset/verify', verify.text, { method: 'totp', code: wrongTotp }));
      const totp = totpCode(secret, 0, clock.now());
      const one = await track(submit(agent, '/reset/verify', verify.text, { method: 'totp', code: totp }));
      await track(submit(agent, '/reset/send-code', one.text));
      const sms = await lastCodeFor(t, phone);
      const wrongSms = String((Number(sms) + 7) % 1_000_000).padStart(6, '0');
      await track(submit(agent, '/reset/verify', one.text, { method: 'sms', code: wrongSms }));
      const choose = await track(submit(agent, '/reset/verify', one.text, { method: 'sms', code: sms }));
      assert.ok(choose.text.includes(pageText('ui.password.title')));

      const password = `${freshPassword('L')}abcdef`;
      const mismatch = await track(
        submit(agent, '/reset/password', choose.text, { password, confirm: `${password}-typo` }),
      );
      assert.ok(mismatch.text.includes(pageText('password.mismatch')), 'a refused password page was seen');
      const done = await track(
        submit(agent, '/reset/password', choose.text, { password, confirm: password, unlock: 'yes' }),
      );
      assert.ok(done.text.includes(pageText('ui.done.reset')));

      const changed = `${freshPassword('M')}abcdef`;
      const change = t.agent();
      const form = await track(change.get('/change'));
      await track(
        submit(change, '/change', form.text, {
          login: u.username,
          current: `${password}-wrong`,
          password: changed,
          confirm: changed,
        }),
      );
      await track(
        submit(change, '/change', form.text, {
          login: u.username,
          current: password,
          password: changed,
          confirm: changed,
        }),
      );
      await t.services.directory.verifyPassword(entry, changed);

      const passwords = [u.password, password, `${password}-typo`, `${password}-wrong`, changed];
      const codes = [wrongTotp, totp, wrongSms, sms];
      // Request durations ("ms":12.345678) can hold a run of six digits by chance: not a leak.
      const log = logs.text().replace(/"ms":[0-9.e+-]+/g, '"ms":0');
      const audit = JSON.stringify(await t.services.store.listAudit({ limit: 1000 }));
      assert.match(log, /"msg":"request"/, 'the logger captured the requests');
      assert.match(audit, /writeback\.reset_password/, 'the audit rows were read');
      const places: Record<string, string> = {
        logs: log,
        audit,
        pages: responses.map((r) => r.text).join('\n'),
        'Location headers and URLs': responses
          .flatMap((r) => [r.headers.location ?? '', ...r.redirects, r.headers['content-location'] ?? ''])
          .join('\n'),
      };
      for (const [place, text] of Object.entries(places)) {
        for (const secretText of passwords) {
          assert.ok(!text.includes(secretText), `a password appears in ${place}`);
        }
        for (const code of codes) {
          assert.doesNotMatch(text, new RegExp(`(?<![0-9])${code}(?![0-9])`), `a code appears in ${place}`);
        }
      }
    });
  });
}
