/**
 * Demo only: enrolls sample users so every flow can be tried at once.
 *   npx tsx scripts/demo-seed.ts          seed (idempotent) and print what was enrolled
 *   npx tsx scripts/demo-seed.ts code [alice|hdesk]   print the current authenticator code
 * alice and the helpdesk agent hdesk: authenticator apps with published demo secrets; bob: his
 * directory mobile as an enrolled phone (codes appear on /demo/outbox); carol: nothing, to try
 * enrollment.
 */
import speakeasy from 'speakeasy';
import { composeServices } from '../src/compose.ts';
import { loadConfig } from '../src/config.ts';
import { token } from '../src/flows/flow.ts';
import { loadEnvFile } from '../src/load-env-file.ts';
import { createLogger } from '../src/log.ts';
import { seal } from '../src/mfa/secret-box.ts';

/** Published on purpose: this is a demo directory with demo users. */
const DEMO_SECRETS: Record<string, string> = {
  alice: 'SSPRDEMOALICEQ2ZSSPRDEMOALICEQ2Z',
  hdesk: 'SSPRDEMOHDESKQ2ZSSPRDEMOHDESKQ2Z',
};

async function main(): Promise<void> {
  if (process.argv[2] === 'code') {
    const secret = DEMO_SECRETS[process.argv[3] ?? 'alice'];
    if (!secret) throw new Error(`no demo authenticator for ${process.argv[3]}`);
    process.stdout.write(`${speakeasy.totp({ secret, encoding: 'base32' })}\n`);
    return;
  }
  loadEnvFile();
  const config = loadConfig(process.env);
  if (!config.demoMode) throw new Error('refusing to seed: DEMO_MODE is not true');
  const services = await composeServices(config, createLogger('warn'));
  try {
    const alice = await services.directory.findUser('alice');
    const bob = await services.directory.findUser('bob');
    if (!alice || !bob) throw new Error('seed users alice and bob not found: is the demo directory running?');
    for (const [login, secret] of Object.entries(DEMO_SECRETS)) {
      const user = await services.directory.findUser(login);
      if (!user || (await services.store.listFactors(user.id)).length > 0) continue;
      const id = token();
      await services.store.addFactor({
        id,
        userId: user.id,
        kind: 'totp',
        secretSealed: seal(services.keys.sealKey, secret, id),
        phone: null,
        label: 'Authenticator app',
        createdAt: new Date(),
        confirmedAt: new Date(),
        lastStep: null,
      });
    }
    if ((await services.store.listFactors(bob.id)).length === 0 && bob.mobile) {
      await services.store.addFactor({
        id: token(),
        userId: bob.id,
        kind: 'sms',
        secretSealed: null,
        phone: bob.mobile,
        label: 'Mobile phone',
        createdAt: new Date(),
        confirmedAt: new Date(),
        lastStep: null,
      });
    }
    process.stdout.write(
      [
        'Demo enrollments:',
        `  alice  authenticator app, secret ${DEMO_SECRETS.alice}`,
        '         (add it to an authenticator app, or run: npx tsx scripts/demo-seed.ts code alice)',
        `  hdesk  helpdesk agent, authenticator secret ${DEMO_SECRETS.hdesk} (npx tsx scripts/demo-seed.ts code hdesk)`,
        `  bob    phone ${bob.mobile}: codes appear on http://localhost:${config.http.port}/demo/outbox`,
        '  carol  nothing yet: try "Set up verification" with Start-Pass-C3!',
        '',
      ].join('\n'),
    );
  } finally {
    await services.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
