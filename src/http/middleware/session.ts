import type { RequestHandler } from 'express';
import session from 'express-session';
import { KyselySessionStore } from '../../store/session-store.ts';
import type { Store } from '../../store/store.ts';

export interface SessionSettings {
  secret: string;
  ttlMinutes: number;
  /** Served over TLS (directly or behind a proxy that says so): cookies get Secure. */
  isSecure: boolean;
}

/**
 * Sessions live in the Store, so they hold across restarts and instances. The cookie is
 * HttpOnly and SameSite=Lax, Secure behind TLS, and carries nothing but the session id.
 */
export function sessionMiddleware(
  store: Pick<Store, 'getSession' | 'setSession' | 'destroySession'>,
  settings: SessionSettings,
): RequestHandler {
  return session({
    name: settings.isSecure ? '__Host-sspr' : 'sspr',
    secret: settings.secret,
    store: new KyselySessionStore(store, { ttlMs: settings.ttlMinutes * 60_000 }),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: settings.isSecure,
      path: '/',
      maxAge: settings.ttlMinutes * 60_000,
    },
  });
}
