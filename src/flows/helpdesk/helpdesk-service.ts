import type { Directory, DirectoryUser } from '../../directory/directory.ts';
import { AppError } from '../../errors.ts';
import { translate } from '../../i18n.ts';
import type { Logger } from '../../log.ts';
import type { SmsSender } from '../../mfa/sms-sender.ts';
import type { AccountChangeNotifier } from '../../notify/account-change-notifier.ts';
import type { AuditOutcome, Store } from '../../store/store.ts';
import type { Writeback } from '../../writeback/writeback.ts';
import type { FactorVerifier } from '../factor-verifier.ts';
import { findSubject, loginKey, provePassword } from '../pre-auth.ts';
import { type AgentSession, isCallerVerified, type PendingAgent } from './agent-session.ts';
import { generateTemporaryPassword } from './temp-password.ts';

export interface HelpdeskDeps {
  directory: Pick<Directory, 'findUser' | 'readUser' | 'verifyPassword' | 'isMemberOf' | 'searchUsers'>;
  store: Pick<Store, 'listFactors' | 'deleteFactors' | 'recordAudit' | 'listAudit'>;
  verifier: FactorVerifier;
  writeback: Writeback;
  /** The raw transport: notices must not be held back by a cooldown. */
  sms: SmsSender;
  /** Mails the user when their factors were cleared (writeback actions notify on their own). */
  notifier?: Pick<AccountChangeNotifier, 'notify'> | null;
  log?: Pick<Logger, 'warn'>;
  settings: {
    groups: string[];
    auditorGroups: string[];
    verificationMinutes: number;
    searchLimit: number;
    decoyDn: string;
    decoyParentDn: string;
    baseUrl: URL;
    assistCodeTtlMinutes: number;
  };
  now: () => Date;
}

export interface ActionContext {
  agent: AgentSession;
  clientAddress: string;
  reason?: unknown;
}

/**
 * The helpdesk: an agent proves who they are (password, helpdesk group, their own TOTP), proves
 * who the caller is through the caller's own factor, then acts, every step audited. The agent
 * never learns a secret of the caller beyond a temporary password shown once.
 */
