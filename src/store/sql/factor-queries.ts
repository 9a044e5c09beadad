import type { Kysely, Selectable } from 'kysely';
import type { Factor, FactorKind } from '../store.ts';
import type { Database, FactorTable } from './schema.ts';

export async function listFactors(db: Kysely<Database>, userId: string): Promise<Factor[]> {
  const rows = await db
    .selectFrom('factor')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toFactor);
}

export async function getFactor(db: Kysely<Database>, id: string): Promise<Factor | null> {
  const row = await db.selectFrom('factor').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toFactor(row) : null;
}

export async function addFactor(db: Kysely<Database>, factor: Factor): Promise<void> {
  await db
    .insertInto('factor')
    .values({
      id: factor.id,
      user_id: factor.userId,
      kind: factor.kind,
      secret_sealed: factor.secretSealed,
      phone: factor.phone,
      label: factor.label,
      created_at: factor.createdAt.toISOString(),
      confirmed_at: factor.confirmedAt?.toISOString() ?? null,
      last_step: factor.lastStep,
    })
    .execute();
}

export async function confirmFactor(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await db.updateTable('factor').set({ confirmed_at: at.toISOString() }).where('id', '=', id).execute();
}

export async function deleteFactor(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('factor').where('id', '=', id).execute();
}

export async function deleteFactors(db: Kysely<Database>, userId: string): Promise<number> {
  const result = await db.deleteFrom('factor').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The replay guard lives in the WHERE clause, not in a read-then-write: the database checks
 * and sets the step under the row lock, so of several requests carrying the same code (one
 * instance or many) exactly one sees its update land.
 */
export async function advanceTotpStep(
  db: Kysely<Database>,
  factorId: string,
  step: number,
): Promise<boolean> {
  const result = await db
    .updateTable('factor')
    .set({ last_step: step })
    .where('id', '=', factorId)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function toFactor(row: Selectable<FactorTable>): Factor {
  return {
    id: row.id,
    userId: row.user_id,
    kind: row.kind as FactorKind,
    secretSealed: row.secret_sealed,
    phone: row.phone,
    label: row.label,
    createdAt: new Date(row.created_at),
    confirmedAt: row.confirmed_at === null ? null : new Date(row.confirmed_at),
    lastStep: row.last_step === null ? null : Number(row.last_step),
  };
}
