import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createDirectory } from '../../src/directory/create-directory.ts';
import {
  type Directory,
  type DirectoryKind,
  type DirectoryUser,
  MAX_GROUP_NESTING,
} from '../../src/directory/directory.ts';
import { AppError, type ErrorCode } from '../../src/errors.ts';
import {
  addGroupMember,
  badBinds,
  directoryConfig,
  freshPassword,
  givenGroup,
  givenUser,
  helpdeskGroupDn,
  readAsAdmin,
  removeTestGroups,
  removeTestUsers,
  replaceAsAdmin,
  type TestGroup,
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

    describe('isMemberOf', () => {
      const groups: TestGroup[] = [];
      const group = async (members: string[], options?: Parameters<typeof givenGroup>[2]) => {
        const g = await givenGroup(kind, members, options);
        groups.push(g);
        return g;
      };
      const seeded = async (login: string) => {
        const u = await directory.findUser(login);
        assert.ok(u, `seeded user ${login} not found`);
        return u;
      };
      after(() => removeTestGroups(kind, groups));

      it('hdesk is a member of the seeded helpdesk group; alice is not', async () => {
        const helpdesk = helpdeskGroupDn(kind);
        assert.equal(await directory.isMemberOf(await seeded('hdesk'), helpdesk), true);
        assert.equal(await directory.isMemberOf(await seeded('alice'), helpdesk), false);
        // DNs compare as DNs, not as strings.
        assert.equal(await directory.isMemberOf(await seeded('hdesk'), helpdesk.toUpperCase()), true);
      });

      it('a group that holds the helpdesk group passes membership on, two levels up; a cycle ends', async () => {
        const hdesk = await seeded('hdesk');
        const alice = await seeded('alice');
        const outer = await group([helpdeskGroupDn(kind)]);
        const outermost = await group([outer.dn]);
        assert.equal(await directory.isMemberOf(hdesk, outer.dn), true);
        assert.equal(await directory.isMemberOf(hdesk, outermost.dn), true);
        assert.equal(await directory.isMemberOf(alice, outer.dn), false);
        assert.equal(await directory.isMemberOf(alice, outermost.dn), false);
        // outer -> outermost -> outer: both adapters still answer, and nothing changes.
        await addGroupMember(kind, outer.dn, outermost.dn);
        assert.equal(await directory.isMemberOf(hdesk, outermost.dn), true);
        assert.equal(await directory.isMemberOf(alice, outermost.dn), false);
      });

      it('a direct member counts, and is no longer one once removed (membership is read fresh)', async () => {
        const u = await user();
        const g = await group([u.dn, helpdeskGroupDn(kind)]);
        assert.equal(await directory.isMemberOf(u.entry, g.dn), true);
        await replaceAsAdmin(kind, g.dn, { member: [helpdeskGroupDn(kind)] });
        assert.equal(await directory.isMemberOf(u.entry, g.dn), false);
      });

      if (kind === 'ad') {
        it('AD: a group DN that is missing, not a group, or a distribution group throws directory.error naming it', async () => {
          const alice = await seeded('alice');
          const missing = `CN=no-such-group-${Date.now()},OU=Staff,DC=sspr,DC=test`;
          for (const dn of [missing, alice.dn, 'not a dn']) {
            await assert.rejects(directory.isMemberOf(alice, dn), (error: unknown) => {
              assert.ok(error instanceof AppError);
              assert.equal(error.code, 'directory.error');
              assert.ok(error.message.includes(dn), error.message);
              return true;
            });
          }
          const distribution = await group([alice.dn]);
          await replaceAsAdmin(kind, distribution.dn, { groupType: ['2'] }); // global distribution group
          await rejectsWith(directory.isMemberOf(alice, distribution.dn), 'directory.error');
          // Not cached as a failure: once it is a security group again, it answers.
          await replaceAsAdmin(kind, distribution.dn, { groupType: [String(0x80000002 | 0)] });
          assert.equal(await directory.isMemberOf(alice, distribution.dn), true);
        });
      }

      if (kind === 'openldap') {
        it('OpenLDAP: a group DN that does not exist is a group nobody is in (false)', async () => {
          const hdesk = await seeded('hdesk');
          assert.equal(
            await directory.isMemberOf(hdesk, 'cn=no-such-group,ou=groups,dc=sspr,dc=test'),
            false,
          );
          assert.equal(await directory.isMemberOf(hdesk, 'not a dn'), false);
        });

        it('OpenLDAP: groupOfUniqueNames counts, nested in a groupOfNames too', async () => {
          const hdesk = await seeded('hdesk');
          const unique = await group([hdesk.dn], { uniqueNames: true });
          const outer = await group([unique.dn]);
          assert.equal(await directory.isMemberOf(hdesk, unique.dn), true);
          assert.equal(await directory.isMemberOf(hdesk, outer.dn), true);
          assert.equal(await directory.isMemberOf(await seeded('alice'), outer.dn), false);
        });

        it(`OpenLDAP: nesting is followed to ${MAX_GROUP_NESTING} levels and no further`, async () => {
          const hdesk = await seeded('hdesk');
          // Level 1 is the helpdesk group itself; each new group adds one level.
          const chain = [helpdeskGroupDn(kind)];
          for (let level = 2; level <= MAX_GROUP_NESTING + 1; level++) {
            chain.push((await group([chain.at(-1)!])).dn);
          }
          assert.equal(await directory.isMemberOf(hdesk, chain[MAX_GROUP_NESTING - 1]!), true);
          assert.equal(await directory.isMemberOf(hdesk, chain[MAX_GROUP_NESTING]!), false);
        });
      }
    });

    describe('searchUsers', () => {
      /** The attributes each adapter searches, to check every hit against the query literally. */
      const searched =
        kind === 'ad'
          ? ['sAMAccountName', 'userPrincipalName', 'mail', 'displayName', 'givenName', 'sn']
          : ['uid', 'mail', 'displayName', 'givenName', 'sn', 'cn'];
      /** True when one of the searched attributes literally starts with the query (case-insensitive). */
      const literallyMatches = async (dn: string, query: string) => {
        const entry = await readAsAdmin(kind, dn, searched);
        const q = query.normalize('NFKC').trim().toLowerCase();
        return searched.some((a) => {
          const value = entry?.[a];
          const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
          return values.some((v) => String(v).toLowerCase().startsWith(q));
        });
      };
      const assertOnlyLiteralMatches = async (query: string, users: { dn: string }[]) => {
        for (const u of users) {
          assert.ok(
            await literallyMatches(u.dn, query),
            `${u.dn} does not start with ${JSON.stringify(query)}`,
          );
        }
      };
      const usernames = (users: { username: string }[]) => users.map((u) => u.username);

      it('finds alice by login prefix, with a helpdesk summary only, and only matching entries', async () => {
        const { users, isTruncated } = await directory.searchUsers('ali', { limit: 50 });
        assert.equal(isTruncated, false);
        const alice = users.find((u) => u.username === 'alice');
        assert.ok(alice, `alice not in ${usernames(users)}`);
        const full = await directory.findUser('alice');
        assert.deepEqual(alice, {
          dn: full?.dn,
          id: full?.id,
          username: 'alice',
          displayName: 'Alice Liddell',
          department: null,
          mail: 'alice@sspr.test',
          isInScope: true,
        });
        await assertOnlyLiteralMatches('ali', users);
        const sorted = [...usernames(users)].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
        assert.deepEqual(usernames(users), sorted);
      });

      for (const query of ['Liddell', 'liddell', 'Alice Lid', 'alice@sspr', 'ａｌｉｃｅ', '  alice  ']) {
        it(`finds alice by ${JSON.stringify(query)} (surname, case, displayName, mail prefix, NFKC, trim)`, async () => {
          const { users } = await directory.searchUsers(query, { limit: 10 });
          assert.ok(usernames(users).includes('alice'), `alice not in ${usernames(users)}`);
          await assertOnlyLiteralMatches(query, users);
        });
      }

      for (const query of [
        '*',
        '**',
        'a*)(uid=*',
        '*)(objectClass=*',
        'al*',
        '\\00',
        'al\\2a',
        'ali)',
        '(ali',
      ]) {
        it(`a query with filter syntax (${JSON.stringify(query)}) is matched literally, never as a wildcard`, async () => {
          const { users } = await directory.searchUsers(query, { limit: 50 });
          assert.ok(!usernames(users).includes('alice'), `wildcard leak: ${usernames(users)}`);
          await assertOnlyLiteralMatches(query, users);
        });
      }

      for (const query of [
        '',
        ' ',
        'a',
        ' a ',
        'ａ',
        'x'.repeat(65),
        'ali\u0000',
        'al\nice',
        'y'.repeat(100_000),
      ]) {
        it(`a query that is too short, too long or has control characters (${JSON.stringify(query.slice(0, 12))}) finds nothing`, async () => {
          assert.deepEqual(await directory.searchUsers(query, { limit: 50 }), {
            users: [],
            isTruncated: false,
          });
        });
      }

      it('never returns more than the limit: the first ones by username, flagged as truncated', async () => {
        const surname = `Zs${randomBytes(4).toString('hex')}`;
        const three = [await user(), await user(), await user()];
        for (const u of three) await replaceAsAdmin(kind, u.dn, { sn: [surname] });
        const expected = three.map((u) => u.username).sort();

        const two = await directory.searchUsers(surname, { limit: 2 });
        assert.deepEqual(usernames(two.users), expected.slice(0, 2));
        assert.equal(two.isTruncated, true);

        const all = await directory.searchUsers(surname.toLowerCase(), { limit: 3 });
        assert.deepEqual(usernames(all.users), expected);
        assert.equal(all.isTruncated, false);

        assert.equal((await directory.searchUsers(surname, { limit: 1000 })).users.length, 3);
        assert.deepEqual(await directory.searchUsers(surname, { limit: 0 }), {
          users: [],
          isTruncated: false,
        });
      });

      it('filter characters in a real value are found literally, and only literally', async () => {
        const tag = `Q${randomBytes(4).toString('hex')}`;
        const u = await user();
        await replaceAsAdmin(kind, u.dn, { sn: [`${tag}*(x)\\y`] });
        const search = async (q: string) => usernames((await directory.searchUsers(q, { limit: 5 })).users);
        assert.deepEqual(await search(`${tag}*(x)\\`), [u.username]);
        assert.deepEqual(await search(`${tag}*`), [u.username]);
        assert.deepEqual(await search(`${tag}*x`), []); // as a wildcard this would match
        assert.deepEqual(await search(`${tag}(`), []);
      });

      it('searches the whole base DN and flags users outside the managed OUs', async () => {
        // AD: outsider lives in CN=Users; OpenLDAP: itadmin lives in ou=admins.
        const outside = kind === 'ad' ? 'outsider' : 'itadmin';
        const { users } = await directory.searchUsers(outside, { limit: 5 });
        const found = users.find((u) => u.username === outside);
        assert.equal(found?.isInScope, false);
      });

      if (kind === 'ad') {
        it('AD: finds by userPrincipalName prefix, and only person entries (no groups)', async () => {
          const u = await user();
          const byUpn = await directory.searchUsers(`${u.username}@sspr`, { limit: 5 });
          assert.deepEqual(usernames(byUpn.users), [u.username]); // its mail is <name>.mail@…
          const helpdesk = await directory.searchUsers('SSPR-Help', { limit: 5 });
          assert.deepEqual(helpdesk.users, []);
        });
      } else {
        it('OpenLDAP: finds by mail prefix and cn, and only inetOrgPerson entries (no groups)', async () => {
          const u = await user();
          assert.deepEqual(
            usernames((await directory.searchUsers(`${u.username}.mail@`, { limit: 5 })).users),
            [u.username],
          );
          const helpdesk = await directory.searchUsers('sspr-help', { limit: 5 });
          assert.deepEqual(helpdesk.users, []);
        });
      }
    });
  });
}
