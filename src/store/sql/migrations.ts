import type { Kysely, Migration, MigrationProvider } from 'kysely';

export type SqlDialect = 'sqlite' | 'postgres';

/** Migrations live in code (no file-system scanning), in order; names sort lexically. */
const migrations = (dialect: SqlDialect): Record<string, Migration> => ({
  '0001_history_and_audit': {
    async up(db: Kysely<unknown>) {
      const serialId = (d: SqlDialect) => (d === 'postgres' ? 'serial' : 'integer');
      await db.schema
        .createTable('password_history')
        .addColumn('id', serialId(dialect), (c) =>
          dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('salt', 'text', (c) => c.notNull())
        .addColumn('params', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('password_history_user')
        .on('password_history')
        .columns(['user_id', 'id'])
        .execute();
      await db.schema
        .createTable('audit_event')
        .addColumn('id', serialId(dialect), (c) =>
          dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('client_address', 'text')
        .addColumn('reason', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_event_subject')
        .on('audit_event')
        .columns(['subject', 'id'])
        .execute();
      await db.schema.createIndex('audit_event_actor').on('audit_event').columns(['actor', 'id']).execute();
    },
  },
  '0002_flows_factors_codes_limits_sessions': { up: createFlowTables },
});

/** Dates are ISO-8601 UTC text, as in 0001; the counters are integer so pg returns numbers. */
async function createFlowTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('factor')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text')
    .addColumn('phone', 'text')
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('last_step', 'integer')
    .execute();
  await db.schema.createIndex('factor_user').on('factor').columns(['user_id', 'created_at']).execute();

  await db.schema
    .createTable('flow')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('session_binding', 'text', (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('one_time_code')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', 'text')
    .execute();
  // findActiveCode looks up the newest code of a purpose.
  await db.schema
    .createIndex('one_time_code_purpose')
    .on('one_time_code')
    .columns(['purpose', 'expires_at'])
    .execute();

  await db.schema
    .createTable('rate_limit')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_start', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('reset_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('session')
    .addColumn('sid', 'text', (c) => c.primaryKey())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  // Sessions are the one table that grows with traffic; purgeExpired scans it by expiry.
  await db.schema.createIndex('session_expires').on('session').column('expires_at').execute();
}

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
