/**
 * What the session holds for a signed-in helpdesk agent. Kept apart from self-service flows and
 * with its own, shorter lifetime: absolute (`HELPDESK_SESSION_MINUTES`) and idle
 * (`HELPDESK_IDLE_MINUTES`), checked on every request.
 */
export interface AgentSession {
  dn: string;
  id: string;
  username: string;
  isAuditor: boolean;
  signedInAt: number;
  lastSeenAt: number;
  /** When the helpdesk group membership was last confirmed (re-read every minute). */
  groupCheckedAt: number;
  /** Callers verified by this agent: subject id -> expiry (ms). Bound to this agent's session. */
  verified: Record<string, number>;
}

/** Between password and TOTP: who passed the first step, and until when the second may follow. */
export interface PendingAgent {
  dn: string;
  id: string;
  username: string;
  isAuditor: boolean;
  until: number;
}

export function isAgentSessionLive(
  agent: AgentSession,
  now: number,
  limits: { sessionMinutes: number; idleMinutes: number },
): boolean {
  return (
    now - agent.signedInAt < limits.sessionMinutes * 60_000 &&
    now - agent.lastSeenAt < limits.idleMinutes * 60_000
  );
}

export function isCallerVerified(agent: AgentSession, subjectId: string, now: number): boolean {
  const until = agent.verified[subjectId];
  return until !== undefined && until > now;
}
