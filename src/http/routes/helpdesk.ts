import { type NextFunction, type Request, type Response, Router } from 'express';
import { toCsv } from '../../audit/audit-csv.ts';
import { AppError } from '../../errors.ts';
import { token } from '../../flows/flow.ts';
import {
  type AgentSession,
  isAgentSessionLive,
  type PendingAgent,
} from '../../flows/helpdesk/agent-session.ts';
import type { Helpdesk } from '../../flows/helpdesk/helpdesk-service.ts';
import { loginKey } from '../../flows/pre-auth.ts';
import { safeEqual } from '../../safe-equal.ts';
import type { Store } from '../../store/store.ts';
import { clientAddress, rotateSession } from '../flow-session.ts';
import { statusFor } from '../flow-steps.ts';
import { assertAccountAllowed, limitByAddress, type RateLimitSettings } from '../middleware/rate-limit.ts';

declare module 'express-session' {
  interface SessionData {
    agent: AgentSession;
    pendingAgent: PendingAgent;
    helpdeskCsrf: string;
  }
}

/** Group membership is re-read this often, so removal from the helpdesk group takes effect quickly. */
const GROUP_RECHECK_MS = 60_000;

export interface HelpdeskRouterDeps {
  helpdesk: Helpdesk;
  store: Pick<Store, 'hitRateLimit'>;
  limit: RateLimitSettings;
  perAccount: RateLimitSettings;
  session: { sessionMinutes: number; idleMinutes: number };
  now: () => Date;
}

/**
 * /helpdesk: sign-in (password + helpdesk group + the agent's own TOTP), find a user, verify
 * the caller through the caller's own factor, then act with a reason. Anyone else gets 403 and
 * an audit row. The agent session has its own absolute and idle limits.
 */
