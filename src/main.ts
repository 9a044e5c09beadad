import type { Server } from 'node:http';
import { createApp } from './app.ts';
import { composeServices } from './compose.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { ActiveDirectory } from './directory/active-directory.ts';
import type { OpenLdapDirectory } from './directory/open-ldap.ts';
import { checkServiceAccountPrivilege } from './doctor/service-account-privilege.ts';
import { loadEnvFile } from './load-env-file.ts';
import { createLogger } from './log.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    loadEnvFile();
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const services = await composeServices(config, log);
  const { directory } = services;

  // Insecure but allowed: warn loudly at boot rather than refuse to start.
  checkServiceAccountPrivilege(directory as ActiveDirectory | OpenLdapDirectory, config.directory)
    .then((finding) => {
      if (finding.status === 'fail')
        log.error({ detail: finding.detail }, 'SERVICE ACCOUNT IS OVER-PRIVILEGED: run npm run doctor');
    })
    .catch((error: unknown) => log.warn({ err: error }, 'could not check the service account at start'));

  if (config.sms.sender === 'outbox' && !config.demoMode) {
    log.warn(
      { file: config.sms.outboxFile },
      'SMS_SENDER=outbox: codes are written to a file, not sent; configure SMS_SENDER=http for real phones',
    );
  }
  const app = createApp(services);
  // Expired flows, codes, sessions and rate-limit windows are purged in the background.
  const purge = setInterval(() => {
    services.store
      .purgeExpired(new Date())
      .catch((error: unknown) => log.warn({ err: error }, 'purge failed'));
  }, 5 * 60_000).unref();
  const server: Server = app.listen(config.http.port, config.http.host, () => {
    log.info({ url: config.http.baseUrl.href, host: config.http.host, port: config.http.port }, 'listening');
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    server.close(async () => {
      clearInterval(purge);
      await services.close();
      clearTimeout(force);
      log.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

void main();
