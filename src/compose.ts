import type { Config } from './config.ts';
import { createDirectory } from './directory/create-directory.ts';
import type { Directory } from './directory/directory.ts';
import { FactorVerifier } from './flows/factor-verifier.ts';
import { FlowRepository } from './flows/flow-repository.ts';
import { translate } from './i18n.ts';
import type { Logger } from './log.ts';
import { createSmsSender, type SmsSenders } from './mfa/create-sms-sender.ts';
import { deriveKeys } from './mfa/keys.ts';
import type { AccountChangeNotifier } from './notify/account-change-notifier.ts';
import { createAccountChangeNotifier } from './notify/mail-settings.ts';
import { createPasswordPolicy, type PasswordPolicy } from './policy/password-policy.ts';
import { policyCheckFor } from './policy/policy-check.ts';
import { openStore } from './store/open-store.ts';
import type { KyselyStore } from './store/sql/kysely-store.ts';
import { PasswordHistory } from './writeback/password-history.ts';
import { createWriteback, type Writeback } from './writeback/writeback.ts';

/** Everything the app needs, built once from config: main.ts, the demo and the tests share it. */
export interface Services {
  config: Config;
  log: Logger;
  store: KyselyStore;
  directory: Directory;
  writeback: Writeback;
  sms: SmsSenders;
  verifier: FactorVerifier;
  flows: FlowRepository;
  keys: ReturnType<typeof deriveKeys>;
  policy: PasswordPolicy;
  /** Mails the user about changes to the account (null when MAIL_SENDER=none). */
  notifier: AccountChangeNotifier | null;
  now: () => Date;
  close(): Promise<void>;
}

export async function composeServices(
  config: Config,
  log: Logger,
  overrides: { directory?: Directory; now?: () => Date } = {},
): Promise<Services> {
  const now = overrides.now ?? (() => new Date());
  const store = await openStore(config.database);
  const directory = overrides.directory ?? createDirectory(config.directory);
  const keys = deriveKeys(config.secretKey);
  const sms = createSmsSender(config.sms, store, now);
  const history = new PasswordHistory(store, config.passwordHistory, now);
  // Built once: the policy loads its word lists (about 23 MB) at start, not in a request.
  const policy = createPasswordPolicy(config.passwordPolicy);
  const notifier = createAccountChangeNotifier(config.mail, {
    baseUrl: config.http.baseUrl,
    translate,
    log,
    now,
  });
  const writeback = createWriteback({
    directory,
    store,
    history,
    log,
    now,
    checkPolicy: policyCheckFor(policy),
    ...(notifier ? { notifier } : {}),
  });
  const verifier = new FactorVerifier({
    store,
    sms: sms.sender,
    keys,
    settings: {
      codeTtlSeconds: config.mfa.codeTtlSeconds,
      codeMaxAttempts: config.mfa.codeMaxAttempts,
      factorLockoutAttempts: config.rateLimits.factorLockoutAttempts,
      factorLockoutMinutes: config.rateLimits.factorLockoutMinutes,
      smsCooldownSeconds: config.sms.cooldownSeconds,
      trustDirectoryMobile: config.flows.trustDirectoryMobile,
    },
    now,
    onDeliveryError: (error) => log.error({ err: error }, 'SMS delivery failed'),
    deliverInBackground: config.sms.sender === 'http',
  });
  const flows = new FlowRepository(store, config.flows.ttlMinutes, now);
  return {
    config,
    log,
    store,
    directory,
    writeback,
    sms,
    verifier,
    flows,
    keys,
    policy,
    notifier,
    now,
    async close() {
      await Promise.allSettled([directory.close(), store.close()]);
    },
  };
}
