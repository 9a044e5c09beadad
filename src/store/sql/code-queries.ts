import type { Kysely, Selectable } from 'kysely';
import type { OneTimeCode } from '../store.ts';
import type { Database, OneTimeCodeTable } from './schema.ts';

export async function createCode(db: Kysely<Database>, code: OneTimeCode): Promise<void> {
  await db
    .insertInto('one_time_code')
    .values({
      id: code.id,
      purpose: code.purpose,
      code_hash: code.codeHash,
      expires_at: code.expiresAt.toISOString(),
      attempts: code.attempts,
      used_at: code.usedAt?.toISOString() ?? null,
    })
    .execute();
}

/**
 * Codes carry no creation time; every code of a purpose gets the same lifetime, so the one
 * expiring last is the one sent last.
 */
export async function findActiveCode(
  db: Kysely<Database>,
  purpose: string,
  now: Date,
): Promise<OneTimeCode | null> {
  const row = await db
    .selectFrom('one_time_code')
    .selectAll()
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .orderBy('expires_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toCode(row) : null;
}

/**
 * The attempt is counted before the caller compares the code, and the limit is in the WHERE
 * clause: parallel guesses cannot all read "4 attempts" and each get a fifth try. RETURNING
 * hands back the row this very update produced.
 */
export async function countCodeAttempt(
  db: Kysely<Database>,
  id: string,
  maxAttempts: number,
  now: Date,
): Promise<OneTimeCode | null> {
  const row = await db
    .updateTable('one_time_code')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .where('attempts', '<', maxAttempts)
    .returningAll()
    .executeTakeFirst();
  return row ? toCode(row) : null;
}

/** Exactly one caller flips used_at; the row count tells it that it was the one. */
export async function consumeCode(db: Kysely<Database>, id: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const result = await db
    .updateTable('one_time_code')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function toCode(row: Selectable<OneTimeCodeTable>): OneTimeCode {
  return {
    id: row.id,
    purpose: row.purpose,
    codeHash: row.code_hash,
    expiresAt: new Date(row.expires_at),
    attempts: Number(row.attempts),
    usedAt: row.used_at === null ? null : new Date(row.used_at),
  };
}
