import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { assertTemplate, parseHeaderLine } from './mfa/http-sms-sender.ts';
import { checkMailEnv, isTimeZone, type MailSettings } from './notify/mail-settings.ts';
import type { PolicySettings } from './policy/password-policy.ts';

/**
 * One validated schema over the environment. `loadConfig` lists every bad key at once;
 * main.ts prints them and exits 1 before anything listens. Every key is documented in
 * .env.example with its default.
 */

const DEFAULT_SMS_TEMPLATE = '{"to":"{{to}}","text":"{{text}}"}';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** DNs contain commas, so lists of DNs are separated by semicolons. */
const dnList = z.string().transform((v) =>
  v
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean),
);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  BASE_URL: z.url().default('http://localhost:3000'),
  TRUST_PROXY: z.string().default('false'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  DIRECTORY_KIND: z.enum(['ad', 'openldap']),
  LDAP_URL: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldaps://host[:port] or ldap://host[:port]'),
  LDAP_STARTTLS: bool.default(false),
  LDAP_CA_FILE: z.string().min(1),
  LDAP_TLS_SERVERNAME: z.string().optional(),
  LDAP_BIND_DN: z.string().min(3),
  LDAP_BIND_PASSWORD: z.string().optional(),
  LDAP_BIND_PASSWORD_FILE: z.string().optional(),
  LDAP_BASE_DN: z.string().min(3),
  LDAP_MANAGED_OUS: dnList.refine((l) => l.length > 0, 'at least one DN'),
  LDAP_PRIVILEGED_GROUPS: dnList.default([]),
  LDAP_CONNECT_TIMEOUT_MS: int(100, 60_000).default(5_000),
  LDAP_TIMEOUT_MS: int(100, 120_000).default(10_000),
  LDAP_POOL_SIZE: int(1, 64).default(4),
  LDAP_POOL_IDLE_MS: int(1_000, 3_600_000).default(60_000),
  OPENLDAP_PPOLICY_DN: z.string().optional(),

  SECRET_KEY: z.string().min(32, 'at least 32 characters of random text (openssl rand -base64 48)'),
  SESSION_TTL_MINUTES: int(1, 24 * 60).default(30),
  FLOW_TTL_MINUTES: int(1, 120).default(15),
  REQUIRED_FACTORS: int(1, 2).default(1),
  CHANGE_REQUIRES_FACTOR: bool.default(false),
  TRUST_DIRECTORY_MOBILE: bool.default(false),
  TOTP_ISSUER: z.string().min(1).max(64).default('SSPR Portal'),
  CODE_TTL_SECONDS: int(60, 3600).default(300),
  CODE_MAX_ATTEMPTS: int(1, 20).default(5),
  RATE_LIMIT_WINDOW_MINUTES: int(1, 24 * 60).default(15),
  RATE_LIMIT_PER_ADDRESS: int(1, 100_000).default(60),
  RATE_LIMIT_PER_ACCOUNT: int(1, 10_000).default(10),
  FACTOR_LOCKOUT_ATTEMPTS: int(1, 100).default(5),
  FACTOR_LOCKOUT_MINUTES: int(1, 24 * 60).default(15),
  PASSWORD_MIN_LENGTH: int(1, 256).default(15),
  PASSWORD_MAX_LENGTH: int(1, 256).default(256),
  PASSWORD_MIN_CLASSES: int(0, 4).default(0),
  PASSWORD_MIN_STRENGTH: int(0, 4).default(3),
  PASSWORD_STRENGTH_PREFIX: int(8, 256).default(32),
  PASSWORD_BANNED_WORDS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  PASSWORD_BANNED_MIN_SCORE: int(0, 64).default(5),
  PASSWORD_MIN_DIFFERENT: int(0, 64).default(4),
  PASSWORD_BREACH_RANGE_URL: z.url().optional(),
  PASSWORD_BREACH_RANGE_FAIL_OPEN: bool.default(true),
  PASSWORD_BREACH_RANGE_TIMEOUT_MS: int(100, 30_000).default(2_000),
  SMS_SENDER: z.enum(['outbox', 'http']).default('outbox'),
  SMS_OUTBOX_FILE: z.string().min(1).default('data/sms-outbox.jsonl'),
  SMS_HTTP_URL: z.url().optional(),
  SMS_HTTP_AUTH_HEADER: z.string().optional(),
  SMS_HTTP_BODY_TEMPLATE: z.string().default(DEFAULT_SMS_TEMPLATE),
  SMS_HTTP_TIMEOUT_MS: int(100, 60_000).default(5_000),
  SMS_COOLDOWN_SECONDS: int(0, 3600).default(60),
  DEMO_MODE: bool.default(false),
  MAIL_SENDER: z.enum(['none', 'smtp', 'outbox']).default('none'),
  MAIL_FROM: z.string().max(320).optional(),
  MAIL_SECURITY_CONTACT: z.string().min(3).max(200).optional(),
  MAIL_NOTIFY_SELF_SERVICE: bool.default(true),
  MAIL_TIME_ZONE: z.string().refine(isTimeZone, 'an IANA time zone, e.g. UTC or Europe/Paris').default('UTC'),
  MAIL_OUTBOX_FILE: z.string().min(1).default('data/mail-outbox.jsonl'),
  SMTP_HOST: z.string().min(1).max(253).optional(),
  SMTP_PORT: int(1, 65535).optional(),
  SMTP_SECURITY: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  SMTP_USER: z.string().max(256).optional(),
  SMTP_PASSWORD: z.string().optional(),
  SMTP_PASSWORD_FILE: z.string().optional(),
  SMTP_CA_FILE: z.string().optional(),
  SMTP_TLS_SERVERNAME: z.string().optional(),
  SMTP_CONNECTION_TIMEOUT_MS: int(100, 120_000).default(10_000),
  SMTP_GREETING_TIMEOUT_MS: int(100, 120_000).default(10_000),
  SMTP_SOCKET_TIMEOUT_MS: int(100, 600_000).default(30_000),
  HELPDESK_GROUPS: dnList.default([]),
  AUDITOR_GROUPS: dnList.default([]),
  HELPDESK_SESSION_MINUTES: int(1, 12 * 60).default(30),
  HELPDESK_IDLE_MINUTES: int(1, 120).default(10),
  HELPDESK_VERIFICATION_MINUTES: int(1, 60).default(10),
  HELPDESK_SEARCH_LIMIT: int(1, 50).default(25),
  ASSIST_CODE_TTL_MINUTES: int(5, 24 * 60).default(30),

  DATABASE_URL: z.string().min(1).default('sqlite:data/sspr.sqlite'),
  PASSWORD_HISTORY_COUNT: int(0, 100).default(24),
  PASSWORD_HISTORY_SCRYPT_COST: int(1024, 1_048_576)
    .refine((n) => (n & (n - 1)) === 0, 'must be a power of two')
    .default(2048),
});

