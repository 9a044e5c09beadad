import { randomBytes, scrypt } from 'node:crypto';
import { safeEqual } from '../safe-equal.ts';
import type { PasswordHistoryEntry, Store } from '../store/store.ts';

export interface PasswordHistoryOptions {
  /** How many of the passwords the portal set are remembered per user (0 turns the check off). */
  count: number;
  /** scrypt N (power of two); r = 8, p = 1. */
  scryptCost: number;
}

export interface HistoryCheck {
  isReused: boolean;
  /** The entry to store once the directory has accepted the password. */
  entry: PasswordHistoryEntry;
}

const KEY_LENGTH = 32;

/**
 * The portal's own history of passwords it set. Samba ignores the policy-hints control, so an
 * administrative reset there would accept any old password; this check refuses reuse whatever
 * the DC. Each user has one salt shared by all their entries, so a check costs one slow hash,
 * not one per entry: the price is paid once per reset. Entries made under older parameters
 * form their own group and cost one hash per group.
 */
export class PasswordHistory {
  constructor(
    private readonly store: Pick<Store, 'listPasswordHistory' | 'addPasswordHistory'>,
    private readonly options: PasswordHistoryOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get isEnabled(): boolean {
    return this.options.count > 0;
  }

  async check(userId: string, password: string): Promise<HistoryCheck> {
    const entries = this.isEnabled ? await this.store.listPasswordHistory(userId) : [];
    const current = currentParams(this.options.scryptCost);
    // The newest entry's salt is the user's; entries under other salts or params are grouped.
    const groups = new Map<string, PasswordHistoryEntry[]>();
    for (const e of entries.slice(0, this.options.count)) {
      const key = `${e.salt}|${e.params}`;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    const userSalt = entries.find((e) => e.params === current)?.salt ?? randomBytes(16).toString('base64');
    let newHash: Buffer | null = null;
    let isReused = false;
    for (const [key, group] of groups) {
      const [salt, params] = key.split('|') as [string, string];
      const hash = await derive(password, salt, params);
      if (salt === userSalt && params === current) newHash = hash;
      if (group.some((e) => safeEqual(hash, Buffer.from(e.hash, 'base64')))) isReused = true;
    }
    newHash ??= await derive(password, userSalt, current);
    return {
      isReused,
      entry: { hash: newHash.toString('base64'), salt: userSalt, params: current, createdAt: this.now() },
    };
  }

  async remember(userId: string, entry: PasswordHistoryEntry): Promise<void> {
    if (this.isEnabled) await this.store.addPasswordHistory(userId, entry, this.options.count);
  }
}

function currentParams(cost: number): string {
  return `N=${cost},r=8,p=1`;
}

function derive(password: string, salt: string, params: string): Promise<Buffer> {
  const m = /^N=(\d+),r=(\d+),p=(\d+)$/.exec(params);
  if (!m) throw new Error(`unknown password history parameters: ${params}`);
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Async scrypt runs on the libuv pool, so a reset never stalls the event loop.
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize('NFKC'),
      Buffer.from(salt, 'base64'),
      KEY_LENGTH,
      { N, r, p, maxmem: 256 * N * r + 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}
