import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDirectory } from '../../src/directory/create-directory.ts';
import type { Directory, DirectoryKind, DirectoryUser } from '../../src/directory/directory.ts';
import { AppError, type ErrorCode } from '../../src/errors.ts';
import {
  badBinds,
  directoryConfig,
  freshPassword,
  givenUser,
  removeTestUsers,
  type TestUser,
} from '../support/directory-servers.ts';

/** Awaits `promise` and asserts it rejects with an AppError of `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppError, `expected AppError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

/**
 * One suite, run against Samba AD and OpenLDAP: every Directory operation the writeback uses,
 * each refusal with its own code. Users are made fresh per test by `givenUser`.
 */
export function directoryContract(kind: DirectoryKind): void {
  describe(`Directory contract: ${kind}`, () => {
    let directory: Directory;
    const made: TestUser[] = [];
    const user = async (options?: Parameters<typeof givenUser>[1]) => {
      const u = await givenUser(kind, options);
      made.push(u);
      const found = await directory.findUser(u.username);
      assert.ok(found, `test user ${u.username} not found`);
      return { ...u, entry: found as DirectoryUser };
    };

    before(() => {
      directory = createDirectory(directoryConfig(kind));
    });
    after(async () => {
      await directory.close();
      await removeTestUsers(kind, made);
    });

    it('finds a seeded user by login and by mail, with profile and a clean status', async () => {
      const byLogin = await directory.findUser('alice');
      const byMail = await directory.findUser('alice@sspr.test');
      assert.ok(byLogin && byMail);
      assert.equal(byLogin.username, 'alice');
      assert.equal(byMail.dn, byLogin.dn);
      assert.equal(byLogin.mobile, '+447700900001');
      assert.match(byLogin.id, /^[0-9a-f-]{36}$/);
      assert.deepEqual(
        { ...byLogin.status, passwordLastSet: null, passwordExpiresAt: null },
        {
          isDisabled: false,
          isLocked: false,
          mustChangePassword: false,
          passwordLastSet: null,
          passwordExpiresAt: null,
          isPrivileged: false,
          isInScope: true,
        },
      );
      // The seed is loaded with slapadd on OpenLDAP (no pwdChangedTime): check after a reset instead.
      const made = await user();
      await directory.resetPassword(made.entry, freshPassword('L'));
      const lastSet = (await directory.readUser(made.dn))?.status.passwordLastSet;
      const age = Date.now() - (lastSet?.getTime() ?? 0);
      assert.ok(age >= -5_000 && age < 120_000, `passwordLastSet ${lastSet}`);
    });

    it('when the login is unknown, it returns null', async () => {
      assert.equal(await directory.findUser('nobody-by-this-name'), null);
    });

    for (const input of [
      '*',
      'alice)(|(uid=*',
      'alice)(|(sAMAccountName=*',
      '*)(objectClass=*',
      'al*',
      'alice\u0000',
      '\\00',
      'a'.repeat(300),
      'x'.repeat(100_000),
    ]) {
      it(`when the login is an injection attempt (${JSON.stringify(input.slice(0, 24))}), it finds nothing and does not throw`, async () => {
        assert.equal(await directory.findUser(input), null);
      });
    }

    it('when the password is right, verifyPassword resolves; when wrong, it says invalid_credentials', async () => {
      const u = await user();
      await directory.verifyPassword(u.entry, u.password);
      await rejectsWith(
        directory.verifyPassword(u.entry, 'Not-The-Password-1!'),
        'directory.invalid_credentials',
      );
    });

    it('an administrative reset sets a password the user can bind with', async () => {
      const u = await user();
      const next = freshPassword();
      await directory.resetPassword(u.entry, next);
      await directory.verifyPassword(u.entry, next);
      // Samba keeps accepting the previous password for "old password allowed period" (60 min by
      // default) after a reset, so the old-password refusal is asserted on OpenLDAP only.
      if (kind === 'openldap') {
        await rejectsWith(directory.verifyPassword(u.entry, u.password), 'directory.invalid_credentials');
      }
    });

    it('a reset shorter than the directory minimum is refused with password_too_short', async () => {
      const u = await user();
      await rejectsWith(directory.resetPassword(u.entry, 'Ab1!x'), 'directory.password_too_short');
    });

    it('a reset that fails the quality rules is refused with password_not_complex', async () => {
      const u = await user();
      // Samba checks complexity (3 of 4 classes); OpenLDAP without a quality module refuses pre-hashed values.
      const weak = kind === 'ad' ? 'alllowercaseletters' : '{SSHA}c2VjcmV0c2FsdHNhbHQ=';
      await rejectsWith(directory.resetPassword(u.entry, weak), 'directory.password_not_complex');
    });

    it('a password from history is refused with password_in_history by the directory', async () => {
      const u = await user();
      const first = freshPassword('H');
      const second = freshPassword('H');
      if (kind === 'ad') {
        // Samba enforces history on a self change only (never on an administrative reset).
        await directory.changePassword(u.entry, u.password, first);
        await directory.changePassword(u.entry, first, second);
        await rejectsWith(directory.changePassword(u.entry, second, first), 'directory.password_in_history');
      } else {
        await directory.resetPassword(u.entry, first);
        await directory.resetPassword(u.entry, second);
        await rejectsWith(directory.resetPassword(u.entry, first), 'directory.password_in_history');
      }
    });

    it('a self change with the right old password works; with a wrong one it says invalid_credentials', async () => {
      const u = await user();
      const next = freshPassword('C');
      await rejectsWith(
        directory.changePassword(u.entry, 'Wrong-Old-Pass-1!', next),
        'directory.invalid_credentials',
      );
      await directory.changePassword(u.entry, u.password, next);
      await directory.verifyPassword(u.entry, next);
    });

    it('bad binds lock the account: status says locked, the right password says account_locked, unlock restores it', async () => {
      const u = await user();
      await badBinds(kind, u.dn, 5);
      const locked = await directory.readUser(u.dn);
      assert.equal(locked?.status.isLocked, true);
      await rejectsWith(directory.verifyPassword(u.entry, u.password), 'directory.account_locked');
      await directory.unlock(u.entry);
      assert.equal((await directory.readUser(u.dn))?.status.isLocked, false);
      await directory.verifyPassword(u.entry, u.password);
    });

    it('unlock on an account that is not locked is a harmless no-op', async () => {
      const u = await user();
      await directory.unlock(u.entry);
      await directory.verifyPassword(u.entry, u.password);
    });

    it('force change at next logon is observed in status and at bind, and a self change clears it', async () => {
      const u = await user();
      await directory.forcePasswordChange(u.entry);
      assert.equal((await directory.readUser(u.dn))?.status.mustChangePassword, true);
      await rejectsWith(directory.verifyPassword(u.entry, u.password), 'directory.must_change_password');
      const next = freshPassword('M');
      await directory.changePassword(u.entry, u.password, next);
      assert.equal((await directory.readUser(u.dn))?.status.mustChangePassword, false);
      await directory.verifyPassword(u.entry, next);
    });

    it('a reset with mustChange sets the temporary password and the must-change flag together', async () => {
      const u = await user();
      const temporary = freshPassword('T');
      await directory.resetPassword(u.entry, temporary, { mustChange: true });
      assert.equal((await directory.readUser(u.dn))?.status.mustChangePassword, true);
      await rejectsWith(directory.verifyPassword(u.entry, temporary), 'directory.must_change_password');
    });

    it('a disabled account reads as disabled and its bind says account_disabled', async () => {
      const u = await user({ disabled: true });
      assert.equal(u.entry.status.isDisabled, true);
      await rejectsWith(directory.verifyPassword(u.entry, u.password), 'directory.account_disabled');
    });

    it('the seeded admin reads as privileged or out of scope, and the service account cannot reset it', async () => {
      const admin = await directory.findUser('itadmin');
      assert.ok(admin);
      assert.equal(admin.status.isPrivileged, true);
      if (kind === 'openldap') assert.equal(admin.status.isInScope, false);
      await rejectsWith(directory.resetPassword(admin, freshPassword('X')), 'directory.insufficient_rights');
      await rejectsWith(directory.unlock(admin), 'directory.insufficient_rights');
    });

    if (kind === 'ad') {
      it('finds by UPN and by DOMAIN\\name, and marks users outside the managed OU as not in scope', async () => {
        assert.equal((await directory.findUser('bob@sspr.test'))?.username, 'bob');
        assert.equal((await directory.findUser('SSPR\\bob'))?.username, 'bob');
        const outsider = await directory.findUser('outsider');
        assert.equal(outsider?.status.isInScope, false);
        await rejectsWith(
          directory.resetPassword(outsider!, freshPassword('O')),
          'directory.insufficient_rights',
        );
      });
    }
  });
}
