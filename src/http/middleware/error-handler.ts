import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../errors.ts';
import { translate } from '../../i18n.ts';
import type { Logger } from '../../log.ts';

/**
 * The only place an error becomes a response. Exposed AppErrors show their translated text;
 * everything else is a generic page with a reference id, logged with its stack. Raw error
 * messages never reach the page.
 */
export function errorHandler(log: Logger) {
  return function renderError(error: unknown, req: Request, res: Response, _next: NextFunction) {
    const reference = req.id ?? 'unknown';
    if (error instanceof AppError && error.expose) {
      res.status(error.code === 'directory.unavailable' ? 503 : 400).render('errors/error', {
        title: 'Error',
        message: translate(error.code),
        reference,
      });
      return;
    }
    (req.log ?? log).error({ err: error, reference }, 'unhandled error');
    res
      .status(500)
      .render('errors/error', { title: 'Error', message: translate('internal.error'), reference });
  };
}
