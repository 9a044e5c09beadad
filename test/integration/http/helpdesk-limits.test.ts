import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  badBinds,
  facts,
  givenUser,
  helpdeskGroupDn,
  removeTestUsers,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  auditRowsDuring,
  directoryUserOf,
  givenApp,
  givenClock,
  givenTotpFactor,
  type HelpdeskSession,
  pageText,
  signInToHelpdesk,
  type TestApp,
  type TestClock,
  totpCode,
} from '../../support/test-app.ts';

/**
 * Time limits of the helpdesk (Samba AD, with a clock the tests move): the agent session's idle
 * and absolute limits, and the caller verification's lifetime.
 */

const HDESK = { login: 'hdesk', password: facts('ad').users.hdesk!.password };
const SIGNED_OUT = pageText('helpdesk.signed_out');
const MINUTE = 60_000;

async function cleanUp(t: TestApp | undefined): Promise<void> {
  if (!t) return;
  const hdesk = await t.services.directory.findUser('hdesk');
  if (hdesk) await t.services.store.deleteFactors(hdesk.id);
  await t.close();
}

describe('Helpdesk idle limit: HELPDESK_IDLE_MINUTES=1 (Samba AD)', () => {
  let t: TestApp;
  let clock: TestClock;

  before(async () => {
    clock = givenClock();
    t = await givenApp('ad', { HELPDESK_GROUPS: helpdeskGroupDn('ad'), HELPDESK_IDLE_MINUTES: '1' }, clock);
  });
  after(() => cleanUp(t));

  it('activity keeps the session; 2 idle minutes end it (403 signed_out, audited)', async () => {
    const s = await signInToHelpdesk(t, HDESK, clock);
    clock.advance(50_000);
    assert.equal((await s.agent.get('/helpdesk/search?q=al')).status, 200, 'active after 50 s');
    clock.advance(50_000);
    assert.equal((await s.agent.get('/helpdesk/search?q=al')).status, 200, '50 s after the last request');
    clock.advance(2 * MINUTE);
    const { result, rows } = await auditRowsDuring(t, () => s.agent.get('/helpdesk/search?q=al'));
    assert.equal(result.status, 403);
    assert.ok(result.text.includes(SIGNED_OUT), 'the helpdesk.signed_out text');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.action, 'helpdesk.denied');
    assert.equal(rows[0]!.actor, 'agent:hdesk');
    // Gone for good: the next request is simply not signed in.
    const next = await s.agent.get('/helpdesk/search?q=al');
    assert.equal(next.status, 403);
    assert.ok(next.text.includes(pageText('helpdesk.denied')));
  });
});

describe('Helpdesk absolute limit and verification lifetime: HELPDESK_SESSION_MINUTES=2, HELPDESK_VERIFICATION_MINUTES=1 (Samba AD)', () => {
  let t: TestApp;
  let clock: TestClock;
  const made: TestUser[] = [];

  before(async () => {
    clock = givenClock();
    t = await givenApp(
      'ad',
      {
        HELPDESK_GROUPS: helpdeskGroupDn('ad'),
        HELPDESK_SESSION_MINUTES: '2',
        HELPDESK_VERIFICATION_MINUTES: '1',
      },
      clock,
    );
  });
  after(async () => {
    await cleanUp(t);
    await removeTestUsers('ad', made);
  });

  /** A fresh user with an authenticator, verified by `s` now (the app's clock). */
  async function verifiedUser(s: HelpdeskSession) {
    const u = await givenUser('ad');
    made.push(u);
    const entry = await directoryUserOf(t, u.username);
    const secret = await givenTotpFactor(t.services, entry);
    const verified = await s.post('/helpdesk/user/verify', {
      dn: u.dn,
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    assert.equal(verified.status, 200);
    assert.ok(verified.text.includes(pageText('ui.helpdesk.verified')));
    return { ...u, entry };
  }

  it('a request every minute does not stretch the session past 2 minutes', async () => {
    const s = await signInToHelpdesk(t, HDESK, clock);
    clock.advance(55_000);
    assert.equal((await s.agent.get('/helpdesk/search?q=al')).status, 200, 'at 0:55');
    clock.advance(55_000);
    assert.equal((await s.agent.get('/helpdesk/search?q=al')).status, 200, 'at 1:50');
    clock.advance(15_000);
    const { result, rows } = await auditRowsDuring(t, () => s.agent.get('/helpdesk/search?q=al'));
    assert.equal(result.status, 403, 'at 2:05, although last seen 15 s ago');
    assert.ok(result.text.includes(SIGNED_OUT));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.action, 'helpdesk.denied');
    assert.equal(rows[0]!.actor, 'agent:hdesk');
  });

  it('a verification expires after HELPDESK_VERIFICATION_MINUTES: the action is then refused (not_verified), one audit row', async () => {
    const s = await signInToHelpdesk(t, HDESK, clock);
    const u = await verifiedUser(s);
    await badBinds('ad', u.dn, 5);
    clock.advance(50_000);
    const inTime = await s.post('/helpdesk/user/unlock', { dn: u.dn, id: u.entry.id, reason: 'INC-100' });
    assert.equal(inTime.status, 200, 'within the minute the action runs');
    assert.ok(inTime.text.includes(pageText('ui.helpdesk.unlocked')));

    await badBinds('ad', u.dn, 5);
    assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, true, 'locked again');
    clock.advance(15_000);
    const { result, rows } = await auditRowsDuring(t, () =>
      s.post('/helpdesk/user/unlock', { dn: u.dn, id: u.entry.id, reason: 'INC-101' }),
    );
    assert.equal(result.status, 400, 'after 65 s the verification is over');
    assert.ok(result.text.includes(pageText('helpdesk.not_verified', { minutes: 1 })));
    assert.equal(rows.length, 1, 'one audit row for the refusal');
    assert.equal(rows[0]!.action, 'writeback.unlock');
    assert.equal(rows[0]!.outcome, 'refused');
    assert.equal(rows[0]!.errorCode, 'helpdesk.not_verified');
    assert.equal(rows[0]!.actor, 'agent:hdesk');
    assert.equal(rows[0]!.reason, 'INC-101');
    assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, true, 'still locked');
    // The status card is hidden again too.
    const card = await s.agent.get(`/helpdesk/user?dn=${encodeURIComponent(u.dn)}`);
    assert.ok(!card.text.includes('data-status'), 'no status after the verification expired');
  });
});
