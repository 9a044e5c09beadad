import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type request from 'supertest';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import {
  facts,
  freshPassword,
  givenUser,
  removeTestUsers,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  type Agent,
  directoryUserOf,
  givenApp,
  givenClock,
  givenTotpFactor,
  identifyAs,
  lastCodeFor,
  pageText,
  sessionIdOf,
  smsSentTo,
  submit,
  type TestApp,
  type TestClock,
  totpCode,
  withoutTokens,
} from '../../support/test-app.ts';

/**
 * "Start again" is a POST carrying the flow's CSRF token (a GET never throws a flow away), and
 * the session id is rotated whenever something is proven: enroll sign-in, enroll verify, a
 * successful change password. Plus TRUST_DIRECTORY_MOBILE at enrollment: the directory mobile
 * counts as a factor, so adding another needs it proven first.
 */

const IDENTIFY_FORM = 'action="/reset/identify"';
const VERIFY_FORM = 'action="/reset/verify"';
const SIGN_IN_FORM = 'action="/enroll/sign-in"';
const INVALID = pageText('flow.invalid');
const MANAGE = pageText('ui.enroll.your_factors');
const UNLOCKED = pageText('ui.enroll.unlocked');
const unknownLogin = () => `t${randomBytes(4).toString('hex')}`;

