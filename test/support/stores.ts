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
  const database = await freshPostgresDatabase();
  const store = await openStore({ kind: 'postgres', url: database.url });
  return {
    store,
    dispose: async () => {
      await store.close();
      await database.drop();
    },
  };
}

/**
 * An empty PostgreSQL database, for tests that open several stores on it (several "instances").
 * Close every store before calling drop.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `sspr_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name}`) };
}

async function adminQuery(statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}
