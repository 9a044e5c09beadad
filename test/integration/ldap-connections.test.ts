import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createDirectory } from '../../src/directory/create-directory.ts';
import type { DirectoryKind } from '../../src/directory/directory.ts';
import { LdapConnectionPool } from '../../src/directory/ldap-connection-pool.ts';
import { directoryConfig, facts } from '../support/directory-servers.ts';
import { rejectsWith } from './directory.contract.ts';

const PORTS: Record<DirectoryKind, { ldaps: number; ldap: number }> = {
  ad: { ldaps: 636, ldap: 389 },
  openldap: { ldaps: 3636, ldap: 3389 },
};

/** Established TCP connections from this machine to a local port, as the kernel sees them. */
function establishedTo(port: number): number {
  const out = execFileSync('ss', ['-Htn', 'state', 'established', `( dport = :${port} )`], {
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l.trim()).length;
}

const settle = () => new Promise((r) => setTimeout(r, 300));

for (const kind of ['ad', 'openldap'] as DirectoryKind[]) {
  describe(`LDAP connections: ${kind}`, () => {
    it('the service-account pool never opens more than its size, reuses connections, and closes them all', async () => {
      const config = directoryConfig(kind, { LDAP_POOL_SIZE: '2' });
      const baseline = establishedTo(PORTS[kind].ldaps);
      const pool = new LdapConnectionPool(config, config.bindDn, config.bindPassword, 2, 60_000);
      const search = () =>
        pool.use((c) =>
          c.search(config.baseDn, { scope: 'base', filter: '(objectClass=*)', attributes: ['dn'] }),
        );
      await Promise.all(Array.from({ length: 20 }, search));
      // Bounded and reused: 20 jobs on at most 2 connections (a server may drop one meanwhile,
      // e.g. just after a restart, so the exact count is not asserted).
      assert.ok(pool.stats().created <= 2, `created ${pool.stats().created}`);
      assert.ok(pool.stats().open <= 2 && pool.stats().open >= 1, `open ${pool.stats().open}`);
      assert.ok(establishedTo(PORTS[kind].ldaps) - baseline <= 2);
      await pool.close();
      await settle();
      assert.equal(pool.stats().open, 0);
      assert.equal(establishedTo(PORTS[kind].ldaps), baseline);
    });

    it('failed user binds (wrong password) leave no connection behind', async () => {
      const directory = createDirectory(directoryConfig(kind));
      const alice = (await directory.findUser('alice'))!;
      await directory.close();
      await settle();
      const baseline = establishedTo(PORTS[kind].ldaps);
      const fresh = createDirectory(directoryConfig(kind));
      for (let i = 0; i < 3; i++) {
        await rejectsWith(fresh.verifyPassword(alice, `Wrong-${i}-Pass!`), 'directory.invalid_credentials');
      }
      await fresh.close();
      await settle();
      assert.equal(establishedTo(PORTS[kind].ldaps), baseline);
      // Three bad binds count towards alice's lockout; clear them so other suites start clean.
      const svc = createDirectory(directoryConfig(kind));
      await svc.unlock(alice);
      await svc.close();
    });

    it('StartTLS on the plain port works like LDAPS (search and user bind)', async () => {
      const f = facts(kind);
      const url = f.url
        .replace('ldaps://', 'ldap://')
        .replace(`:${PORTS[kind].ldaps}`, `:${PORTS[kind].ldap}`);
      const directory = createDirectory(directoryConfig(kind, { LDAP_URL: url, LDAP_STARTTLS: 'true' }));
      try {
        const alice = await directory.findUser('alice');
        assert.equal(alice?.username, 'alice');
        await directory.verifyPassword(alice!, f.users.alice!.password);
      } finally {
        await directory.close();
      }
    });

    it('a server certificate from another CA is refused: directory.unavailable, never a silent fallback', async () => {
      const otherCa = facts(kind === 'ad' ? 'openldap' : 'ad').caFile;
      const directory = createDirectory(directoryConfig(kind, { LDAP_CA_FILE: otherCa }));
      await rejectsWith(directory.findUser('alice'), 'directory.unavailable');
      await directory.close();
    });
  });
}

describe('LDAP timeouts', () => {
  let silent: Server;
  let port = 0;
  const sockets: Socket[] = [];
  before(async () => {
    // Accepts connections and never answers: a hung directory.
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    port = (silent.address() as { port: number }).port;
  });
  after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  it('a directory that accepts but never answers gives directory.unavailable within the timeouts', async () => {
    const directory = createDirectory(
      directoryConfig('ad', {
        LDAP_URL: `ldaps://127.0.0.1:${port}`,
        LDAP_CONNECT_TIMEOUT_MS: '300',
        LDAP_TIMEOUT_MS: '300',
      }),
    );
    const started = Date.now();
    await rejectsWith(directory.findUser('alice'), 'directory.unavailable');
    // Generous bound: the point is that the call ends, not how fast (the machine is shared).
    assert.ok(Date.now() - started < 10_000);
    await directory.close();
  });

  it('a port nobody listens on gives directory.unavailable', async () => {
    const directory = createDirectory(directoryConfig('ad', { LDAP_URL: 'ldaps://127.0.0.1:9' }));
    await rejectsWith(directory.findUser('alice'), 'directory.unavailable');
    await directory.close();
  });
});
