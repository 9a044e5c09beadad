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

export type FactorKind = 'totp' | 'sms';

/** An enrolled (or pending) second factor. Secrets are stored encrypted by the caller. */
export interface Factor {
  id: string;
  /** Directory stable id (objectGUID / entryUUID) of the owner. */
  userId: string;
  kind: FactorKind;
  /** TOTP: the AES-GCM sealed secret (see mfa/secret-box.ts). SMS: null. */
  secretSealed: string | null;
  /** SMS: E.164 phone number. TOTP: null. */
  phone: string | null;
  label: string;
  createdAt: Date;
  /** null while the enrollment awaits its confirming code. */
  confirmedAt: Date | null;
  /** TOTP replay guard: the last time step accepted, null before the first. */
  lastStep: number | null;
}

/** A self-service flow: a server-side state machine bound to one session. */
export interface FlowRecord {
  id: string;
  kind: string;
  state: string;
  /** Random value kept in the session: a flow is only usable from the session that started it. */
  sessionBinding: string;
  csrfToken: string;
  /** JSON-serialisable flow data (subject reference, factors proven, ...). Never a password. */
  data: Record<string, unknown>;
  expiresAt: Date;
  /** Incremented on every update; updates name the version they read (optimistic lock). */
  version: number;
}

/** A one-time code sent by SMS: only its keyed hash is stored. */
export interface OneTimeCode {
  id: string;
  /** What the code is for, e.g. "flow:<flowId>" or "enroll:<factorId>". */
  purpose: string;
  codeHash: string;
  expiresAt: Date;
  attempts: number;
  usedAt: Date | null;
}

export interface RateLimitResult {
  /** Hits in the current window, this one included. */
  count: number;
  isAllowed: boolean;
  resetAt: Date;
}

export interface StoredSession {
  data: string;
  expiresAt: Date;
}

export interface Store {
  // ---- factors
  /** Factors of a user, oldest first (pending ones included). */
  listFactors(userId: string): Promise<Factor[]>;
  getFactor(id: string): Promise<Factor | null>;
  addFactor(factor: Factor): Promise<void>;
  confirmFactor(id: string, at: Date): Promise<void>;
  deleteFactor(id: string): Promise<void>;
  /** Remove every factor of a user; returns how many went. */
  deleteFactors(userId: string): Promise<number>;
  /**
   * TOTP replay guard: set lastStep to `step` only when it is greater than the stored one, in
   * one conditional update. Returns true when this call won (the code was not used before).
   */
  advanceTotpStep(factorId: string, step: number): Promise<boolean>;

  // ---- flows
  createFlow(flow: FlowRecord): Promise<void>;
  /** null when absent or expired (expired flows are never returned). */
  getFlow(id: string, now: Date): Promise<FlowRecord | null>;
  /**
   * Replace state/data/expiry/csrf when the stored version equals `flow.version`; the stored
   * version becomes flow.version + 1. Returns false when someone else updated it first.
   */
  updateFlow(flow: FlowRecord): Promise<boolean>;
  deleteFlow(id: string): Promise<void>;

  // ---- one-time codes
  createCode(code: OneTimeCode): Promise<void>;
  /** The newest unused, unexpired code for a purpose. */
  findActiveCode(purpose: string, now: Date): Promise<OneTimeCode | null>;
  /**
   * Count one attempt before any comparison: increments attempts when the code is unused,
   * unexpired and attempts < maxAttempts. Returns the code as it is after the increment, or
   * null when no attempt is allowed.
   */
  countCodeAttempt(id: string, maxAttempts: number, now: Date): Promise<OneTimeCode | null>;
  /** Mark used when still unused (UPDATE ... WHERE used_at IS NULL); true for exactly one caller. */
  consumeCode(id: string, now: Date): Promise<boolean>;

  // ---- rate limits (fixed window, shared by every instance)
  /** Count a hit on `key` in a window of `windowMs`; `limit` hits are allowed per window. */
  hitRateLimit(key: string, limit: number, windowMs: number, now: Date): Promise<RateLimitResult>;
  /** Current count without adding a hit. */
  peekRateLimit(key: string, now: Date): Promise<number>;
  resetRateLimit(key: string): Promise<void>;

  // ---- sessions (express-session store)
  getSession(sid: string, now: Date): Promise<StoredSession | null>;
  setSession(sid: string, session: StoredSession): Promise<void>;
  destroySession(sid: string): Promise<void>;

  /** Delete expired flows, codes, sessions and rate-limit windows. Returns rows removed. */
  purgeExpired(now: Date): Promise<number>;

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
