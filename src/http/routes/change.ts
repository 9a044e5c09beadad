import { type Request, type Response, Router } from 'express';
import { type ChangeDeps, changePassword } from '../../flows/change/change-flow.ts';
import type { Flow } from '../../flows/flow.ts';
import type { FlowRepository } from '../../flows/flow-repository.ts';
import { loginKey } from '../../flows/pre-auth.ts';
import type { RecoveryDeps } from '../../flows/recovery/recovery-flow.ts';
import type { Store } from '../../store/store.ts';
import { clientAddress, forgetFlow, rotateSession } from '../flow-session.ts';
import { currentOrNewFlow, flowStep, restartFlow } from '../flow-steps.ts';
import { assertAccountAllowed, limitByAddress, type RateLimitSettings } from '../middleware/rate-limit.ts';
import { mountVerificationSteps } from './verification-steps.ts';

export interface ChangeRouterDeps extends ChangeDeps {
  flows: FlowRepository;
  store: Pick<Store, 'hitRateLimit'>;
  limits: { perAddress: RateLimitSettings; perAccount: RateLimitSettings };
  /** Set when CHANGE_REQUIRES_FACTOR: the recovery steps run before the form. */
  factor: RecoveryDeps | null;
}

/** /change: a user who knows the current password sets a new one (bound as themselves). */
export function changeRouter(deps: ChangeRouterDeps): Router {
  const router = Router();
  const initial = deps.factor ? 'identify' : 'form';
  const render = (res: Response, flow: Flow, message?: { code: string }, notice?: string) => {
    const common = { flow, csrf: flow.csrfToken, message, notice, minLength: deps.passwordMinLength };
    if (flow.state === 'identify')
      return res.render('recovery/identify', { ...common, kind: 'change', base: '/change' });
    if (flow.state === 'verify') {
      return res.render('recovery/verify', {
        ...common,
        kind: 'change',
        base: '/change',
        proven: flow.data.proven ?? [],
        required: deps.factor?.requiredFactors ?? 1,
      });
    }
    return res.render('change/form', common);
  };
  const step = (fn: (flow: Flow, req: Request, res: Response) => Promise<Flow | 'rendered'>) =>
    flowStep(deps.flows, 'change', initial, render, fn);
  const limit = limitByAddress(deps.store, 'change', deps.limits.perAddress);

  router.get('/change', async function showChangeStep(req: Request, res: Response) {
    render(res, await currentOrNewFlow(req, deps.flows, 'change', initial));
  });

  router.post(
    '/change/restart',
    step(async (_flow, req, res) => {
      render(res, await restartFlow(req, deps.flows, 'change', initial));
      return 'rendered';
    }),
  );

  if (deps.factor) {
    mountVerificationSteps(router, {
      kind: 'change',
      base: '/change',
      step,
      limit,
      render,
      flows: deps.flows,
      store: deps.store,
      perAccount: deps.limits.perAccount,
      recovery: deps.factor,
      nextState: 'form',
    });
  }

  router.post(
    '/change',
    limit,
    step(async (flow, req, res) => {
      const typed = flow.data.login ?? req.body.login;
      await assertAccountAllowed(
        deps.store,
        `change:${loginKey(String(typed ?? ''))}`,
        deps.limits.perAccount,
      );
      const done = await changePassword(
        flow,
        {
          login: req.body.login,
          current: req.body.current,
          password: req.body.password,
          confirm: req.body.confirm,
        },
        { actor: 'self', clientAddress: clientAddress(req), correlationId: flow.id },
        deps,
      );
      await deps.flows.finish(done);
      forgetFlow(req, 'change');
      // The current password was just proven: same hygiene as after a factor.
      await rotateSession(req);
      res.render('change/done', {});
      return 'rendered';
    }),
  );
  return router;
}
