import type { RateLimitResult, Store } from '../../../src/store/store.ts';

/** An in-memory hitRateLimit with a fixed window that starts at a key's first hit. */
export function fakeRateLimitStore() {
  const windows = new Map<string, { count: number; resetAt: Date }>();
  const calls: { key: string; limit: number; windowMs: number; now: Date }[] = [];
  const store: Pick<Store, 'hitRateLimit'> = {
    async hitRateLimit(key, limit, windowMs, now): Promise<RateLimitResult> {
      calls.push({ key, limit, windowMs, now });
      let window = windows.get(key);
      if (!window || now.getTime() >= window.resetAt.getTime()) {
        window = { count: 0, resetAt: new Date(now.getTime() + windowMs) };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, isAllowed: window.count <= limit, resetAt: window.resetAt };
    },
  };
  return { store, calls };
}
