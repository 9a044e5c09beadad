import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import type { KyselyStore } from '../../src/store/sql/kysely-store.ts';
import { freshPostgresDatabase } from '../support/stores.ts';
import { givenCode, givenFactor, givenFlow } from './store.contract.ts';

/**
 * Two stores on one PostgreSQL database stand for two portal instances behind a load
 * balancer: each has its own pool, so the guards must hold in the database, not in-process.
 */
describe('Store races across two instances on PostgreSQL', () => {
  let instances: [KyselyStore, KyselyStore];
  let drop: () => Promise<void>;
  const now = new Date('2026-01-01T00:00:00.000Z');

  before(async () => {
    const database = await freshPostgresDatabase();
    drop = database.drop;
    const config = { kind: 'postgres', url: database.url } as const;
    // Both migrate at once, as two instances starting together would.
    instances = await Promise.all([openStore(config), openStore(config)]);
  });
  after(async () => {
    await Promise.all(instances.map((s) => s.close()));
    await drop();
  });

  /** Splits `n` simultaneous calls evenly over the two instances. */
  const raceOnBoth = <T>(n: number, call: (store: KyselyStore) => Promise<T>): Promise<T[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => call(instances[i % 2]!)));

  it('when 16 submissions of one code reach two instances at once, exactly one is accepted', async () => {
    const code = givenCode();
    await instances[0].createCode(code);
    const results = await raceOnBoth(16, (store) => store.consumeCode(code.id, now));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('when one TOTP step reaches two instances 16 times at once, exactly one is accepted', async () => {
    const factor = givenFactor();
    await instances[0].addFactor(factor);
    const results = await raceOnBoth(16, (store) => store.advanceTotpStep(factor.id, 42));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('when two instances update one flow from the same version, exactly one lands', async () => {
    const flow = givenFlow();
    await instances[0].createFlow(flow);
    const results = await raceOnBoth(16, (store) => store.updateFlow({ ...flow, state: 'next' }));
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('when 30 hits on one key reach two instances at once, the shared count is exactly 30', async () => {
    const hits = await raceOnBoth(30, (store) => store.hitRateLimit('ip:race', 10, 60_000, now));
    assert.deepEqual(
      hits.map((h) => h.count).sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    assert.equal(await instances[1].peekRateLimit('ip:race', now), 30);
  });
});
