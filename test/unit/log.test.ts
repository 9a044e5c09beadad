import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { AppError } from '../../src/errors.ts';
import { createLogger, REDACT_PATHS } from '../../src/log.ts';

/** A logger writing into an array of JSON lines. */
function capture(level = 'trace') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
  return { log: createLogger(level, stream), lines, output: () => lines.join('\n') };
}

const SECRET_KEYS = [
  'password',
  'newPassword',
  'oldPassword',
  'currentPassword',
  'bindPassword',
  'secret',
  'token',
  'otp',
  'unicodePwd',
  'userPassword',
  'authorization',
  'cookie',
  'oneTimeCode',
  'totpCode',
  'smsCode',
  'Authorization',
  'Cookie',
];

describe('REDACT_PATHS', () => {
  it('when listing the paths, every secret key is covered at top level, one and two levels down', () => {
    for (const key of SECRET_KEYS) {
      for (const path of [key, `*.${key}`, `*.*.${key}`]) {
        assert.ok(REDACT_PATHS.includes(path), `missing redact path ${path}`);
      }
    }
  });
});

describe('createLogger redaction', () => {
  it('when logging the password, a nested newPassword and an authorization header, none of them appears', () => {
    const { log, output, lines } = capture();
    log.info(
      {
        password: 'P@ss-123',
        user: { newPassword: 'x1-Secret' },
        req: { headers: { authorization: 'Basic z9Y' } },
      },
      'reset',
    );
    assert.equal(lines.length, 1);
    for (const secret of ['P@ss-123', 'x1-Secret', 'Basic z9Y'])
      assert.ok(!output().includes(secret), secret);
    const line = JSON.parse(lines[0] as string);
    assert.equal(line.password, '[redacted]');
    assert.equal(line.user.newPassword, '[redacted]');
    assert.equal(line.req.headers.authorization, '[redacted]');
    assert.equal(line.msg, 'reset');
  });

  for (const key of SECRET_KEYS) {
    it(`when "${key}" is logged at depth 0, 1 and 2, its value never appears and [redacted] does`, () => {
      const { log, output } = capture();
      const [v0, v1, v2] = [`s0-${key}-value`, `s1-${key}-value`, `s2-${key}-value`];
      log.info({ [key]: v0 });
      log.info({ outer: { [key]: v1 } });
      log.info({ outer: { inner: { [key]: v2 } } });
      for (const v of [v0, v1, v2]) assert.ok(!output().includes(v), `${v} leaked`);
      assert.equal(output().match(/\[redacted\]/g)?.length, 3);
    });
  }

  it('when an Error carrying config.password is logged as err, the password is redacted', () => {
    const { log, output } = capture();
    log.error(
      { err: Object.assign(new Error('bind failed'), { config: { password: 'Err-Cfg-Pass1' } }) },
      'x',
    );
    assert.ok(!output().includes('Err-Cfg-Pass1'));
    assert.ok(output().includes('[redacted]'));
    assert.ok(output().includes('bind failed'));
  });

  it('when secrets sit in objects inside an array one level down, they are redacted', () => {
    const { log, output } = capture();
    log.info({ attempts: [{ password: 'Arr-Pass-1' }, { otp: '123456' }] });
    assert.ok(!output().includes('Arr-Pass-1'));
    assert.ok(!output().includes('123456'));
  });

  it('when a child logger is bound with a secret (as request-context binds requestId), the secret is redacted', () => {
    const { log, output } = capture();
    log.child({ requestId: 'req-1', token: 'Child-Token-9' }).info('hello');
    assert.ok(!output().includes('Child-Token-9'));
    assert.ok(output().includes('req-1'));
  });

  it('when ordinary fields are logged, they are kept as is (redaction is not over-eager)', () => {
    const { log, lines } = capture();
    log.info({ action: 'writeback.reset_password', subject: 'alice', status: 200 }, 'done');
    const line = JSON.parse(lines[0] as string);
    assert.equal(line.subject, 'alice');
    assert.equal(line.action, 'writeback.reset_password');
    assert.equal(line.service, 'sspr-portal');
  });

  it('when the level is warn, info lines are not written at all', () => {
    const { log, lines } = capture('warn');
    log.info({ password: 'x' }, 'quiet');
    log.warn('loud');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).msg),
      ['loud'],
    );
  });

  it('when writeback logs { code: error.code, err } (writeback.ts:87), the error code stays readable for operators', {}, () => {
    const { log, lines } = capture();
    const error = new AppError('directory.unavailable', { detail: 'connection' });
    log.warn({ action: 'writeback.reset_password', code: error.code, err: error }, 'writeback failed');
    const line = JSON.parse(lines[0] as string);
    assert.equal(line.code, 'directory.unavailable');
    assert.equal(line.err.code, 'directory.unavailable');
  });

  it('when an outgoing header object spells Authorization with a capital A, the value is still redacted', {}, () => {
    const { log, output } = capture();
    log.info({ request: { headers: { Authorization: 'Bearer Cap-Token-7', Cookie: 'sid=Cap-Sid-8' } } });
    assert.ok(!output().includes('Cap-Token-7'));
    assert.ok(!output().includes('Cap-Sid-8'));
  });
});
