import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors.ts';
import { translate } from '../../i18n.ts';
import type { Logger } from '../../log.ts';
import { statusFor } from '../flow-steps.ts';

/**
 * The only place an unhandled error becomes a response. Exposed AppErrors show their
 * translated text; everything else is a generic page with a reference id, logged with its
 * stack. Raw error messages (and so raw LDAP text) never reach the page.
 */
export function errorHandler(log: Logger) {
  return function renderError(error: unknown, req: Request, res: Response, _next: NextFunction) {
    const reference = req.id ?? 'unknown';
    const locals = { t: translate, demoMode: false, reference };
    if (error instanceof AppError && error.expose) {
      res
        .status(statusFor(error.code))
        .render('errors/error', { ...locals, errorText: translate(error.code) });
      return;
    }
    if (isBodyTooLarge(error)) {
      res.status(413).render('errors/error', { ...locals, errorText: translate('writeback.invalid_input') });
      return;
    }
    (req.log ?? log).error({ err: error, reference }, 'unhandled error');
    res.status(500).render('errors/error', { ...locals, errorText: translate('internal.error') });
  };
}

function isBodyTooLarge(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'type' in error && error.type === 'entity.too.large';
}
