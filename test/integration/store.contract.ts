import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KyselyStore } from '../../src/store/sql/kysely-store.ts';
import type { AuditEvent } from '../../src/store/store.ts';
import { freshStore } from '../support/stores.ts';

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
  });
}
