import { type Request, type Response, Router } from 'express';
import { AppError } from '../../errors.ts';
import {
  cancelPending,
  confirmPhone,
  confirmTotp,
  type EnrollDeps,
  isManagementUnlocked,
  pendingTotpSecret,
  removeFactor,
  signIn,
  startPhone,
  startTotp,
  subjectOf,
  unlockManagement,
} from '../../flows/enroll/enroll-flow.ts';
import { maskPhone } from '../../flows/enroll/phone-number.ts';
import type { Flow } from '../../flows/flow.ts';
import type { FlowRepository } from '../../flows/flow-repository.ts';
import { loginKey } from '../../flows/pre-auth.ts';
import { translate } from '../../i18n.ts';
import { totpQrDataUrl } from '../../mfa/totp.ts';
import type { Store } from '../../store/store.ts';
import { rotateSession } from '../flow-session.ts';
import { currentOrNewFlow, flowStep, restartFlow } from '../flow-steps.ts';
import { assertAccountAllowed, limitByAddress, type RateLimitSettings } from '../middleware/rate-limit.ts';

export interface EnrollRouterDeps extends EnrollDeps {
  flows: FlowRepository;
  store: EnrollDeps['store'] & Pick<Store, 'hitRateLimit'>;
  limits: { perAddress: RateLimitSettings; perAccount: RateLimitSettings };
}

/** /enroll: sign in with the directory password, then add, confirm and remove factors. */
export function enrollRouter(deps: EnrollRouterDeps): Router {
  const router = Router();

  async function render(res: Response, flow: Flow, message?: { code: string }, notice?: string) {
    const common = { flow, csrf: flow.csrfToken, message, notice };
    if (flow.state === 'sign_in') return res.render('enroll/sign-in', common);
    const subject = await subjectOf(flow, deps);
    if (flow.state === 'totp_pending') {
      const secret = await pendingTotpSecret(flow, deps);
      if (!secret) throw new AppError('enroll.factor_not_found');
      const otpauth = `otpauth://totp/${encodeURIComponent(`${deps.totpIssuer}:${secret.label}`)}?secret=${secret.base32}&issuer=${encodeURIComponent(deps.totpIssuer)}`;
      return res.render('enroll/totp', {
        ...common,
        secret: secret.base32,
        qr: await totpQrDataUrl(otpauth),
      });
    }
    if (flow.state === 'phone_pending') return res.render('enroll/phone', common);
    const factors = (await deps.store.listFactors(subject.id)).filter((f) => f.confirmedAt);
    return res.render('enroll/manage', {
      ...common,
      subject,
      factors: factors.map((f) => ({
        id: f.id,
        kind: f.kind,
        label: f.label,
        detail: f.phone ? maskPhone(f.phone) : '',
        createdAt: f.createdAt,
      })),
      directoryMobile: deps.trustDirectoryMobile && subject.mobile ? maskPhone(subject.mobile) : null,
      isUnlocked: isManagementUnlocked(flow, deps.now()),
      hasFactors: factors.length > 0 || (deps.trustDirectoryMobile && !!subject.mobile),
    });
  }

  const step = (fn: (flow: Flow, req: Request, res: Response) => Promise<Flow | 'rendered'>) =>
    flowStep(deps.flows, 'enroll', 'sign_in', render, fn);
  const limit = limitByAddress(deps.store, 'enroll', deps.limits.perAddress);
  const perAccount = (flow: Flow, what: string) =>
    assertAccountAllowed(deps.store, `enroll:${what}:${flow.data.accountKey}`, deps.limits.perAccount);

  router.get('/enroll', async function showEnrollStep(req: Request, res: Response) {
    await render(res, await currentOrNewFlow(req, deps.flows, 'enroll', 'sign_in'));
  });

  router.post(
    '/enroll/sign-in',
    limit,
    step(async (flow, req) => {
      await assertAccountAllowed(
        deps.store,
        `enroll:sign-in:${loginKey(String(req.body.login ?? ''))}`,
        deps.limits.perAccount,
      );
      const next = await deps.flows.save(await signIn(flow, req.body.login, req.body.password, deps));
      await rotateSession(req);
      return next;
    }),
  );

  router.post(
    '/enroll/verify',
    limit,
    step(async (flow, req) => {
      await perAccount(flow, 'verify');
      const next = await deps.flows.save(await unlockManagement(flow, req.body.method, req.body.code, deps));
      await rotateSession(req);
      return next;
    }),
  );

  router.post(
    '/enroll/send-code',
    limit,
    step(async (flow, _req, res) => {
      await perAccount(flow, 'send');
      const subject = await subjectOf(flow, deps);
      await deps.verifier.sendCode(`manage:${flow.id}`, flow.data.accountKey!, subject, (code) =>
        translate('sms.code', { code, minutes: deps.verifier.codeTtlMinutes }),
      );
      await render(res, flow, undefined, 'ui.verify.code_sent');
      return 'rendered';
    }),
  );

  router.post(
    '/enroll/totp',
    limit,
    step(async (flow) => deps.flows.save(await startTotp(flow, deps))),
  );
  router.post(
    '/enroll/totp/confirm',
    limit,
    step(async (flow, req) => {
      await perAccount(flow, 'confirm');
      return deps.flows.save(await confirmTotp(flow, req.body.code, deps));
    }),
  );
  router.post(
    '/enroll/phone',
    limit,
    step(async (flow, req) => {
      await perAccount(flow, 'phone');
      return deps.flows.save(await startPhone(flow, req.body.phone, deps));
    }),
  );
  router.post(
    '/enroll/phone/confirm',
    limit,
    step(async (flow, req) => {
      await perAccount(flow, 'confirm');
      return deps.flows.save(await confirmPhone(flow, req.body.code, deps));
    }),
  );
  router.post(
    '/enroll/cancel',
    limit,
    step(async (flow) => deps.flows.save(await cancelPending(flow, deps))),
  );
  router.post(
    '/enroll/remove',
    limit,
    step(async (flow, req) => deps.flows.save(await removeFactor(flow, req.body.factorId, deps))),
  );

  router.post(
    '/enroll/sign-out',
    step(async (_flow, req, res) => {
      const fresh = await restartFlow(req, deps.flows, 'enroll', 'sign_in');
      await render(res, fresh, undefined, 'ui.enroll.signed_out');
      return 'rendered';
    }),
  );

  return router;
}
