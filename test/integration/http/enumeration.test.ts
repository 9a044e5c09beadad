import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { DirectoryKind } from '../../../src/directory/directory.ts';
import { badBinds, givenUser, removeTestUsers, type TestUser } from '../../support/directory-servers.ts';
import {
  type Agent,
  directoryUserOf,
  givenApp,
  givenClock,
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  identifyAs,
  pageText,
  submit,
  type TestApp,
  type TestClock,
  withoutTokens,
  wrongTotpCode,
} from '../../support/test-app.ts';

/**
 * No enumeration: until a factor is proven, an unknown login, a real enrolled user, a disabled,
 * a locked and an unenrolled user get the same status and the same page (once the per-request
 * CSRF token and the echoed login are taken out), at every step, and near-same timing.
 */

type Answer = { status: number; page: string };
const unknownLogin = () => `t${randomBytes(4).toString('hex')}`;

for (const kind of ['ad', 'openldap'] as const satisfies DirectoryKind[]) {
  describe(`No user enumeration before a factor is proven: ${kind}`, () => {
    let t: TestApp;
    let clock: TestClock;
    const made: TestUser[] = [];
    const logins: Record<string, string> = {};
    let enrolledSecret = '';

    before(async () => {
      clock = givenClock();
      // Limits high enough that no answer below is a rate-limit answer.
      t = await givenApp(
        kind,
        { RATE_LIMIT_PER_ACCOUNT: '1000', RATE_LIMIT_PER_ADDRESS: '10000', FACTOR_LOCKOUT_ATTEMPTS: '100' },
        { now: clock.now },
      );
      const make = async (name: string, options: { disabled?: boolean } = {}) => {
        const u = await givenUser(kind, options);
        made.push(u);
        logins[name] = u.username;
        return { ...u, entry: await directoryUserOf(t, u.username) };
      };
      const enrolled = await make('enrolled');
      enrolledSecret = await givenTotpFactor(t.services, enrolled.entry);
      await givenSmsFactor(t.services, enrolled.entry, givenPhone());
      const disabled = await make('disabled', { disabled: true });
      await givenTotpFactor(t.services, disabled.entry);
      const locked = await make('locked');
      await givenTotpFactor(t.services, locked.entry);
      await badBinds(kind, locked.dn, 5);
      assert.equal((await t.services.directory.readUser(locked.dn))?.status.isLocked, true);
      await make('unenrolled');
      logins.unknown = unknownLogin();
    });
    after(async () => {
      await t.close();
      await removeTestUsers(kind, made);
    });

    /** Runs `step` for each kind of account and asserts every answer equals the unknown login's. */
    async function assertSameAnswers(label: string, answers: Record<string, Answer>) {
      const reference = answers.unknown;
      assert.ok(reference);
      for (const [who, answer] of Object.entries(answers)) {
        assert.equal(answer.status, reference.status, `${label}: status for ${who}`);
        assert.equal(answer.page, reference.page, `${label}: page for ${who}`);
      }
    }

    for (const flow of ['reset', 'unlock'] as const) {
      it(`/${flow}: identify, a wrong TOTP code, a wrong SMS code and send-code answer alike for unknown, enrolled, disabled, locked and unenrolled`, async () => {
        clock.advance(2_000); // past the per-account SMS cooldown left by an earlier test
        const agents: Record<string, { agent: Agent; page: string }> = {};
        const identify: Record<string, Answer> = {};
        for (const [who, login] of Object.entries(logins)) {
          const agent = t.agent();
          const res = await identifyAs(agent, flow, login);
          agents[who] = { agent, page: res.text };
          identify[who] = { status: res.status, page: withoutTokens(res.text, login) };
        }
        await assertSameAnswers('identify', identify);
        assert.equal(identify.unknown?.status, 200);

        const wrongTotp = wrongTotpCode(enrolledSecret, clock.now());
        const steps: Array<[string, string, Record<string, string>, number, string]> = [
          [
            'wrong TOTP code',
            `/${flow}/verify`,
            { method: 'totp', code: wrongTotp },
            400,
            'flow.code_invalid',
          ],
          ['wrong SMS code', `/${flow}/verify`, { method: 'sms', code: '000000' }, 400, 'flow.code_invalid'],
          ['send-code', `/${flow}/send-code`, {}, 200, 'ui.verify.code_sent'],
        ];
        for (const [label, path, fields, status, text] of steps) {
          const answers: Record<string, Answer> = {};
          for (const [who, { agent, page }] of Object.entries(agents)) {
            const res = await submit(agent, path, page, fields);
            answers[who] = { status: res.status, page: withoutTokens(res.text, logins[who]!) };
          }
          await assertSameAnswers(label, answers);
          assert.equal(answers.unknown?.status, status, label);
          assert.ok(answers.unknown?.page.includes(pageText(text)), `${label}: ${text}`);
        }
      });
    }

    it('identify takes near-same time for an unknown login and a real enrolled user (medians of 15, ratio bound)', async () => {
      const timeIdentify = async (login: string) => {
        const agent = t.agent();
        const start = await agent.get('/reset');
        const began = performance.now();
        const res = await submit(agent, '/reset/identify', start.text, { login });
        const ms = performance.now() - began;
        assert.equal(res.status, 200);
        return ms;
      };
      await timeIdentify(logins.enrolled!); // warm the connection pool
      await timeIdentify(unknownLogin());
      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 15; i++) {
        known.push(await timeIdentify(logins.enrolled!));
        unknown.push(await timeIdentify(unknownLogin()));
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const [a, b] = [median(known), median(unknown)];
      const [small, large] = a < b ? [a, b] : [b, a];
      assert.ok(
        large < 3 * small + 50,
        `median identify known ${a.toFixed(1)} ms vs unknown ${b.toFixed(1)} ms: too far apart`,
      );
    });
  });
}
