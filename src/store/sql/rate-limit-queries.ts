import type { Kysely } from 'kysely';
import type { RateLimitResult } from '../store.ts';
import type { Database } from './schema.ts';

/**
 * One upsert both opens and counts the window: a read-then-write would let parallel hits (or
 * instances) read the same count and each write count + 1, losing hits. Both dialects lock
 * the conflicting row and evaluate the SET against its latest version. The CASEs restart the
 * window when its reset_at has passed; every SET expression sees the row as it was before.
 */
export async function hitRateLimit(
  db: Kysely<Database>,
  key: string,
  limit: number,
  windowMs: number,
  now: Date,
): Promise<RateLimitResult> {
  const at = now.toISOString();
  const row = await db
    .insertInto('rate_limit')
    .values({
      key,
      window_start: at,
      count: 1,
      reset_at: new Date(now.getTime() + windowMs).toISOString(),
    })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => {
        const isOver = eb('rate_limit.reset_at', '<=', at);
        return {
          window_start: eb
            .case()
            .when(isOver)
            .then(eb.ref('excluded.window_start'))
            .else(eb.ref('rate_limit.window_start'))
            .end(),
          count: eb
            .case()
            .when(isOver)
            .then(eb.lit(1))
            .else(eb('rate_limit.count', '+', eb.lit(1)))
            .end(),
          reset_at: eb
            .case()
            .when(isOver)
            .then(eb.ref('excluded.reset_at'))
            .else(eb.ref('rate_limit.reset_at'))
            .end(),
        };
      }),
    )
    .returning(['count', 'reset_at'])
    .executeTakeFirstOrThrow();
  const count = Number(row.count);
  return { count, isAllowed: count <= limit, resetAt: new Date(row.reset_at) };
}

export async function peekRateLimit(db: Kysely<Database>, key: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('rate_limit')
    .select('count')
    .where('key', '=', key)
    .where('reset_at', '>', now.toISOString())
    .executeTakeFirst();
  return row ? Number(row.count) : 0;
}

export async function resetRateLimit(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('rate_limit').where('key', '=', key).execute();
}
