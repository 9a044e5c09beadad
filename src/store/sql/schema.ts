import type { Generated } from 'kysely';

export interface PasswordHistoryTable {
  id: Generated<number>;
  user_id: string;
  hash: string;
  salt: string;
  params: string;
  /** ISO-8601 UTC text in both dialects, so ordering and parsing are the same everywhere. */
  created_at: string;
}

export interface AuditEventTable {
  id: Generated<number>;
  at: string;
  actor: string;
  subject: string | null;
  action: string;
  outcome: string;
  error_code: string | null;
  client_address: string | null;
  reason: string | null;
  details: string;
}

export interface Database {
  password_history: PasswordHistoryTable;
  audit_event: AuditEventTable;
}
