import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createDirectory } from '../../src/directory/create-directory.ts';
import type { Directory, DirectoryKind } from '../../src/directory/directory.ts';
import { createLogger } from '../../src/log.ts';
import type { KyselyStore } from '../../src/store/sql/kysely-store.ts';
import { PasswordHistory } from '../../src/writeback/password-history.ts';
import { createWriteback, type Writeback } from '../../src/writeback/writeback.ts';
import {
  directoryConfig,
  freshPassword,
  givenUser,
  removeTestUsers,
  type TestUser,
} from '../support/directory-servers.ts';
import { freshStore } from '../support/stores.ts';

/** Wraps a directory and counts the calls that would change it. */
function countingWrites(inner: Directory) {
  const counter = { writes: 0 };
  const wrapped: Directory = {
    kind: inner.kind,
    findUser: (l) => inner.findUser(l),
    readUser: (dn) => inner.readUser(dn),
    verifyPassword: (u, p) => inner.verifyPassword(u, p),
    isMemberOf: (u, g) => inner.isMemberOf(u, g),
    searchUsers: (q, o) => inner.searchUsers(q, o),
    resetPassword: (u, p, o) => {
      counter.writes++;
      return inner.resetPassword(u, p, o);
    },
    changePassword: (u, o, n) => {
      counter.writes++;
      return inner.changePassword(u, o, n);
    },
    unlock: (u) => {
      counter.writes++;
      return inner.unlock(u);
    },
    forcePasswordChange: (u) => {
      counter.writes++;
      return inner.forcePasswordChange(u);
    },
    close: () => inner.close(),
  };
  return { directory: wrapped, counter };
}

