import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PasswordHistoryEntry, Store } from '../../src/store/store.ts';
import { PasswordHistory } from '../../src/writeback/password-history.ts';

const NOW = new Date('2024-05-06T07:08:09.000Z');
const COST = 1024;

/** In-memory fake of the two Store methods. It never trims, so older entries stay visible to `check`. */
class FakeStore implements Pick<Store, 'listPasswordHistory' | 'addPasswordHistory'> {
  readonly entries = new Map<string, PasswordHistoryEntry[]>();
  readonly calls: string[] = [];
  readonly keeps: number[] = [];

  async listPasswordHistory(userId: string): Promise<PasswordHistoryEntry[]> {
    this.calls.push(`list:${userId}`);
    return [...(this.entries.get(userId) ?? [])];
  }

  async addPasswordHistory(userId: string, entry: PasswordHistoryEntry, keep: number): Promise<void> {
    this.calls.push(`add:${userId}`);
    this.keeps.push(keep);
    this.entries.set(userId, [entry, ...(this.entries.get(userId) ?? [])]);
  }
}

function setup(count: number, scryptCost = COST, store = new FakeStore()) {
  return { store, history: new PasswordHistory(store, { count, scryptCost }, () => NOW) };
}

/** Check then remember, as the writeback does once the directory accepted the password. */
async function setPassword(history: PasswordHistory, userId: string, password: string): Promise<void> {
  const { entry } = await history.check(userId, password);
  await history.remember(userId, entry);
}

