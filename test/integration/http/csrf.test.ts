import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  badBinds,
  freshPassword,
  givenUser,
  removeTestUsers,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  csrfOf,
  directoryUserOf,
  givenApp,
  givenClock,
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  identifyAs,
  lastCodeFor,
  pageText,
  postFormsOf,
  submit,
  type TestApp,
  type TestClock,
  totpCode,
} from '../../support/test-app.ts';

/** A CSRF token on every form of every page; a POST with a wrong or missing token acts on nothing. */

const kind = 'openldap';
const newPassword = () => `${freshPassword('X')}abcdef`;

describe('CSRF protection over HTTP', () => {
  let t: TestApp;
  let clock: TestClock;
  const made: TestUser[] = [];
  const user = async () => {
    const u = await givenUser(kind);
    made.push(u);
    return { ...u, entry: await directoryUserOf(t, u.username) };
  };

  before(async () => {
    clock = givenClock();
    t = await givenApp(kind, {}, { now: clock.now });
  });
  after(async () => {
    await t.close();
    await removeTestUsers(kind, made);
  });

  it('every POST form on every page (reset, unlock, change, enroll in each state) carries a non-empty _csrf field', async () => {
    clock.alignToTotpStep();
    const pages: Record<string, string> = {};
    pages.home = (await t.agent().get('/')).text;

    const u = await user();
    const secret = await givenTotpFactor(t.services, u.entry);
    for (const flow of ['reset', 'unlock'] as const) {
      const agent = t.agent();
      pages[`${flow} identify`] = (await agent.get(`/${flow}`)).text;
      pages[`${flow} verify`] = (await identifyAs(agent, flow, u.username)).text;
    }
    const resetAgent = t.agent();
    const verify = await identifyAs(resetAgent, 'reset', u.username);
    pages['reset choose password'] = (
      await submit(resetAgent, '/reset/verify', verify.text, {
        method: 'totp',
        code: totpCode(secret, 0, clock.now()),
      })
    ).text;
    pages.change = (await t.agent().get('/change')).text;

    const fresh = await user();
    const enroll = t.agent();
    pages['enroll sign-in'] = (await enroll.get('/enroll')).text;
    pages['enroll manage, no factors'] = (
      await submit(enroll, '/enroll/sign-in', pages['enroll sign-in'], {
        login: fresh.username,
        password: fresh.password,
      })
    ).text;
    pages['enroll authenticator pending'] = (
      await submit(enroll, '/enroll/totp', pages['enroll manage, no factors'])
    ).text;
    const cancelled = await submit(enroll, '/enroll/cancel', pages['enroll authenticator pending']);
    pages['enroll phone pending'] = (
      await submit(enroll, '/enroll/phone', cancelled.text, { phone: givenPhone() })
    ).text;

    const phone = givenPhone();
    await givenSmsFactor(t.services, u.entry, phone);
    const manage = t.agent();
    const form = await manage.get('/enroll');
    pages['enroll manage, factors, locked'] = (
      await submit(manage, '/enroll/sign-in', form.text, { login: u.username, password: u.password })
    ).text;
    pages['enroll manage, unlocked'] = (
      await submit(manage, '/enroll/verify', pages['enroll manage, factors, locked'], {
        method: 'totp',
        code: totpCode(secret, 1, clock.now()),
      })
    ).text;

    let forms = 0;
    for (const [name, html] of Object.entries(pages)) {
      const postForms = postFormsOf(html);
      assert.equal(
        postForms.length,
        (html.match(/<form\b/gi) ?? []).length,
        `${name}: every form is a POST form`,
      );
      if (name !== 'home') assert.ok(postForms.length > 0, `${name} has forms`);
      for (const f of postForms) {
        assert.match(
          f,
          /<input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{16,}">/,
          `${name}: ${f.slice(0, 80)}`,
        );
        forms += 1;
      }
    }
    assert.ok(
      pages['enroll manage, unlocked']?.includes('action="/enroll/remove"'),
      'the remove form was seen',
    );
    assert.ok(forms >= 20, `only ${forms} forms seen`);
  });

  it('the reset password step with a wrong token is refused and the password is not changed', async () => {
    clock.alignToTotpStep();
    const u = await user();
    const secret = await givenTotpFactor(t.services, u.entry);
    const agent = t.agent();
    const verify = await identifyAs(agent, 'reset', u.username);
    const choose = await submit(agent, '/reset/verify', verify.text, {
      method: 'totp',
      code: totpCode(secret, 0, clock.now()),
    });
    assert.ok(choose.text.includes(pageText('ui.password.title')));
    const password = newPassword();
    const forged = await agent
      .post('/reset/password')
      .type('form')
      .send({ _csrf: `${csrfOf(choose.text)}x`, password, confirm: password });
    assert.equal(forged.status, 400);
    assert.ok(forged.text.includes(pageText('flow.invalid')));
    await assert.rejects(t.services.directory.verifyPassword(u.entry, password));
    assert.equal((await t.services.store.listAudit({ subject: u.username })).length, 0, 'no writeback ran');
  });

  it('change password without a token is refused even with the right current password; nothing changes', async () => {
    const u = await user();
    const agent = t.agent();
    await agent.get('/change').expect(200);
    const password = newPassword();
    const forged = await agent
      .post('/change')
      .type('form')
      .send({ login: u.username, current: u.password, password, confirm: password });
    assert.equal(forged.status, 400);
    await assert.rejects(t.services.directory.verifyPassword(u.entry, password));
    await t.services.directory.verifyPassword(u.entry, u.password);
  });

  it('unlock with the right code but a wrong token is refused and the account stays locked', async () => {
    clock.alignToTotpStep();
    const u = await user();
    const secret = await givenTotpFactor(t.services, u.entry);
    await badBinds(kind, u.dn, 5);
    const agent = t.agent();
    const verify = await identifyAs(agent, 'unlock', u.username);
    const forged = await agent
      .post('/unlock/verify')
      .type('form')
      .send({ _csrf: 'not-the-token', method: 'totp', code: totpCode(secret, 0, clock.now()) });
    assert.equal(forged.status, 400);
    assert.ok(!forged.text.includes(pageText('ui.done.unlock')));
    assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, true);
    assert.ok(verify.text.includes('action="/unlock/verify"'));
  });

  it('removing a factor with a wrong token is refused and the factor stays', async () => {
    const u = await user();
    const phone = givenPhone();
    await givenTotpFactor(t.services, u.entry);
    await givenSmsFactor(t.services, u.entry, phone);
    const agent = t.agent();
    const form = await agent.get('/enroll');
    const manage = await submit(agent, '/enroll/sign-in', form.text, {
      login: u.username,
      password: u.password,
    });
    clock.advance(2_000);
    await submit(agent, '/enroll/send-code', manage.text).expect(200);
    const unlocked = await submit(agent, '/enroll/verify', manage.text, {
      method: 'sms',
      code: await lastCodeFor(t, phone),
    });
    assert.ok(unlocked.text.includes('action="/enroll/remove"'));
    const factorId = (await t.services.store.listFactors(u.entry.id))[0]?.id ?? '';
    const forged = await agent.post('/enroll/remove').type('form').send({ _csrf: '', factorId });
    assert.equal(forged.status, 400);
    assert.equal((await t.services.store.listFactors(u.entry.id)).length, 2, 'both factors remain');
  });
});
