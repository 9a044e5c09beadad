import type { Kysely, Selectable } from 'kysely';
import type { FlowRecord } from '../store.ts';
import type { Database, FlowTable } from './schema.ts';

export async function createFlow(db: Kysely<Database>, flow: FlowRecord): Promise<void> {
  await db
    .insertInto('flow')
    .values({
      id: flow.id,
      kind: flow.kind,
      state: flow.state,
      session_binding: flow.sessionBinding,
      csrf_token: flow.csrfToken,
      data: JSON.stringify(flow.data),
      expires_at: flow.expiresAt.toISOString(),
      version: flow.version,
    })
    .execute();
}

/** Expiry is checked in the query so an expired flow can never be resumed, purged or not. */
export async function getFlow(db: Kysely<Database>, id: string, now: Date): Promise<FlowRecord | null> {
  const row = await db
    .selectFrom('flow')
    .selectAll()
    .where('id', '=', id)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return row ? toFlow(row) : null;
}

/**
 * Optimistic lock: the version test and the bump are one statement, so of two requests that
 * read the same version (double submit, two instances) only one moves the flow on. kind and
 * sessionBinding are fixed at creation and never rewritten.
 */
export async function updateFlow(db: Kysely<Database>, flow: FlowRecord): Promise<boolean> {
  const result = await db
    .updateTable('flow')
    .set((eb) => ({
      state: flow.state,
      csrf_token: flow.csrfToken,
      data: JSON.stringify(flow.data),
      expires_at: flow.expiresAt.toISOString(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', flow.id)
    .where('version', '=', flow.version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteFlow(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('flow').where('id', '=', id).execute();
}

function toFlow(row: Selectable<FlowTable>): FlowRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    sessionBinding: row.session_binding,
    csrfToken: row.csrf_token,
    data: JSON.parse(row.data) as Record<string, unknown>,
    expiresAt: new Date(row.expires_at),
    version: Number(row.version),
  };
}
