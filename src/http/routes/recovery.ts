import { type Request, type Response, Router } from 'express';
import { AppError, type ErrorCode } from '../../errors.ts';
import type { FactorVerifier } from '../../flows/factor-verifier.ts';
import type { Flow } from '../../flows/flow.ts';
import type { FlowRepository } from '../../flows/flow-repository.ts';
import { choosePassword, type RecoveryDeps, unlockAccount } from '../../flows/recovery/recovery-flow.ts';
import type { Store } from '../../store/store.ts';
import { clientAddress, forgetFlow } from '../flow-session.ts';
import { currentOrNewFlow, flowStep, restartFlow, statusFor } from '../flow-steps.ts';
import { limitByAddress, type RateLimitSettings } from '../middleware/rate-limit.ts';
import { mountVerificationSteps } from './verification-steps.ts';

const TERMINAL_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'directory.account_disabled',
  'directory.privileged_account',
  'directory.not_in_scope',
  'directory.insufficient_rights',
  'directory.user_not_found',
]);

export interface RecoveryRouterDeps extends RecoveryDeps {
  flows: FlowRepository;
  store: Pick<Store, 'hitRateLimit'>;
  verifier: FactorVerifier;
  limits: { perAddress: RateLimitSettings; perAccount: RateLimitSettings };
}

/**
 * /reset (forgot password) and /unlock (account locked) share identify and verify; reset then
 * asks for the new password, unlock acts as soon as the factors are proven.
 */
export function recoveryRouter(kind: 'reset' | 'unlock', deps: RecoveryRouterDeps): Router {
  const router = Router();
  const base = `/${kind}`;

  async function render(res: Response, flow: Flow, message?: { code: string }, notice?: string) {
    const common = {
      kind,
      base,
      flow,
      csrf: flow.csrfToken,
      message,
      notice,
      minLength: deps.passwordMinLength,
    };
    switch (flow.state) {
      case 'identify':
        return res.render('recovery/identify', common);
      case 'verify':
        return res.render('recovery/verify', {
          ...common,
          proven: flow.data.proven ?? [],
          required: deps.requiredFactors,
        });
      case 'choose_password':
        return res.render('recovery/choose-password', common);
      default:
        throw new AppError('flow.invalid');
    }
  }

  const step = (fn: (flow: Flow, req: Request, res: Response) => Promise<Flow | 'rendered'>) =>
    flowStep(deps.flows, kind, 'identify', render, fn);
  const limit = limitByAddress(deps.store, kind, deps.limits.perAddress);

  router.get(base, async function showRecoveryStep(req: Request, res: Response) {
    await render(res, await currentOrNewFlow(req, deps.flows, kind, 'identify'));
  });

  // A POST, not a link: with SameSite=Lax another site cannot make the browser send it with the
  // session cookie; the CSRF token, as on every form, keeps same-site forgeries out.
  router.post(
    `${base}/restart`,
    step(async (_flow, req, res) => {
      await render(res, await restartFlow(req, deps.flows, kind, 'identify'));
      return 'rendered';
    }),
  );

  mountVerificationSteps(router, {
    kind,
    base,
    step,
    limit,
    render,
    flows: deps.flows,
    store: deps.store,
    perAccount: deps.limits.perAccount,
    recovery: deps,
    nextState: kind === 'reset' ? 'choose_password' : 'act',
    ...(kind === 'unlock'
      ? {
          // Unlock acts as soon as the factors are proven; any refusal ends the flow (a retry starts over).
          afterVerified: async (saved: Flow, req: Request, res: Response) => {
            await endWith(
              req,
              res,
              saved,
              () => unlockAccount(saved, writebackContext(req, saved), deps),
              () => true,
              true,
            );
            return 'rendered' as const;
          },
        }
      : {}),
  });

  if (kind === 'reset') {
    router.post(
      `${base}/password`,
      limit,
      step(async (flow, req, res) => {
        await endWith(req, res, flow, () =>
          choosePassword(
            flow,
            { password: req.body.password, confirm: req.body.confirm, unlock: req.body.unlock === 'yes' },
            writebackContext(req, flow),
            deps,
          ),
        );
        return 'rendered';
      }),
    );
  }

  /**
   * Run the final action. Done: the flow is deleted and the done page shown. A refusal about the
   * account itself (disabled, privileged, out of scope, no rights) also ends the flow, with its
   * message, since no retry can succeed; any other refusal (a password rule) propagates so the
   * step is shown again.
   */
  async function endWith(
    req: Request,
    res: Response,
    flow: Flow,
    action: () => Promise<unknown>,
    isTerminal: (code: ErrorCode) => boolean = (code) => TERMINAL_REFUSALS.has(code),
    isLastStep = false,
  ) {
    try {
      await action();
    } catch (error) {
      if (!(error instanceof AppError && error.expose && isTerminal(error.code))) {
        // After the last step nothing can be retried: never leave a dead flow behind.
        if (isLastStep) await finish(req, flow);
        throw error;
      }
      await finish(req, flow);
      res
        .status(statusFor(error.code))
        .render('recovery/refused', { kind, base, message: { code: error.code } });
      return;
    }
    await finish(req, flow);
    res.render('recovery/done', { kind, base });
  }

  async function finish(req: Request, flow: Flow) {
    await deps.flows.finish(flow);
    forgetFlow(req, kind);
  }

  function writebackContext(req: Request, flow: Flow) {
    return {
      actor: `self:${flow.data.login ?? 'unknown'}`,
      clientAddress: clientAddress(req),
      correlationId: flow.id,
    };
  }

  return router;
}
