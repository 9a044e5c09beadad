import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Services } from './compose.ts';
import { createHelpdesk } from './flows/helpdesk/helpdesk-service.ts';
import { errorHandler } from './http/middleware/error-handler.ts';
import { noStore } from './http/middleware/no-store.ts';
import { requestContext } from './http/middleware/request-context.ts';
import { sessionMiddleware } from './http/middleware/session.ts';
import { changeRouter } from './http/routes/change.ts';
import { demoOutboxRouter } from './http/routes/demo-outbox.ts';
import { enrollRouter } from './http/routes/enroll.ts';
import { healthRouter } from './http/routes/health.ts';
import { helpdeskRouter } from './http/routes/helpdesk.ts';
import { passwordChecklistRouter } from './http/routes/password-checklist.ts';
import { recoveryRouter } from './http/routes/recovery.ts';
import { translate } from './i18n.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export type AppServices = Pick<
  Services,
  | 'config'
  | 'log'
  | 'store'
  | 'directory'
  | 'writeback'
  | 'sms'
  | 'verifier'
  | 'flows'
  | 'keys'
  | 'now'
  | 'policy'
  | 'notifier'
>;

/** Builds the Express app from its services; no I/O happens at import or here. */
export function createApp(s: AppServices): express.Express {
  const app = express();
  const isTls = s.config.http.baseUrl.protocol === 'https:';
  app.disable('x-powered-by');
  app.set('trust proxy', s.config.http.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(root, 'views'));

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: isTls ? [] : null,
        },
      },
      // HSTS only means something when the portal is served over TLS.
      strictTransportSecurity: isTls ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  app.use(requestContext(s.log));
  app.use('/static', express.static(path.join(root, 'public'), { index: false, maxAge: '1h' }));
  app.use(healthRouter({ store: s.store }));

  const passwordRules = s.policy.describe();
  app.use(
    sessionMiddleware(s.store, {
      secret: s.keys.sessionSecret,
      ttlMinutes: s.config.session.ttlMinutes,
      isSecure: isTls,
    }),
  );
  // Small bodies only: every form here holds a few short fields.
  app.use(express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }));
  app.use(function viewLocals(_req: Request, res: Response, next: NextFunction) {
    res.locals.t = translate;
    res.locals.demoMode = s.config.demoMode;
    res.locals.helpdeskEnabled = s.config.helpdesk.groups.length > 0;
    res.locals.message = undefined;
    res.locals.notice = undefined;
    res.locals.passwordRules = passwordRules;
    next();
  });

  app.use(
    passwordChecklistRouter({
      flows: s.flows,
      policy: s.policy,
      directory: s.directory,
      store: s.store,
      // Typing fires a request every few hundred milliseconds: a wider budget than for a form.
      limit: {
        limit: s.config.rateLimits.perAddress * 20,
        windowMinutes: s.config.rateLimits.windowMinutes,
        now: s.now,
      },
    }),
  );

  app.get('/', function renderHome(_req: Request, res: Response) {
    res.render('home/index');
  });

  const limits = {
    perAddress: {
      limit: s.config.rateLimits.perAddress,
      windowMinutes: s.config.rateLimits.windowMinutes,
      now: s.now,
    },
    perAccount: {
      limit: s.config.rateLimits.perAccount,
      windowMinutes: s.config.rateLimits.windowMinutes,
      now: s.now,
    },
  };
  const recovery = {
    directory: s.directory,
    verifier: s.verifier,
    writeback: s.writeback,
    requiredFactors: s.config.flows.requiredFactors,
    passwordMinLength: s.config.flows.passwordMinLength,
    // The service account entry exists everywhere and reads like a user: the decoy read costs the same.
    decoyDn: s.config.directory.bindDn,
    flows: s.flows,
    store: s.store,
    limits,
  };
  app.use(noStore);
  app.use(recoveryRouter('reset', recovery));
  app.use(recoveryRouter('unlock', recovery));
  app.use(
    changeRouter({
      directory: s.directory,
      writeback: s.writeback,
      passwordMinLength: s.config.flows.passwordMinLength,
      decoyParentDn: s.config.directory.managedOus[0]!,
      decoyDn: s.config.directory.bindDn,
      flows: s.flows,
      store: s.store,
      limits,
      factor: s.config.flows.changeRequiresFactor ? recovery : null,
    }),
  );
  app.use(
    enrollRouter({
      directory: s.directory,
      store: s.store,
      verifier: s.verifier,
      sms: s.sms.transport,
      sealKey: s.keys.sealKey,
      totpIssuer: s.config.mfa.totpIssuer,
      now: s.now,
      flows: s.flows,
      limits,
      trustDirectoryMobile: s.config.flows.trustDirectoryMobile,
      decoyParentDn: s.config.directory.managedOus[0]!,
      decoyDn: s.config.directory.bindDn,
    }),
  );
  if (s.config.helpdesk.groups.length > 0) {
    app.use(
      helpdeskRouter({
        helpdesk: createHelpdesk({
          directory: s.directory,
          store: s.store,
          verifier: s.verifier,
          writeback: s.writeback,
          sms: s.sms.transport,
          notifier: s.notifier,
          log: s.log,
          settings: {
            groups: s.config.helpdesk.groups,
            auditorGroups: s.config.helpdesk.auditorGroups,
            verificationMinutes: s.config.helpdesk.verificationMinutes,
            searchLimit: s.config.helpdesk.searchLimit,
            decoyDn: s.config.directory.bindDn,
            decoyParentDn: s.config.directory.managedOus[0]!,
            baseUrl: s.config.http.baseUrl,
            assistCodeTtlMinutes: s.config.helpdesk.assistCodeTtlMinutes,
          },
          now: s.now,
        }),
        store: s.store,
        limit: limits.perAddress,
        perAccount: limits.perAccount,
        session: {
          sessionMinutes: s.config.helpdesk.sessionMinutes,
          idleMinutes: s.config.helpdesk.idleMinutes,
        },
        now: s.now,
      }),
    );
  }
  if (s.config.demoMode && s.sms.outbox) app.use(demoOutboxRouter(s.sms.outbox));

  app.use(function notFound(_req: Request, res: Response) {
    res.status(404).render('errors/not-found');
  });
  app.use(errorHandler(s.log));
  return app;
}
