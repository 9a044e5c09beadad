/**
 * Demo only: enrolls sample users so every flow can be tried at once.
 *   npx tsx scripts/demo-seed.ts          seed (idempotent) and print what was enrolled
 *   npx tsx scripts/demo-seed.ts code     print alice's current authenticator code
 * alice: authenticator app with a published demo secret; bob: his directory mobile as an
 * enrolled phone (codes appear on /demo/outbox); carol: nothing, to try enrollment.
 */
import speakeasy from 'speakeasy';
import { composeServices } from '../src/compose.ts';
import { loadConfig } from '../src/config.ts';
import { token } from '../src/flows/flow.ts';
import { loadEnvFile } from '../src/load-env-file.ts';
import { createLogger } from '../src/log.ts';
import { seal } from '../src/mfa/secret-box.ts';

/** Published on purpose: this is a demo directory with demo users. */
const ALICE_DEMO_SECRET = 'SSPRDEMOALICEQ2ZSSPRDEMOALICEQ2Z';

async function main(): Promise<void> {
  if (process.argv[2] === 'code') {
    process.stdout.write(`${speakeasy.totp({ secret: ALICE_DEMO_SECRET, encoding: 'base32' })}\n`);
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
    if ((await services.store.listFactors(alice.id)).length === 0) {
      const id = token();
      await services.store.addFactor({
        id,
        userId: alice.id,
        kind: 'totp',
        secretSealed: seal(services.keys.sealKey, ALICE_DEMO_SECRET, id),
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
        `  alice  authenticator app, secret ${ALICE_DEMO_SECRET}`,
        '         (add it to an authenticator app, or run: npx tsx scripts/demo-seed.ts code)',
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
