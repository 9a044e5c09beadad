import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger };

/**
 * Secrets never reach logs: callers log allow-listed fields only, and these redact paths are
 * the backstop in every environment, at any depth we log (top level, one and two levels down).
 */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'oldPassword',
  'currentPassword',
  'bindPassword',
  'oneTimeCode',
  'totpCode',
  'smsCode',
  'secret',
  'token',
  'otp',
  'unicodePwd',
  'userPassword',
  'authorization',
  'cookie',
  'Authorization',
  'Cookie',
];
export const REDACT_PATHS = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);

export function createLogger(
  level: LoggerOptions['level'] = 'info',
  destination?: NodeJS.WritableStream,
): Logger {
  const options: LoggerOptions = {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { service: 'sspr-portal' },
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
