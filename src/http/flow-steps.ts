import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors.ts';
import type { Flow, FlowKind } from '../flows/flow.ts';
import type { FlowRepository } from '../flows/flow-repository.ts';
import { currentFlowId, forgetFlow, rememberFlow, sessionBinding } from './flow-session.ts';

export type RenderState = (
  res: Response,
  flow: Flow,
  message?: { code: string; params?: Record<string, string | number> },
) => Promise<void> | void;

/** The flow this session has for `kind`, or a new one in `initialState`. */
export async function currentOrNewFlow(
  req: Request,
  repo: FlowRepository,
  kind: FlowKind,
  initialState: string,
) {
  const binding = sessionBinding(req);
  const existing = await repo.find(currentFlowId(req, kind), kind, binding);
  if (existing) return existing;
  const flow = await repo.start(kind, initialState, binding);
  rememberFlow(req, kind, flow.id);
  return flow;
}

export async function restartFlow(req: Request, repo: FlowRepository, kind: FlowKind, initialState: string) {
  const old = await repo.find(currentFlowId(req, kind), kind, sessionBinding(req));
  if (old) await repo.finish(old);
  forgetFlow(req, kind);
  return currentOrNewFlow(req, repo, kind, initialState);
}

/** Status codes for refusals. The same code always gets the same status, whoever the account. */
export function statusFor(code: string): number {
  if (code === 'flow.rate_limited' || code === 'flow.locked' || code === 'flow.sms_not_sent') return 429;
  if (code === 'directory.unavailable') return 503;
  return 400;
}

/**
 * Run one submitted step: load the flow (session-bound, CSRF-checked), run `step`, and render
 * the resulting state. An expired or invalid flow starts a new one with a message; any other
 * exposed refusal re-renders the current step with its translated message. Unexpected errors go
 * to the error handler (generic page, reference id).
 */
export function flowStep(
  repo: FlowRepository,
  kind: FlowKind,
  initialState: string,
  render: RenderState,
  step: (flow: Flow, req: Request, res: Response) => Promise<Flow | 'rendered'>,
) {
  return async function runFlowStep(req: Request, res: Response, next: NextFunction) {
    let flow: Flow | null = null;
    try {
      flow = await repo.load(currentFlowId(req, kind), kind, sessionBinding(req), req.body?._csrf);
      const next = await step(flow, req, res);
      if (next !== 'rendered') await render(res, next);
    } catch (error) {
      if (!(error instanceof AppError) || !error.expose) {
        next(error);
        return;
      }
      res.status(statusFor(error.code));
      if (!flow || error.code === 'flow.expired' || error.code === 'flow.invalid') {
        await render(res, await restartFlow(req, repo, kind, initialState), { code: error.code });
        return;
      }
      // Re-read: a step may have saved progress (e.g. a counted attempt) before refusing.
      const current = (await repo.find(flow.id, kind, sessionBinding(req))) ?? flow;
      await render(res, current, { code: error.code, params: error.params });
    }
  };
}