export function createHelpdesk(deps: HelpdeskDeps) {
  const now = () => deps.now().getTime();

  async function audit(
    actor: string,
    subject: string | null,
    action: string,
    outcome: AuditOutcome,
    extra: {
      errorCode?: string | null;
      clientAddress?: string | null;
      reason?: string | null;
      details?: Record<string, string | number | boolean | null>;
    } = {},
  ): Promise<void> {
    await deps.store.recordAudit({
      at: deps.now(),
      actor,
      subject,
      action,
      outcome,
      errorCode: extra.errorCode ?? null,
      clientAddress: extra.clientAddress ?? null,
      reason: extra.reason ?? null,
      details: extra.details ?? {},
    });
  }

  async function isInAny(user: DirectoryUser, groups: string[]): Promise<boolean> {
    for (const group of groups) if (await deps.directory.isMemberOf(user, group)) return true;
    return false;
  }

  /** A subject the agent may act on: verified by this agent, not privileged, in scope, not the agent. */
  async function actionableSubject(
    ctx: ActionContext,
    subjectId: unknown,
    subjectDn: unknown,
  ): Promise<DirectoryUser> {
    if (typeof subjectDn !== 'string' || typeof subjectId !== 'string')
      throw new AppError('enroll.factor_not_found');
    const subject = await deps.directory.readUser(subjectDn);
    if (!subject || subject.id !== subjectId) throw new AppError('directory.user_not_found');
    if (subject.id === ctx.agent.id) throw new AppError('helpdesk.own_account');
    if (!isCallerVerified(ctx.agent, subject.id, now())) {
      throw new AppError('helpdesk.not_verified', { params: { minutes: deps.settings.verificationMinutes } });
    }
    if (subject.status.isPrivileged) throw new AppError('directory.privileged_account');
    if (!subject.status.isInScope) throw new AppError('directory.not_in_scope');
    return subject;
  }

  function reasonOf(reason: unknown): string {
    const text = typeof reason === 'string' ? reason.normalize('NFKC').trim() : '';
    if (text.length === 0 || text.length > 200) throw new AppError('helpdesk.reason_required');
    return text;
  }

  /** Run an action and leave one audit row for it, refused or done. */
  async function acting<T>(
    ctx: ActionContext,
    action: string,
    subject: string,
    fn: (reason: string) => Promise<T>,
  ): Promise<T> {
    const actor = `agent:${ctx.agent.username}`;
    let reason: string | null = null;
    try {
      reason = reasonOf(ctx.reason);
      return await fn(reason);
    } catch (error) {
      // The writeback audits its own refusals: one row per action, never two.
      if (error instanceof AppError && error.isAudited) throw error;
      const code = error instanceof AppError ? error.code : 'internal.error';
      // Rows name the user as the successful ones do, so filters and "recent events" find them.
      const name = (await deps.directory.readUser(subject).catch(() => null))?.username ?? subject;
      await audit(actor, name, action, 'refused', {
        errorCode: code,
        clientAddress: ctx.clientAddress,
        reason,
      });
      throw error;
    }
  }

  return {
    /** Step 1: directory password and helpdesk group. Anyone else: 403, audited. */
    async signIn(login: unknown, password: unknown, clientAddress: string): Promise<PendingAgent> {
      const typed = typeof login === 'string' ? login : '';
      if (!typed || typeof password !== 'string' || !password || password.length > 256) {
        throw new AppError('directory.invalid_credentials');
      }
      const found = await findSubject(deps.directory, typed, deps.settings.decoyDn);
      let agent: DirectoryUser;
      try {
        agent = await provePassword(deps.directory, found, password, {
          decoyParentDn: deps.settings.decoyParentDn,
          isChangeDueProof: false,
        });
      } catch (error) {
        await audit(loginKey(typed), null, 'helpdesk.sign_in', 'failure', {
          errorCode: error instanceof AppError ? error.code : 'internal.error',
          clientAddress,
        });
        throw error;
      }
      if (!(await isInAny(agent, deps.settings.groups))) {
        await audit(`user:${agent.username}`, null, 'helpdesk.sign_in', 'refused', {
          errorCode: 'helpdesk.denied',
          clientAddress,
        });
        throw new AppError('helpdesk.denied');
      }
      const factors = (await deps.store.listFactors(agent.id)).filter(
        (f) => f.confirmedAt && f.kind === 'totp',
      );
      if (factors.length === 0) throw new AppError('helpdesk.totp_required');
      return {
        dn: agent.dn,
        id: agent.id,
        username: agent.username,
        isAuditor: await isInAny(agent, deps.settings.auditorGroups),
        until: now() + 5 * 60_000,
      };
    },

    /** Step 2: the agent's own authenticator code (single use, lockout like self-service). */
    async confirmAgentTotp(
      pending: PendingAgent,
      code: unknown,
      clientAddress: string,
    ): Promise<AgentSession> {
      if (pending.until < now()) throw new AppError('helpdesk.signed_out');
      const agent = await deps.directory.readUser(pending.dn);
      if (!agent || agent.id !== pending.id) throw new AppError('helpdesk.signed_out');
      try {
        await deps.verifier.proveWith(`id:${agent.id}`, async () =>
          typeof code === 'string' && code.length <= 16 ? deps.verifier.proveTotp(agent, code) : false,
        );
      } catch (error) {
        await audit(`agent:${agent.username}`, null, 'helpdesk.sign_in', 'failure', {
          errorCode: error instanceof AppError ? error.code : 'internal.error',
          clientAddress,
        });
        throw error;
      }
      await audit(`agent:${agent.username}`, null, 'helpdesk.sign_in', 'success', { clientAddress });
      return { ...pending, signedInAt: now(), lastSeenAt: now(), groupCheckedAt: now(), verified: {} };
    },

    /** Still an agent? Removing someone from the helpdesk group (or disabling them) ends their session. */
    async isStillAgent(agent: AgentSession): Promise<boolean> {
      const user = await deps.directory.readUser(agent.dn);
      return (
        !!user &&
        user.id === agent.id &&
        !user.status.isDisabled &&
        (await isInAny(user, deps.settings.groups))
      );
    },

    async search(ctx: ActionContext, query: unknown) {
      const text = typeof query === 'string' ? query.slice(0, 64) : '';
      const result = await deps.directory.searchUsers(text, { limit: deps.settings.searchLimit });
      const users = await Promise.all(
        result.users.map(async (u) => ({
          ...u,
          isEnrolled: (await deps.store.listFactors(u.id)).some((f) => f.confirmedAt),
        })),
      );
      await audit(`agent:${ctx.agent.username}`, null, 'helpdesk.search', 'success', {
        clientAddress: ctx.clientAddress,
        details: { query: text, results: users.length },
      });
      return { users, isTruncated: result.isTruncated };
    },

    /** The status card: only after verification; never secrets. */
    async statusCard(ctx: ActionContext, dn: string) {
      const subject = await deps.directory.readUser(dn);
      if (!subject) throw new AppError('directory.user_not_found');
      const isVerified = isCallerVerified(ctx.agent, subject.id, now());
      const factors = (await deps.store.listFactors(subject.id)).filter((f) => f.confirmedAt);
      return {
        subject,
        isVerified,
        isOwnAccount: subject.id === ctx.agent.id,
        factors: factors.map((f) => ({ kind: f.kind, label: f.label })),
        events: isVerified ? await deps.store.listAudit({ subject: subject.username, limit: 10 }) : [],
      };
    },

    async sendVerificationCode(ctx: ActionContext, dn: string): Promise<void> {
      const subject = await deps.directory.readUser(dn);
      if (!subject) throw new AppError('directory.user_not_found');
      const phones = await deps.verifier.phones(subject);
      if (phones.length === 0) throw new AppError('helpdesk.no_phone');
      await deps.verifier.sendCodeTo(`assist-verify:${ctx.agent.id}:${subject.id}`, phones, (code) =>
        translate('sms.helpdesk_verify', { code }),
      );
      await audit(`agent:${ctx.agent.username}`, subject.username, 'helpdesk.verify_code_sent', 'success', {
        clientAddress: ctx.clientAddress,
      });
    },

    /** Verify the caller with their own factor; bound to this agent and this user, and it expires. */
    async verifyCaller(
      ctx: ActionContext,
      dn: string,
      method: unknown,
      code: unknown,
    ): Promise<AgentSession> {
      const subject = await deps.directory.readUser(dn);
      if (!subject) throw new AppError('directory.user_not_found');
      const actor = `agent:${ctx.agent.username}`;
      try {
        if (subject.id === ctx.agent.id) throw new AppError('helpdesk.own_account');
        if ((method !== 'totp' && method !== 'sms') || typeof code !== 'string' || code.length > 16) {
          throw new AppError('flow.code_invalid');
        }
        await deps.verifier.proveWith(`id:${subject.id}`, () =>
          method === 'totp'
            ? deps.verifier.proveTotp(subject, code)
            : deps.verifier.proveSmsCode(`assist-verify:${ctx.agent.id}:${subject.id}`, code),
        );
      } catch (error) {
        await audit(actor, subject.username, 'helpdesk.verify_caller', 'failure', {
          errorCode: error instanceof AppError ? error.code : 'internal.error',
          clientAddress: ctx.clientAddress,
          details: { method: String(method) },
        });
        throw error;
      }
      await audit(actor, subject.username, 'helpdesk.verify_caller', 'success', {
        clientAddress: ctx.clientAddress,
        details: { method: String(method) },
      });
      const until = now() + deps.settings.verificationMinutes * 60_000;
      return { ...ctx.agent, verified: { ...ctx.agent.verified, [subject.id]: until } };
    },

    async unlock(ctx: ActionContext, subjectId: unknown, subjectDn: unknown): Promise<void> {
      await acting(ctx, 'writeback.unlock', String(subjectDn), async (reason) => {
        const subject = await actionableSubject(ctx, subjectId, subjectDn);
        if (subject.status.isDisabled) throw new AppError('directory.account_disabled');
        const result = await deps.writeback.unlock(subject, {
          actor: `agent:${ctx.agent.username}`,
          reason,
          clientAddress: ctx.clientAddress,
        });
        if (!result.ok) throw new AppError(result.code, { params: result.params, isAudited: true });
      });
    },

    /** Reset to a generated password, shown once to the agent; must change at next logon. */
    async resetToTemporary(ctx: ActionContext, subjectId: unknown, subjectDn: unknown): Promise<string> {
      return acting(ctx, 'writeback.reset_password', String(subjectDn), async (reason) => {
        const subject = await actionableSubject(ctx, subjectId, subjectDn);
        if (subject.status.isDisabled) throw new AppError('directory.account_disabled');
        const temporary = generateTemporaryPassword();
        const result = await deps.writeback.resetPassword(subject, temporary, {
          actor: `agent:${ctx.agent.username}`,
          reason,
          clientAddress: ctx.clientAddress,
          mustChange: true,
          unlock: true,
        });
        if (!result.ok) throw new AppError(result.code, { params: result.params, isAudited: true });
        return temporary;
      });
    },

    /**
     * "Caller sets it": a code to the caller's enrolled phone that counts as a proven factor in
     * the self-service reset, so the caller chooses the password and the agent never knows it.
     */
    async callerSetsPassword(ctx: ActionContext, subjectId: unknown, subjectDn: unknown): Promise<void> {
      await acting(ctx, 'helpdesk.caller_sets_password', String(subjectDn), async (reason) => {
        const subject = await actionableSubject(ctx, subjectId, subjectDn);
        if (subject.status.isDisabled) throw new AppError('directory.account_disabled');
        const phones = await deps.verifier.phones(subject);
        if (phones.length === 0) throw new AppError('helpdesk.no_phone');
        // Relative to BASE_URL, so a path prefix (https://host/sspr/) is kept.
        const base = deps.settings.baseUrl.href.endsWith('/')
          ? deps.settings.baseUrl.href
          : `${deps.settings.baseUrl.href}/`;
        const link = new URL('reset', base).href;
        await deps.verifier.sendAssistCode(
          subject.id,
          phones,
          (code) =>
            translate('sms.helpdesk_assist', { code, link, minutes: deps.settings.assistCodeTtlMinutes }),
          deps.settings.assistCodeTtlMinutes,
          // The raw transport: a code the agent asked for must arrive even right after the
          // verification code went to the same phone.
          deps.sms,
        );
        await audit(
          `agent:${ctx.agent.username}`,
          subject.username,
          'helpdesk.caller_sets_password',
          'success',
          {
            clientAddress: ctx.clientAddress,
            reason,
          },
        );
      });
    },

    /** Clear the caller's factors so they can enroll again; the old phones hear about it. */
    async clearFactors(ctx: ActionContext, subjectId: unknown, subjectDn: unknown): Promise<number> {
      return acting(ctx, 'helpdesk.clear_factors', String(subjectDn), async (reason) => {
        const subject = await actionableSubject(ctx, subjectId, subjectDn);
        const phones = (await deps.store.listFactors(subject.id))
          .filter((f) => f.confirmedAt && f.kind === 'sms' && f.phone)
          .map((f) => f.phone!);
        const removed = await deps.store.deleteFactors(subject.id);
        await Promise.allSettled(
          [...new Set(phones)].map((p) => deps.sms.send(p, translate('sms.helpdesk_cleared'))),
        );
        deps.notifier
          ?.notify({ action: 'helpdesk.clear_factors', subject, actor: `agent:${ctx.agent.username}` })
          .catch((error: unknown) => deps.log?.warn({ err: error }, 'notification failed'));
        await audit(`agent:${ctx.agent.username}`, subject.username, 'helpdesk.clear_factors', 'success', {
          clientAddress: ctx.clientAddress,
          reason,
          details: { removed },
        });
        return removed;
      });
    },

    async auditEvents(_ctx: ActionContext, filter: { subject?: unknown; actor?: unknown; action?: unknown }) {
      const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, 256) : undefined);
      return deps.store.listAudit({
        subject: text(filter.subject),
        actor: text(filter.actor),
        action: text(filter.action),
        limit: 200,
      });
    },

    /** Record a refusal of the helpdesk area (not signed in, session over, not an agent). */
    async denied(actor: string, path: string, clientAddress: string): Promise<void> {
      await audit(actor, null, 'helpdesk.denied', 'refused', {
        clientAddress,
        details: { path: path.slice(0, 100) },
      });
    },
  };
}

export type Helpdesk = ReturnType<typeof createHelpdesk>;
