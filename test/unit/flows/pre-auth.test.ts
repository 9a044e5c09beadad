import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Directory, DirectoryUser } from '../../../src/directory/directory.ts';
import { AppError, type ErrorCode } from '../../../src/errors.ts';
import { findSubject, loginKey, provePassword } from '../../../src/flows/pre-auth.ts';

/** Pre-auth steps as pure logic: the per-account key, and what a refused bind reads as. */

describe('loginKey', () => {
  it('a DOMAIN\\ prefix and letter case do not change the key: SSPR\\Alice, x1\\alice and alice share one', () => {
    assert.equal(loginKey('SSPR\\Alice'), loginKey('alice'));
    assert.equal(loginKey('x1\\alice'), loginKey('alice'));
    assert.equal(loginKey('  ALICE  '), loginKey('alice'));
    assert.notEqual(loginKey('alice'), loginKey('bob'));
    assert.notEqual(loginKey('SSPR\\alice'), loginKey('SSPR\\bob'));
  });

  it('full-width spelling folds to the same key (NFKC)', () => {
    assert.equal(loginKey('ａｌｉｃｅ'), loginKey('alice'));
  });

  it('a 10 kB login gets a stable key of bounded length, different from the empty string, whitespace and a 10 kB + 1 login', () => {
    const huge = 'a'.repeat(10 * 1024);
    const key = loginKey(huge);
    assert.equal(loginKey(huge), key, 'stable');
    assert.ok(key.length < 100, `bounded key length (got ${key.length})`);
    assert.notEqual(key, loginKey(''));
    assert.notEqual(key, loginKey('   '));
    assert.notEqual(key, loginKey(`${huge}a`));
    assert.notEqual(key, loginKey('a'));
    assert.notEqual(loginKey(''), loginKey('   '), 'input no login can be still keys by what was typed');
  });

  it('input no login can be never shares a key with a real login', () => {
    const controls = 'alice\u0000';
    assert.notEqual(loginKey(controls), loginKey('alice'));
    assert.equal(loginKey(controls), loginKey(controls));
  });
});

function givenSubject(): DirectoryUser {
  return {
    dn: 'uid=jdoe,ou=people,dc=example,dc=test',
    id: 'id-jdoe',
    username: 'jdoe',
    userPrincipalName: null,
    mail: null,
    displayName: null,
    givenName: null,
    surname: null,
    mobile: null,
    department: null,
    status: {
      isDisabled: false,
      isLocked: false,
      mustChangePassword: false,
      passwordLastSet: null,
      passwordExpiresAt: null,
      isPrivileged: true,
      isInScope: false,
    },
  };
}

/** A directory whose bind answers with `bindError` (or succeeds), recording what it was asked. */
function fakeDirectory(bindError: ErrorCode | null, found: DirectoryUser | null = null) {
  const binds: string[] = [];
  const reads: string[] = [];
  const finds: string[] = [];
  const directory: Pick<Directory, 'findUser' | 'readUser' | 'verifyPassword'> = {
    async findUser(login) {
      finds.push(login);
      return found;
    },
    async readUser(dn) {
      reads.push(dn);
      return null;
    },
    async verifyPassword(user) {
      binds.push(user.dn);
      if (bindError) throw new AppError(bindError);
    },
  };
  return { directory, binds, reads, finds };
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );

describe('provePassword', () => {
  const options = { decoyParentDn: 'ou=people,dc=example,dc=test', isChangeDueProof: false };

  for (const refusal of ['directory.account_locked', 'directory.account_disabled'] as const) {
    it(`a bind refused with ${refusal} reads as directory.invalid_credentials, like an unknown login`, async () => {
      const real = fakeDirectory(refusal);
      const unknown = fakeDirectory(null);
      assert.equal(
        await codeOf(provePassword(real.directory, givenSubject(), 'pw', options)),
        'directory.invalid_credentials',
      );
      assert.equal(
        await codeOf(provePassword(unknown.directory, null, 'pw', options)),
        'directory.invalid_credentials',
      );
      assert.equal(unknown.binds.length, 1, 'an unknown login still costs one bind (the decoy)');
    });
  }

  it('a privileged, out-of-scope subject with the right password is returned: its state is told only after proof', async () => {
    const subject = givenSubject();
    const { directory } = fakeDirectory(null);
    assert.equal(await provePassword(directory, subject, 'pw', options), subject);
  });

  it('a change-due refusal proves the password only when isChangeDueProof', async () => {
    for (const code of ['directory.must_change_password', 'directory.password_expired'] as const) {
      const { directory } = fakeDirectory(code);
      assert.equal(await codeOf(provePassword(directory, givenSubject(), 'pw', options)), code);
      const proven = await provePassword(directory, givenSubject(), 'pw', {
        ...options,
        isChangeDueProof: true,
      });
      assert.equal(proven.username, 'jdoe');
    }
  });
});

describe('findSubject', () => {
  it('an unknown login reads the decoy entry; a found one does not; input no login can be never reaches findUser', async () => {
    const unknown = fakeDirectory(null, null);
    assert.equal(await findSubject(unknown.directory, 'nobody', 'cn=decoy'), null);
    assert.deepEqual(unknown.reads, ['cn=decoy']);

    const known = fakeDirectory(null, givenSubject());
    assert.equal((await findSubject(known.directory, 'jdoe', 'cn=decoy'))?.username, 'jdoe');
    assert.deepEqual(known.reads, []);

    const junk = fakeDirectory(null, givenSubject());
    assert.equal(await findSubject(junk.directory, 'x'.repeat(10 * 1024), 'cn=decoy'), null);
    assert.deepEqual(junk.finds, []);
    assert.deepEqual(junk.reads, ['cn=decoy'], 'junk costs the decoy read like an unknown login');
  });
});
