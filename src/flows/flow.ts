import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { FactorKind, FlowRecord } from '../store/store.ts';

/**
 * Every self-service flow is a server-side state machine stored in the Store, bound to one
 * session (`sessionBinding`), carrying its own CSRF token. Transitions check the state first,
 * update with an optimistic version (a replayed or concurrent step loses), and the finished
 * flow is deleted.
 */

export type FlowKind = 'reset' | 'unlock' | 'change' | 'enroll';

/** What a flow remembers between steps. Never a password or a code. */
export type FlowData = {
  /** The login as typed (normalised), shown back to the user. */
  login?: string;
  /** Directory reference of the subject; absent for a decoy (unknown login). */
  subjectDn?: string;
  subjectId?: string;
  /** Key for per-account limits and the factor lockout: the normalised login (before sign-in), or the subject id (after). */
  accountKey?: string;
  /** Factor kinds proven so far in this flow. */
  proven?: FactorKind[];
  /** Enrollment: the factor awaiting its confirming code. */
  pendingFactorId?: string;
  /** Enrollment: a proven factor within this sign-in allows removing factors. */
  removalUnlockedUntil?: string;
};

export type Flow = Omit<FlowRecord, 'kind' | 'data'> & { kind: FlowKind; data: FlowData };

export const token = (bytes = 24) => randomBytes(bytes).toString('base64url');

export function newFlow(
  kind: FlowKind,
  state: string,
  sessionBinding: string,
  now: Date,
  ttlMinutes: number,
): Flow {
  return {
    id: token(),
    kind,
    state,
    sessionBinding,
    csrfToken: token(),
    data: {},
    expiresAt: new Date(now.getTime() + ttlMinutes * 60_000),
    version: 0,
  };
}

/** A step arrived in a state that does not accept it (skipped, replayed, or out of order). */
export function unreachable(flow: FlowRecord): AppError {
  return new AppError('flow.invalid', { detail: `${flow.kind} flow in state ${flow.state}` });
}

export function assertState<S extends string>(flow: FlowRecord, ...states: S[]): void {
  if (!states.includes(flow.state as S)) throw unreachable(flow);
}