/** The `name=value` of the session cookie a response set, to replay it from another client. */
function sessionCookieOf(res: request.Response): string {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = cookies.find((c) => /^(?:__Host-)?sspr=/.test(c))?.split(';')[0];
  assert.ok(cookie, 'the response sets the session cookie');
  return cookie;
}

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`Start again and session rotation: ${kind}`, () => {
    let t: TestApp;
    let clock: TestClock;
    const made: TestUser[] = [];
    const user = async () => {
      const u = await givenUser(kind);
      made.push(u);
      return { ...u, entry: await directoryUserOf(t, u.username) };
    };
    /** The reset flow id the session behind `res` names, read from the session store. */
    const resetFlowIdOf = async (res: request.Response) => {
      const sid = sessionIdOf(res);
      assert.ok(sid, 'the response carries a session id');
      const session = await t.services.store.getSession(sid, new Date());
      const data = session ? (JSON.parse(session.data) as { flows?: { reset?: string } }) : null;
      return data?.flows?.reset ?? null;
    };
    const signIn = async (agent: Agent, login: string, password: string) => {
      const form = await agent.get('/enroll').expect(200);
      const signedIn = await submit(agent, '/enroll/sign-in', form.text, { login, password });
      return { form, signedIn };
    };

    before(async () => {
      clock = givenClock();
      t = await givenApp(
        kind,
        { RATE_LIMIT_PER_ACCOUNT: '1000', RATE_LIMIT_PER_ADDRESS: '10000' },
        { now: clock.now },
      );
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    it('POST /reset/restart with the flow token deletes the verify step flow from the store and shows the identify page', async () => {
      const u = await user();
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', u.username);
      assert.ok(verify.text.includes(VERIFY_FORM), 'precondition: at the verify step');
      const flowId = await resetFlowIdOf(verify);
      assert.ok(flowId);
      assert.equal((await t.services.store.getFlow(flowId, clock.now()))?.state, 'verify');

      const restarted = await submit(agent, '/reset/restart', verify.text);
      assert.equal(restarted.status, 200);
      assert.ok(restarted.text.includes(IDENTIFY_FORM), 'the identify page is shown');
      assert.ok(!restarted.text.includes(u.username), 'the login is no longer shown');
      assert.equal(await t.services.store.getFlow(flowId, clock.now()), null, 'the old flow is gone');
      const fresh = await resetFlowIdOf(restarted);
      assert.ok(fresh && fresh !== flowId, 'the session names a new flow');
      assert.equal((await t.services.store.getFlow(fresh, clock.now()))?.state, 'identify');

      const stale = await submit(agent, '/reset/verify', verify.text, { method: 'totp', code: '000000' });
      assert.equal(stale.status, 400, "the old page's forms no longer reach any flow");
      assert.ok(!stale.text.includes(VERIFY_FORM));
    });

    it('POST /reset/restart with a wrong token: 400 flow.invalid and a fresh identify page, the same for a real account and an unknown login, and the old flow is no longer usable', async () => {
      // What the code does today: any step refused as flow.invalid starts a new flow (flow-steps.ts
      // flowStep), so the old one is deleted here too. Same-site only: the cookie is SameSite=Lax.
      const answers: Record<string, { status: number; page: string }> = {};
      for (const [who, login] of [
        ['real', (await user()).username],
        ['unknown', unknownLogin()],
      ] as const) {
        const agent = t.agent();
        const verify = await identifyAs(agent, 'reset', login);
        const flowId = await resetFlowIdOf(verify);
        assert.ok(flowId);
        const forged = await agent.post('/reset/restart').type('form').send({ _csrf: 'not-the-token' });
        assert.equal(forged.status, 400, `${who}: refused, not a server error`);
        assert.ok(forged.text.includes(INVALID), `${who}: flow.invalid`);
        assert.ok(forged.text.includes(IDENTIFY_FORM), `${who}: identify page`);
        assert.ok(!forged.text.includes(login), `${who}: the login is not echoed`);
        assert.equal(await t.services.store.getFlow(flowId, clock.now()), null, `${who}: old flow deleted`);
        const reuse = await submit(agent, '/reset/send-code', verify.text);
        assert.equal(reuse.status, 400, `${who}: the old flow's token no longer works`);
        assert.ok(!reuse.text.includes(VERIFY_FORM));
        answers[who] = { status: forged.status, page: withoutTokens(forged.text) };
      }
      assert.deepEqual(answers.real, answers.unknown, 'nothing tells a real account from an unknown login');
    });

    it('GET /reset?restart does not restart: the verify page is shown again and the flow is kept', async () => {
      const u = await user();
      const agent = t.agent();
      const verify = await identifyAs(agent, 'reset', u.username);
      const flowId = await resetFlowIdOf(verify);
      assert.ok(flowId);
      for (const path of ['/reset?restart', '/reset?restart=1']) {
        const again = await agent.get(path);
        assert.equal(again.status, 200, path);
        assert.ok(again.text.includes(VERIFY_FORM), `${path}: still at the verify step`);
        assert.ok(!again.text.includes(IDENTIFY_FORM), path);
      }
      const getRestart = await agent.get('/reset/restart');
      assert.notEqual(getRestart.status, 200, 'no GET route restarts');
      assert.equal((await t.services.store.getFlow(flowId, clock.now()))?.state, 'verify', 'flow kept');
    });

    it('enroll sign-in rotates the session id; the pre-sign-in cookie gets the sign-in page, not the signed-in flow', async () => {
      const u = await user();
      const agent = t.agent();
      const { form, signedIn } = await signIn(agent, u.username, u.password);
      assert.ok(signedIn.text.includes(MANAGE), 'signed in');
      const [before, after] = [sessionIdOf(form), sessionIdOf(signedIn)];
      assert.ok(before && after);
      const view = await agent.get('/enroll');
      assert.equal(sessionIdOf(view), after, 'control: a page view keeps the session id');
      assert.notEqual(after, before, 'a new session id after sign-in');
      assert.equal(await t.services.store.getSession(before, new Date()), null, 'the old session is gone');

      const withOld = await t.agent().get('/enroll').set('Cookie', sessionCookieOf(form));
      assert.ok(withOld.text.includes(SIGN_IN_FORM), 'the old cookie gets the sign-in page');
      assert.ok(!withOld.text.includes(MANAGE));
      const withNew = await agent.get('/enroll');
      assert.ok(withNew.text.includes(MANAGE), 'the new session still reaches the flow');
    });

    it('enroll verify (a proven factor) rotates the session id again; the sign-in cookie no longer reaches the flow', async () => {
      clock.alignToTotpStep();
      const u = await user();
      const secret = await givenTotpFactor(t.services, u.entry);
      const agent = t.agent();
      const { signedIn } = await signIn(agent, u.username, u.password);
      assert.ok(signedIn.text.includes(MANAGE));
      const unlocked = await submit(agent, '/enroll/verify', signedIn.text, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      });
      assert.equal(unlocked.status, 200);
      assert.ok(unlocked.text.includes(UNLOCKED), 'management unlocked');
      const [before, after] = [sessionIdOf(signedIn), sessionIdOf(unlocked)];
      assert.ok(before && after);
      assert.notEqual(after, before, 'a new session id after the factor is proven');
      assert.equal(await t.services.store.getSession(before, new Date()), null, 'the old session is gone');

      const withOld = await t.agent().get('/enroll').set('Cookie', sessionCookieOf(signedIn));
      assert.ok(withOld.text.includes(SIGN_IN_FORM), 'the old cookie gets the sign-in page');
      assert.ok(!withOld.text.includes(MANAGE));
      const withNew = await agent.get('/enroll');
      assert.ok(withNew.text.includes(MANAGE) && withNew.text.includes('action="/enroll/remove"'));
    });

    it('a successful change password rotates the session id; the old session is gone', async () => {
      const u = await user();
      const agent = t.agent();
      const form = await agent.get('/change').expect(200);
      const password = `${freshPassword('R')}abcdef`;
      const done = await submit(agent, '/change', form.text, {
        login: u.username,
        current: u.password,
        password,
        confirm: password,
      });
      assert.equal(done.status, 200);
      assert.ok(done.text.includes(pageText('ui.done.change')));
      const [before, after] = [sessionIdOf(form), sessionIdOf(done)];
      assert.ok(before && after);
      assert.notEqual(after, before, 'a new session id after the password is proven');
      assert.equal(await t.services.store.getSession(before, new Date()), null, 'the old session is gone');
      await t.services.directory.verifyPassword(u.entry, password);
    });
  });
}

