import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { SessionData } from 'express-session';
import { KyselySessionStore } from '../../src/store/session-store.ts';
import type { KyselyStore } from '../../src/store/sql/kysely-store.ts';
import type { AuditEvent, Factor, FlowRecord, OneTimeCode } from '../../src/store/store.ts';
import { freshStore } from '../support/stores.ts';

/** Every test below lives after T0, so the purge test can expire rows before it in isolation. */
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const minutes = (n: number, from = T0) => new Date(from + n * 60_000);

export const givenFactor = (overrides: Partial<Factor> = {}): Factor => ({
  id: randomUUID(),
  userId: randomUUID(),
  kind: 'totp',
  secretSealed: 'sealed-secret',
  phone: null,
  label: 'Phone app',
  createdAt: minutes(0),
  confirmedAt: null,
  lastStep: null,
  ...overrides,
});

export const givenFlow = (overrides: Partial<FlowRecord> = {}): FlowRecord => ({
  id: randomUUID(),
  kind: 'reset',
  state: 'identify',
  sessionBinding: 'binding',
  csrfToken: 'csrf-1',
  data: { subject: 'alice', proven: ['sms'] },
  expiresAt: minutes(15),
  version: 1,
  ...overrides,
});

export const givenCode = (overrides: Partial<OneTimeCode> = {}): OneTimeCode => ({
  id: randomUUID(),
  purpose: `flow:${randomUUID()}`,
  codeHash: 'hash',
  expiresAt: minutes(10),
  attempts: 0,
  usedAt: null,
  ...overrides,
});

/** Runs `n` calls at once; on PostgreSQL they go through the pool on separate connections. */
const race = <T>(n: number, call: (i: number) => Promise<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => call(i)));

const winners = (results: boolean[]) => results.filter(Boolean).length;

const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
  at: new Date('2026-01-02T03:04:05.678Z'),
  actor: 'self:alice',
  subject: 'alice',
  action: 'writeback.reset_password',
  outcome: 'success',
  errorCode: null,
  clientAddress: '127.0.0.1',
  reason: null,
  details: { mustChange: false },
  ...overrides,
});

