import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectoryUser } from '../../../src/directory/directory.ts';
import {
  createPasswordPolicy,
  DEFAULT_POLICY_SETTINGS,
  POLICY_CODES,
  type PolicyResult,
} from '../../../src/policy/password-policy.ts';
import { policyCheckFor, policyContextFor, toErrorCode } from '../../../src/policy/policy-check.ts';

const policy = createPasswordPolicy(DEFAULT_POLICY_SETTINGS);
const codes = (result: PolicyResult) => result.failures.map((failure) => failure.code);

function givenUser(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    dn: 'CN=John Smith,OU=Staff,DC=example,DC=com',
    id: '00000000-0000-0000-0000-000000000001',
    username: 'jsmith',
    userPrincipalName: 'jsmith@example.com',
    mail: 'john.smith@example.com',
    displayName: 'John Smith',
    givenName: 'John',
    surname: 'Smith',
    mobile: null,
    department: 'Finance',
    status: {
      isDisabled: false,
      isLocked: false,
      mustChangePassword: false,
      passwordLastSet: null,
      passwordExpiresAt: null,
      isPrivileged: false,
      isInScope: true,
    },
    ...overrides,
  };
}

describe('checklist and describe', () => {
  it('lists every active rule once, in report order, with its params', () => {
    const result = policy.checkOffline('short', {});
    assert.deepEqual(
      result.checklist.map((item) => item.rule),
      [
        'password.too_short',
        'password.too_long',
        'password.personal',
        'password.breached',
        'password.banned',
        'password.too_weak',
      ],
    );
    assert.deepEqual(result.checklist[0], { rule: 'password.too_short', isMet: false, params: { min: 15 } });
    assert.deepEqual(result.checklist[1], { rule: 'password.too_long', isMet: true, params: { max: 256 } });
  });

  it('reports every failed rule, and the first is the primary refusal', () => {
    const result = policy.checkOffline('Jsmith1', { username: 'jsmith' });
    assert.deepEqual(codes(result), ['password.too_short', 'password.personal', 'password.too_weak']);
    assert.equal(result.isAccepted, false);
  });

  it('describes the rules in force for the page, without the unavailable-check pseudo rule', () => {
    const strict = createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minLength: 12, minClasses: 3 });
    assert.deepEqual(strict.describe(), [
      { rule: 'password.too_short', params: { min: 12 } },
      { rule: 'password.too_long', params: { max: 256 } },
      { rule: 'password.too_few_classes', params: { min: 3 } },
      { rule: 'password.personal', params: {} },
      { rule: 'password.too_similar', params: { min: 4 } },
      { rule: 'password.breached', params: {} },
      { rule: 'password.banned', params: {} },
      { rule: 'password.too_weak', params: {} },
    ]);
  });

  it('never puts any part of the password into params', () => {
    const password = 'Contoso-Secret-Winter-2024';
    const result = createPasswordPolicy({
      ...DEFAULT_POLICY_SETTINGS,
      bannedWords: ['contoso'],
    }).checkOffline(password, {});
    const serialised = JSON.stringify(result).toLowerCase();
    for (const part of ['contoso', 'secret', 'winter', '2024']) assert.ok(!serialised.includes(part), part);
  });

  it('exposes codes that all belong to the password namespace', () => {
    for (const code of POLICY_CODES) assert.match(code, /^password\.[a-z_]+$/);
  });
});

describe('length', () => {
  it('counts code points after NFKC against min and max', () => {
    const tight = createPasswordPolicy({
      ...DEFAULT_POLICY_SETTINGS,
      minLength: 4,
      maxLength: 20,
      minStrengthScore: 0,
      bannedMinScore: 0,
    });
    assert.deepEqual(codes(tight.checkOffline('\u{1F436}\u{1F431}\u{1F42D}', {})), ['password.too_short']);
    assert.deepEqual(codes(tight.checkOffline('\u{1F436}\u{1F431}\u{1F42D}\u{1F439}', {})), []);
    assert.deepEqual(codes(tight.checkOffline('x'.repeat(21), {})), ['password.too_long']);
  });

  it('bounds the work on absurd input: a megabyte is refused as too long, quickly', () => {
    const started = performance.now();
    const result = policy.checkOffline('ab'.repeat(500_000), {});
    assert.ok(codes(result).includes('password.too_long'));
    assert.ok(performance.now() - started < 2_000);
  });
});

