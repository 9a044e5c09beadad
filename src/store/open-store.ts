import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { KyselyStore } from './sql/kysely-store.ts';
import type { Database } from './sql/schema.ts';

/** Open the configured store and run its migrations. */
export async function openStore(config: DatabaseConfig): Promise<KyselyStore> {
  const store = new KyselyStore(new Kysely<Database>({ dialect: dialectFor(config) }), config.kind);
  await store.migrate();
  return store;
}

function dialectFor(config: DatabaseConfig) {
  if (config.kind === 'postgres') {
    return new PostgresDialect({ pool: new pg.Pool({ connectionString: config.url, max: 10 }) });
  }
  if (config.file !== ':memory:') mkdirSync(dirname(config.file), { recursive: true });
  const database = new BetterSqlite3(config.file);
  // WAL lets readers (health, audit pages) run beside the writer; busy_timeout rides out the
  // brief lock a second process (the doctor, a migration) may hold.
  database.pragma('journal_mode = WAL');
  database.pragma('busy_timeout = 5000');
  return new SqliteDialect({ database });
}
