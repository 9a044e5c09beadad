import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type request from 'supertest';
import { givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import { freshPostgresDatabase } from '../../support/stores.ts';
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
  submit,
  type TestApp,
  type TestClock,
  totpCode,
} from '../../support/test-app.ts';

/**
 * 16 concurrent submissions of one right code: exactly one reaches the password step. Limits are
 * set high so that only single use (the code, the TOTP step, the flow version) can stop the rest.
 */

const kind = 'openldap';
const CHOOSE = pageText('ui.password.title');
const N = 16;
const LOSER_TEXTS = ['flow.code_invalid', 'flow.invalid', 'flow.expired'].map((code) => pageText(code));
const ENV = {
  RATE_LIMIT_PER_ACCOUNT: '1000',
  RATE_LIMIT_PER_ADDRESS: '10000',
  FACTOR_LOCKOUT_ATTEMPTS: '100',
  CODE_MAX_ATTEMPTS: '20',
};

function assertExactlyOneAccepted(answers: request.Response[]) {
  const accepted = answers.filter((r) => r.status === 200 && r.text.includes(CHOOSE));
  assert.equal(accepted.length, 1, `accepted: ${accepted.length} of ${answers.length}`);
  for (const r of answers.filter((x) => !accepted.includes(x))) {
    assert.ok(r.status >= 400, `a losing submission answered ${r.status}`);
    // A loser is re-rendered on the flow's current step, with its refusal.
    assert.ok(
      LOSER_TEXTS.some((text) => r.text.includes(text)),
      `a losing submission shows a refusal`,
    );
  }
}

const stores = {
  SQLite: async () => ({ env: {}, drop: async () => undefined }),
  PostgreSQL: async () => {
    const db = await freshPostgresDatabase();
    return { env: { DATABASE_URL: db.url }, drop: db.drop };
  },
};

for (const [name, store] of Object.entries(stores)) {
  describe(`Concurrent submissions of one code (${name})`, () => {
    let t: TestApp;
    let clock: TestClock;
    let drop: () => Promise<void>;
    const made: TestUser[] = [];
    const user = async () => {
      const u = await givenUser(kind);
      made.push(u);
      return { ...u, entry: await directoryUserOf(t, u.username) };
    };
    const race = (agent: Agent, page: string, fields: Record<string, string>) =>
      Promise.all(Array.from({ length: N }, () => submit(agent, '/reset/verify', page, fields)));

    before(async () => {
      const s = await store();
      drop = s.drop;
      clock = givenClock();
      t = await givenApp(kind, { ...ENV, ...s.env }, { now: clock.now });
    });
    after(async () => {
      await t.close();
      await drop();
      await removeTestUsers(kind, made);
    });

    it(`${N} concurrent submissions of the right SMS code in one flow: exactly one reaches the password step`, async () => {
      const u = await user();
      const phone = givenPhone();
      await givenSmsFactor(t.services, u.entry, phone);
      const agent = t.agent();
      const page = (await identifyAs(agent, 'reset', u.username)).text;
      await submit(agent, '/reset/send-code', page).expect(200);
      const code = await lastCodeFor(t, phone);
      assertExactlyOneAccepted(await race(agent, page, { method: 'sms', code }));
    });

    it(`${N} concurrent submissions of the right authenticator code in one flow: exactly one reaches the password step`, async () => {
      clock.alignToTotpStep();
      const u = await user();
      const secret = await givenTotpFactor(t.services, u.entry);
      const agent = t.agent();
      const page = (await identifyAs(agent, 'reset', u.username)).text;
      const code = totpCode(secret, 0, clock.now());
      assertExactlyOneAccepted(await race(agent, page, { method: 'totp', code }));
    });

    it(`one authenticator code submitted at once in ${N} separate flows of the same user: exactly one is accepted`, async () => {
      clock.alignToTotpStep();
      const u = await user();
      const secret = await givenTotpFactor(t.services, u.entry);
      const flows: Array<{ agent: Agent; page: string }> = [];
      for (let i = 0; i < N; i++) {
        const agent = t.agent();
        flows.push({ agent, page: (await identifyAs(agent, 'reset', u.username)).text });
      }
      const code = totpCode(secret, 0, clock.now());
      const answers = await Promise.all(
        flows.map((f) => submit(f.agent, '/reset/verify', f.page, { method: 'totp', code })),
      );
      assertExactlyOneAccepted(answers);
    });
  });
}
