import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  facts,
  givenUser,
  helpdeskGroupDn,
  removeTestUsers,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  auditRowsDuring,
  csrfOf,
  directoryUserOf,
  givenApp,
  givenTotpFactor,
  pageText,
  signInToHelpdesk,
  submit,
  type TestApp,
  totpCode,
  wrongTotpCode,
} from '../../support/test-app.ts';

/**
 * Who gets into /helpdesk (Samba AD): only members of HELPDESK_GROUPS who also pass their own
 * authenticator code. Everyone else gets 403 on every page, and every refusal is one audit row.
 */

const DOMAIN_ADMINS = `CN=Domain Admins,CN=Users,${facts('ad').baseDn}`;
const HDESK = { login: 'hdesk', password: facts('ad').users.hdesk!.password };
const DENIED = pageText('helpdesk.denied');

describe('Helpdesk access (Samba AD)', () => {
  let t: TestApp;
  const made: TestUser[] = [];

  before(async () => {
    // hdesk is an agent but not an auditor here: Domain Admins is a real group hdesk is not in.
    t = await givenApp('ad', { HELPDESK_GROUPS: helpdeskGroupDn('ad'), AUDITOR_GROUPS: DOMAIN_ADMINS });
  });
  after(async () => {
    const hdesk = await t.services.directory.findUser('hdesk');
    if (hdesk) await t.services.store.deleteFactors(hdesk.id);
    await t.close();
    await removeTestUsers('ad', made);
  });

  it('a user outside the helpdesk group, with a TOTP, is refused at sign-in and on every helpdesk page, each refusal audited', async () => {
    const u = await givenUser('ad');
    made.push(u);
    const secret = await givenTotpFactor(t.services, await directoryUserOf(t, u.username));
    const agent = t.agent();
    const start = await agent.get('/helpdesk');
    assert.equal(start.status, 200);

    const signIn = await auditRowsDuring(t, () =>
      submit(agent, '/helpdesk/sign-in', start.text, { login: u.username, password: u.password }),
    );
    assert.equal(signIn.result.status, 403);
    assert.ok(signIn.result.text.includes(DENIED), 'the helpdesk.denied text');
    assert.ok(!signIn.result.text.includes('action="/helpdesk/totp"'), 'no second step offered');
    assert.equal(signIn.rows.length, 1, 'one audit row for the refused sign-in');
    assert.deepEqual(
      {
        actor: signIn.rows[0]!.actor,
        action: signIn.rows[0]!.action,
        outcome: signIn.rows[0]!.outcome,
        errorCode: signIn.rows[0]!.errorCode,
      },
      {
        actor: `user:${u.username}`,
        action: 'helpdesk.sign_in',
        outcome: 'refused',
        errorCode: 'helpdesk.denied',
      },
    );
    assert.ok(signIn.rows[0]!.clientAddress, 'the client address is recorded');

    // Even with the user's own valid code, the TOTP step has nothing to finish.
    const totp = await submit(agent, '/helpdesk/totp', signIn.result.text, { code: totpCode(secret) });
    assert.notEqual(totp.status, 303, 'no agent session from the TOTP step');

    const csrf = csrfOf(signIn.result.text);
    const target = facts('ad').users.bob!.dn;
    const victim = await directoryUserOf(t, 'bob');
    const requests: Array<[string, () => ReturnType<typeof agent.get>]> = [
      ['GET /helpdesk/search', () => agent.get('/helpdesk/search?q=bo')],
      ['GET /helpdesk/user', () => agent.get(`/helpdesk/user?dn=${encodeURIComponent(target)}`)],
      ['GET /helpdesk/audit', () => agent.get('/helpdesk/audit')],
      ['GET /helpdesk/audit.csv', () => agent.get('/helpdesk/audit.csv')],
      ...['send-code', 'verify', 'unlock', 'reset', 'assist', 'clear-factors'].map(
        (action): [string, () => ReturnType<typeof agent.post>] => [
          `POST /helpdesk/user/${action}`,
          () =>
            agent.post(`/helpdesk/user/${action}`).type('form').send({
              _csrf: csrf,
              dn: target,
              id: victim.id,
              reason: 'INC-1',
              method: 'totp',
              code: '123456',
            }),
        ],
      ),
    ];
    for (const [name, send] of requests) {
      const { result, rows } = await auditRowsDuring(t, send);
      assert.equal(result.status, 403, `${name}: 403`);
      assert.ok(result.text.includes(DENIED), `${name}: the helpdesk.denied text`);
      assert.ok(!result.text.includes('text/csv') && !result.text.startsWith('id,at'), `${name}: no export`);
      assert.equal(rows.length, 1, `${name}: exactly one audit row`);
      assert.equal(rows[0]!.action, 'helpdesk.denied', name);
      assert.equal(rows[0]!.outcome, 'refused', name);
      assert.equal(rows[0]!.actor, 'anonymous', name);
      assert.ok(rows[0]!.clientAddress, `${name}: client address recorded`);
    }
    assert.equal(
      (await t.services.store.listAudit({ subject: 'bob' })).length,
      0,
      'nothing was done to the user named in the refused requests',
    );
  });

  it('an agent without an enrolled authenticator cannot finish sign-in (helpdesk.totp_required)', async () => {
    const hdesk = await directoryUserOf(t, 'hdesk');
    await t.services.store.deleteFactors(hdesk.id);
    const agent = t.agent();
    const start = await agent.get('/helpdesk');
    const refused = await submit(agent, '/helpdesk/sign-in', start.text, HDESK);
    assert.equal(refused.status, 400);
    assert.ok(refused.text.includes(pageText('helpdesk.totp_required')));
    assert.ok(!refused.text.includes('action="/helpdesk/totp"'), 'no TOTP step offered');
    const totp = await submit(agent, '/helpdesk/totp', refused.text, { code: '123456' });
    assert.notEqual(totp.status, 303);
    const search = await agent.get('/helpdesk/search?q=al');
    assert.equal(search.status, 403, 'no agent session');
  });

  it('a wrong agent TOTP code is refused and leaves no agent session', async () => {
    const hdesk = await directoryUserOf(t, 'hdesk');
    const secret = await givenTotpFactor(t.services, hdesk);
    const agent = t.agent();
    const start = await agent.get('/helpdesk');
    const step = await submit(agent, '/helpdesk/sign-in', start.text, HDESK);
    assert.equal(step.status, 200);
    assert.ok(step.text.includes('action="/helpdesk/totp"'));
    const wrong = await submit(agent, '/helpdesk/totp', step.text, { code: wrongTotpCode(secret) });
    assert.equal(wrong.status, 400);
    assert.ok(wrong.text.includes(pageText('flow.code_invalid')));
    const search = await agent.get('/helpdesk/search?q=al');
    assert.equal(search.status, 403, 'no agent session after a wrong code');
    // The right code still finishes the same pending sign-in.
    const right = await submit(agent, '/helpdesk/totp', wrong.text, { code: totpCode(secret) });
    assert.equal(right.status, 303);
    assert.equal((await agent.get('/helpdesk/search?q=al')).status, 200);
  });

  it('a wrong agent TOTP code leaves an audit row (like a wrong password does)', {}, async () => {
    const hdesk = await directoryUserOf(t, 'hdesk');
    const secret = await givenTotpFactor(t.services, hdesk);
    const agent = t.agent();
    const start = await agent.get('/helpdesk');
    const step = await submit(agent, '/helpdesk/sign-in', start.text, HDESK);
    const { result, rows } = await auditRowsDuring(t, () =>
      submit(agent, '/helpdesk/totp', step.text, { code: wrongTotpCode(secret) }),
    );
    assert.equal(result.status, 400);
    assert.equal(rows.length, 1, 'one audit row for the failed second factor');
    assert.equal(rows[0]!.actor, 'agent:hdesk');
    assert.equal(rows[0]!.action, 'helpdesk.sign_in');
    assert.equal(rows[0]!.outcome, 'failure');
  });

  it('the CSV export is refused (403, audited) to an agent who is not in AUDITOR_GROUPS', async () => {
    const s = await signInToHelpdesk(t, HDESK);
    const page = await s.agent.get('/helpdesk/audit');
    assert.equal(page.status, 200);
    assert.ok(!page.text.includes('/helpdesk/audit.csv'), 'no export link for a non-auditor');
    const { result, rows } = await auditRowsDuring(t, () => s.agent.get('/helpdesk/audit.csv'));
    assert.equal(result.status, 403);
    assert.doesNotMatch(String(result.headers['content-type']), /text\/csv/);
    assert.ok(result.text.includes(DENIED));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.action, 'helpdesk.denied');
    assert.equal(rows[0]!.actor, 'agent:hdesk');
    assert.equal(rows[0]!.details.path, '/helpdesk/audit.csv');
    // The agent session itself goes on.
    assert.equal((await s.agent.get('/helpdesk/search?q=al')).status, 200);
  });
});
