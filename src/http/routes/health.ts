import { type Request, type Response, Router } from 'express';
import type { Store } from '../../store/store.ts';

/** Liveness says the process answers; readiness says its store answers too. */
export function healthRouter(deps: { store: Pick<Store, 'ping'> }): Router {
  const router = Router();
  router.get('/healthz', function liveness(_req: Request, res: Response) {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async function readiness(_req: Request, res: Response) {
    try {
      await deps.store.ping();
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });
  return router;
}