describe('PasswordHistory.check', () => {
  it('when the password was remembered, it is reported as reused', async () => {
    const { history } = setup(5);
    await setPassword(history, 'u1', 'Start-Pass-A1!');
    assert.equal((await history.check('u1', 'Start-Pass-A1!')).isReused, true);
  });

  it('when a different password is checked, it is not reused', async () => {
    const { history } = setup(5);
    await setPassword(history, 'u1', 'Start-Pass-A1!');
    assert.equal((await history.check('u1', 'Start-Pass-A2!')).isReused, false);
  });

  it('when the same password was remembered for another user, it is not reused for this one', async () => {
    const { history } = setup(5);
    await setPassword(history, 'u1', 'Shared-Pass-1!');
    assert.equal((await history.check('u2', 'Shared-Pass-1!')).isReused, false);
  });

  it('when the user has no history, nothing is reused and a fresh entry is proposed', async () => {
    const { history } = setup(5);
    const { isReused, entry } = await history.check('new-user', 'Any-Pass-1!');
    assert.equal(isReused, false);
    assert.equal(Buffer.from(entry.salt, 'base64').length, 16);
    assert.equal(Buffer.from(entry.hash, 'base64').length, 32);
    assert.equal(entry.params, 'N=1024,r=8,p=1');
    assert.deepEqual(entry.createdAt, NOW);
    assert.ok(!entry.hash.includes('Any-Pass'));
  });

  it('when more entries are stored than count, only the newest count are compared', async () => {
    const { history, store } = setup(3);
    for (const p of ['Oldest-1!', 'Second-2!', 'Third-3!', 'Newest-4!']) await setPassword(history, 'u1', p);
    assert.equal(store.entries.get('u1')?.length, 4, 'the fake keeps every entry');
    assert.equal((await history.check('u1', 'Oldest-1!')).isReused, false);
    for (const p of ['Second-2!', 'Third-3!', 'Newest-4!']) {
      assert.equal((await history.check('u1', p)).isReused, true, p);
    }
  });

  it('when a user has several entries, they all share one salt (one hash checks them all)', async () => {
    const { history, store } = setup(5);
    for (const p of ['One-1!', 'Two-2!', 'Three-3!']) await setPassword(history, 'u1', p);
    const salts = new Set(store.entries.get('u1')?.map((e) => e.salt));
    assert.equal(salts.size, 1);
    const { entry } = await history.check('u1', 'Four-4!');
    assert.ok(salts.has(entry.salt));
  });

  it('when two users are checked, each gets their own salt', async () => {
    const { history } = setup(5);
    const a = await history.check('u1', 'Same-Pass-1!');
    const b = await history.check('u2', 'Same-Pass-1!');
    assert.notEqual(a.entry.salt, b.entry.salt);
    assert.notEqual(a.entry.hash, b.entry.hash);
  });

  it('when the same password is checked twice for a user with history, the proposed hash is identical', async () => {
    const { history } = setup(5);
    await setPassword(history, 'u1', 'Seed-Pass-1!');
    const first = await history.check('u1', 'Again-Pass-1!');
    const second = await history.check('u1', 'Again-Pass-1!');
    assert.equal(first.entry.hash, second.entry.hash);
  });

  it('when entries were made under other parameters (N=1024) and the cost is now 2048, they are still checked', async () => {
    const store = new FakeStore();
    await setPassword(setup(5, 1024, store).history, 'u1', 'Before-Upgrade-1!');
    const upgraded = setup(5, 2048, store).history;
    const reused = await upgraded.check('u1', 'Before-Upgrade-1!');
    assert.equal(reused.isReused, true);
    assert.equal(reused.entry.params, 'N=2048,r=8,p=1');
    assert.equal((await upgraded.check('u1', 'After-Upgrade-1!')).isReused, false);
  });

  it('when entries exist under old and new parameters, the new entry takes the salt of the current-params group', async () => {
    const store = new FakeStore();
    await setPassword(setup(5, 1024, store).history, 'u1', 'Old-Params-1!');
    const upgraded = setup(5, 2048, store).history;
    await setPassword(upgraded, 'u1', 'New-Params-1!');
    const [newest, oldest] = store.entries.get('u1') ?? [];
    const { entry } = await upgraded.check('u1', 'Next-Pass-1!');
    assert.equal(entry.salt, newest?.salt);
    assert.equal(newest?.params, 'N=2048,r=8,p=1');
    assert.equal(oldest?.params, 'N=1024,r=8,p=1');
    assert.equal((await upgraded.check('u1', 'Old-Params-1!')).isReused, true);
    assert.equal((await upgraded.check('u1', 'New-Params-1!')).isReused, true);
  });

  it('when a password is typed full-width (ｐａｓｓ), it matches its ASCII form under NFKC', async () => {
    const { history } = setup(5);
    await setPassword(history, 'u1', 'ｐａｓｓ-Ｗｏｒｄ１');
    assert.equal((await history.check('u1', 'pass-Word1')).isReused, true);
  });

  it('when an ASCII password was remembered, its full-width form is reused too', async () => {
    const { history } = setup(5);
    await setPassword(history, 'u1', 'pass-Word1');
    assert.equal((await history.check('u1', 'ｐａｓｓ-Ｗｏｒｄ１')).isReused, true);
  });

  it('when an entry carries unknown parameters, check rejects instead of silently skipping it', async () => {
    const { history, store } = setup(5);
    store.entries.set('u1', [{ hash: 'AA==', salt: 'AA==', params: 'argon2id', createdAt: NOW }]);
    await assert.rejects(history.check('u1', 'Any-Pass-1!'), /unknown password history parameters/);
  });
});

describe('PasswordHistory with count 0 (disabled)', () => {
  it('when count is 0, isEnabled is false', () => {
    assert.equal(setup(0).history.isEnabled, false);
    assert.equal(setup(1).history.isEnabled, true);
  });

  it('when count is 0, a stored matching password is not reported and the store is not read', async () => {
    const store = new FakeStore();
    await setPassword(setup(5, COST, store).history, 'u1', 'Stored-Pass-1!');
    store.calls.length = 0;
    const { isReused } = await setup(0, COST, store).history.check('u1', 'Stored-Pass-1!');
    assert.equal(isReused, false);
    assert.deepEqual(store.calls, []);
  });

  it('when count is 0, remember writes nothing', async () => {
    const { history, store } = setup(0);
    const { entry } = await history.check('u1', 'Any-Pass-1!');
    await history.remember('u1', entry);
    assert.deepEqual(store.calls, []);
    assert.equal(store.entries.size, 0);
  });
});

describe('PasswordHistory.remember', () => {
  it('when enabled, it appends the entry and asks the store to keep exactly count entries', async () => {
    const { history, store } = setup(7);
    const { entry } = await history.check('u1', 'Any-Pass-1!');
    await history.remember('u1', entry);
    assert.deepEqual(store.keeps, [7]);
    assert.deepEqual(store.entries.get('u1'), [entry]);
  });
});
