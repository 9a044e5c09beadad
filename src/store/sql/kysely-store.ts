import { type Kysely, Migrator, sql } from 'kysely';
import type { AuditEvent, AuditQuery, PasswordHistoryEntry, Store, StoredAuditEvent } from '../store.ts';
import { migrationProvider, type SqlDialect } from './migrations.ts';
import type { Database } from './schema.ts';

const MAX_AUDIT_PAGE = 1000;

/** The Store over any Kysely dialect; sqlite.ts and postgres.ts only build the dialect. */
export class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  /** Bring the schema up to date; safe to run on every start and from several instances. */
  async migrate(): Promise<void> {
    const { error, results } = await new Migrator({
      db: this.db,
      provider: migrationProvider(this.dialect),
    }).migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      throw new Error(`database migration ${failed} failed`, { cause: error });
    }
  }

  async listPasswordHistory(userId: string): Promise<PasswordHistoryEntry[]> {
    const rows = await this.db
      .selectFrom('password_history')
      .select(['hash', 'salt', 'params', 'created_at'])
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .execute();
    return rows.map((r) => ({
      hash: r.hash,
      salt: r.salt,
      params: r.params,
      createdAt: new Date(r.created_at),
    }));
  }

  async addPasswordHistory(userId: string, entry: PasswordHistoryEntry, keep: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Two instances trimming one user's history at once could each miss the other's insert
      // under READ COMMITTED; a per-user transaction lock serialises them (SQLite already does).
      if (this.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtext(${userId}))`.execute(trx);
      await trx
        .insertInto('password_history')
        .values({
          user_id: userId,
          hash: entry.hash,
          salt: entry.salt,
          params: entry.params,
          created_at: entry.createdAt.toISOString(),
        })
        .execute();
      const kept = trx
        .selectFrom('password_history')
        .select('id')
        .where('user_id', '=', userId)
        .orderBy('id', 'desc')
        .limit(keep);
      await trx
        .deleteFrom('password_history')
        .where('user_id', '=', userId)
        .where('id', 'not in', kept)
        .execute();
    });
  }

  async recordAudit(event: AuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_event')
      .values({
        at: event.at.toISOString(),
        actor: event.actor,
        subject: event.subject,
        action: event.action,
        outcome: event.outcome,
        error_code: event.errorCode,
        client_address: event.clientAddress,
        reason: event.reason,
        details: JSON.stringify(event.details),
      })
      .execute();
  }

  async listAudit(query: AuditQuery = {}): Promise<StoredAuditEvent[]> {
    let q = this.db.selectFrom('audit_event').selectAll();
    if (query.subject !== undefined) q = q.where('subject', '=', query.subject);
    if (query.actor !== undefined) q = q.where('actor', '=', query.actor);
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, MAX_AUDIT_PAGE))
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: new Date(r.at),
      actor: r.actor,
      subject: r.subject,
      action: r.action,
      outcome: r.outcome as StoredAuditEvent['outcome'],
      errorCode: r.error_code,
      clientAddress: r.client_address,
      reason: r.reason,
      details: JSON.parse(r.details) as StoredAuditEvent['details'],
    }));
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('audit_event').select('id').limit(1).execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
