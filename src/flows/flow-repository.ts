import { AppError } from '../errors.ts';
import { safeEqual } from '../safe-equal.ts';
import type { Store } from '../store/store.ts';
import { type Flow, type FlowKind, newFlow } from './flow.ts';

export type FlowStore = Pick<Store, 'createFlow' | 'getFlow' | 'updateFlow' | 'deleteFlow'>;

/**
 * Loads and saves flows for one session. A flow is returned only to the session it is bound to
 * and only with its CSRF token; saving names the version read, so a replayed or concurrent
 * submission of the same step fails with flow.invalid instead of running twice.
 */
export class FlowRepository {
  constructor(
    private readonly store: FlowStore,
    private readonly ttlMinutes: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async start(kind: FlowKind, state: string, sessionBinding: string): Promise<Flow> {
    const flow = newFlow(kind, state, sessionBinding, this.now(), this.ttlMinutes);
    await this.store.createFlow(flow);
    return flow;
  }

  /** The flow for a page view (no CSRF token yet): null when gone, expired or not this session's. */
  async find(id: string | undefined, kind: FlowKind, sessionBinding: string): Promise<Flow | null> {
    if (!id) return null;
    const flow = (await this.store.getFlow(id, this.now())) as Flow | null;
    if (!flow || flow.kind !== kind || !safeEqual(flow.sessionBinding, sessionBinding)) return null;
    return flow;
  }

  /** The flow for a form submission: the CSRF token must match, compared in constant time. */
  async load(
    id: string | undefined,
    kind: FlowKind,
    sessionBinding: string,
    csrfToken: unknown,
  ): Promise<Flow> {
    const flow = await this.find(id, kind, sessionBinding);
    if (!flow) throw new AppError('flow.expired');
    if (typeof csrfToken !== 'string' || !safeEqual(flow.csrfToken, csrfToken)) {
      throw new AppError('flow.invalid', { detail: 'csrf token mismatch' });
    }
    return flow;
  }

  /** Persist a transition; throws flow.invalid when another submission got there first. */
  async save(flow: Flow): Promise<Flow> {
    if (!(await this.store.updateFlow(flow)))
      throw new AppError('flow.invalid', { detail: 'stale flow version' });
    return { ...flow, version: flow.version + 1 };
  }

  async finish(flow: Flow): Promise<void> {
    await this.store.deleteFlow(flow.id);
  }
}