/** One suite, run against SQLite and PostgreSQL, each on a fresh database. */
export function storeContract(kind: 'sqlite' | 'postgres'): void {
  describe(`Store contract: ${kind}`, () => {
    let store: KyselyStore;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await freshStore(kind));
    });
    after(() => dispose());

    it('migrations are idempotent: running them again changes nothing', async () => {
      await store.migrate();
      await store.ping();
    });

    it('password history is per user, newest first, and trimmed to the newest `keep`', async () => {
      for (let i = 1; i <= 5; i++) {
        await store.addPasswordHistory(
          'user-a',
          { hash: `h${i}`, salt: 's', params: 'N=1024,r=8,p=1', createdAt: new Date(2026, 0, i) },
          3,
        );
      }
      await store.addPasswordHistory(
        'user-b',
        { hash: 'other', salt: 's', params: 'p', createdAt: new Date() },
        3,
      );
      const a = await store.listPasswordHistory('user-a');
      assert.deepEqual(
        a.map((e) => e.hash),
        ['h5', 'h4', 'h3'],
      );
      assert.equal(a[0]?.createdAt.toISOString(), new Date(2026, 0, 5).toISOString());
      assert.deepEqual(
        (await store.listPasswordHistory('user-b')).map((e) => e.hash),
        ['other'],
      );
      assert.deepEqual(await store.listPasswordHistory('nobody'), []);
    });

    it('audit events round-trip every field and list newest first with filters', async () => {
      await store.recordAudit(event());
      await store.recordAudit(
        event({ subject: 'bob', outcome: 'refused', errorCode: 'directory.privileged_account' }),
      );
      await store.recordAudit(event({ actor: 'agent:hdesk', action: 'writeback.unlock', reason: 'INC-42' }));
      const all = await store.listAudit();
      assert.equal(all.length, 3);
      assert.equal(all[0]?.actor, 'agent:hdesk');
      assert.equal(all[0]?.reason, 'INC-42');
      const bob = await store.listAudit({ subject: 'bob' });
      assert.equal(bob.length, 1);
      assert.equal(bob[0]?.errorCode, 'directory.privileged_account');
      assert.equal(bob[0]?.outcome, 'refused');
      assert.deepEqual(bob[0]?.details, { mustChange: false });
      assert.equal(bob[0]?.at.toISOString(), '2026-01-02T03:04:05.678Z');
      assert.equal((await store.listAudit({ action: 'writeback.unlock' })).length, 1);
      assert.equal((await store.listAudit({ limit: 2 })).length, 2);
    });

    it('concurrent history writes for one user keep exactly `keep` entries', async () => {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.addPasswordHistory(
            'user-c',
            { hash: `c${i}`, salt: 's', params: 'p', createdAt: new Date() },
            4,
          ),
        ),
      );
      assert.equal((await store.listPasswordHistory('user-c')).length, 4);
    });

    describe('factors', () => {
      it("round-trip every field and list a user's factors oldest first, pending included", async () => {
        const userId = randomUUID();
        const sms = givenFactor({
          userId,
          kind: 'sms',
          secretSealed: null,
          phone: '+15550100',
          createdAt: minutes(2),
        });
        const totp = givenFactor({
          userId,
          createdAt: minutes(1),
          confirmedAt: minutes(1),
          lastStep: 59_000_000,
        });
        await store.addFactor(sms);
        await store.addFactor(totp);
        await store.addFactor(givenFactor());
        assert.deepEqual(await store.listFactors(userId), [totp, sms]);
        assert.deepEqual(await store.getFactor(sms.id), sms);
        assert.equal(await store.getFactor('missing'), null);
      });

      it('confirmFactor stamps the confirmation time', async () => {
        const factor = givenFactor();
        await store.addFactor(factor);
        await store.confirmFactor(factor.id, minutes(3));
        assert.deepEqual((await store.getFactor(factor.id))?.confirmedAt, minutes(3));
      });

      it('deleteFactor removes one factor and deleteFactors returns how many went', async () => {
        const userId = randomUUID();
        const [a, b, c] = [givenFactor({ userId }), givenFactor({ userId }), givenFactor({ userId })];
        const other = givenFactor();
        for (const f of [a, b, c, other]) await store.addFactor(f);
        await store.deleteFactor(a.id);
        assert.equal(await store.getFactor(a.id), null);
        assert.equal(await store.deleteFactors(userId), 2);
        assert.equal(await store.deleteFactors(userId), 0);
        assert.deepEqual(await store.listFactors(userId), []);
        assert.ok(await store.getFactor(other.id), "another user's factor stays");
      });

      it('advanceTotpStep accepts increasing steps and refuses equal and lower ones', async () => {
        const factor = givenFactor();
        await store.addFactor(factor);
        assert.equal(await store.advanceTotpStep(factor.id, 100), true, 'first step');
        assert.equal(await store.advanceTotpStep(factor.id, 100), false, 'same step replayed');
        assert.equal(await store.advanceTotpStep(factor.id, 99), false, 'older step');
        assert.equal(await store.advanceTotpStep(factor.id, 101), true, 'next step');
        assert.equal((await store.getFactor(factor.id))?.lastStep, 101);
        assert.equal(await store.advanceTotpStep('missing', 1), false);
      });

      it('when 16 requests carry the same TOTP step at once, exactly one is accepted', async () => {
        const factor = givenFactor({ lastStep: 10 });
        await store.addFactor(factor);
        assert.equal(winners(await race(16, () => store.advanceTotpStep(factor.id, 11))), 1);
        assert.equal((await store.getFactor(factor.id))?.lastStep, 11);
      });
    });

    describe('flows', () => {
      it('a flow round-trips and an expired flow is never returned', async () => {
        const flow = givenFlow();
        await store.createFlow(flow);
        assert.deepEqual(await store.getFlow(flow.id, minutes(14)), flow);
        assert.equal(await store.getFlow(flow.id, minutes(15)), null, 'at its expiry');
        assert.equal(await store.getFlow(flow.id, minutes(60)), null);
        assert.equal(await store.getFlow('missing', minutes(0)), null);
      });

      it('updateFlow with the current version replaces the flow and bumps the version', async () => {
        const flow = givenFlow();
        await store.createFlow(flow);
        const next = {
          ...flow,
          state: 'awaiting_password',
          csrfToken: 'csrf-2',
          data: { n: 2 },
          expiresAt: minutes(30),
        };
        assert.equal(await store.updateFlow(next), true);
        assert.deepEqual(await store.getFlow(flow.id, minutes(0)), { ...next, version: 2 });
      });

      it('updateFlow with a stale version returns false and changes nothing', async () => {
        const flow = givenFlow();
        await store.createFlow(flow);
        assert.equal(await store.updateFlow({ ...flow, state: 'awaiting_factor' }), true);
        const stale = { ...flow, state: 'done', data: { hijacked: true } };
        assert.equal(await store.updateFlow(stale), false);
        const stored = await store.getFlow(flow.id, minutes(0));
        assert.equal(stored?.state, 'awaiting_factor');
        assert.equal(stored?.version, 2);
        assert.deepEqual(stored?.data, flow.data);
      });

      it('when 16 updates name the same version at once, exactly one lands', async () => {
        const flow = givenFlow();
        await store.createFlow(flow);
        const results = await race(16, (i) => store.updateFlow({ ...flow, state: `s${i}` }));
        assert.equal(winners(results), 1);
        assert.equal((await store.getFlow(flow.id, minutes(0)))?.version, 2);
      });

      it('deleteFlow removes the flow', async () => {
        const flow = givenFlow();
        await store.createFlow(flow);
        await store.deleteFlow(flow.id);
        assert.equal(await store.getFlow(flow.id, minutes(0)), null);
      });
    });

    describe('one-time codes', () => {
      it('findActiveCode returns the newest unused, unexpired code of the purpose', async () => {
        const purpose = `flow:${randomUUID()}`;
        const older = givenCode({ purpose, expiresAt: minutes(10) });
        const newer = givenCode({ purpose, expiresAt: minutes(11) });
        await store.createCode(older);
        await store.createCode(newer);
        await store.createCode(givenCode({ purpose, expiresAt: minutes(12), usedAt: minutes(1) }));
        await store.createCode(givenCode({ expiresAt: minutes(20) }));
        assert.deepEqual(await store.findActiveCode(purpose, minutes(0)), newer);
        assert.equal(await store.findActiveCode(purpose, minutes(11)), null, 'all expired');
        assert.equal(await store.findActiveCode('enroll:none', minutes(0)), null);
      });

      it('countCodeAttempt counts before comparing and stops at maxAttempts', async () => {
        const code = givenCode();
        await store.createCode(code);
        for (let i = 1; i <= 5; i++) {
          assert.equal((await store.countCodeAttempt(code.id, 5, minutes(1)))?.attempts, i);
        }
        assert.equal(await store.countCodeAttempt(code.id, 5, minutes(1)), null, 'the sixth of five');
        assert.equal(await store.countCodeAttempt('missing', 5, minutes(1)), null);
      });

      it('countCodeAttempt refuses expired and used codes', async () => {
        const expired = givenCode();
        const used = givenCode();
        await store.createCode(expired);
        await store.createCode(used);
        assert.equal(await store.countCodeAttempt(expired.id, 5, minutes(10)), null);
        assert.equal(await store.consumeCode(used.id, minutes(1)), true);
        assert.equal(await store.countCodeAttempt(used.id, 5, minutes(1)), null);
      });

      it('when 16 guesses arrive at once, only maxAttempts of them are counted', async () => {
        const code = givenCode();
        await store.createCode(code);
        const counted = await race(16, () => store.countCodeAttempt(code.id, 5, minutes(1)));
        assert.deepEqual(
          counted.flatMap((c) => (c ? [c.attempts] : [])).sort((a, b) => a - b),
          [1, 2, 3, 4, 5],
        );
      });

      it('consumeCode succeeds once, and never for an expired code', async () => {
        const code = givenCode();
        const expired = givenCode();
        await store.createCode(code);
        await store.createCode(expired);
        assert.equal(await store.consumeCode(code.id, minutes(1)), true);
        assert.equal(await store.consumeCode(code.id, minutes(1)), false, 'when a code is reused');
        assert.deepEqual((await store.countCodeAttempt(code.id, 5, minutes(1)))?.usedAt ?? null, null);
        assert.equal(await store.consumeCode(expired.id, minutes(10)), false);
      });

      it('when 16 submissions consume one code at once, exactly one succeeds', async () => {
        const code = givenCode();
        await store.createCode(code);
        assert.equal(winners(await race(16, () => store.consumeCode(code.id, minutes(1)))), 1);
        assert.equal(await store.findActiveCode(code.purpose, minutes(1)), null);
      });
    });

    describe('rate limits', () => {
      it('count hits in a fixed window and refuse those past the limit', async () => {
        const key = `ip:${randomUUID()}`;
        const hits = [];
        for (let i = 0; i < 4; i++) hits.push(await store.hitRateLimit(key, 3, 60_000, minutes(i / 10)));
        assert.deepEqual(
          hits.map((h) => [h.count, h.isAllowed]),
          [
            [1, true],
            [2, true],
            [3, true],
            [4, false],
          ],
        );
        assert.deepEqual(hits[3]?.resetAt, minutes(1), 'the window runs from the first hit');
        assert.equal(await store.peekRateLimit(key, minutes(0.5)), 4);
        assert.equal(await store.peekRateLimit('ip:unknown', minutes(0)), 0);
      });

      it('the window resets once reset_at has passed', async () => {
        const key = `ip:${randomUUID()}`;
        await store.hitRateLimit(key, 1, 60_000, minutes(0));
        await store.hitRateLimit(key, 1, 60_000, minutes(0.5));
        assert.equal(await store.peekRateLimit(key, minutes(1)), 0, 'an ended window counts nothing');
        const fresh = await store.hitRateLimit(key, 1, 60_000, minutes(1));
        assert.deepEqual(fresh, { count: 1, isAllowed: true, resetAt: minutes(2) });
      });

      it('resetRateLimit forgets the key', async () => {
        const key = `user:${randomUUID()}`;
        await store.hitRateLimit(key, 5, 60_000, minutes(0));
        await store.resetRateLimit(key);
        assert.equal(await store.peekRateLimit(key, minutes(0)), 0);
        assert.equal((await store.hitRateLimit(key, 5, 60_000, minutes(0))).count, 1);
      });

      it('when 30 hits arrive at once, every one is counted exactly once', async () => {
        const key = `ip:${randomUUID()}`;
        const counts = async () =>
          (await race(30, () => store.hitRateLimit(key, 10, 60_000, minutes(0)))).map((h) => h.count);
        const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
        const from = (first: number) => Array.from({ length: 30 }, (_, i) => first + i);
        // First the race to open the window, then the race to count in an open one.
        assert.deepEqual(sorted(await counts()), from(1));
        assert.deepEqual(sorted(await counts()), from(31));
        assert.equal(await store.peekRateLimit(key, minutes(0)), 60);
      });
    });

    describe('sessions', () => {
      it('round-trip, are overwritten by set, expire and are destroyed', async () => {
        const sid = randomUUID();
        await store.setSession(sid, { data: '{"a":1}', expiresAt: minutes(10) });
        assert.deepEqual(await store.getSession(sid, minutes(0)), {
          data: '{"a":1}',
          expiresAt: minutes(10),
        });
        await store.setSession(sid, { data: '{"a":2}', expiresAt: minutes(20) });
        assert.equal((await store.getSession(sid, minutes(15)))?.data, '{"a":2}');
        assert.equal(await store.getSession(sid, minutes(20)), null, 'expired');
        await store.destroySession(sid);
        await store.setSession(sid, { data: '{}', expiresAt: minutes(5) });
        await store.destroySession(sid);
        assert.equal(await store.getSession(sid, minutes(0)), null);
      });

      it('KyselySessionStore serves express-session through callbacks', async () => {
        let now = minutes(0);
        const sessions = new KyselySessionStore(store, { ttlMs: 60_000, now: () => now });
        const get = (sid: string) =>
          new Promise<SessionData | null | undefined>((ok, ko) =>
            sessions.get(sid, (err, s) => (err ? ko(err) : ok(s))),
          );
        const call = (run: (done: (err?: unknown) => void) => void) =>
          new Promise<void>((ok, ko) => run((err) => (err ? ko(err) : ok())));
        const sid = randomUUID();
        const data = { cookie: { originalMaxAge: null, expires: null } } as unknown as SessionData;
        await call((done) => sessions.set(sid, { ...data, flowBinding: 'b1' } as SessionData, done));
        assert.equal(((await get(sid)) as { flowBinding?: string } | null)?.flowBinding, 'b1');
        now = minutes(0.9);
        await call((done) => sessions.touch(sid, data, done));
        assert.deepEqual(
          (await store.getSession(sid, now))?.expiresAt,
          minutes(1.9),
          'ttl restarts on touch',
        );
        assert.equal(
          ((await get(sid)) as { flowBinding?: string } | null)?.flowBinding,
          'b1',
          'touch keeps data',
        );
        const dated = { cookie: { expires: minutes(5) } } as unknown as SessionData;
        await call((done) => sessions.set(sid, dated, done));
        assert.deepEqual((await store.getSession(sid, now))?.expiresAt, minutes(5), 'cookie expiry wins');
        await call((done) => sessions.destroy(sid, done));
        assert.equal(await get(sid), null);
        await call((done) => sessions.touch(sid, data, done));
        assert.equal(await get(sid), null, 'touch does not bring back a destroyed session');
      });
    });

    it('purgeExpired removes only expired rows and returns how many', async () => {
      // Dated before T0 so that rows from other tests are all still live at `now`.
      const base = Date.parse('2020-01-01T00:00:00.000Z');
      const now = minutes(60, base);
      const [gone, live] = [minutes(30, base), minutes(90, base)];
      const flows = [givenFlow({ expiresAt: gone }), givenFlow({ expiresAt: live })];
      const codes = [givenCode({ expiresAt: gone }), givenCode({ expiresAt: live })];
      for (const f of flows) await store.createFlow(f);
      for (const c of codes) await store.createCode(c);
      await store.setSession('purge-gone', { data: '{}', expiresAt: gone });
      await store.setSession('purge-live', { data: '{}', expiresAt: live });
      await store.hitRateLimit('purge-gone', 5, 60_000, minutes(0, base));
      await store.hitRateLimit('purge-live', 5, 60 * 60_000, minutes(59, base));
      assert.equal(await store.purgeExpired(now), 4);
      assert.equal(await store.purgeExpired(now), 0);
      assert.ok(await store.getFlow(flows[1]!.id, now));
      assert.ok(await store.findActiveCode(codes[1]!.purpose, now));
      assert.ok(await store.getSession('purge-live', now));
      assert.equal(await store.peekRateLimit('purge-live', now), 1);
      assert.equal(await store.peekRateLimit('purge-gone', minutes(0, base)), 0, 'row deleted');
    });

    it('purgeExpired removes an unconfirmed factor created more than 24 h before now, keeps one created 1 h before, and keeps confirmed old ones', async () => {
      // Between the purge test's base above and T0: neither test's rows are the other's.
      const base = Date.parse('2021-06-01T00:00:00.000Z');
      const now = new Date(base);
      const hoursBefore = (h: number) => minutes(-h * 60, base);
      const userId = randomUUID();
      const abandoned = givenFactor({ userId, createdAt: hoursBefore(25) });
      const justOver = givenFactor({ userId, createdAt: minutes(-24 * 60 - 1, base) });
      const recent = givenFactor({ userId, createdAt: hoursBefore(1) });
      const confirmedOld = givenFactor({
        userId,
        createdAt: hoursBefore(24 * 30),
        confirmedAt: hoursBefore(24 * 30),
      });
      const confirmedSms = givenFactor({
        userId,
        kind: 'sms',
        secretSealed: null,
        phone: '+447700900999',
        createdAt: hoursBefore(48),
        confirmedAt: hoursBefore(47),
      });
      for (const f of [abandoned, justOver, recent, confirmedOld, confirmedSms]) await store.addFactor(f);

      assert.ok((await store.purgeExpired(now)) >= 2, 'the two abandoned enrollments are counted');
      assert.equal(await store.getFactor(abandoned.id), null, 'unconfirmed, 25 h old: removed');
      assert.equal(await store.getFactor(justOver.id), null, 'unconfirmed, 24 h + 1 min old: removed');
      assert.ok(await store.getFactor(recent.id), 'unconfirmed, 1 h old: kept');
      assert.ok(await store.getFactor(confirmedOld.id), 'confirmed, 30 days old: kept');
      assert.ok(await store.getFactor(confirmedSms.id), 'confirmed SMS, 2 days old: kept');
      assert.deepEqual(
        (await store.listFactors(userId)).map((f) => f.id),
        [confirmedOld.id, confirmedSms.id, recent.id],
      );
      assert.equal(await store.purgeExpired(now), 0, 'nothing left to purge at the same time');
    });
  });
}
