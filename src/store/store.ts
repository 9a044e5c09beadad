/**
 * What the portal keeps, behind one interface: SQLite embedded by default, PostgreSQL for
 * several instances. Both implementations pass the same contract suite
 * (test/integration/store.contract.ts).
 */

export interface PasswordHistoryEntry {
  /** scrypt output, base64. */
  hash: string;
  /** Per-user salt, base64: one salt for all of a user's entries, so one hash checks them all. */
  salt: string;
  /** scrypt parameters as "N=..,r=..,p=..": entries made under older settings stay checkable. */
  params: string;
  createdAt: Date;
}

export type AuditOutcome = 'success' | 'failure' | 'refused';

export interface AuditEvent {
  at: Date;
  /** Who acted: "self:<username>", "agent:<username>", "system". */
  actor: string;
  /** Whom it concerned (username, or a DN when no username is known). */
  subject: string | null;
  /** e.g. "writeback.reset_password", "writeback.unlock". */
  action: string;
  outcome: AuditOutcome;
  errorCode: string | null;
  clientAddress: string | null;
  reason: string | null;
  /** Small allow-listed details; never a password, code or secret. */
  details: Record<string, string | number | boolean | null>;
}

export interface StoredAuditEvent extends AuditEvent {
  id: number;
}

export interface AuditQuery {
  subject?: string;
  actor?: string;
  action?: string;
  limit?: number;
}

export interface Store {
  /** A user's history, newest first. `userId` is the directory's stable id (objectGUID / entryUUID). */
  listPasswordHistory(userId: string): Promise<PasswordHistoryEntry[]>;
  /** Append one entry and keep only the newest `keep` for that user, in one transaction. */
  addPasswordHistory(userId: string, entry: PasswordHistoryEntry, keep: number): Promise<void>;

  recordAudit(event: AuditEvent): Promise<void>;
  /** Newest first. */
  listAudit(query?: AuditQuery): Promise<StoredAuditEvent[]>;

  /** Cheap round trip for health checks; throws when the database is unreachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
