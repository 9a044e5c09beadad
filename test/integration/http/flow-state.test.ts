import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshPassword, givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  directoryUserOf,
  givenApp,
  givenClock,
  givenTotpFactor,
  identifyAs,
  pageText,
  sessionIdOf,
  submit,
  type TestApp,
  type TestClock,
  totpCode,
} from '../../support/test-app.ts';

/**
 * Flows are server-side state machines bound to the session, with expiry: no step skipped or
 * replayed, the subject fixed at identify, the session id rotated on proof, the finished flow gone.
 */

const kind = 'openldap';
const CHOOSE = pageText('ui.password.title');
const INVALID = pageText('flow.invalid');
const EXPIRED = pageText('flow.expired');
const IDENTIFY_FORM = 'action="/reset/identify"';
const newPassword = () => `${freshPassword('S')}abcdef`;

describe('Flows as server-side state machines', () => {
  let t: TestApp;
  let clock: TestClock;
  const made: TestUser[] = [];
  /** A fresh user with an authenticator, and a reset flow at the verify step. */
  const atVerify = async () => {
    clock.alignToTotpStep();
    const u = await givenUser(kind);
    made.push(u);
    const entry = await directoryUserOf(t, u.username);
    const secret = await givenTotpFactor(t.services, entry);
    const agent = t.agent();
    const verify = await identifyAs(agent, 'reset', u.username);
    return { u, entry, secret, agent, verify };
  };
  const flowIdOf = async (sid: string | null) => {
    const session = sid ? await t.services.store.getSession(sid, new Date()) : null;
    const data = session ? (JSON.parse(session.data) as { flows?: { reset?: string } }) : null;
    return data?.flows?.reset ?? null;
  };

  before(async () => {
    clock = givenClock();
    t = await givenApp(kind, { FLOW_TTL_MINUTES: '5' }, { now: clock.now });
  });
  after(async () => {
    await t.close();
    await removeTestUsers(kind, made);
  });

  it('the password step posted right after identify is refused, the flow starts again, and the password is unchanged', async () => {
    const { entry, agent, verify } = await atVerify();
    const password = newPassword();
    const skipped = await submit(agent, '/reset/password', verify.text, { password, confirm: password });
    assert.equal(skipped.status, 400);
    assert.ok(skipped.text.includes(INVALID));
    assert.ok(skipped.text.includes(IDENTIFY_FORM), 'back to identify');
    await assert.rejects(t.services.directory.verifyPassword(entry, password));
    assert.equal((await t.services.store.listAudit({ subject: entry.username })).length, 0);
  });

  it('a completed verify posted again, even with another valid code, is refused (no replay)', async () => {
    const { secret, agent, verify } = await atVerify();
    const done = await submit(agent, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    assert.ok(done.text.includes(CHOOSE));
    const replay = await submit(agent, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 1, clock.now()),
    });
    assert.equal(replay.status, 400);
    assert.ok(replay.text.includes(INVALID));
    assert.ok(!replay.text.includes(CHOOSE));
  });

  it('identify posted again in the verify step is refused: the subject cannot change mid-flow', async () => {
    const { agent, verify } = await atVerify();
    const other = await givenUser(kind);
    made.push(other);
    const switched = await submit(agent, '/reset/identify', verify.text, { login: other.username });
    assert.equal(switched.status, 400);
    assert.ok(switched.text.includes(INVALID));
    assert.ok(!switched.text.includes(other.username), 'the other account is not taken up');
    assert.ok(switched.text.includes(IDENTIFY_FORM));
  });

  it('a flow older than FLOW_TTL_MINUTES answers "That page has expired" and starts again, even with the right code', async () => {
    const { secret, agent, verify } = await atVerify();
    clock.advance(5 * 60_000 + 1_000);
    const late = await submit(agent, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    assert.equal(late.status, 400);
    assert.ok(late.text.includes(EXPIRED));
    assert.ok(late.text.includes(IDENTIFY_FORM));
  });

  it('the session id changes when the factor is proven, and the old session id no longer reaches the flow', async () => {
    const { secret, agent, verify } = await atVerify();
    const before = sessionIdOf(verify);
    assert.ok(before);
    const proven = await submit(agent, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    assert.ok(proven.text.includes(CHOOSE));
    const after = sessionIdOf(proven);
    assert.ok(after);
    assert.notEqual(after, before);
    assert.equal(await t.services.store.getSession(before, new Date()), null, 'the old session is gone');
    const cookie = ([] as string[]).concat(verify.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';
    const withOld = await t.agent().get('/reset').set('Cookie', cookie);
    assert.ok(!withOld.text.includes(CHOOSE), 'the old cookie does not reach the password step');
  });

  it('a finished flow is deleted from the store; posting its password form again is refused', async () => {
    const { entry, secret, agent, verify } = await atVerify();
    const choose = await submit(agent, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    const flowId = await flowIdOf(sessionIdOf(choose));
    assert.ok(flowId, 'the session names its flow');
    assert.equal((await t.services.store.getFlow(flowId, clock.now()))?.state, 'choose_password');
    const password = newPassword();
    await submit(agent, '/reset/password', choose.text, { password, confirm: password }).expect(200);
    assert.equal(await t.services.store.getFlow(flowId, clock.now()), null, 'the finished flow is gone');

    const again = newPassword();
    const replay = await submit(agent, '/reset/password', choose.text, { password: again, confirm: again });
    assert.equal(replay.status, 400);
    assert.ok(replay.text.includes(EXPIRED));
    await t.services.directory.verifyPassword(entry, password);
    await assert.rejects(t.services.directory.verifyPassword(entry, again));
  });

  it('a flow is bound to its session: another session posting its CSRF token gets nothing from it', async () => {
    const { secret, agent, verify } = await atVerify();
    const thief = t.agent();
    await thief.get('/reset');
    const stolen = await submit(thief, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    assert.equal(stolen.status, 400);
    assert.ok(!stolen.text.includes(CHOOSE));
    const owner = await submit(agent, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    assert.ok(owner.text.includes(CHOOSE), 'the owner still proceeds: the code was not spent by the thief');
  });

  it('enrollment steps out of order are refused: confirming an authenticator that was never started', async () => {
    const u = await givenUser(kind);
    made.push(u);
    const agent = t.agent();
    const form = await agent.get('/enroll');
    const manage = await submit(agent, '/enroll/sign-in', form.text, {
      login: u.username,
      password: u.password,
    });
    assert.equal(manage.status, 200);
    const out = await submit(agent, '/enroll/totp/confirm', manage.text, { code: '123456' });
    assert.equal(out.status, 400);
    assert.ok(out.text.includes(INVALID));
    assert.ok(out.text.includes('action="/enroll/sign-in"'), 'back to sign-in');
  });
});
