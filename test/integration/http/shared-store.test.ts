import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import { freshPostgresDatabase } from '../../support/stores.ts';
import {
  csrfOf,
  directoryUserOf,
  givenApp,
  givenTotpFactor,
  identifyAs,
  pageText,
  submit,
  type TestApp,
  totpCode,
  wrongTotpCode,
} from '../../support/test-app.ts';

/**
 * Limits, lockouts and flows live in the store, not in one process: a second instance on the same
 * database (SQLite file, or PostgreSQL as when scaled out) sees what the first one counted.
 */

const kind = 'openldap';
const LIMITED = pageText('flow.rate_limited');
const from = (ip: string) => ({ 'X-Forwarded-For': ip });
const unknownLogin = () => `t${randomBytes(4).toString('hex')}`;
const ENV = {
  RATE_LIMIT_PER_ADDRESS: '3',
  RATE_LIMIT_PER_ACCOUNT: '3',
  FACTOR_LOCKOUT_ATTEMPTS: '2',
  TRUST_PROXY: '1',
};

const databases = {
  'a SQLite file': async () => ({
    url: `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), 'sspr-shared-')), 'store.sqlite')}`,
    drop: async () => undefined,
  }),
  PostgreSQL: freshPostgresDatabase,
};

for (const [name, database] of Object.entries(databases)) {
  describe(`Two app instances on ${name} share limits, lockouts and flows`, () => {
    let a: TestApp;
    let b: TestApp;
    let drop: () => Promise<void>;
    const made: TestUser[] = [];
    const user = async () => {
      const u = await givenUser(kind);
      made.push(u);
      return { ...u, entry: await directoryUserOf(a, u.username) };
    };

    before(async () => {
      const db = await database();
      drop = db.drop;
      a = await givenApp(kind, { ...ENV, DATABASE_URL: db.url });
      b = await givenApp(kind, { ...ENV, DATABASE_URL: db.url });
    });
    after(async () => {
      await a.close();
      await b.close();
      await drop();
      await removeTestUsers(kind, made);
    });

    it('per-address: three attempts on instance A, the fourth from that address on instance B gets 429', async () => {
      for (let i = 0; i < 3; i++) {
        const res = await identifyAs(a.agent(), 'reset', unknownLogin(), from('10.7.0.1'));
        assert.equal(res.status, 200);
      }
      const fourth = await identifyAs(b.agent(), 'reset', unknownLogin(), from('10.7.0.1'));
      assert.equal(fourth.status, 429);
      assert.ok(fourth.text.includes(LIMITED));
      const other = await identifyAs(b.agent(), 'reset', unknownLogin(), from('10.7.0.2'));
      assert.equal(other.status, 200, 'B itself is not refusing everything');
    });

    it('per-account: three identifies of one user on A from three addresses, the fourth on B from a fourth gets 429', async () => {
      const u = await user();
      for (let i = 1; i <= 3; i++) {
        const res = await identifyAs(a.agent(), 'reset', u.username, from(`10.8.${i}.1`));
        assert.equal(res.status, 200);
      }
      const fourth = await identifyAs(b.agent(), 'reset', u.username, from('10.8.4.1'));
      assert.equal(fourth.status, 429);
      assert.ok(fourth.text.includes(LIMITED));
    });

    it('factor lockout: wrong codes on A lock the flow for that user, so B refuses even the right code', async () => {
      const u = await user();
      const secret = await givenTotpFactor(a.services, u.entry);
      const agentA = a.agent();
      const page = (await identifyAs(agentA, 'reset', u.username, from('10.9.0.1'))).text;
      const wrong = wrongTotpCode(secret);
      await submit(agentA, '/reset/verify', page, { method: 'totp', code: wrong }).set(from('10.9.0.1'));
      const locked = await submit(agentA, '/reset/verify', page, { method: 'totp', code: wrong }).set(
        from('10.9.0.1'),
      );
      assert.ok(locked.text.includes(pageText('flow.locked')));

      const agentB = b.agent();
      const pageB = (await identifyAs(agentB, 'reset', u.username, from('10.9.0.2'))).text;
      const refused = await submit(agentB, '/reset/verify', pageB, {
        method: 'totp',
        code: totpCode(secret),
      }).set(from('10.9.0.2'));
      assert.equal(refused.status, 429);
      assert.ok(refused.text.includes(pageText('flow.locked')));
    });

    it('a flow started on A (identify) is finished on B (verify) with the same session cookie', async () => {
      const u = await user();
      const secret = await givenTotpFactor(a.services, u.entry);
      const agentA = a.agent();
      const page = await identifyAs(agentA, 'reset', u.username, from('10.10.0.1'));
      const cookie = ([] as string[]).concat(page.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';
      assert.ok(cookie, 'a session cookie');
      const onB = await b
        .agent()
        .post('/reset/verify')
        .type('form')
        .set('Cookie', cookie)
        .set(from('10.10.0.1'))
        .send({ _csrf: csrfOf(page.text), method: 'totp', code: totpCode(secret) });
      assert.equal(onB.status, 200);
      assert.ok(onB.text.includes(pageText('ui.password.title')));
    });
  });
}
