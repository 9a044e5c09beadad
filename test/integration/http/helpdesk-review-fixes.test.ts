import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  freshPassword,
  givenGroup,
  givenUser,
  removeTestGroups,
  removeTestUsers,
  type TestGroup,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  csrfOf,
  directoryUserOf,
  givenApp,
  givenClock,
  givenSmsFactor,
  lastCodeFor,
  pageText,
  signInToHelpdesk,
  submit,
  type TestApp,
} from '../../support/test-app.ts';

/** Behaviours fixed after review: group re-check, sign-in budget, assist code scope, link prefix. */
describe('helpdesk: review fixes (Samba AD)', () => {
  const users: TestUser[] = [];
  const groups: TestGroup[] = [];
  const apps: TestApp[] = [];
  const app = async (env: Record<string, string>, options: Parameters<typeof givenApp>[2] = {}) => {
    const t = await givenApp('ad', env, options);
    apps.push(t);
    return t;
  };
  const user = async () => {
    const u = await givenUser('ad');
    users.push(u);
    return u;
  };
  let agentUser: TestUser;
  let group: TestGroup;
  before(async () => {
    agentUser = await user();
    group = await givenGroup('ad', [agentUser.dn]);
    groups.push(group);
  });
  after(async () => {
    for (const t of apps) await t.close();
    await removeTestUsers('ad', users);
    await removeTestGroups('ad', groups);
  });

  it('an agent removed from the helpdesk group loses access within a minute, audited', async () => {
    const clock = givenClock();
    const t = await app({ HELPDESK_GROUPS: group.dn, HELPDESK_IDLE_MINUTES: '10' }, { now: clock.now });
    const session = await signInToHelpdesk(
      t,
      { login: agentUser.username, password: agentUser.password },
      { now: clock.now },
    );
    await session.agent.get('/helpdesk/audit').expect(200);
    const client = await (await import('../../support/directory-servers.ts')).adminClient('ad');
    const { Attribute, Change } = await import('ldapts');
    await client.modify(
      group.dn,
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [agentUser.dn] }),
      }),
    );
    await client.unbind();
    // Within the re-check interval the session still stands; past it, the membership is read again.
    await session.agent.get('/helpdesk/audit').expect(200);
    clock.advance(61_000);
    await session.agent.get('/helpdesk/audit').expect(403);
    const [row] = await t.services.store.listAudit({ action: 'helpdesk.denied', limit: 1 });
    assert.equal(row?.actor, `agent:${agentUser.username}`);
  });

  it('helpdesk sign-in has a per-account budget, whatever the address', async () => {
    const t = await app({
      HELPDESK_GROUPS: group.dn,
      RATE_LIMIT_PER_ACCOUNT: '2',
      RATE_LIMIT_PER_ADDRESS: '1000',
      TRUST_PROXY: '1',
    });
    const target = await user();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const agent = t.agent();
      const start = await agent.get('/helpdesk').set('X-Forwarded-For', `10.9.0.${i + 1}`);
      const res = await submit(agent, '/helpdesk/sign-in', start.text, {
        login: target.username,
        password: 'Wrong-Password-123!',
      }).set('X-Forwarded-For', `10.9.0.${i + 1}`);
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [400, 400, 429]);
  });

  it('a caller-sets-it code opens /reset only: /unlock refuses it, and the SMS link keeps the BASE_URL path', async () => {
    // Its own agent and group: the first test removes its agent from the shared group.
    const agentUser = await user();
    const ownGroup = await givenGroup('ad', [agentUser.dn]);
    groups.push(ownGroup);
    const t = await app({
      HELPDESK_GROUPS: ownGroup.dn,
      BASE_URL: 'http://portal.example.com/sspr/',
    });
    const caller = await user();
    const entry = await directoryUserOf(t, caller.username);
    await givenSmsFactor(t.services, entry, '+447700900777');
    const session = await signInToHelpdesk(t, { login: agentUser.username, password: agentUser.password });
    // Verify the caller by SMS, then start "caller sets it".
    await session.post('/helpdesk/user/send-code', { dn: entry.dn }).expect(200);
    await session
      .post('/helpdesk/user/verify', {
        dn: entry.dn,
        method: 'sms',
        code: await lastCodeFor(t, '+447700900777'),
      })
      .expect(200);
    await session.post('/helpdesk/user/assist', { dn: entry.dn, id: entry.id, reason: 'INC-7' }).expect(200);
    const assist = (await t.sms()).find((m) => m.to === '+447700900777' && m.text.includes('/reset'));
    assert.ok(assist, 'assist SMS sent');
    assert.match(assist.text, /http:\/\/portal\.example\.com\/sspr\/reset/);
    const code = /\b(\d{6})\b/.exec(assist.text)?.[1] ?? '';

    const callerAgent = t.agent();
    let page = await callerAgent.get('/unlock');
    page = await submit(callerAgent, '/unlock/identify', page.text, { login: caller.username });
    page = await submit(callerAgent, '/unlock/verify', page.text, { method: 'sms', code });
    assert.ok(page.text.includes(pageText('flow.code_invalid')), 'unlock does not take the assist code');

    const resetAgent = t.agent();
    page = await resetAgent.get('/reset');
    page = await submit(resetAgent, '/reset/identify', page.text, { login: caller.username });
    page = await submit(resetAgent, '/reset/verify', page.text, { method: 'sms', code });
    assert.ok(page.text.includes(pageText('ui.password.title')), 'reset takes it');
    const next = `${freshPassword('A')} violet tractor`;
    page = await resetAgent
      .post('/reset/password')
      .type('form')
      .send({ _csrf: csrfOf(page.text), password: next, confirm: next });
    await t.services.directory.verifyPassword(entry, next);
  });
});
