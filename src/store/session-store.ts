import session, { type SessionData } from 'express-session';
import type { Store } from './store.ts';

export interface KyselySessionStoreOptions {
  /** Lifetime of a session whose cookie has no expiry (a browser-session cookie). */
  ttlMs: number;
  /** Injected clock for tests. */
  now?: () => Date;
}

type SessionRows = Pick<Store, 'getSession' | 'setSession' | 'destroySession'>;

/**
 * express-session over the Store, so sessions are shared by every instance on PostgreSQL and
 * survive a restart on SQLite. Sessions are stored as JSON; express-session rebuilds the
 * cookie object itself.
 */
export class KyselySessionStore extends session.Store {
  private readonly now: () => Date;

  constructor(
    private readonly rows: SessionRows,
    private readonly options: KyselySessionStoreOptions,
  ) {
    super();
    this.now = options.now ?? (() => new Date());
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    settle(
      this.rows
        .getSession(sid, this.now())
        .then((row) => (row ? (JSON.parse(row.data) as SessionData) : null)),
      callback,
    );
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    const stored = { data: JSON.stringify(data), expiresAt: this.expiryOf(data) };
    settle(this.rows.setSession(sid, stored), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    settle(this.rows.destroySession(sid), callback);
  }

  /**
   * Extends the expiry of an unmodified session. It rewrites what is stored rather than the
   * request's copy, and skips sessions that are gone: a slow request must neither undo a
   * concurrent request's change nor bring back a session destroyed by logout or regenerate.
   */
  override touch(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    const extend = async () => {
      const current = await this.rows.getSession(sid, this.now());
      if (current) await this.rows.setSession(sid, { data: current.data, expiresAt: this.expiryOf(data) });
    };
    settle(extend(), callback);
  }

  private expiryOf(data: SessionData): Date {
    const expires = data.cookie?.expires;
    if (expires) return new Date(expires);
    return new Date(this.now().getTime() + this.options.ttlMs);
  }
}

/**
 * Hands a promise's outcome to a node-style callback. The callback runs outside the promise
 * chain, so an exception thrown by express-session is not mistaken for a store error and
 * the callback is never called twice.
 */
function settle<T>(promise: Promise<T>, callback?: (err: unknown, value?: T) => void): void {
  promise.then(
    (value) => {
      if (callback) queueMicrotask(() => callback(null, value));
    },
    (err: unknown) => {
      if (callback) queueMicrotask(() => callback(err));
    },
  );
}
