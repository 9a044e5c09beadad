import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshPassword, givenUser, removeTestUsers, type TestUser } from '../support/directory-servers.ts';
import { csrfOf, givenApp, givenTotpFactor, type TestApp, totpCode } from '../support/test-app.ts';

/** The policy as the writeback applies it, with subjects read from the real Samba AD. */
describe('password policy in the writeback and the live checklist (Samba AD)', () => {
  let t: TestApp;
  const made: TestUser[] = [];
  const subject = async () => {
    const u = await givenUser('ad');
    made.push(u);
    return { ...u, entry: (await t.services.directory.findUser(u.username))! };
  };
  before(async () => {
    t = await givenApp('ad', { PASSWORD_BANNED_WORDS: 'contoso,blank' });
  });
  after(async () => {
    await t.close();
    await removeTestUsers('ad', made);
  });

  const cases: Array<[string, (u: TestUser) => string, string]> = [
    ['a breached password', () => 'password1234567', 'password.breached'],
    [
      "the organisation's banned words in leet, Entra-style (4 points)",
      () => 'C0ntos0BlankContoso!',
      'password.banned',
    ],
    [
      'the username reversed inside',
      (u) => `Zq9-${[...u.username].reverse().join('')}-Kite-Lamp`,
      'password.personal',
    ],
    ['a short one', () => 'Short-1a!', 'password.too_short'],
  ];
  for (const [what, make, code] of cases) {
    it(`a reset to ${what} is refused with ${code}, and the directory keeps the old password`, async () => {
      const u = await subject();
      const result = await t.services.writeback.resetPassword(u.entry, make(u), { actor: 'test' });
      assert.equal(result.ok === false && result.code, code);
      await t.services.directory.verifyPassword(u.entry, u.password);
    });
  }

  it('a change to the current password with one character added is refused as too similar', async () => {
    const u = await subject();
    const result = await t.services.writeback.changePassword(u.entry, u.password, `${u.password}x`, {
      actor: 'test',
    });
    assert.equal(result.ok === false && result.code, 'password.too_similar');
  });

  it('a long password of unrelated words is accepted and set', async () => {
    const u = await subject();
    const next = `${freshPassword('W')} violet tractor lagoon`;
    assert.equal((await t.services.writeback.resetPassword(u.entry, next, { actor: 'test' })).ok, true);
    await t.services.directory.verifyPassword(u.entry, next);
  });

  it('the live checklist needs the flow and its CSRF token', async () => {
    const agent = t.agent();
    await agent.post('/password/checklist').type('form').send({ password: 'x', area: 'change' }).expect(400);
    const form = await agent.get('/change').expect(200);
    const res = await agent
      .post('/password/checklist')
      .type('form')
      .send({ password: 'password1234567', area: 'change', _csrf: csrfOf(form.text) })
      .expect(200);
    const byRule = Object.fromEntries(
      (res.body.checklist as Array<{ rule: string; isMet: boolean }>).map((i) => [i.rule, i.isMet]),
    );
    assert.equal(byRule['password.breached'], false);
    assert.equal(byRule['password.too_short'], true);
  });

  it('before the account is proven, the checklist uses only what was typed: it never looks the login up', async () => {
    // alice's surname is Liddell; a checklist that looked her up would flag it and so tell that alice exists.
    const agent = t.agent();
    const form = await agent.get('/change').expect(200);
    const res = await agent
      .post('/password/checklist')
      .type('form')
      .send({
        password: 'Liddell-violet-tractor-9',
        login: 'alice',
        area: 'change',
        _csrf: csrfOf(form.text),
      })
      .expect(200);
    const personal = (res.body.checklist as Array<{ rule: string; isMet: boolean }>).find(
      (i) => i.rule === 'password.personal',
    );
    assert.equal(personal?.isMet, true);
  });

  it('after the factor is proven, the reset checklist knows the subject and flags their name', async () => {
    const u = await subject();
    const secret = await givenTotpFactor(t.services, u.entry);
    const agent = t.agent();
    let page = await agent.get('/reset');
    page = await agent
      .post('/reset/identify')
      .type('form')
      .send({ _csrf: csrfOf(page.text), login: u.username });
    page = await agent
      .post('/reset/verify')
      .type('form')
      .send({ _csrf: csrfOf(page.text), method: 'totp', code: totpCode(secret) });
    const res = await agent
      .post('/password/checklist')
      .type('form')
      .send({ password: `violet-${u.username}-tractor`, area: 'reset', _csrf: csrfOf(page.text) })
      .expect(200);
    const personal = (res.body.checklist as Array<{ rule: string; isMet: boolean }>).find(
      (i) => i.rule === 'password.personal',
    );
    assert.equal(personal?.isMet, false);
  });
});
