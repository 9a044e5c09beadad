import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type request from 'supertest';
import { givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  directoryUserOf,
  givenApp,
  givenTotpFactor,
  identifyAs,
  pageText,
  submit,
  type TestApp,
} from '../../support/test-app.ts';

/**
 * Per-address and per-account limits on every guessable step. The limits are about the store
 * and the HTTP layer, not the directory kind, so this suite runs on OpenLDAP only.
 */

const kind = 'openldap';
const LIMITED = pageText('flow.rate_limited');
const from = (ip: string) => ({ 'X-Forwarded-For': ip });
const unknownLogin = () => `t${randomBytes(4).toString('hex')}`;
type Attempt = (ip: string) => Promise<request.Response>;

describe('Per-address rate limits on every guessable step', () => {
  let t: TestApp;
  const made: TestUser[] = [];
  const user = async () => {
    const u = await givenUser(kind);
    made.push(u);
    return { ...u, entry: await directoryUserOf(t, u.username) };
  };
  before(async () => {
    t = await givenApp(kind, {
      RATE_LIMIT_PER_ADDRESS: '3',
      RATE_LIMIT_PER_ACCOUNT: '1000',
      FACTOR_LOCKOUT_ATTEMPTS: '100',
      CODE_MAX_ATTEMPTS: '20',
      TRUST_PROXY: '1',
    });
  });
  after(async () => {
    await t.close();
    await removeTestUsers(kind, made);
  });

  /** A signed-in enrollment session (set up from its own address), on the page `path` leads to. */
  const enrollSession = async (setupIp: string, withFactor: boolean, path?: string, fields = {}) => {
    const u = await user();
    if (withFactor) await givenTotpFactor(t.services, u.entry);
    const agent = t.agent();
    const form = await agent.get('/enroll');
    let page = (
      await submit(agent, '/enroll/sign-in', form.text, { login: u.username, password: u.password }).set(
        from(setupIp),
      )
    ).text;
    if (path) page = (await submit(agent, path, page, fields).set(from(setupIp))).text;
    return { agent, page };
  };

  // Each step: given a setup address, the attempt to repeat from the attacking address.
  const steps: Record<string, (setupIp: string) => Promise<Attempt>> = {
    'reset identify': async () => (ip) => identifyAs(t.agent(), 'reset', unknownLogin(), from(ip)),
    'unlock identify': async () => (ip) => identifyAs(t.agent(), 'unlock', unknownLogin(), from(ip)),
    'reset verify': async (setupIp) => {
      const agent = t.agent();
      const page = (await identifyAs(agent, 'reset', unknownLogin(), from(setupIp))).text;
      return (ip) => submit(agent, '/reset/verify', page, { method: 'totp', code: '000000' }).set(from(ip));
    },
    'unlock verify': async (setupIp) => {
      const agent = t.agent();
      const page = (await identifyAs(agent, 'unlock', unknownLogin(), from(setupIp))).text;
      return (ip) => submit(agent, '/unlock/verify', page, { method: 'sms', code: '000000' }).set(from(ip));
    },
    'reset send-code': async (setupIp) => {
      const agent = t.agent();
      const page = (await identifyAs(agent, 'reset', unknownLogin(), from(setupIp))).text;
      return (ip) => submit(agent, '/reset/send-code', page).set(from(ip));
    },
    'change password': async () => async (ip) => {
      const agent = t.agent();
      const form = await agent.get('/change');
      return submit(agent, '/change', form.text, {
        login: unknownLogin(),
        current: 'Some-Guess-1234567!',
        password: 'Some-New-Pass-1234567!',
        confirm: 'Some-New-Pass-1234567!',
      }).set(from(ip));
    },
    'enroll sign-in': async () => async (ip) => {
      const agent = t.agent();
      const form = await agent.get('/enroll');
      const fields = { login: unknownLogin(), password: 'Guess-12345678!' };
      return submit(agent, '/enroll/sign-in', form.text, fields).set(from(ip));
    },
    'enroll verify': async (setupIp) => {
      const { agent, page } = await enrollSession(setupIp, true);
      return (ip) => submit(agent, '/enroll/verify', page, { method: 'totp', code: '000000' }).set(from(ip));
    },
    'enroll authenticator confirm': async (setupIp) => {
      const { agent, page } = await enrollSession(setupIp, false, '/enroll/totp');
      return (ip) => submit(agent, '/enroll/totp/confirm', page, { code: '000000' }).set(from(ip));
    },
    'enroll phone confirm': async (setupIp) => {
      const { agent, page } = await enrollSession(setupIp, false, '/enroll/phone', {
        phone: '+447700911111',
      });
      return (ip) => submit(agent, '/enroll/phone/confirm', page, { code: '000000' }).set(from(ip));
    },
  };

  let n = 0;
  for (const [name, prepare] of Object.entries(steps)) {
    it(`${name}: the 4th attempt from one address within the window gets 429 "too many attempts"; another address still passes`, async () => {
      n += 1;
      const attempt = await prepare(`10.1.${n}.1`);
      for (let i = 1; i <= 3; i++) {
        const res = await attempt(`10.2.${n}.1`);
        assert.ok(!res.text.includes(LIMITED), `attempt ${i} must not be rate limited (got ${res.status})`);
      }
      const fourth = await attempt(`10.2.${n}.1`);
      assert.equal(fourth.status, 429);
      assert.ok(fourth.text.includes(LIMITED));
      const elsewhere = await attempt(`10.3.${n}.1`);
      assert.ok(!elsewhere.text.includes(LIMITED), 'the limit is per address, not global');
    });
  }

  it('the rate-limited page shows the rate-limit message alone, not also a generic failure alert', async () => {
    for (let i = 0; i < 3; i++) await identifyAs(t.agent(), 'reset', unknownLogin(), from('10.4.0.1'));
    const limited = await identifyAs(t.agent(), 'reset', unknownLogin(), from('10.4.0.1'));
    assert.equal(limited.status, 429);
    assert.ok(!limited.text.includes(pageText('internal.error')), 'no generic failure text');
  });
});

