import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freshPassword, givenUser, removeTestUsers, type TestUser } from '../support/directory-servers.ts';
import { csrfOf, givenApp, givenTotpFactor, type TestApp, totpCode } from '../support/test-app.ts';

describe('change password with CHANGE_REQUIRES_FACTOR=true (Samba AD)', () => {
  let t: TestApp;
  let user: TestUser;
  let secret: string;
  before(async () => {
    t = await givenApp('ad', { CHANGE_REQUIRES_FACTOR: 'true' });
    user = await givenUser('ad');
    secret = await givenTotpFactor(t.services, (await t.services.directory.findUser(user.username))!);
  });
  after(async () => {
    await t.close();
    await removeTestUsers('ad', [user]);
  });

  it('the form is reachable only after a factor is proven, and then changes the verified account', async () => {
    const agent = t.agent();
    let page = await agent.get('/change').expect(200);
    assert.match(page.text, /action="\/change\/identify"/);
    assert.doesNotMatch(page.text, /name="current"/);

    // Posting the form directly, skipping verification, is refused and nothing changes.
    const next = `${freshPassword('F')}-changed-ok`;
    const skipped = await agent
      .post('/change')
      .type('form')
      .send({
        _csrf: csrfOf(page.text),
        login: user.username,
        current: user.password,
        password: next,
        confirm: next,
      });
    assert.equal(skipped.status, 400);
    const entry = (await t.services.directory.findUser(user.username))!;
    await t.services.directory.verifyPassword(entry, user.password);

    page = await agent.get('/change').expect(200);
    page = await agent
      .post('/change/identify')
      .type('form')
      .send({ _csrf: csrfOf(page.text), login: user.username });
    page = await agent
      .post('/change/verify')
      .type('form')
      .send({ _csrf: csrfOf(page.text), method: 'totp', code: totpCode(secret) });
    assert.match(page.text, /name="current"/);
    const done = await agent
      .post('/change')
      .type('form')
      // The login field is ignored after verification: the verified account is the one changed.
      .send({
        _csrf: csrfOf(page.text),
        login: 'alice',
        current: user.password,
        password: next,
        confirm: next,
      });
    assert.match(done.text, /Your password has been changed/);
    await t.services.directory.verifyPassword(entry, next);
  });
});
