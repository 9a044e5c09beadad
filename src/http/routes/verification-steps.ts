import type { Request, Response, Router } from 'express';
import type { Flow, FlowKind } from '../../flows/flow.ts';
import type { FlowRepository } from '../../flows/flow-repository.ts';
import { identify, type RecoveryDeps, sendSmsCode, submitCode } from '../../flows/recovery/recovery-flow.ts';
import type { Store } from '../../store/store.ts';
import { rotateSession } from '../flow-session.ts';
import { assertAccountAllowed, type RateLimitSettings } from '../middleware/rate-limit.ts';

type Step = (
  fn: (flow: Flow, req: Request, res: Response) => Promise<Flow | 'rendered'>,
) => (req: Request, res: Response, next: (error?: unknown) => void) => Promise<void>;

export interface VerificationStepsOptions {
  kind: FlowKind;
  base: string;
  step: Step;
  limit: (req: Request, res: Response, next: (error?: unknown) => void) => Promise<void>;
  render: (res: Response, flow: Flow, message?: { code: string }, notice?: string) => unknown;
  flows: FlowRepository;
  store: Pick<Store, 'hitRateLimit'>;
  perAccount: RateLimitSettings;
  recovery: RecoveryDeps;
  /** Where a fully verified flow goes next. */
  nextState: 'choose_password' | 'form' | 'act';
  /** Runs once enough factors are proven (after the session id rotated); default: show the next state. */
  afterVerified?: (saved: Flow, req: Request, res: Response) => Promise<Flow | 'rendered'>;
}

/**
 * identify -> send-code -> verify, the steps every flow that asks for a factor before sign-in
 * shares (forgot password, unlock, change with CHANGE_REQUIRES_FACTOR): per-account limits on
 * each, the same notice whether or not a phone exists, and a new session id on every proof.
 */
export function mountVerificationSteps(router: Router, o: VerificationStepsOptions): void {
  const perAccount = (step: string, flow: Flow) =>
    assertAccountAllowed(o.store, `${o.kind}:${step}:${flow.data.accountKey}`, o.perAccount);

  router.post(
    `${o.base}/identify`,
    o.limit,
    o.step(async (flow, req) => {
      const next = await identify(flow, req.body.login, o.recovery);
      await perAccount('identify', next);
      return o.flows.save(next);
    }),
  );

  router.post(
    `${o.base}/send-code`,
    o.limit,
    o.step(async (flow, _req, res) => {
      await perAccount('send', flow);
      await sendSmsCode(flow, o.recovery);
      // The same notice whether or not a phone exists: nothing here tells the accounts apart.
      await o.render(res, flow, undefined, 'ui.verify.code_sent');
      return 'rendered';
    }),
  );

  router.post(
    `${o.base}/verify`,
    o.limit,
    o.step(async (flow, req, res) => {
      await perAccount('verify', flow);
      const { flow: next, isVerified } = await submitCode(
        flow,
        req.body.method,
        req.body.code,
        o.nextState,
        o.recovery,
      );
      const saved = await o.flows.save(next);
      // Every proven factor rotates the session id, the first of two included.
      await rotateSession(req);
      return isVerified && o.afterVerified ? o.afterVerified(saved, req, res) : saved;
    }),
  );
}