describe('Per-account rate limits hold when the address changes', () => {
  let t: TestApp;
  const made: TestUser[] = [];
  before(async () => {
    t = await givenApp(kind, {
      RATE_LIMIT_PER_ACCOUNT: '3',
      RATE_LIMIT_PER_ADDRESS: '1000',
      TRUST_PROXY: '1',
    });
  });
  after(async () => {
    await t.close();
    await removeTestUsers(kind, made);
  });

  const fourFromFourAddresses = async (attempt: Attempt, label: string) => {
    for (let i = 1; i <= 3; i++) {
      const res = await attempt(`10.5.${i}.${label.length}`);
      assert.ok(!res.text.includes(LIMITED), `${label}: attempt ${i} must not be rate limited`);
    }
    const fourth = await attempt(`10.5.4.${label.length}`);
    assert.equal(fourth.status, 429, `${label}: 4th attempt`);
    assert.ok(fourth.text.includes(LIMITED), label);
  };

  it('identify: a real account and an unknown login are each limited across four addresses; another account is not', async () => {
    const u = await givenUser(kind);
    made.push(u);
    await fourFromFourAddresses((ip) => identifyAs(t.agent(), 'reset', u.username, from(ip)), 'real account');
    const unknown = unknownLogin();
    await fourFromFourAddresses((ip) => identifyAs(t.agent(), 'reset', unknown, from(ip)), 'unknown login');
    const other = await identifyAs(t.agent(), 'reset', unknownLogin(), from('10.5.4.9'));
    assert.equal(other.status, 200, 'another account from the same address still passes');
  });

  it('verify: wrong codes in one flow from four addresses, the 4th is rate limited (before the factor lockout)', async () => {
    const u = await givenUser(kind);
    made.push(u);
    const agent = t.agent();
    const page = (await identifyAs(agent, 'reset', u.username, from('10.6.0.1'))).text;
    await fourFromFourAddresses(
      (ip) => submit(agent, '/reset/verify', page, { method: 'totp', code: '000000' }).set(from(ip)),
      'verify',
    );
  });

  it('change password and enroll sign-in: one login from four addresses, the 4th is rate limited', async () => {
    const u = await givenUser(kind);
    made.push(u);
    await fourFromFourAddresses(async (ip) => {
      const agent = t.agent();
      const form = await agent.get('/change');
      return submit(agent, '/change', form.text, {
        login: u.username,
        current: 'Wrong-Current-1234!',
        password: 'Some-New-Pass-1234567!',
        confirm: 'Some-New-Pass-1234567!',
      }).set(from(ip));
    }, 'change');
    const login = unknownLogin();
    await fourFromFourAddresses(async (ip) => {
      const agent = t.agent();
      const form = await agent.get('/enroll');
      return submit(agent, '/enroll/sign-in', form.text, { login, password: 'Guess-12345678!' }).set(
        from(ip),
      );
    }, 'enroll sign-in');
  });
});
