import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { Directory, DirectoryUser } from '../../../src/directory/directory.ts';
import { createLogger } from '../../../src/log.ts';
import {
  type AccountChangeAction,
  AccountChangeNotifier,
  type AccountChangeNotifierOptions,
  type Translate,
} from '../../../src/notify/account-change-notifier.ts';
import { MailSendError, SmtpMailSender, type SmtpSettings } from '../../../src/notify/mail-sender.ts';
import type { AuditEvent } from '../../../src/store/store.ts';
import { PasswordHistory } from '../../../src/writeback/password-history.ts';
import { createWriteback } from '../../../src/writeback/writeback.ts';

/** The texts proposed for locales/en.json, filled like src/i18n.ts (one pass over the template). */
const TEXTS: Record<string, string> = {
  'internal.error': 'Something went wrong. Try again, or contact the helpdesk.',
  'mail.account_changed.subject': 'Your account was changed',
  'mail.account_changed.by_helpdesk':
    'Hello {name},\n\nYour account was changed by the helpdesk: {action}, at {time}.\n\nIf you did not ask for this, contact security at {contact}.\n\nPassword portal: {link}\n',
  'mail.account_changed.by_self':
    'Hello {name},\n\nYour account was changed through the password portal: {action}, at {time}.\n\nIf this was not you, contact security at {contact} now.\n\nPassword portal: {link}\n',
  'mail.action.reset_password': 'password reset',
  'mail.action.change_password': 'password changed',
  'mail.action.unlock': 'account unlocked',
  'mail.action.force_password_change': 'password change required at the next sign-in',
  'mail.action.clear_factors': 'verification methods removed (set up new ones on the portal)',
};
const translate: Translate = (key, params = {}) =>
  (TEXTS[key] ?? TEXTS['internal.error']!).replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );

const NOW = new Date('2026-11-20T10:15:00.000Z');
const BASE_URL = new URL('https://password.example.com/sspr');
const CONTACT = 'security@example.com';
const TEMP_PASSWORD = 'Tmp-Horse-Battery-7391!';

function user(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    dn: 'CN=Alice Doe,OU=Staff,DC=corp,DC=internal',
    id: 'guid-alice',
    username: 'alice',
    userPrincipalName: 'alice@corp.internal',
    mail: 'alice@example.test',
    displayName: 'Alice Doe',
    givenName: 'Alice',
    surname: 'Doe',
    mobile: null,
    department: null,
    status: {
      isDisabled: false,
      isLocked: true,
      mustChangePassword: false,
      passwordLastSet: null,
      passwordExpiresAt: null,
      isPrivileged: false,
      isInScope: true,
    },
    ...overrides,
  };
}

// --- a real SMTP server on loopback ---------------------------------------------------------

interface Received {
  from: string | false;
  to: string[];
  secure: boolean;
  user: string | undefined;
  raw: string;
}

interface TestSmtp {
  port: number;
  received: Received[];
  /** Connections opened so far (to prove that nothing was even attempted). */
  connections: () => number;
  /** The oldest mail not yet handed out, waiting for it if needed. */
  next: () => Promise<Received>;
  close: () => Promise<void>;
}

