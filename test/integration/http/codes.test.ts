import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { hashCode } from '../../../src/mfa/one-time-code.ts';
import { givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
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
 * One-time codes over HTTP. TOTP: single use, never an older step after a newer one. SMS: six
 * random digits, only a keyed hash at rest, expiring after CODE_TTL_SECONDS, 5 tries counted
 * before comparing. Store-level rules, so OpenLDAP only.
 */

const kind = 'openldap';
const CHOOSE = pageText('ui.password.title');
const INVALID = pageText('flow.code_invalid');

describe('One-time codes over HTTP', () => {
  let t: TestApp;
  let clock: TestClock;
  let dbFile: string;
  const made: TestUser[] = [];
  const user = async () => {
    const u = await givenUser(kind);
    made.push(u);
    return { ...u, entry: await directoryUserOf(t, u.username) };
  };
  /** A reset flow for `login` on a new agent, at the verify step. */
  const verifyStep = async (login: string) => {
    const agent = t.agent();
    return { agent, page: (await identifyAs(agent, 'reset', login)).text };
  };
  /** A user with an enrolled phone, a flow at the verify step, and the code just sent to the phone. */
  const smsFlow = async () => {
    const u = await user();
    const phone = givenPhone();
    await givenSmsFactor(t.services, u.entry, phone);
    const { agent, page } = await verifyStep(u.username);
    await submit(agent, '/reset/send-code', page).expect(200);
    return { agent, page, code: await lastCodeFor(t, phone) };
  };
  const sendSms = (flow: { agent: ReturnType<TestApp['agent']>; page: string }, code: string) =>
    submit(flow.agent, '/reset/verify', flow.page, { method: 'sms', code });
  const differentCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  before(async () => {
    clock = givenClock();
    dbFile = path.join(mkdtempSync(path.join(tmpdir(), 'sspr-codes-')), 'store.sqlite');
    t = await givenApp(
      kind,
      {
        DATABASE_URL: `sqlite:${dbFile}`,
        CODE_TTL_SECONDS: '60',
        FACTOR_LOCKOUT_ATTEMPTS: '50',
        RATE_LIMIT_PER_ACCOUNT: '100',
      },
      { now: clock.now },
    );
  });
  after(async () => {
    await t.close();
    await removeTestUsers(kind, made);
  });

  it('an authenticator code is accepted once: a second flow submitting the same code is refused', async () => {
    clock.alignToTotpStep();
    const u = await user();
    const secret = await givenTotpFactor(t.services, u.entry);
    const code = totpCode(secret, 0, clock.now());
    const first = await verifyStep(u.username);
    const accepted = await submit(first.agent, '/reset/verify', first.page, { method: 'totp', code });
    assert.ok(accepted.text.includes(CHOOSE));
    const second = await verifyStep(u.username);
    const replayed = await submit(second.agent, '/reset/verify', second.page, { method: 'totp', code });
    assert.equal(replayed.status, 400);
    assert.ok(replayed.text.includes(INVALID));
  });

  it('after a newer time step was accepted, older codes still inside the window are refused', async () => {
    clock.alignToTotpStep();
    const u = await user();
    const secret = await givenTotpFactor(t.services, u.entry);
    const newer = await verifyStep(u.username);
    const accepted = await submit(newer.agent, '/reset/verify', newer.page, {
      method: 'totp',
      code: totpCode(secret, 1, clock.now()),
    });
    assert.ok(accepted.text.includes(CHOOSE), 'the next step is inside the window');
    for (const offset of [0, -1]) {
      const older = await verifyStep(u.username);
      const refused = await submit(older.agent, '/reset/verify', older.page, {
        method: 'totp',
        code: totpCode(secret, offset, clock.now()),
      });
      assert.equal(refused.status, 400, `step offset ${offset}`);
      assert.ok(refused.text.includes(INVALID));
    }
  });

  it('SMS codes are six random digits: five codes sent to five flows are not all the same', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await smsFlow()).code);
    for (const code of codes) assert.match(code, /^\d{6}$/);
    assert.ok(new Set(codes).size > 1, `codes ${codes.join(', ')}`);
  });

  it('an SMS code is stored only as a keyed hash: its row holds the HMAC, and no row of the store holds the code', async () => {
    const { code } = await smsFlow();
    const db = new BetterSqlite3(dbFile, { readonly: true });
    try {
      const codes = db.prepare('select * from one_time_code').all() as Array<Record<string, unknown>>;
      const mine = codes.filter(
        (row) => row.code_hash === hashCode(t.services.keys.codeKey, String(row.purpose), code),
      );
      assert.equal(mine.length, 1, 'exactly one row is this code, found through its keyed hash');
      assert.match(String(mine[0]?.code_hash), /^[0-9a-f]{64}$/);
      const asCode = new RegExp(`(?<!\\d)${code}(?!\\d)`);
      for (const table of ['one_time_code', 'flow', 'session', 'rate_limit', 'audit_event']) {
        for (const row of db.prepare(`select * from ${table}`).all()) {
          assert.doesNotMatch(JSON.stringify(row), asCode, `the code appears in ${table}`);
        }
      }
    } finally {
      db.close();
    }
  });

  it('an SMS code expires after CODE_TTL_SECONDS: refused at 61 s, while one used at 59 s is accepted', async () => {
    const late = await smsFlow();
    const early = await smsFlow();
    clock.advance(59_000);
    const inTime = await sendSms(early, early.code);
    assert.ok(inTime.text.includes(CHOOSE), 'accepted within its lifetime');
    clock.advance(2_000);
    const expired = await sendSms(late, late.code);
    assert.equal(expired.status, 400);
    assert.ok(expired.text.includes(INVALID));
  });

  it('after 5 wrong tries the right SMS code is refused (tries are counted before comparing)', async () => {
    const flow = await smsFlow();
    for (let i = 0; i < 5; i++) {
      const wrong = await sendSms(flow, differentCode(flow.code));
      assert.ok(wrong.text.includes(INVALID));
    }
    const right = await sendSms(flow, flow.code);
    assert.equal(right.status, 400);
    assert.ok(right.text.includes(INVALID));
    assert.ok(!right.text.includes(CHOOSE));
  });

  it('after 4 wrong tries the right SMS code is still accepted (the 5th try is the last)', async () => {
    const flow = await smsFlow();
    for (let i = 0; i < 4; i++) await sendSms(flow, differentCode(flow.code));
    const right = await sendSms(flow, flow.code);
    assert.equal(right.status, 200);
    assert.ok(right.text.includes(CHOOSE));
  });

  it('an SMS code sent to one flow does not verify another flow of the same user', async () => {
    const u = await user();
    const phone = givenPhone();
    await givenSmsFactor(t.services, u.entry, phone);
    const mine = await verifyStep(u.username);
    const other = await verifyStep(u.username);
    await submit(mine.agent, '/reset/send-code', mine.page).expect(200);
    const code = await lastCodeFor(t, phone);
    const borrowed = await sendSms(other, code);
    assert.equal(borrowed.status, 400);
    assert.ok(borrowed.text.includes(INVALID));
    assert.ok((await sendSms(mine, code)).text.includes(CHOOSE), 'the code is good in its own flow');
  });
});
