import type { Client } from 'ldapts';
import { AppError } from '../errors.ts';
import { closeQuietly, type LdapConnectionSettings, openBoundClient } from './ldap-connection.ts';
import { ldapResultCode, toDirectoryError } from './ldap-errors.ts';

interface Idle {
  client: Client;
  since: number;
}

export interface PoolStats {
  open: number;
  idle: number;
  waiting: number;
  created: number;
}

/**
 * A bounded pool of connections bound as the service account. Connections are reused (a TLS
 * handshake + bind costs 7–9 ms, more than the search it serves), dropped after `idleMs` unused
 * (Samba closes idle connections after 900 s, OpenLDAP after 300 s here), and dropped after any
 * connection-level failure so the next use reconnects.
 */
export class LdapConnectionPool {
  private readonly idle: Idle[] = [];
  private readonly waiters: Array<(client: Client | null) => void> = [];
  private open = 0;
  private created = 0;
  private closed = false;

  constructor(
    private readonly settings: LdapConnectionSettings,
    private readonly bindDn: string,
    private readonly bindPassword: string,
    private readonly size: number,
    private readonly idleMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Run `job` on a bound connection. `retry: true` is for idempotent reads: a job that fails at
   * connection level is retried once on a fresh connection. Writes are never retried, since a
   * write whose answer was lost may have been applied. Throws AppError.
   */
  async use<T>(job: (client: Client) => Promise<T>, options: { retry?: boolean } = {}): Promise<T> {
    const attempts = options.retry ? 2 : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const client = await this.acquire();
      try {
        const result = await job(client);
        this.release(client);
        return result;
      } catch (error) {
        if (ldapResultCode(error) !== undefined || error instanceof AppError) {
          // The server answered: the connection is fine.
          this.release(client);
          throw error instanceof AppError ? error : toDirectoryError(error);
        }
        this.discard(client);
        lastError = error;
      }
    }
    throw toDirectoryError(lastError);
  }

  stats(): PoolStats {
    return { open: this.open, idle: this.idle.length, waiting: this.waiters.length, created: this.created };
  }

  async close(): Promise<void> {
    this.closed = true;
    // Each waiter gets a counted slot, which acquire() gives back when it sees the pool closed.
    for (const wake of this.waiters.splice(0)) {
      this.open++;
      wake(null);
    }
    const idle = this.idle.splice(0);
    this.open -= idle.length;
    await Promise.all(idle.map((i) => closeQuietly(i.client)));
  }

  private async acquire(): Promise<Client> {
    if (this.closed) throw new AppError('directory.unavailable', { detail: 'pool closed' });
    while (this.idle.length > 0) {
      const entry = this.idle.pop()!;
      if (entry.client.isConnected && this.now() - entry.since < this.idleMs) return entry.client;
      this.discard(entry.client);
    }
    if (this.open < this.size) {
      this.open++;
      return this.connect();
    }
    const client = await this.waitForRelease();
    if (this.closed) {
      this.open--;
      if (client) void closeQuietly(client);
      throw new AppError('directory.unavailable', { detail: 'pool closed' });
    }
    return client ?? this.connect();
  }

  /** Opens a connection for a slot the caller has already counted in `open`. */
  private async connect(): Promise<Client> {
    try {
      const client = await openBoundClient(this.settings, this.bindDn, this.bindPassword);
      this.created++;
      return client;
    } catch (error) {
      this.open--;
      this.wakeOneForSlot();
      const decoded = toDirectoryError(error);
      // A refused service-account bind is a deployment fault, not the user's: never let it read
      // as "wrong password" to whoever triggered it.
      if (decoded.code === 'directory.unavailable') throw decoded;
      throw new AppError('directory.unavailable', {
        cause: error,
        detail: `service account bind failed: ${decoded.code}`,
      });
    }
  }

  /** Resolves with a released connection, or null when a slot was reserved for the waiter to connect. */
  private waitForRelease(): Promise<Client | null> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(wake);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new AppError('directory.unavailable', { detail: 'pool wait timed out' }));
      }, this.settings.timeoutMs);
      const wake = (client: Client | null) => {
        clearTimeout(timer);
        resolve(client);
      };
      this.waiters.push(wake);
    });
  }

  private release(client: Client): void {
    if (this.closed || !client.isConnected) {
      this.discard(client);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(client);
    else this.idle.push({ client, since: this.now() });
  }

  private discard(client: Client): void {
    this.open--;
    void closeQuietly(client);
    this.wakeOneForSlot();
  }

  /** A slot freed up: hand it, already counted, to the longest waiter. */
  private wakeOneForSlot(): void {
    if (this.closed) return;
    const waiter = this.waiters.shift();
    if (waiter) {
      this.open++;
      waiter(null);
    }
  }
}
