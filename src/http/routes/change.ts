import { type Request, type Response, Router } from 'express';
import { normaliseLogin } from '../../directory/ldap-input.ts';
import { type ChangeDeps, changePassword } from '../../flows/change/change-flow.ts';
import type { Flow } from '../../flows/flow.ts';
import type { FlowRepository } from '../../flows/flow-repository.ts';
import type { Store } from '../../store/store.ts';
import { clientAddress, forgetFlow } from '../flow-session.ts';
import { currentOrNewFlow, flowStep } from '../flow-steps.ts';
import { assertAccountAllowed, limitByAddress, type RateLimitSettings } from '../middleware/rate-limit.ts';

export interface ChangeRouterDeps extends ChangeDeps {
  flows: FlowRepository;
  store: Pick<Store, 'hitRateLimit'>;
  limits: { perAddress: RateLimitSettings; perAccount: RateLimitSettings };
}

/** /change: a user who knows the current password sets a new one (bound as themselves). */
export function changeRouter(deps: ChangeRouterDeps): Router {
  const router = Router();
  const render = (res: Response, flow: Flow, message?: { code: string }) =>
    res.render('change/form', { flow, csrf: flow.csrfToken, message, minLength: deps.passwordMinLength });

  router.get('/change', async function showChangeForm(req: Request, res: Response) {
    render(res, await currentOrNewFlow(req, deps.flows, 'change', 'form'));
  });

  router.post(
    '/change',
    limitByAddress(deps.store, 'change', deps.limits.perAddress),
    flowStep(deps.flows, 'change', 'form', render, async (flow, req, res) => {
      const login = typeof req.body.login === 'string' ? (normaliseLogin(req.body.login) ?? '') : '';
      await assertAccountAllowed(deps.store, `change:${login.toLowerCase()}`, deps.limits.perAccount);
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
      res.render('change/done', {});
      return 'rendered';
    }),
  );
  return router;
}
