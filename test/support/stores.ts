import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from '../../src/store/open-store.ts';
import type { KyselyStore } from '../../src/store/sql/kysely-store.ts';

export const POSTGRES_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A store on a fresh database: a new SQLite file in memory, or a new PostgreSQL database dropped on close. */
export async function freshStore(
  kind: 'sqlite' | 'postgres',
): Promise<{ store: KyselyStore; dispose: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const store = await openStore({ kind: 'sqlite', file: ':memory:' });
    return { store, dispose: () => store.close() };
  }
  const name = `sspr_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ kind: 'postgres', url: url.toString() });
  return {
    store,
    dispose: async () => {
      await store.close();
      const drop = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name}`);
      await drop.end();
    },
  };
}