export type Config = ReturnType<typeof toConfig>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Parse the environment into a typed Config, or throw ConfigError listing every bad key. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings in .env mean "not set", so defaults apply.
  const raw = Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
  const parsed = envSchema.safeParse(raw);
  const problems: string[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  // The cross-field checks read the raw values, so they are listed even when the schema failed.
  const bindPassword = readBindPassword(raw, problems);
  const url = raw.LDAP_URL ?? '';
  const startTls = ['true', '1', 'yes'].includes(raw.LDAP_STARTTLS ?? '');
  if (url.startsWith('ldap://') && !startTls) {
    problems.push('LDAP_URL: ldap:// without LDAP_STARTTLS=true would send passwords in clear; use ldaps://');
  }
  if (url.startsWith('ldaps://') && startTls) {
    problems.push('LDAP_STARTTLS: only meaningful with an ldap:// URL');
  }
  if (raw.SMS_SENDER === 'http') checkHttpSms(raw, problems);
  if (Number(raw.PASSWORD_MAX_LENGTH ?? 256) < Number(raw.PASSWORD_MIN_LENGTH ?? 15)) {
    problems.push('PASSWORD_MAX_LENGTH: must be at least PASSWORD_MIN_LENGTH');
  }
  let ca: Buffer | undefined;
  if (raw.LDAP_CA_FILE) {
    try {
      ca = readFileSync(raw.LDAP_CA_FILE);
    } catch (error) {
      problems.push(
        `LDAP_CA_FILE: cannot read ${raw.LDAP_CA_FILE} (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  const mailFiles = checkMailEnv(raw, problems);
  const database = parseDatabaseUrl(raw.DATABASE_URL ?? 'sqlite:data/sspr.sqlite', problems);
  if (!parsed.success || problems.length > 0 || !ca || bindPassword === undefined || !database) {
    throw new ConfigError(problems);
  }
  return toConfig(parsed.data, ca, bindPassword, database, mailFiles);
}

function readBindPassword(raw: Record<string, string>, problems: string[]): string | undefined {
  if (raw.LDAP_BIND_PASSWORD && raw.LDAP_BIND_PASSWORD_FILE) {
    problems.push(
      'LDAP_BIND_PASSWORD_FILE: set either LDAP_BIND_PASSWORD or LDAP_BIND_PASSWORD_FILE, not both',
    );
    return undefined;
  }
  if (raw.LDAP_BIND_PASSWORD_FILE) {
    let value: string;
    try {
      value = readFileSync(raw.LDAP_BIND_PASSWORD_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      problems.push(`LDAP_BIND_PASSWORD_FILE: cannot read (${(error as NodeJS.ErrnoException).code})`);
      return undefined;
    }
    // An empty simple bind is an anonymous bind: never let it pass for a service account.
    if (value === '') {
      problems.push('LDAP_BIND_PASSWORD_FILE: the file is empty');
      return undefined;
    }
    return value;
  }
  if (!raw.LDAP_BIND_PASSWORD) {
    problems.push('LDAP_BIND_PASSWORD: required (or LDAP_BIND_PASSWORD_FILE)');
    return undefined;
  }
  return raw.LDAP_BIND_PASSWORD;
}

/** The webhook settings are checked here so they are listed with every other bad key at boot. */
function checkHttpSms(raw: Record<string, string>, problems: string[]): void {
  if (!raw.SMS_HTTP_URL) problems.push('SMS_HTTP_URL: required when SMS_SENDER=http');
  if (raw.SMS_HTTP_AUTH_HEADER) {
    try {
      parseHeaderLine(raw.SMS_HTTP_AUTH_HEADER);
    } catch (error) {
      problems.push(`SMS_HTTP_AUTH_HEADER: ${(error as Error).message}`);
    }
  }
  try {
    assertTemplate(raw.SMS_HTTP_BODY_TEMPLATE ?? DEFAULT_SMS_TEMPLATE);
  } catch (error) {
    problems.push(`SMS_HTTP_BODY_TEMPLATE: ${(error as Error).message}`);
  }
}

export type DatabaseConfig = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

function parseDatabaseUrl(url: string, problems: string[]): DatabaseConfig | undefined {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    if (file) return { kind: 'sqlite', file };
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    return { kind: 'postgres', url };
  }
  problems.push('DATABASE_URL: must be sqlite:<file path> (or sqlite::memory:) or postgres://...');
  return undefined;
}

function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function toConfig(
  e: z.infer<typeof envSchema>,
  ca: Buffer,
  bindPassword: string,
  database: DatabaseConfig,
  mailFiles: ReturnType<typeof checkMailEnv>,
) {
  return {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      baseUrl: new URL(e.BASE_URL),
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
    },
    logLevel: e.LOG_LEVEL,
    directory: {
      kind: e.DIRECTORY_KIND,
      url: e.LDAP_URL,
      startTls: e.LDAP_STARTTLS,
      ca,
      tlsServerName: e.LDAP_TLS_SERVERNAME,
      bindDn: e.LDAP_BIND_DN,
      bindPassword,
      baseDn: e.LDAP_BASE_DN,
      managedOus: e.LDAP_MANAGED_OUS,
      privilegedGroups: e.LDAP_PRIVILEGED_GROUPS,
      connectTimeoutMs: e.LDAP_CONNECT_TIMEOUT_MS,
      timeoutMs: e.LDAP_TIMEOUT_MS,
      poolSize: e.LDAP_POOL_SIZE,
      poolIdleMs: e.LDAP_POOL_IDLE_MS,
      ppolicyDn: e.OPENLDAP_PPOLICY_DN ?? `cn=default,ou=policies,${e.LDAP_BASE_DN}`,
    },
    database,
    secretKey: e.SECRET_KEY,
    session: { ttlMinutes: e.SESSION_TTL_MINUTES },
    flows: {
      ttlMinutes: e.FLOW_TTL_MINUTES,
      requiredFactors: e.REQUIRED_FACTORS as 1 | 2,
      changeRequiresFactor: e.CHANGE_REQUIRES_FACTOR,
      trustDirectoryMobile: e.TRUST_DIRECTORY_MOBILE,
      passwordMinLength: e.PASSWORD_MIN_LENGTH,
    },
    mfa: {
      totpIssuer: e.TOTP_ISSUER,
      codeTtlSeconds: e.CODE_TTL_SECONDS,
      codeMaxAttempts: e.CODE_MAX_ATTEMPTS,
    },
    rateLimits: {
      windowMinutes: e.RATE_LIMIT_WINDOW_MINUTES,
      perAddress: e.RATE_LIMIT_PER_ADDRESS,
      perAccount: e.RATE_LIMIT_PER_ACCOUNT,
      factorLockoutAttempts: e.FACTOR_LOCKOUT_ATTEMPTS,
      factorLockoutMinutes: e.FACTOR_LOCKOUT_MINUTES,
    },
    sms: {
      sender: e.SMS_SENDER,
      outboxFile: e.SMS_OUTBOX_FILE,
      http: {
        url: e.SMS_HTTP_URL,
        authHeader: e.SMS_HTTP_AUTH_HEADER,
        bodyTemplate: e.SMS_HTTP_BODY_TEMPLATE,
        timeoutMs: e.SMS_HTTP_TIMEOUT_MS,
      },
      cooldownSeconds: e.SMS_COOLDOWN_SECONDS,
    },
    demoMode: e.DEMO_MODE,
    mail: {
      sender: e.MAIL_SENDER,
      from: e.MAIL_FROM,
      outboxFile: e.MAIL_OUTBOX_FILE,
      securityContact: e.MAIL_SECURITY_CONTACT,
      notifySelfService: e.MAIL_NOTIFY_SELF_SERVICE,
      timeZone: e.MAIL_TIME_ZONE,
      smtp: {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT,
        security: e.SMTP_SECURITY,
        user: e.SMTP_USER,
        password: mailFiles.password,
        ca: mailFiles.ca,
        tlsServerName: e.SMTP_TLS_SERVERNAME,
        connectionTimeoutMs: e.SMTP_CONNECTION_TIMEOUT_MS,
        greetingTimeoutMs: e.SMTP_GREETING_TIMEOUT_MS,
        socketTimeoutMs: e.SMTP_SOCKET_TIMEOUT_MS,
      },
    } satisfies MailSettings,
    helpdesk: {
      groups: e.HELPDESK_GROUPS,
      auditorGroups: e.AUDITOR_GROUPS,
      sessionMinutes: e.HELPDESK_SESSION_MINUTES,
      idleMinutes: e.HELPDESK_IDLE_MINUTES,
      verificationMinutes: e.HELPDESK_VERIFICATION_MINUTES,
      searchLimit: e.HELPDESK_SEARCH_LIMIT,
      assistCodeTtlMinutes: e.ASSIST_CODE_TTL_MINUTES,
    },
    passwordPolicy: {
      minLength: e.PASSWORD_MIN_LENGTH,
      maxLength: e.PASSWORD_MAX_LENGTH,
      minClasses: e.PASSWORD_MIN_CLASSES,
      minStrengthScore: e.PASSWORD_MIN_STRENGTH,
      strengthPrefixLength: e.PASSWORD_STRENGTH_PREFIX,
      bannedWords: e.PASSWORD_BANNED_WORDS,
      bannedMinScore: e.PASSWORD_BANNED_MIN_SCORE,
      minDifferentFromPrevious: e.PASSWORD_MIN_DIFFERENT,
      breachedRangeUrl: e.PASSWORD_BREACH_RANGE_URL,
      breachedRangeFailOpen: e.PASSWORD_BREACH_RANGE_FAIL_OPEN,
      breachedRangeTimeoutMs: e.PASSWORD_BREACH_RANGE_TIMEOUT_MS,
    } satisfies PolicySettings,
    passwordHistory: { count: e.PASSWORD_HISTORY_COUNT, scryptCost: e.PASSWORD_HISTORY_SCRYPT_COST },
  };
}

export type DirectoryConfig = Config['directory'];
