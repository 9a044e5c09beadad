import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OutboxSmsSender } from '../../../src/mfa/outbox-sms-sender.ts';

let dir: string;
let counter = 0;
/** A fresh outbox path in a directory that does not exist yet. */
const newFile = () => join(dir, `run-${++counter}`, 'nested', 'outbox.jsonl');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sspr-outbox-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OutboxSmsSender', () => {
  it('when sending, it creates the directory and appends one JSON line { at, to, text }', async () => {
    const file = newFile();
    const sender = new OutboxSmsSender(file, () => new Date('2025-01-02T03:04:05.000Z'));
    await sender.send('+15550100', 'Your code is 123456.\nIt expires in 5 minutes.');
    const lines = (await readFile(file, 'utf8')).split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[1], '');
    assert.deepEqual(JSON.parse(lines[0]!), {
      at: '2025-01-02T03:04:05.000Z',
      to: '+15550100',
      text: 'Your code is 123456.\nIt expires in 5 minutes.',
    });
    assert.equal(sender.id, 'outbox');
  });

  it('when the outbox is written, only its owner may read it (mode 0600)', async () => {
    const file = newFile();
    await new OutboxSmsSender(file).send('+15550100', 'x');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  it('when reading the last n messages, they come newest first', async () => {
    const sender = new OutboxSmsSender(newFile());
    for (const text of ['one', 'two', 'three']) await sender.send('+15550100', text);
    assert.deepEqual(
      (await sender.readLast(2)).map((m) => m.text),
      ['three', 'two'],
    );
    assert.deepEqual(
      (await sender.readLast(10)).map((m) => m.text),
      ['three', 'two', 'one'],
    );
    assert.deepEqual(await sender.readLast(0), []);
  });

  it('when nothing was sent yet, readLast returns an empty list', async () => {
    assert.deepEqual(await new OutboxSmsSender(newFile()).readLast(5), []);
  });

  it('when the file holds a torn or foreign line, readLast skips it', async () => {
    const file = newFile();
    const sender = new OutboxSmsSender(file);
    await sender.send('+15550100', 'first');
    await appendFile(file, '{"at":"x","to":\n[1,2]\n{"at":1,"to":"a","text":"b"}\n');
    await sender.send('+15550100', 'second');
    assert.deepEqual(
      (await sender.readLast(5)).map((m) => m.text),
      ['second', 'first'],
    );
  });

  it('when 50 long messages are sent concurrently, the file has 50 valid lines in send order', async () => {
    const file = newFile();
    const sender = new OutboxSmsSender(file);
    const texts = Array.from({ length: 50 }, (_, i) => `${i}:${'x'.repeat(8000)}`);
    await Promise.all(texts.map((text) => sender.send('+15550100', text)));
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    assert.equal(lines.length, 50);
    const parsed = lines.map((line) => JSON.parse(line) as { text: string });
    assert.deepEqual(
      parsed.map((m) => m.text),
      texts,
    );
  });

  it('when a write fails, that send rejects and later sends on the same outbox still go through', async () => {
    const file = newFile();
    const parent = dirname(file);
    // A plain file where the outbox directory should be makes the first send fail.
    await mkdir(dirname(parent), { recursive: true });
    await writeFile(parent, 'in the way');
    const sender = new OutboxSmsSender(file);
    await assert.rejects(sender.send('+15550100', 'lost'));
    await rm(parent);
    await sender.send('+15550100', 'delivered');
    assert.deepEqual(
      (await sender.readLast(5)).map((m) => m.text),
      ['delivered'],
    );
  });
});
