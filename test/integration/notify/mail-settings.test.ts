import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AccountChangeNotifier, type Translate } from '../../../src/notify/account-change-notifier.ts';
import {
  isLoopbackHost,
  isMailAddress,
  type MailMessage,
  type MailSender,
  parseFromAddress,
  SmtpMailSender,
} from '../../../src/notify/mail-sender.ts';
import {
  checkMailEnv,
  createAccountChangeNotifier,
  createMailSender,
  isTimeZone,
  type MailSettings,
} from '../../../src/notify/mail-settings.ts';
import { OutboxMailSender } from '../../../src/notify/outbox-mail-sender.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sspr-mail-settings-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every mail text present, like locales/en.json once the keys are added. */
const translate: Translate = (key, params = {}) =>
  key.startsWith('mail.') && key !== 'mail.__missing__'
    ? `${key} ${Object.entries(params)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : 'Something went wrong.';

class MemorySender implements MailSender {
  readonly id = 'memory';
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
}

const settings = (overrides: Partial<MailSettings> = {}): MailSettings => ({
  sender: 'outbox',
  from: undefined,
  outboxFile: join(dir, 'mail.jsonl'),
  securityContact: 'security@example.com',
  notifySelfService: true,
  timeZone: 'UTC',
  smtp: {
    host: undefined,
    port: undefined,
    security: 'starttls',
    user: undefined,
    password: undefined,
    ca: undefined,
    tlsServerName: undefined,
    connectionTimeoutMs: 10_000,
    greetingTimeoutMs: 10_000,
    socketTimeoutMs: 30_000,
  },
  ...overrides,
});

describe('checkMailEnv', () => {
  const check = (raw: Record<string, string>) => {
    const problems: string[] = [];
    const result = checkMailEnv(raw, problems);
    return { problems, ...result };
  };

  it('when MAIL_SENDER is unset or none, nothing is required', () => {
    assert.deepEqual(check({}).problems, []);
    assert.deepEqual(
      check({ MAIL_SENDER: 'none', SMTP_SECURITY: 'none', SMTP_HOST: 'x.example' }).problems,
      [],
    );
  });

  it('when MAIL_SENDER=outbox, only the security contact is required', () => {
    assert.deepEqual(check({ MAIL_SENDER: 'outbox' }).problems, [
      'MAIL_SECURITY_CONTACT: required when MAIL_SENDER=outbox (whom users call about a change)',
    ]);
    assert.deepEqual(
      check({ MAIL_SENDER: 'outbox', MAIL_SECURITY_CONTACT: '+44 20 7946 0000' }).problems,
      [],
    );
  });

  it('when MAIL_SENDER=smtp, host, from and contact are required and every problem is listed', () => {
    const { problems } = check({ MAIL_SENDER: 'smtp' });
    assert.equal(problems.length, 3);
    assert.match(problems.join('\n'), /MAIL_SECURITY_CONTACT/);
    assert.match(problems.join('\n'), /MAIL_FROM: required/);
    assert.match(problems.join('\n'), /SMTP_HOST: required/);
  });

  it('when the settings are complete, the password and CA file are read', async () => {
    const caFile = join(dir, 'ca.pem');
    const passwordFile = join(dir, 'smtp-password');
    await writeFile(caFile, 'PEM');
    await writeFile(passwordFile, 's3cret\n');
    const ok = check({
      MAIL_SENDER: 'smtp',
      MAIL_SECURITY_CONTACT: 'security@example.com',
      MAIL_FROM: 'IT Desk <noreply@example.com>',
      SMTP_HOST: 'smtp.example.com',
      SMTP_USER: 'portal',
      SMTP_PASSWORD_FILE: passwordFile,
      SMTP_CA_FILE: caFile,
    });
    assert.deepEqual(ok.problems, []);
    assert.equal(ok.password, 's3cret');
    assert.equal(ok.ca?.toString(), 'PEM');
  });

  it('when values are wrong or inconsistent, each one is named', () => {
    const base = {
      MAIL_SENDER: 'smtp',
      MAIL_SECURITY_CONTACT: 'security@example.com',
      MAIL_FROM: 'noreply@example.com',
      SMTP_HOST: 'smtp.example.com',
    };
    const lines = (raw: Record<string, string>) => check({ ...base, ...raw }).problems.join('\n');
    assert.match(lines({ MAIL_FROM: 'a@example.com, b@example.com' }), /MAIL_FROM: must be one address/);
    assert.match(lines({ SMTP_SECURITY: 'none' }), /SMTP_SECURITY: none is only allowed/);
    assert.equal(lines({ SMTP_SECURITY: 'none', SMTP_HOST: '127.0.0.1' }), '');
    assert.match(lines({ SMTP_USER: 'portal' }), /SMTP_PASSWORD: required/);
    assert.match(lines({ SMTP_PASSWORD: 'x' }), /SMTP_USER: required/);
    assert.match(lines({ SMTP_USER: 'p', SMTP_PASSWORD: 'x', SMTP_PASSWORD_FILE: 'f' }), /not both/);
    assert.match(
      lines({ SMTP_CA_FILE: join(dir, 'missing.pem') }),
      /SMTP_CA_FILE: cannot read .* \(ENOENT\)/,
    );
  });
});

describe('mail helpers', () => {
  it('isMailAddress accepts one plain address and nothing else', () => {
    for (const ok of ['alice@example.com', 'a.b+tag@sub.example.co.uk', 'jörg@bücher.example']) {
      assert.equal(isMailAddress(ok), true, ok);
    }
    for (const bad of [
      '',
      'alice',
      'alice@localhost',
      'a@b.com,c@d.com',
      'a@b.com c@d.com',
      'Alice <a@b.com>',
      'a@b.com\r\nBcc: eve@evil.example',
      '.a@b.com',
      'a..b@c.com',
      `${'a'.repeat(65)}@b.com`,
    ]) {
      assert.equal(isMailAddress(bad), false, JSON.stringify(bad));
    }
  });

  it('parseFromAddress takes "Name <address>" or a bare address', () => {
    assert.deepEqual(parseFromAddress('IT Desk <noreply@example.com>'), {
      name: 'IT Desk',
      address: 'noreply@example.com',
    });
    assert.deepEqual(parseFromAddress('noreply@example.com'), { name: '', address: 'noreply@example.com' });
    assert.equal(parseFromAddress('a@example.com, b@example.com'), null);
    assert.equal(parseFromAddress('IT\r\nBcc: x@y.com <a@example.com>'), null);
  });

  it('isLoopbackHost knows loopback names and addresses only', () => {
    for (const h of ['localhost', '127.0.0.1', '127.9.9.9', '::1', '[::1]'])
      assert.equal(isLoopbackHost(h), true, h);
    for (const h of ['smtp.example.com', '10.0.0.1', '::ffff:10.0.0.1', 'localhost.example.com']) {
      assert.equal(isLoopbackHost(h), false, h);
    }
  });

  it('isTimeZone accepts IANA names only', () => {
    assert.equal(isTimeZone('UTC'), true);
    assert.equal(isTimeZone('Europe/Paris'), true);
    assert.equal(isTimeZone('Mars/Olympus'), false);
  });
});

describe('factories', () => {
  it('when MAIL_SENDER=none, there is no sender and no notifier', () => {
    const none = settings({ sender: 'none' });
    assert.equal(createMailSender(none), null);
    assert.equal(
      createAccountChangeNotifier(none, { baseUrl: new URL('https://p.example'), translate }),
      null,
    );
  });

  it('when MAIL_SENDER=outbox or smtp, the matching sender is built', () => {
    assert.ok(createMailSender(settings()) instanceof OutboxMailSender);
    const smtp = createMailSender(
      settings({
        sender: 'smtp',
        from: 'noreply@example.com',
        smtp: { ...settings().smtp, host: 'smtp.example.com' },
      }),
    );
    assert.ok(smtp instanceof SmtpMailSender);
    smtp.close();
    assert.throws(() => createMailSender(settings({ sender: 'smtp' })), /SMTP_HOST/);
  });

  it('when built, the notifier mails through the given sender with the configured settings', async () => {
    const memory = new MemorySender();
    const n = createAccountChangeNotifier(settings({ notifySelfService: false, timeZone: 'Europe/Paris' }), {
      baseUrl: new URL('https://p.example/'),
      translate,
      sender: memory,
      now: () => new Date('2026-01-01T12:00:00Z'),
    });
    assert.ok(n);
    const subject = {
      dn: 'uid=a',
      id: '1',
      username: 'a',
      userPrincipalName: null,
      mail: 'a@example.com',
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
        isPrivileged: false,
        isInScope: true,
      },
    };
    await n.notify({ action: 'writeback.reset_password', subject, actor: 'self:a' });
    assert.equal(memory.sent.length, 0);
    await n.notify({ action: 'writeback.reset_password', subject, actor: 'system' });
    assert.equal(memory.sent.length, 1);
    assert.match(memory.sent[0]!.text, /^mail\.account_changed\.by_helpdesk /);
    assert.match(memory.sent[0]!.text, /time=1 January 2026 at 13:00:00 CET/);
    assert.match(memory.sent[0]!.text, /contact=security@example.com/);
  });
});

describe('AccountChangeNotifier construction', () => {
  const options = {
    mail: new MemorySender(),
    translate,
    baseUrl: new URL('https://p.example/'),
    securityContact: 'security@example.com',
  };

  it('when a locale text is missing, it refuses to start and names the keys', () => {
    const partial: Translate = (key, params) =>
      key === 'mail.action.unlock' ? 'Something went wrong.' : translate(key, params);
    assert.throws(
      () => new AccountChangeNotifier({ ...options, translate: partial }),
      /locale texts missing: mail\.action\.unlock$/,
    );
  });

  it('when the time zone is unknown, the contact empty or the base URL not http(s), it refuses to start', () => {
    assert.throws(() => new AccountChangeNotifier({ ...options, timeZone: 'Mars/Olympus' }), RangeError);
    assert.throws(() => new AccountChangeNotifier({ ...options, securityContact: '  ' }), /securityContact/);
    assert.throws(
      () => new AccountChangeNotifier({ ...options, baseUrl: new URL('javascript:alert(1)') }),
      /http/,
    );
  });
});
