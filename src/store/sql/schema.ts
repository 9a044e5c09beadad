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

export interface FactorTable {
  id: string;
  user_id: string;
  kind: string;
  secret_sealed: string | null;
  phone: string | null;
  label: string;
  created_at: string;
  confirmed_at: string | null;
  /** integer, not bigint: a TOTP step (unix time / 30) fits, and pg returns int4 as a number. */
  last_step: number | null;
}

export interface FlowTable {
  id: string;
  kind: string;
  state: string;
  session_binding: string;
  csrf_token: string;
  /** JSON text. */
  data: string;
  expires_at: string;
  version: number;
}

export interface OneTimeCodeTable {
  id: string;
  purpose: string;
  code_hash: string;
  expires_at: string;
  attempts: number;
  used_at: string | null;
}

export interface RateLimitTable {
  key: string;
  window_start: string;
  count: number;
  reset_at: string;
}

export interface SessionTable {
  sid: string;
  /** express-session data as JSON text. */
  data: string;
  expires_at: string;
}

/**
 * Every date column holds ISO-8601 UTC text (Date#toISOString): fixed width, so comparing the
 * strings compares the instants, the same way in both dialects.
 */
export interface Database {
  password_history: PasswordHistoryTable;
  audit_event: AuditEventTable;
  factor: FactorTable;
  flow: FlowTable;
  one_time_code: OneTimeCodeTable;
  rate_limit: RateLimitTable;
  session: SessionTable;
}