describe('TRUST_DIRECTORY_MOBILE at enrollment: ad (seeded carol, directory mobile, password untouched)', () => {
  const kind = 'ad';
  let t: TestApp;
  let carolId: string | null = null;

  before(async () => {
    t = await givenApp(kind, {
      TRUST_DIRECTORY_MOBILE: 'true',
      RATE_LIMIT_PER_ACCOUNT: '1000',
      RATE_LIMIT_PER_ADDRESS: '10000',
    });
  });
  after(async () => {
    if (carolId) await t.services.store.deleteFactors(carolId);
    await t.close();
  });

  it('adding an authenticator needs the directory mobile proven first; after a code to it the authenticator is added and the notice goes to that mobile', async () => {
    const carol = facts(kind).users.carol!;
    const entry = await directoryUserOf(t, 'carol');
    carolId = entry.id;
    assert.equal(entry.mobile, carol.mobile, 'precondition: carol has a directory mobile');
    await t.services.store.deleteFactors(entry.id);

    const agent = t.agent();
    const form = await agent.get('/enroll').expect(200);
    const manage = await submit(agent, '/enroll/sign-in', form.text, {
      login: 'carol',
      password: carol.password,
    });
    assert.equal(manage.status, 200);
    assert.ok(manage.text.includes(MANAGE), 'carol is signed in');

    const early = await submit(agent, '/enroll/totp', manage.text);
    assert.equal(early.status, 400);
    assert.ok(
      early.text.includes(pageText('flow.factor_required')),
      'the directory mobile counts as a factor',
    );
    assert.deepEqual(await t.services.store.listFactors(entry.id), [], 'no pending authenticator was made');

    const sent = await submit(agent, '/enroll/send-code', manage.text);
    assert.equal(sent.status, 200);
    assert.ok(sent.text.includes(pageText('ui.verify.code_sent')));
    const unlocked = await submit(agent, '/enroll/verify', manage.text, {
      method: 'sms',
      code: await lastCodeFor(t, carol.mobile),
    });
    assert.equal(unlocked.status, 200);
    assert.ok(unlocked.text.includes(UNLOCKED), 'proven with the code sent to the directory mobile');

    const totpPage = await submit(agent, '/enroll/totp', unlocked.text);
    assert.equal(totpPage.status, 200);
    const secret = /id="totp-secret">([A-Z2-7]+)</.exec(totpPage.text)?.[1];
    assert.ok(secret, 'the authenticator page shows its setup key');
    const added = await submit(agent, '/enroll/totp/confirm', totpPage.text, { code: totpCode(secret) });
    assert.equal(added.status, 200);
    const confirmed = (await t.services.store.listFactors(entry.id)).filter((f) => f.confirmedAt);
    assert.deepEqual(
      confirmed.map((f) => f.kind),
      ['totp'],
    );
    const notices = (await smsSentTo(t, carol.mobile, 100)).filter((text) =>
      text.includes('was added to your account'),
    );
    assert.equal(notices.length, 1, 'the "added" notice goes to the directory mobile');
  });
});
