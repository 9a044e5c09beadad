/**
 * npm run bench: what one reset costs through the writeback module against the raw directory
 * cost, measured in the same run against the running Samba AD (or OpenLDAP: BENCH_KIND=openldap).
 * Reports medians, p95, the portal's own CPU per reset, and ratios; writes bench-results/writeback.json.
 * Ratios, not wall-clock limits: this machine is shared and noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Attribute, Change } from 'ldapts';
import { loadConfig } from '../../src/config.ts';
import { unicodePwd } from '../../src/directory/active-directory.ts';
import { createDirectory } from '../../src/directory/create-directory.ts';
import type { DirectoryKind } from '../../src/directory/directory.ts';
import { closeQuietly, openBoundClient } from '../../src/directory/ldap-connection.ts';
import { OID, passwordModifyValue } from '../../src/directory/ldap-controls.ts';
import { createLogger } from '../../src/log.ts';
import { createPasswordPolicy } from '../../src/policy/password-policy.ts';
import { policyCheckFor } from '../../src/policy/policy-check.ts';
import { openStore } from '../../src/store/open-store.ts';
import { PasswordHistory } from '../../src/writeback/password-history.ts';
import { createWriteback } from '../../src/writeback/writeback.ts';
import {
  directoryConfig,
  directoryEnv,
  freshPassword,
  givenUser,
  removeTestUsers,
  type TestUser,
} from '../../test/support/directory-servers.ts';

const kind = (process.env.BENCH_KIND ?? 'ad') as DirectoryKind;
const runs = Number(process.env.BENCH_RUNS ?? 30);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

interface Series {
  ms: number[];
  cpuMs: number;
}

async function measure(label: string, n: number, step: () => Promise<void>): Promise<Series> {
  await step(); // warm-up, not counted
  const ms: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await step();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cpu = process.cpuUsage(cpu0);
  process.stderr.write(`  ${label}: done\n`);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const round = (x: number) => Math.round(x * 100) / 100;

async function main() {
  // The scrypt cost is the portal's default unless PASSWORD_HISTORY_SCRYPT_COST says otherwise.
  const scryptCost = loadConfig(
    directoryEnv(kind, { PASSWORD_HISTORY_SCRYPT_COST: process.env.PASSWORD_HISTORY_SCRYPT_COST ?? '' }),
  ).passwordHistory.scryptCost;
  const config = directoryConfig(kind, { LDAP_POOL_SIZE: String(concurrency) });
  const directory = createDirectory(config);
  const store = await openStore({ kind: 'sqlite', file: ':memory:' });
  const history = new PasswordHistory(store, { count: 24, scryptCost });
  // The writeback as the portal builds it: the full password policy included.
  const fullConfig = loadConfig(directoryEnv(kind));
  const checkPolicy = policyCheckFor(createPasswordPolicy(fullConfig.passwordPolicy));
  const writeback = createWriteback({ directory, store, history, log: createLogger('silent'), checkPolicy });
  const user = await givenUser(kind);
  const workers: TestUser[] = [];
  try {
    const entry = (await directory.findUser(user.username))!;
    // Fill the history so the check compares against a full list, as in production.
    for (let i = 0; i < 24; i++) await writeback.resetPassword(entry, freshPassword('F'), { actor: 'bench' });

    const rawNewConnection = await measure(
      'raw: new TLS connection + bind + search + reset + unbind',
      runs,
      async () => {
        const c = await openBoundClient(config, config.bindDn, config.bindPassword);
        try {
          await c.search(config.baseDn, {
            scope: 'sub',
            filter: `(${kind === 'ad' ? 'sAMAccountName' : 'uid'}=${user.username})`,
            attributes: ['dn'],
          });
          if (kind === 'ad') {
            await c.modify(
              user.dn,
              new Change({
                operation: 'replace',
                modification: new Attribute({
                  type: 'unicodePwd',
                  values: [unicodePwd(freshPassword('N'))] as unknown as string[],
                }),
              }),
            );
          } else {
            await c.exop(
              OID.passwordModify,
              passwordModifyValue({ userIdentity: user.dn, newPassword: freshPassword('N') }),
            );
          }
        } finally {
          await closeQuietly(c);
        }
      },
    );
    const rawPooled = await measure('raw: pooled connection, reset only', runs, () =>
      directory.resetPassword(entry, freshPassword('P')),
    );
    const viaWriteback = await measure(
      'writeback.resetPassword (read, history, reset, audit)',
      runs,
      async () => {
        const r = await writeback.resetPassword(entry, freshPassword('W'), {
          actor: 'bench',
          clientAddress: '127.0.0.1',
        });
        if (!r.ok) throw new Error(`writeback refused: ${r.code}`);
      },
    );
    const historyOnly = await measure('portal history check alone (one scrypt)', runs, async () => {
      await history.check(entry.id, freshPassword('H'));
    });

    // Throughput: `concurrency` workers, one user each, for `seconds`; the raw run goes through
    // the same pool without the writeback's read, history, audit. Equal rates mean the
    // directory, not the portal, is the bottleneck.
    for (let i = 0; i < concurrency; i++) workers.push(await givenUser(kind));
    const workerEntries = await Promise.all(
      workers.map(async (w) => (await directory.findUser(w.username))!),
    );
    const throughput = async (step: (i: number) => Promise<void>) => {
      const deadline = Date.now() + seconds * 1000;
      let done = 0;
      const cpu0 = process.cpuUsage();
      const t0 = Date.now();
      await Promise.all(
        workerEntries.map(async (_, i) => {
          while (Date.now() < deadline) {
            await step(i);
            done++;
          }
        }),
      );
      const cpu = process.cpuUsage(cpu0);
      return {
        perSecond: round(done / ((Date.now() - t0) / 1000)),
        portalCpuMsPerOp: round((cpu.user + cpu.system) / 1000 / done),
      };
    };
    const rawThroughput = await throughput((i) =>
      directory.resetPassword(workerEntries[i]!, freshPassword('T')),
    );
    process.stderr.write('  raw throughput: done\n');
    const writebackThroughput = await throughput(async (i) => {
      const r = await writeback.resetPassword(workerEntries[i]!, freshPassword('U'), { actor: 'bench' });
      if (!r.ok) throw new Error(`writeback refused: ${r.code}`);
    });
    process.stderr.write('  writeback throughput: done\n');

    const summary = (s: Series) => ({
      p50Ms: round(pct(s.ms, 50)),
      p95Ms: round(pct(s.ms, 95)),
      portalCpuMsPerOp: round(s.cpuMs),
    });
    const result = {
      at: new Date().toISOString(),
      kind,
      runs,
      node: process.version,
      scryptCost,
      historyEntries: (await store.listPasswordHistory(entry.id)).length,
      rawNewConnection: summary(rawNewConnection),
      rawPooled: summary(rawPooled),
      writeback: summary(viaWriteback),
      historyCheck: summary(historyOnly),
      throughput: { concurrency, seconds, raw: rawThroughput, writeback: writebackThroughput },
      ratios: {
        writebackOverRawPooledP50: round(pct(viaWriteback.ms, 50) / pct(rawPooled.ms, 50)),
        writebackOverRawNewConnectionP50: round(pct(viaWriteback.ms, 50) / pct(rawNewConnection.ms, 50)),
        writebackOverRawThroughput: round(writebackThroughput.perSecond / rawThroughput.perSecond),
        // Share of the 2-core machine the portal's own CPU takes at Samba's ceiling of 37 resets/s.
        portalCpuShareOfTwoCoresAt37ResetsPerSecond: round(
          (writebackThroughput.portalCpuMsPerOp * 37) / 2000,
        ),
      },
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync(`bench-results/writeback-${kind}.json`, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await directory.close();
    await store.close();
    await removeTestUsers(kind, [user, ...workers]);
  }
}

void main();