export function helpdeskRouter(deps: HelpdeskRouterDeps): Router {
  const router = Router();
  const limit = limitByAddress(deps.store, 'helpdesk', deps.limit);
  const csrfOf = (req: Request) => {
    req.session.helpdeskCsrf ??= token();
    return req.session.helpdeskCsrf;
  };
  const render = (req: Request, res: Response, view: string, locals: Record<string, unknown> = {}) =>
    res.render(`helpdesk/${view}`, { csrf: csrfOf(req), agent: req.session.agent, ...locals });

  function checkCsrf(req: Request, _res: Response, next: NextFunction) {
    const expected = req.session.helpdeskCsrf ?? '';
    const given = typeof req.body?._csrf === 'string' ? req.body._csrf : '';
    if (expected.length === 0 || !safeEqual(expected, given)) {
      next(new AppError('flow.invalid', { detail: 'helpdesk csrf' }));
      return;
    }
    next();
  }

  async function requireAgent(req: Request, res: Response, next: NextFunction) {
    const agent = req.session.agent;
    const at = deps.now().getTime();
    const isLive = agent && isAgentSessionLive(agent, at, deps.session);
    const isRecheckDue = agent && at - (agent.groupCheckedAt ?? 0) > GROUP_RECHECK_MS;
    if (agent && isLive && (!isRecheckDue || (await deps.helpdesk.isStillAgent(agent)))) {
      req.session.agent = { ...agent, lastSeenAt: at, ...(isRecheckDue ? { groupCheckedAt: at } : {}) };
      next();
      return;
    }
    if (agent) delete req.session.agent;
    await deps.helpdesk.denied(agent ? `agent:${agent.username}` : 'anonymous', req.path, clientAddress(req));
    res.status(403);
    render(req, res, 'sign-in', { message: { code: agent ? 'helpdesk.signed_out' : 'helpdesk.denied' } });
  }

  const ctx = (req: Request) => ({
    agent: req.session.agent!,
    clientAddress: clientAddress(req),
    reason: req.body?.reason,
  });

  /** Re-render a page with a translated refusal; anything unexpected goes to the error handler. */
  const refuse = (
    req: Request,
    res: Response,
    error: unknown,
    view: string,
    locals: Record<string, unknown> = {},
  ) => {
    if (!(error instanceof AppError) || !error.expose) throw error;
    const status = error.code === 'helpdesk.denied' ? 403 : statusFor(error.code);
    res.status(status);
    render(req, res, view, { ...locals, message: { code: error.code, params: error.params } });
  };

  router.get('/helpdesk', (req, res) => {
    const agent = req.session.agent;
    if (agent && isAgentSessionLive(agent, deps.now().getTime(), deps.session)) {
      render(req, res, 'search', { query: '', result: null });
      return;
    }
    render(req, res, 'sign-in');
  });

  router.post('/helpdesk/sign-in', limit, checkCsrf, async (req, res) => {
    try {
      await assertAccountAllowed(
        deps.store,
        `helpdesk:sign-in:${loginKey(String(req.body.login ?? ''))}`,
        deps.perAccount,
      );
      req.session.pendingAgent = await deps.helpdesk.signIn(
        req.body.login,
        req.body.password,
        clientAddress(req),
      );
      render(req, res, 'totp');
    } catch (error) {
      refuse(req, res, error, 'sign-in');
    }
  });

  router.post('/helpdesk/totp', limit, checkCsrf, async (req, res) => {
    const pending = req.session.pendingAgent;
    try {
      if (!pending) throw new AppError('helpdesk.signed_out');
      const agent = await deps.helpdesk.confirmAgentTotp(pending, req.body.code, clientAddress(req));
      delete req.session.pendingAgent;
      await rotateSession(req);
      req.session.agent = agent;
      req.session.helpdeskCsrf = token();
      res.redirect(303, '/helpdesk');
    } catch (error) {
      refuse(req, res, error, pending ? 'totp' : 'sign-in');
    }
  });

  router.use('/helpdesk', requireAgent);

  router.get('/helpdesk/search', async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q : '';
    render(req, res, 'search', { query, result: await deps.helpdesk.search(ctx(req), query) });
  });

  async function showUser(req: Request, res: Response, dn: string, extra: Record<string, unknown> = {}) {
    render(req, res, 'user', { card: await deps.helpdesk.statusCard(ctx(req), dn), ...extra });
  }

  router.get('/helpdesk/user', async (req, res) => {
    await showUser(req, res, typeof req.query.dn === 'string' ? req.query.dn : '');
  });

  /** POST on a user: run `action`, then show the card again with a notice, or the refusal. */
  const onUser = (action: (req: Request, dn: string) => Promise<string>) => [
    limit,
    checkCsrf,
    async (req: Request, res: Response) => {
      const dn = typeof req.body.dn === 'string' ? req.body.dn : '';
      try {
        const notice = await action(req, dn);
        await showUser(req, res, dn, { notice });
      } catch (error) {
        if (!(error instanceof AppError) || !error.expose) throw error;
        res.status(statusFor(error.code));
        await showUser(req, res, dn, { message: { code: error.code, params: error.params } });
      }
    },
  ];

  router.post(
    '/helpdesk/user/send-code',
    ...onUser(async (req, dn) => {
      await deps.helpdesk.sendVerificationCode(ctx(req), dn);
      return 'ui.helpdesk.code_sent';
    }),
  );
  router.post(
    '/helpdesk/user/verify',
    ...onUser(async (req, dn) => {
      req.session.agent = await deps.helpdesk.verifyCaller(ctx(req), dn, req.body.method, req.body.code);
      return 'ui.helpdesk.verified';
    }),
  );
  router.post(
    '/helpdesk/user/unlock',
    ...onUser(async (req, dn) => {
      await deps.helpdesk.unlock(ctx(req), req.body.id, dn);
      return 'ui.helpdesk.unlocked';
    }),
  );
  router.post(
    '/helpdesk/user/assist',
    ...onUser(async (req, dn) => {
      await deps.helpdesk.callerSetsPassword(ctx(req), req.body.id, dn);
      return 'ui.helpdesk.assist_sent';
    }),
  );
  router.post(
    '/helpdesk/user/clear-factors',
    ...onUser(async (req, dn) => {
      await deps.helpdesk.clearFactors(ctx(req), req.body.id, dn);
      return 'ui.helpdesk.factors_cleared';
    }),
  );

  router.post('/helpdesk/user/reset', limit, checkCsrf, async (req, res) => {
    const dn = typeof req.body.dn === 'string' ? req.body.dn : '';
    try {
      const temporary = await deps.helpdesk.resetToTemporary(ctx(req), req.body.id, dn);
      // Shown once, in this response only (the page is no-store); never logged or stored.
      render(req, res, 'temporary-password', { temporary, dn });
    } catch (error) {
      if (!(error instanceof AppError) || !error.expose) throw error;
      res.status(statusFor(error.code));
      await showUser(req, res, dn, { message: { code: error.code, params: error.params } });
    }
  });

  router.get('/helpdesk/audit', async (req, res) => {
    render(req, res, 'audit', {
      events: await deps.helpdesk.auditEvents(ctx(req), req.query),
      filter: req.query,
    });
  });

  router.get('/helpdesk/audit.csv', async (req, res) => {
    const agent = req.session.agent!;
    if (!agent.isAuditor) {
      await deps.helpdesk.denied(`agent:${agent.username}`, req.path, clientAddress(req));
      res.status(403);
      render(req, res, 'search', { query: '', result: null, message: { code: 'helpdesk.denied' } });
      return;
    }
    const events = await deps.helpdesk.auditEvents(ctx(req), req.query);
    res.set('Content-Type', 'text/csv; charset=utf-8');
    res.set('Content-Disposition', 'attachment; filename="sspr-audit.csv"');
    res.send(toCsv(events));
  });

  router.post('/helpdesk/sign-out', checkCsrf, async (req, res) => {
    delete req.session.agent;
    await rotateSession(req);
    res.redirect(303, '/helpdesk');
  });

  return router;
}
