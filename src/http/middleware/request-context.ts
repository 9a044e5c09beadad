import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../../log.ts';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

/** One child logger per request, carrying a request id; never logs bodies or query strings. */
export function requestContext(log: Logger) {
  return function attachRequestContext(req: Request, res: Response, next: NextFunction) {
    req.id = randomUUID();
    req.log = log.child({ requestId: req.id });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      req.log.info(
        {
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };
}