async function startSmtp(options: SMTPServerOptions = {}): Promise<TestSmtp> {
  const received: Received[] = [];
  const waiting: ((r: Received) => void)[] = [];
  let connections = 0;
  /** Mails already handed out by next(). */
  let consumed = 0;
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    closeTimeout: 100,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const r: Received = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : false,
          to: session.envelope.rcptTo.map((a) => a.address),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        received.push(r);
        const waiter = waiting.shift();
        if (waiter) {
          consumed++;
          waiter(r);
        }
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  assert.ok(address && typeof address === 'object');
  return {
    port: address.port,
    received,
    connections: () => connections,
    next: () => {
      const ready = consumed < received.length ? received[consumed] : undefined;
      if (ready) {
        consumed++;
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no mail arrived within 10 s')), 10_000);
        waiting.push((r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Headers (unfolded, lower-case names) and the decoded text body of a single-part mail. */
function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.slice(split + 4);
  const encoding = headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding === 'quoted-printable') {
    body = Buffer.from(
      body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`),
      'latin1',
    ).toString('latin1');
    body = decodeURIComponent(body);
  } else if (encoding === 'base64') {
    body = Buffer.from(body, 'base64').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n') };
}

function sender(port: number, overrides: Partial<SmtpSettings> = {}): SmtpMailSender {
  return new SmtpMailSender({
    host: '127.0.0.1',
    port,
    security: 'none',
    from: 'SSPR Portal <noreply@example.com>',
    connectionTimeoutMs: 5_000,
    greetingTimeoutMs: 5_000,
    socketTimeoutMs: 5_000,
    ...overrides,
  });
}

function notifier(mail: SmtpMailSender, overrides: Partial<AccountChangeNotifierOptions> = {}) {
  return new AccountChangeNotifier({
    mail,
    translate,
    baseUrl: BASE_URL,
    securityContact: CONTACT,
    now: () => NOW,
    ...overrides,
  });
}

// --- TLS material: a private CA and a server certificate for 127.0.0.1 / localhost ------------

let dir: string;
let caPem: Buffer;
let serverKey: Buffer;
let serverCert: Buffer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sspr-smtp-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=Test Mail CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  run(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
  );
  await writeFile(
    join(dir, 'ext.cnf'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n',
  );
  run(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    'ext.cnf',
    '-out',
    'server.pem',
  );
  caPem = await readFile(join(dir, 'ca.pem'));
  serverKey = await readFile(join(dir, 'server.key'));
  serverCert = await readFile(join(dir, 'server.pem'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

// --- tests -----------------------------------------------------------------------------------

describe('AccountChangeNotifier over SMTP (plain loopback relay)', () => {
  let smtp: TestSmtp;
  let mail: SmtpMailSender;
  before(async () => {
    smtp = await startSmtp();
    mail = sender(smtp.port);
  });
  after(async () => {
    mail.close();
    await smtp.close();
  });

  it('when a helpdesk agent resets a password through the writeback, the subject gets a mail without the password', async () => {
    const subject = user();
    const audit: AuditEvent[] = [];
    const stub: Partial<Directory> = {
      kind: 'ad',
      readUser: async () => subject,
      resetPassword: async () => undefined,
      unlock: async () => undefined,
    };
    const directory = stub as Directory;
    const writeback = createWriteback({
      directory,
      store: { recordAudit: async (e: AuditEvent) => void audit.push(e) },
      history: new PasswordHistory(
        { listPasswordHistory: async () => [], addPasswordHistory: async () => undefined },
        { count: 0, scryptCost: 1024 },
      ),
      log: createLogger('silent'),
      notifier: notifier(mail),
      now: () => NOW,
    });
    const before = smtp.received.length;
    const result = await writeback.resetPassword(subject, TEMP_PASSWORD, {
      actor: 'agent:hd1',
      reason: 'ticket 4711',
      clientAddress: '10.1.2.3',
      mustChange: true,
      unlock: true,
    });
    assert.equal(result.ok, true);
    const got = await smtp.next();
    assert.equal(smtp.received.length, before + 1);
    assert.deepEqual(got.to, ['alice@example.test']);
    assert.equal(got.from, 'noreply@example.com');
    const { headers, body } = parseMail(got.raw);
    assert.equal(headers.get('to'), 'alice@example.test');
    assert.equal(headers.get('from'), 'SSPR Portal <noreply@example.com>');
    assert.equal(headers.get('subject'), 'Your account was changed');
    assert.equal(headers.get('auto-submitted'), 'auto-generated');
    assert.match(headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(
      body,
      'Hello Alice Doe,\n\n' +
        'Your account was changed by the helpdesk: password reset, at 20 November 2026 at 10:15:00 UTC.\n\n' +
        'If you did not ask for this, contact security at security@example.com.\n\n' +
        'Password portal: https://password.example.com/sspr/\n',
    );
    for (const secret of [TEMP_PASSWORD, 'Tmp-Horse', 'hd1', '10.1.2.3', 'ticket 4711']) {
      assert.ok(!got.raw.includes(secret), `the mail must not contain ${secret}`);
    }
  });

  const cases: [AccountChangeAction, string, string][] = [
    ['writeback.unlock', 'account unlocked', 'https://password.example.com/sspr/'],
    [
      'writeback.force_password_change',
      'password change required at the next sign-in',
      'https://password.example.com/sspr/',
    ],
    [
      'helpdesk.clear_factors',
      'verification methods removed (set up new ones on the portal)',
      'https://password.example.com/sspr/enroll',
    ],
  ];
  for (const [action, text, link] of cases) {
    it(`when an agent's action is ${action}, the mail names it and links to ${link}`, async () => {
      await notifier(mail).notify({ action, subject: user(), actor: 'agent:hd1' });
      const { body } = parseMail((await smtp.next()).raw);
      assert.ok(body.includes(`changed by the helpdesk: ${text}, at `), body);
      assert.ok(body.includes(`Password portal: ${link}\n`), body);
    });
  }

  it('when the user reset their own password, they are mailed by default, with the self-service text', async () => {
    await notifier(mail).notify({ action: 'writeback.reset_password', subject: user(), actor: 'self:alice' });
    const { body } = parseMail((await smtp.next()).raw);
    assert.ok(
      body.includes('changed through the password portal: password reset, at 20 November 2026'),
      body,
    );
    assert.ok(body.includes('If this was not you, contact security at security@example.com now.'), body);
  });

  it('when self-service notices are off, a self-service change sends nothing but an agent action still does', async () => {
    const quiet = notifier(mail, { notifySelfService: false });
    const count = smtp.received.length;
    const opened = smtp.connections();
    await quiet.notify({ action: 'writeback.change_password', subject: user(), actor: 'self:alice' });
    assert.equal(smtp.connections(), opened);
    await quiet.notify({ action: 'writeback.unlock', subject: user(), actor: 'agent:hd1' });
    await smtp.next();
    assert.equal(smtp.received.length, count + 1);
  });

  it('when the subject has no mail address, nothing is sent and notify resolves', async () => {
    const logged: unknown[] = [];
    const n = notifier(mail, { log: { info: (obj: unknown) => void logged.push(obj) } });
    const opened = smtp.connections();
    await n.notify({ action: 'writeback.reset_password', subject: user({ mail: null }), actor: 'agent:hd1' });
    await n.notify({ action: 'writeback.unlock', subject: user({ mail: '   ' }), actor: 'agent:hd1' });
    assert.equal(smtp.connections(), opened);
    assert.equal(logged.length, 2);
  });

  it('when the mail attribute holds more than one address, notify rejects and nothing is sent', async () => {
    const opened = smtp.connections();
    for (const bad of ['alice@example.test, eve@evil.example', 'Alice <alice@example.test>', 'a@b@c.test']) {
      await assert.rejects(
        notifier(mail).notify({
          action: 'writeback.unlock',
          subject: user({ mail: bad }),
          actor: 'agent:hd1',
        }),
      );
    }
    assert.equal(smtp.connections(), opened);
  });

  it('when other hosts are around (SMTP relay, mail domain, directory), the link still uses BASE_URL only', async () => {
    const n = notifier(mail, { baseUrl: new URL('https://portal.example.org:8443/a/b/?next=evil#x') });
    await n.notify({
      action: 'helpdesk.clear_factors',
      subject: user({ mail: 'bob@evil.example', dn: 'CN=Bob,OU=Staff,DC=attacker,DC=example' }),
      actor: 'agent:hd1',
    });
    const { body } = parseMail((await smtp.next()).raw);
    const urls = body.match(/https?:\/\/\S+/g) ?? [];
    assert.deepEqual(urls, ['https://portal.example.org:8443/a/b/enroll']);
    assert.ok(!body.includes('127.0.0.1'));
  });
});

describe('SmtpMailSender failures', () => {
  it('when the server refuses the recipient, notify rejects with a MailSendError that holds no mail text', async () => {
    const smtp = await startSmtp({
      onRcptTo(_address, _session, callback) {
        const error = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
        callback(error);
      },
    });
    const mail = sender(smtp.port);
    try {
      const error = await notifier(mail)
        .notify({ action: 'writeback.reset_password', subject: user(), actor: 'agent:hd1' })
        .then(
          () => assert.fail('notify resolved'),
          (e: unknown) => e,
        );
      assert.ok(error instanceof MailSendError);
      assert.equal(error.responseCode, 550);
      assert.equal(error.command, 'RCPT TO');
      const dump = JSON.stringify({ ...error, message: error.message });
      assert.ok(!dump.includes('Hello') && !dump.includes('security@example.com'), dump);
      assert.equal(smtp.received.length, 0);
    } finally {
      mail.close();
      await smtp.close();
    }
  });

  it('when the server never answers, the greeting timeout rejects the send', {
    timeout: 30_000,
  }, async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    assert.ok(address && typeof address === 'object');
    const mail = sender(address.port, {
      connectionTimeoutMs: 500,
      greetingTimeoutMs: 500,
      socketTimeoutMs: 500,
    });
    try {
      await assert.rejects(
        notifier(mail).notify({ action: 'writeback.unlock', subject: user(), actor: 'agent:hd1' }),
        (error: unknown) => error instanceof MailSendError,
      );
      assert.ok(sockets.size >= 1, 'the sender did connect');
    } finally {
      mail.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('when security is none, a relay that is not on loopback is refused before any connection', () => {
    assert.throws(() => sender(25, { host: 'smtp.example.com' }), /loopback/);
    assert.throws(() => sender(25, { from: 'a@b.test, c@d.test' }), /from/);
    assert.throws(() => sender(25, { user: 'portal' }), /user and password/);
  });
});

describe('SmtpMailSender over TLS with a private CA', () => {
  const tlsServer = (extra: SMTPServerOptions = {}) =>
    startSmtp({
      key: serverKey,
      cert: serverCert,
      disabledCommands: [],
      authOptional: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'portal' && auth.password === 'smtp-secret-1')
          callback(null, { user: 'portal' });
        else callback(new Error('invalid credentials'));
      },
      ...extra,
    });
  const tlsSender = (port: number, overrides: Partial<SmtpSettings> = {}) =>
    sender(port, {
      security: 'starttls',
      ca: caPem,
      tlsServerName: 'localhost',
      user: 'portal',
      password: 'smtp-secret-1',
      ...overrides,
    });

  it('when STARTTLS is required and offered, the mail goes over TLS after AUTH', async () => {
    const smtp = await tlsServer();
    const mail = tlsSender(smtp.port);
    try {
      await notifier(mail).notify({ action: 'writeback.unlock', subject: user(), actor: 'agent:hd1' });
      const got = await smtp.next();
      assert.equal(got.secure, true);
      assert.equal(got.user, 'portal');
      assert.deepEqual(got.to, ['alice@example.test']);
    } finally {
      mail.close();
      await smtp.close();
    }
  });

  it('when the server uses implicit TLS (security tls), the mail is delivered', async () => {
    const smtp = await tlsServer({ secure: true });
    const mail = tlsSender(smtp.port, { security: 'tls' });
    try {
      await notifier(mail).notify({ action: 'writeback.unlock', subject: user(), actor: 'agent:hd1' });
      assert.equal((await smtp.next()).secure, true);
    } finally {
      mail.close();
      await smtp.close();
    }
  });

  it('when STARTTLS is required but not offered, the send fails and nothing goes out in clear', async () => {
    const smtp = await tlsServer({ disabledCommands: ['STARTTLS'], authOptional: true, onAuth: undefined });
    const mail = tlsSender(smtp.port, { user: undefined, password: undefined });
    try {
      await assert.rejects(
        notifier(mail).notify({ action: 'writeback.unlock', subject: user(), actor: 'agent:hd1' }),
        MailSendError,
      );
      assert.equal(smtp.received.length, 0);
    } finally {
      mail.close();
      await smtp.close();
    }
  });

  it('when the server certificate is not signed by the configured CA, the send fails', async () => {
    const smtp = await tlsServer();
    const mail = tlsSender(smtp.port, { ca: undefined });
    try {
      await assert.rejects(
        notifier(mail).notify({ action: 'writeback.unlock', subject: user(), actor: 'agent:hd1' }),
        MailSendError,
      );
      assert.equal(smtp.received.length, 0);
    } finally {
      mail.close();
      await smtp.close();
    }
  });
});
