import { type Kysely, Migrator, sql } from 'kysely';
import type {
  AuditEvent,
  AuditQuery,
  Factor,
  FlowRecord,
  OneTimeCode,
  PasswordHistoryEntry,
  RateLimitResult,
  Store,
  StoredAuditEvent,
  StoredSession,
} from '../store.ts';
import * as codes from './code-queries.ts';
import * as factors from './factor-queries.ts';
import * as flows from './flow-queries.ts';
import { migrationProvider, type SqlDialect } from './migrations.ts';
import * as rateLimits from './rate-limit-queries.ts';
import type { Database } from './schema.ts';

const MAX_AUDIT_PAGE = 1000;
const PENDING_FACTOR_TTL_MS = 24 * 3600_000;

/** The Store over any Kysely dialect; open-store.ts builds the dialect (SQLite or PostgreSQL). */
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

  // The atomic operations (TOTP step, flow version, code attempts and use, rate-limit hits)
  // are each one conditional statement; see the query modules for why.

  listFactors(userId: string): Promise<Factor[]> {
    return factors.listFactors(this.db, userId);
  }

  getFactor(id: string): Promise<Factor | null> {
    return factors.getFactor(this.db, id);
  }

  addFactor(factor: Factor): Promise<void> {
    return factors.addFactor(this.db, factor);
  }

  confirmFactor(id: string, at: Date): Promise<void> {
    return factors.confirmFactor(this.db, id, at);
  }

  deleteFactor(id: string): Promise<void> {
    return factors.deleteFactor(this.db, id);
  }

  deleteFactors(userId: string): Promise<number> {
    return factors.deleteFactors(this.db, userId);
  }

  advanceTotpStep(factorId: string, step: number): Promise<boolean> {
    return factors.advanceTotpStep(this.db, factorId, step);
  }

  createFlow(flow: FlowRecord): Promise<void> {
    return flows.createFlow(this.db, flow);
  }

  getFlow(id: string, now: Date): Promise<FlowRecord | null> {
    return flows.getFlow(this.db, id, now);
  }

  updateFlow(flow: FlowRecord): Promise<boolean> {
    return flows.updateFlow(this.db, flow);
  }

  deleteFlow(id: string): Promise<void> {
    return flows.deleteFlow(this.db, id);
  }

  createCode(code: OneTimeCode): Promise<void> {
    return codes.createCode(this.db, code);
  }

  findActiveCode(purpose: string, now: Date): Promise<OneTimeCode | null> {
    return codes.findActiveCode(this.db, purpose, now);
  }

  countCodeAttempt(id: string, maxAttempts: number, now: Date): Promise<OneTimeCode | null> {
    return codes.countCodeAttempt(this.db, id, maxAttempts, now);
  }

  consumeCode(id: string, now: Date): Promise<boolean> {
    return codes.consumeCode(this.db, id, now);
  }

  hitRateLimit(key: string, limit: number, windowMs: number, now: Date): Promise<RateLimitResult> {
    return rateLimits.hitRateLimit(this.db, key, limit, windowMs, now);
  }

  peekRateLimit(key: string, now: Date): Promise<number> {
    return rateLimits.peekRateLimit(this.db, key, now);
  }

  resetRateLimit(key: string): Promise<void> {
    return rateLimits.resetRateLimit(this.db, key);
  }

  async getSession(sid: string, now: Date): Promise<StoredSession | null> {
    const row = await this.db
      .selectFrom('session')
      .select(['data', 'expires_at'])
      .where('sid', '=', sid)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return row ? { data: row.data, expiresAt: new Date(row.expires_at) } : null;
  }

  async setSession(sid: string, session: StoredSession): Promise<void> {
    const values = { data: session.data, expires_at: session.expiresAt.toISOString() };
    await this.db
      .insertInto('session')
      .values({ sid, ...values })
      .onConflict((oc) => oc.column('sid').doUpdateSet(values))
      .execute();
  }

  async destroySession(sid: string): Promise<void> {
    await this.db.deleteFrom('session').where('sid', '=', sid).execute();
  }

  /**
   * Reads already ignore expired rows, so purging is housekeeping and needs no transaction:
   * a row that expires between two deletes is simply taken next time.
   */
  async purgeExpired(now: Date): Promise<number> {
    const at = now.toISOString();
    const results = await Promise.all([
      this.db.deleteFrom('flow').where('expires_at', '<=', at).executeTakeFirst(),
      this.db.deleteFrom('one_time_code').where('expires_at', '<=', at).executeTakeFirst(),
      this.db.deleteFrom('session').where('expires_at', '<=', at).executeTakeFirst(),
      this.db.deleteFrom('rate_limit').where('reset_at', '<=', at).executeTakeFirst(),
      // Enrollments abandoned before their confirming code: unusable, so gone after a day.
      this.db
        .deleteFrom('factor')
        .where('confirmed_at', 'is', null)
        .where('created_at', '<=', new Date(now.getTime() - PENDING_FACTOR_TTL_MS).toISOString())
        .executeTakeFirst(),
    ]);
    return results.reduce((sum, r) => sum + Number(r.numDeletedRows), 0);
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