describe('character classes (off by default)', () => {
  const classes = createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minClasses: 3 });

  it('requires the configured number of classes out of five (a space is a symbol)', () => {
    assert.deepEqual(codes(classes.checkOffline('violet kangaroo juggles', {})), [
      'password.too_few_classes',
    ]);
    assert.deepEqual(codes(classes.checkOffline('violet Kangaroo juggles', {})), []);
  });

  it('counts lower, upper, digit, symbol and caseless letters', () => {
    assert.deepEqual(codes(classes.checkOffline('violetkangaroojuggles', {})), ['password.too_few_classes']);
    assert.deepEqual(codes(classes.checkOffline('VioletKangarooJuggles', {})), ['password.too_few_classes']);
    assert.deepEqual(codes(classes.checkOffline('VioletKangarooJuggles7', {})), []);
    assert.deepEqual(
      codes(
        classes.checkOffline(
          '\u6211\u7684\u5bc6\u7801\u5f88\u957f\u5f88\u96be\u731c\u6d4b\u4e00\u4e8c-\u4e09\u56db7',
          {},
        ),
      ),
      [],
    );
  });

  it('is absent from the checklist when set to 0', () => {
    assert.ok(
      !policy.checkOffline('x', {}).checklist.some((item) => item.rule === 'password.too_few_classes'),
    );
  });
});

describe('settings', () => {
  it('refuses nonsense settings at creation, naming them', () => {
    assert.throws(() => createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minLength: 0 }), /minLength/);
    assert.throws(
      () => createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minLength: 20, maxLength: 10 }),
      /maxLength/,
    );
    assert.throws(() => createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, maxLength: 300 }), /maxLength/);
    assert.throws(
      () => createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minStrengthScore: 5 }),
      /minStrengthScore/,
    );
    assert.throws(() => createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minClasses: 1.5 }), /minClasses/);
  });

  it('turns the strength rule off at score 0', () => {
    const off = createPasswordPolicy({ ...DEFAULT_POLICY_SETTINGS, minStrengthScore: 0 });
    assert.deepEqual(codes(off.checkOffline('aaaaaaaaaaaaaaaa', {})), []);
  });

  it('uses the configured points threshold for banned words', () => {
    const lenient = createPasswordPolicy({
      ...DEFAULT_POLICY_SETTINGS,
      bannedMinScore: 3,
      minStrengthScore: 0,
    });
    assert.deepEqual(codes(lenient.checkOffline('SummerWinterAutumn1', {})), []);
    const strict = createPasswordPolicy({
      ...DEFAULT_POLICY_SETTINGS,
      bannedMinScore: 8,
      minStrengthScore: 0,
    });
    assert.deepEqual(codes(strict.checkOffline('Company-Welcome-Login', {})), ['password.banned']);
  });
});

describe('async check without a range URL', () => {
  it('gives the offline result', async () => {
    const result = await policy.check('short', {});
    assert.deepEqual(result, policy.checkOffline('short', {}));
    assert.equal(result.breachRange, 'not_configured');
  });
});

describe('policyCheckFor (the writeback adapter)', () => {
  const policyCheck = policyCheckFor(policy);
  const check = async (password: string, user: DirectoryUser, previousPassword?: string) =>
    (await policyCheck(password, user, { previousPassword }))?.code ?? null;

  it('maps the DirectoryUser to the context: a password holding the surname is refused', async () => {
    assert.equal(await check('smith-loves-purple-kangaroos', givenUser()), toErrorCode('password.personal'));
    assert.equal(
      await check(
        'smith-loves-purple-kangaroos',
        givenUser({ surname: 'Jones', mail: 'john.jones@example.com' }),
      ),
      null,
    );
  });

  it('returns the primary refusal code with its params, or null when accepted', async () => {
    assert.deepEqual(await policyCheck('short', givenUser()), {
      code: 'password.too_short',
      params: { min: 15 },
    });
    assert.equal(await check('copper lantern whistles sideways', givenUser()), null);
  });

  it('takes the previous password when the change flow knows it', async () => {
    const code = await check(
      'copper lantern whistles sideways!',
      givenUser(),
      'copper lantern whistles sideways',
    );
    assert.equal(code, toErrorCode('password.too_similar'));
  });

  it('builds the context from the directory attributes', () => {
    assert.deepEqual(policyContextFor(givenUser(), 'old'), {
      username: 'jsmith',
      givenName: 'John',
      surname: 'Smith',
      mail: 'john.smith@example.com',
      department: 'Finance',
      previousPassword: 'old',
    });
  });

  it('passes codes already in the ErrorCode catalogue through unchanged', () => {
    assert.equal(toErrorCode('password.too_short'), 'password.too_short');
    assert.equal(toErrorCode('password.too_long'), 'password.too_long');
  });
});
