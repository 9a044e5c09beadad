import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MailSendError } from '../../../src/notify/mail-sender.ts';
import { OutboxMailSender } from '../../../src/notify/outbox-mail-sender.ts';

let dir: string;
let counter = 0;
const newFile = () => join(dir, `run-${++counter}`, 'nested', 'mail.jsonl');

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sspr-mail-outbox-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OutboxMailSender', () => {
  it('when sending, it creates the directory and appends one JSON line { at, to, subject, text } (mode 0600)', async () => {
    const file = newFile();
    const sender = new OutboxMailSender(file, () => new Date('2026-01-02T03:04:05.000Z'));
    await sender.send({ to: 'alice@example.com', subject: 'Changed', text: 'Line 1\nLine 2' });
    assert.deepEqual(
      (await readFile(file, 'utf8')).split('\n').map((l) => (l ? JSON.parse(l) : l)),
      [
        {
          at: '2026-01-02T03:04:05.000Z',
          to: 'alice@example.com',
          subject: 'Changed',
          text: 'Line 1\nLine 2',
        },
        '',
      ],
    );
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(sender.id, 'outbox');
  });

  it('when many sends run at once, each is one intact line, in order; readLast gives the newest first', async () => {
    const file = newFile();
    const sender = new OutboxMailSender(file);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sender.send({ to: `u${i}@example.com`, subject: 's', text: `t${i}` }),
      ),
    );
    await appendFile(file, '{"torn":\n');
    const last = await sender.readLast(3);
    assert.deepEqual(
      last.map((m) => m.to),
      ['u19@example.com', 'u18@example.com', 'u17@example.com'],
    );
    assert.equal((await sender.readLast(100)).length, 20);
    assert.deepEqual(await new OutboxMailSender(newFile()).readLast(5), []);
  });

  it('when the recipient is not one address, the send rejects and nothing is written', async () => {
    const file = newFile();
    const sender = new OutboxMailSender(file);
    await assert.rejects(
      sender.send({ to: 'a@example.com, b@example.com', subject: 's', text: 't' }),
      MailSendError,
    );
    assert.deepEqual(await sender.readLast(5), []);
  });
});