for (const kind of ['ad', 'openldap'] as DirectoryKind[]) {
  describe(`Writeback against ${kind}`, () => {
    let inner: Directory;
    let store: KyselyStore;
    let dispose: () => Promise<void>;
    let writeback: Writeback;
    let counter: { writes: number };
    const logLines: string[] = [];
    const made: TestUser[] = [];
    const ctx = { actor: 'self:test', clientAddress: '127.0.0.9', correlationId: 'flow-1' };

    const subject = async (options?: Parameters<typeof givenUser>[1]) => {
      const u = await givenUser(kind, options);
      made.push(u);
      return { ...u, entry: (await inner.findUser(u.username))! };
    };

    before(async () => {
      inner = createDirectory(directoryConfig(kind));
      ({ store, dispose } = await freshStore('sqlite'));
      const sink = new Writable({
        write(chunk, _enc, done) {
          logLines.push(String(chunk));
          done();
        },
      });
      const wrapped = countingWrites(inner);
      counter = wrapped.counter;
      writeback = createWriteback({
        directory: wrapped.directory,
        store,
        history: new PasswordHistory(store, { count: 5, scryptCost: 1024 }),
        log: createLogger('debug', sink),
      });
    });
    after(async () => {
      await inner.close();
      await dispose();
      await removeTestUsers(kind, made);
    });

    it('a reset succeeds, the user binds with it, and one audit row without the password is written', async () => {
      const u = await subject();
      const next = freshPassword('W');
      const result = await writeback.resetPassword(u.entry, next, { ...ctx, reason: 'forgot' });
      assert.equal(result.ok, true);
      await inner.verifyPassword(u.entry, next);
      const rows = await store.listAudit({ subject: u.username });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.action, 'writeback.reset_password');
      assert.equal(rows[0]?.outcome, 'success');
      assert.equal(rows[0]?.clientAddress, '127.0.0.9');
      assert.equal(rows[0]?.details.correlationId, 'flow-1');
      assert.ok(!JSON.stringify(rows).includes(next), 'password in audit');
      assert.ok(!logLines.join('').includes(next), 'password in logs');
    });

    it('a password the portal set before is refused on reset with writeback.password_reused', async () => {
      const u = await subject();
      const first = freshPassword('R');
      const second = freshPassword('R');
      assert.equal((await writeback.resetPassword(u.entry, first, ctx)).ok, true);
      assert.equal((await writeback.resetPassword(u.entry, second, ctx)).ok, true);
      const before = counter.writes;
      const reuse = await writeback.resetPassword(u.entry, first, ctx);
      assert.deepEqual(reuse, {
        ok: false,
        action: 'writeback.reset_password',
        code: 'writeback.password_reused',
      });
      assert.equal(counter.writes, before, 'the directory was touched');
      const [last] = await store.listAudit({ subject: u.username });
      assert.equal(last?.outcome, 'refused');
      assert.equal(last?.errorCode, 'writeback.password_reused');
      await inner.verifyPassword(u.entry, second);
    });

    if (kind === 'ad') {
      it('without the portal history, Samba itself would have accepted the reused password', async () => {
        // Guards the premise of the previous test: if Samba began enforcing history on resets,
        // this would fail and the portal history could be reconsidered.
        const u = await subject();
        const first = freshPassword('Q');
        await inner.resetPassword(u.entry, first);
        await inner.resetPassword(u.entry, freshPassword('Q'));
        await inner.resetPassword(u.entry, first);
        await inner.verifyPassword(u.entry, first);
      });
    }

    it('a privileged subject is refused before the directory is touched', async () => {
      const admin = (await inner.findUser('itadmin'))!;
      const before = counter.writes;
      const result = await writeback.resetPassword(admin, freshPassword('X'), ctx);
      assert.equal(result.ok, false);
      assert.equal(result.ok === false && result.code, 'directory.privileged_account');
      assert.equal((await writeback.unlock(admin, ctx)).ok, false);
      assert.equal(counter.writes, before);
      const rows = await store.listAudit({ subject: 'itadmin' });
      assert.equal(rows.length, 2);
      assert.ok(rows.every((r) => r.outcome === 'refused'));
    });

    if (kind === 'ad') {
      it('a subject outside the managed OU is refused with directory.not_in_scope', async () => {
        const outsider = (await inner.findUser('outsider'))!;
        const result = await writeback.resetPassword(outsider, freshPassword('O'), ctx);
        assert.equal(result.ok === false && result.code, 'directory.not_in_scope');
      });
    }

    it('a disabled subject is refused with directory.account_disabled, and is not unlocked', async () => {
      const u = await subject({ disabled: true });
      const before = counter.writes;
      const reset = await writeback.resetPassword(u.entry, freshPassword('D'), ctx);
      const unlock = await writeback.unlock(u.entry, ctx);
      assert.equal(reset.ok === false && reset.code, 'directory.account_disabled');
      assert.equal(unlock.ok === false && unlock.code, 'directory.account_disabled');
      assert.equal(counter.writes, before);
    });

    it('a directory refusal comes back as its code and is audited as refused', async () => {
      const u = await subject();
      const result = await writeback.resetPassword(u.entry, 'Ab1!x', ctx);
      assert.equal(result.ok === false && result.code, 'directory.password_too_short');
      const [row] = await store.listAudit({ subject: u.username });
      assert.equal(row?.errorCode, 'directory.password_too_short');
    });

    it('a self change through the writeback, then a temporary password with must-change', async () => {
      const u = await subject();
      const next = freshPassword('C');
      assert.equal((await writeback.changePassword(u.entry, u.password, next, ctx)).ok, true);
      const wrong = await writeback.changePassword(u.entry, 'Wrong-Old-1!', freshPassword('C'), ctx);
      assert.equal(wrong.ok === false && wrong.code, 'directory.invalid_credentials');
      const temp = freshPassword('T');
      assert.equal((await writeback.resetPassword(u.entry, temp, { ...ctx, mustChange: true })).ok, true);
      assert.equal((await inner.readUser(u.dn))?.status.mustChangePassword, true);
    });

    it('an empty new password is refused with writeback.invalid_input, an over-long one with password.too_long, nothing written', async () => {
      const u = await subject();
      const before = counter.writes;
      const empty = await writeback.resetPassword(u.entry, '', ctx);
      assert.equal(empty.ok === false && empty.code, 'writeback.invalid_input');
      const long = await writeback.resetPassword(u.entry, 'x'.repeat(257), ctx);
      assert.equal(long.ok === false && long.code, 'password.too_long');
      assert.equal(counter.writes, before);
    });
  });
}
