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
});

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}
