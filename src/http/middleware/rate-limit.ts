import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors.ts';
import type { Store } from '../../store/store.ts';
import { clientAddress } from '../flow-session.ts';

export interface RateLimitSettings {
  limit: number;
  windowMinutes: number;
  /** The app's clock (tests move it); the wall clock when absent. */
  now?: () => Date;
}

/**
 * Per client address, counted in the Store so the limit holds across restarts and instances.
 * Applied to every POST of the guessable steps; per-account limits live in the flows.
 */
export function limitByAddress(
  store: Pick<Store, 'hitRateLimit'>,
  area: string,
  settings: RateLimitSettings,
) {
  const now = settings.now ?? (() => new Date());
  return async function rateLimitByAddress(req: Request, _res: Response, next: NextFunction) {
    const result = await store.hitRateLimit(
      `addr:${clientAddress(req)}:${area}`,
      settings.limit,
      settings.windowMinutes * 60_000,
      now(),
    );
    if (!result.isAllowed) {
      next(new AppError('flow.rate_limited'));
      return;
    }
    next();
  };
}

/** Per account (subject id or typed login): the same budget whatever the client address. */
export async function assertAccountAllowed(
  store: Pick<Store, 'hitRateLimit'>,
  key: string,
  settings: RateLimitSettings,
  now: Date = settings.now?.() ?? new Date(),
): Promise<void> {
  const result = await store.hitRateLimit(
    `acct:${key}`,
    settings.limit,
    settings.windowMinutes * 60_000,
    now,
  );
  if (!result.isAllowed) throw new AppError('flow.rate_limited');
}
