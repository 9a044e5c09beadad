import type { NextFunction, Request, Response } from 'express';

/** Flow pages hold personal state: never cache them, anywhere. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  res.set('Pragma', 'no-cache');
  next();
}
