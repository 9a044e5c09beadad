import { type Request, type Response, Router } from 'express';
import type { Directory } from '../../directory/directory.ts';
import type { Flow } from '../../flows/flow.ts';
import type { FlowRepository } from '../../flows/flow-repository.ts';
import { subjectOf } from '../../flows/recovery/recovery-flow.ts';
import { translate } from '../../i18n.ts';
import type { PasswordPolicy, PolicyContext } from '../../policy/password-policy.ts';
import { policyContextFor } from '../../policy/policy-check.ts';
import type { Store } from '../../store/store.ts';
import { currentFlowId, sessionBinding } from '../flow-session.ts';
import { limitByAddress, type RateLimitSettings } from '../middleware/rate-limit.ts';

export interface ChecklistRouterDeps {
  flows: FlowRepository;
  policy: Pick<PasswordPolicy, 'checkOffline'>;
  directory: Pick<Directory, 'findUser' | 'readUser'>;
  store: Pick<Store, 'hitRateLimit'>;
  limit: RateLimitSettings;
}

/**
 * POST /password/checklist: the live checklist of the password pages, computed by the same
 * policy the writeback enforces (offline rules only: no breach-service call per keystroke).
 * It needs the flow's CSRF token, and it speaks of the account only once the flow has proven
 * who the user is; before that, only what the user typed counts as personal information.
 */
export function passwordChecklistRouter(deps: ChecklistRouterDeps): Router {
  const router = Router();
  router.post(
    '/password/checklist',
    limitByAddress(deps.store, 'checklist', deps.limit),
    async function passwordChecklist(req: Request, res: Response) {
      const kind = req.body.area === 'change' ? 'change' : 'reset';
      const password = typeof req.body.password === 'string' ? req.body.password.slice(0, 1024) : '';
      let flow: Flow;
      try {
        flow = await deps.flows.load(currentFlowId(req, kind), kind, sessionBinding(req), req.body._csrf);
      } catch {
        res.status(400).json({ error: 'flow' });
        return;
      }
      const result = deps.policy.checkOffline(password, await contextFor(flow, req, deps));
      // About the password being typed: never cached anywhere.
      res.set('Cache-Control', 'no-store');
      res.json({
        checklist: result.checklist.map((item) => ({
          rule: item.rule,
          isMet: item.isMet,
          text: translate(`ui.password.rule.${item.rule.replace('password.', '')}`, item.params),
        })),
      });
    },
  );
  return router;
}

async function contextFor(flow: Flow, req: Request, deps: ChecklistRouterDeps): Promise<PolicyContext> {
  if (flow.kind === 'reset' && flow.state === 'choose_password') {
    const subject = await subjectOf(flow, deps);
    if (subject) return policyContextFor(subject);
  }
  const typed = flow.data.login ?? (typeof req.body.login === 'string' ? req.body.login.slice(0, 256) : '');
  return { username: typed || null };
}
