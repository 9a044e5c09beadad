import { type Request, type Response, Router } from 'express';
import type { OutboxSmsSender } from '../../mfa/outbox-sms-sender.ts';

/**
 * Demo mode only: the last SMS messages the outbox "sent", so codes can be read without a
 * phone. Never mounted outside DEMO_MODE, since the page shows live codes.
 */
export function demoOutboxRouter(outbox: OutboxSmsSender): Router {
  const router = Router();
  router.get('/demo/outbox', async function showOutbox(_req: Request, res: Response) {
    res.render('demo/outbox', { messages: await outbox.readLast(20) });
  });
  return router;
}
