import type { Request } from 'express';
import type { FlowKind } from '../flows/flow.ts';
import { token } from '../flows/flow.ts';

declare module 'express-session' {
  interface SessionData {
    /** Random value a flow is bound to; survives session id rotation. */
    binding: string;
    flows: Partial<Record<FlowKind, string>>;
  }
}

/** The session's flow binding, created on first use. */
export function sessionBinding(req: Request): string {
  req.session.binding ??= token();
  return req.session.binding;
}

export function currentFlowId(req: Request, kind: FlowKind): string | undefined {
  return req.session.flows?.[kind];
}

export function rememberFlow(req: Request, kind: FlowKind, id: string): void {
  req.session.flows = { ...(req.session.flows ?? {}), [kind]: id };
}

export function forgetFlow(req: Request, kind: FlowKind): void {
  if (req.session.flows) delete req.session.flows[kind];
}

/**
 * New session id, same flows: called when a factor or the password is proven, so a session id
 * fixed or seen before the proof is worth nothing after it.
 */
export function rotateSession(req: Request): Promise<void> {
  const { binding, flows } = req.session;
  return new Promise((resolve, reject) => {
    req.session.regenerate((error: unknown) => {
      if (error) {
        reject(error);
        return;
      }
      if (binding) req.session.binding = binding;
      if (flows) req.session.flows = flows;
      resolve();
    });
  });
}

export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}
