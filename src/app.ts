import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Config } from './config.ts';
import type { Directory } from './directory/directory.ts';
import { errorHandler } from './http/middleware/error-handler.ts';
import { requestContext } from './http/middleware/request-context.ts';
import { healthRouter } from './http/routes/health.ts';
import type { Logger } from './log.ts';
import type { Store } from './store/store.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface AppDeps {
  config: Pick<Config, 'http' | 'env'>;
  log: Logger;
  store: Pick<Store, 'ping'>;
  directory: Pick<Directory, 'findUser'>;
}

/** Builds the Express app from its dependencies; no I/O happens at import or here. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  const isTls = deps.config.http.baseUrl.protocol === 'https:';
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.http.trustProxy);
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
    }),
  );
  app.use(requestContext(deps.log));
  app.use('/static', express.static(path.join(root, 'public'), { index: false, maxAge: '1h' }));
  app.use(healthRouter({ store: deps.store }));
  app.get('/', function renderHome(_req: Request, res: Response) {
    res.render('home/index', { title: 'Password self-service' });
  });
  app.use(function notFound(_req: Request, res: Response) {
    res.status(404).render('errors/not-found', { title: 'Not found' });
  });
  app.use(errorHandler(deps.log));
  return app;
}
