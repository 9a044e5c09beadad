import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DirectoryUser } from '../../../src/directory/directory.ts';
import { translate } from '../../../src/i18n.ts';
import { OutboxMailSender } from '../../../src/notify/outbox-mail-sender.ts';
import {
  badBinds,
  facts,
  freshPassword,
  givenUser,
  helpdeskGroupDn,
  removeTestUsers,
  replaceAsAdmin,
  type TestUser,
} from '../../support/directory-servers.ts';
import {
  auditRowsDuring,
  directoryUserOf,
  givenApp,
  givenPhone,
  givenSmsFactor,
  givenTotpFactor,
  type HelpdeskSession,
  identifyAs,
  lastCodeFor,
  pageText,
  type StoredAudit,
  signInToHelpdesk,
  smsSentTo,
  submit,
  type TestApp,
  totpCode,
  wrongTotpCode,
} from '../../support/test-app.ts';

/**
 * What a signed-in helpdesk agent can and cannot do (Samba AD): verify the caller first, for
 * that user only; never privileged, out-of-scope, own or (for passwords) disabled accounts;
 * every action one audit row with actor, reason and client address; the user is told by SMS
 * and mail; the caller-sets-it path never shows the password to the agent.
 */

const HDESK = { login: 'hdesk', password: facts('ad').users.hdesk!.password };
const SECURITY_CONTACT = 'security@example.com';
const ACTIONS = ['unlock', 'reset', 'assist', 'clear-factors'] as const;
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

describe('Helpdesk actions (Samba AD)', () => {
  let t: TestApp;
  let s: HelpdeskSession;
  let mail: OutboxMailSender;
  const made: TestUser[] = [];

  /** A fresh user in the managed OU, as the app reads it. */
  async function user(options: { disabled?: boolean } = {}): Promise<TestUser & { entry: DirectoryUser }> {
    const u = await givenUser('ad', options);
    made.push(u);
    return { ...u, entry: await directoryUserOf(t, u.username) };
  }

  /** Verify the caller `entry` in session `on` with a fresh authenticator of theirs. */
  async function verify(entry: DirectoryUser, on: HelpdeskSession = s) {
    const secret = await givenTotpFactor(t.services, entry);
    const res = await on.post('/helpdesk/user/verify', {
      dn: entry.dn,
      method: 'totp',
      code: totpCode(secret),
    });
    assert.equal(res.status, 200, `verify ${entry.username}`);
    assert.ok(res.text.includes(pageText('ui.helpdesk.verified')), `verified ${entry.username}`);
    return res;
  }

  const act = (action: (typeof ACTIONS)[number], entry: DirectoryUser, reason: string, on = s) =>
    on.post(`/helpdesk/user/${action}`, { dn: entry.dn, id: entry.id, reason });

  /** Mails to `to` in the outbox; notices go out in the background, so poll up to 3 s for `count`. */
  async function mailsTo(to: string, count = 1) {
    let found: Awaited<ReturnType<OutboxMailSender['readLast']>> = [];
    for (let waited = 0; waited < 3000; waited += 50) {
      found = (await mail.readLast(500)).filter((m) => m.to === to);
      if (found.length >= count) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return found;
  }

  function assertActionRow(row: StoredAudit | undefined, expected: Partial<StoredAudit>) {
    assert.ok(row, 'an audit row');
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual(row[key as keyof StoredAudit], value, `audit ${key}`);
    }
    assert.match(row.clientAddress ?? '', LOOPBACK, 'audit client address');
  }

  before(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sspr-helpdesk-'));
    const mailFile = path.join(dir, 'mail.jsonl');
    t = await givenApp('ad', {
      HELPDESK_GROUPS: helpdeskGroupDn('ad'),
      AUDITOR_GROUPS: helpdeskGroupDn('ad'),
      RATE_LIMIT_PER_ADDRESS: '1000',
      MAIL_SENDER: 'outbox',
      MAIL_SECURITY_CONTACT: SECURITY_CONTACT,
      MAIL_OUTBOX_FILE: mailFile,
    });
    mail = new OutboxMailSender(mailFile);
    s = await signInToHelpdesk(t, HDESK);
  });
  after(async () => {
    const hdesk = await t.services.directory.findUser('hdesk');
    if (hdesk) await t.services.store.deleteFactors(hdesk.id);
    await t.close();
    await removeTestUsers('ad', made);
  });

  it('the search finds users by prefix, lists only username, name, department and enrolment, and is audited', async () => {
    const u = await user();
    const department = `Dept-${u.username}`;
    await replaceAsAdmin('ad', u.dn, { department: [department] });
    await givenTotpFactor(t.services, u.entry);
    await badBinds('ad', u.dn, 5);
    const prefix = u.username.slice(0, 7);

    const { result, rows } = await auditRowsDuring(t, () =>
      s.agent.get(`/helpdesk/search?q=${encodeURIComponent(prefix)}`),
    );
    assert.equal(result.status, 200);
    const row = [...result.text.matchAll(/<tr>([\s\S]*?)<\/tr>/g)]
      .map((m) => m[1]!)
      .find((r) => r.includes(`>${u.username}</a>`));
    assert.ok(row, 'the user is listed for a prefix of the username');
    const cells = [...row.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').trim());
    assert.deepEqual(cells, [u.username, 'Test User', department, pageText('ui.helpdesk.yes')]);
    assert.ok(!result.text.includes(`${u.username}.mail@sspr.test`), 'no mail address');
    assert.ok(!result.text.includes('data-status'), 'no account status');
    assert.ok(!result.text.includes(`${pageText('ui.helpdesk.locked')}:`), 'no "Locked"');
    assert.equal(rows.length, 1, 'one audit row');
    assertActionRow(rows[0], { actor: 'agent:hdesk', action: 'helpdesk.search', outcome: 'success' });
    assert.equal(rows[0]!.details.query, prefix);
    assert.ok(Number(rows[0]!.details.results) >= 1);

    // A query that is not a prefix of anything of the user finds nobody.
    const none = await s.agent.get(`/helpdesk/search?q=${encodeURIComponent(u.username.slice(1))}`);
    assert.ok(!none.text.includes(`>${u.username}</a>`), 'prefix, not substring');

    // The user page before verification: no status, no events, only the verification forms.
    const page = await s.agent.get(`/helpdesk/user?dn=${encodeURIComponent(u.dn)}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(pageText('ui.helpdesk.verify_heading')));
    assert.ok(!page.text.includes('data-status'), 'no status before verification');
    assert.ok(!page.text.includes(`${pageText('ui.helpdesk.locked')}:`), 'no "Locked" before verification');
    assert.ok(
      !page.text.includes(`${pageText('ui.helpdesk.disabled')}:`),
      'no "Disabled" before verification',
    );
    assert.ok(!page.text.includes('action="/helpdesk/user/unlock"'), 'no actions before verification');
  });

  it('no action before verifying the caller, nor on another user than the one verified (not_verified, one audit row each)', async () => {
    const a = await user();
    const b = await user();
    await badBinds('ad', b.dn, 5);
    for (const action of ACTIONS) {
      const { result, rows } = await auditRowsDuring(t, () => act(action, b.entry, `INC-${action}`));
      assert.equal(result.status, 400, `${action} before verification`);
      assert.ok(result.text.includes(pageText('helpdesk.not_verified', { minutes: 10 })), action);
      assert.equal(rows.length, 1, `${action}: one audit row`);
      assertActionRow(rows[0], {
        actor: 'agent:hdesk',
        outcome: 'refused',
        errorCode: 'helpdesk.not_verified',
        reason: `INC-${action}`,
      });
    }
    await verify(a.entry);
    for (const action of ACTIONS) {
      const { result, rows } = await auditRowsDuring(t, () => act(action, b.entry, 'INC-2'));
      assert.equal(result.status, 400, `${action} on B after verifying A`);
      assert.ok(result.text.includes(pageText('helpdesk.not_verified', { minutes: 10 })), action);
      assert.equal(rows.length, 1, `${action} on B: one audit row`);
      assert.equal(rows[0]!.errorCode, 'helpdesk.not_verified');
    }
    // A's verification does not carry over to B's id with A's DN either.
    const mixed = await s.post('/helpdesk/user/unlock', { dn: a.dn, id: b.entry.id, reason: 'INC-3' });
    assert.equal(mixed.status, 400);
    assert.equal((await t.services.directory.readUser(b.dn))?.status.isLocked, true, 'B still locked');
    assert.equal((await t.services.store.listFactors(b.entry.id)).length, 0);

    // Another agent session of the same agent does not inherit this session's verification.
    const other = await signInToHelpdesk(t, HDESK);
    const elsewhere = await act('unlock', a.entry, 'INC-4', other);
    assert.equal(elsewhere.status, 400);
    assert.ok(elsewhere.text.includes(pageText('helpdesk.not_verified', { minutes: 10 })));
  });

  it('a refused action is filed under the username, like a done one, so the user audit trail shows it', {}, async () => {
    const u = await user();
    const { rows } = await auditRowsDuring(t, () => act('unlock', u.entry, 'INC-5'));
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.subject, u.username);
    const trail = await t.services.store.listAudit({ subject: u.username });
    assert.ok(trail.some((r) => r.errorCode === 'helpdesk.not_verified'));
  });

  it('never acts on a Domain Admins member (privileged), outside the managed OUs, or on the agent own account', async () => {
    const itadmin = await directoryUserOf(t, 'itadmin');
    const outsider = await directoryUserOf(t, 'outsider');
    const hdesk = await directoryUserOf(t, 'hdesk');
    const cases: Array<[DirectoryUser, string]> = [
      [itadmin, 'directory.privileged_account'],
      [outsider, 'directory.not_in_scope'],
    ];
    for (const [entry, code] of cases) {
      await verify(entry);
      for (const action of ACTIONS) {
        const { result, rows } = await auditRowsDuring(t, () => act(action, entry, 'INC-9'));
        assert.equal(result.status, 400, `${action} on ${entry.username}`);
        assert.ok(result.text.includes(pageText(code)), `${action} on ${entry.username}: ${code}`);
        assert.ok(!result.text.includes('id="temporary-password"'));
        assert.equal(rows.length, 1, `${action} on ${entry.username}: one audit row`);
        assertActionRow(rows[0], { actor: 'agent:hdesk', outcome: 'refused', errorCode: code });
      }
      assert.equal((await t.services.store.listFactors(entry.id)).length, 1, 'factors kept');
    }
    const password = facts('ad').users.itadmin!.password;
    await t.services.directory.verifyPassword(itadmin, password);

    // Own account: the verification itself is refused, and so is every action.
    const secret = await givenTotpFactor(t.services, hdesk);
    const own = await auditRowsDuring(t, () =>
      s.post('/helpdesk/user/verify', { dn: hdesk.dn, method: 'totp', code: totpCode(secret) }),
    );
    assert.equal(own.result.status, 400);
    assert.ok(own.result.text.includes(pageText('helpdesk.own_account')));
    assert.equal(own.rows.length, 1);
    assertActionRow(own.rows[0], {
      actor: 'agent:hdesk',
      action: 'helpdesk.verify_caller',
      outcome: 'failure',
      errorCode: 'helpdesk.own_account',
    });
    for (const action of ACTIONS) {
      const { result, rows } = await auditRowsDuring(t, () => act(action, hdesk, 'INC-10'));
      assert.equal(result.status, 400, `${action} on own account`);
      assert.ok(result.text.includes(pageText('helpdesk.own_account')), action);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.errorCode, 'helpdesk.own_account');
    }
    assert.ok((await t.services.store.listFactors(hdesk.id)).length > 0, 'the agent keeps the factors');
  });

  it('a disabled account is neither unlocked nor reset (directory.account_disabled)', async () => {
    const d = await user({ disabled: true });
    await verify(d.entry);
    for (const action of ['unlock', 'reset', 'assist'] as const) {
      const { result, rows } = await auditRowsDuring(t, () => act(action, d.entry, 'INC-11'));
      assert.equal(result.status, 400, action);
      assert.ok(result.text.includes(pageText('directory.account_disabled')), action);
      assert.ok(!result.text.includes('id="temporary-password"'));
      assert.equal(rows.length, 1, `${action}: one audit row`);
      assertActionRow(rows[0], {
        actor: 'agent:hdesk',
        outcome: 'refused',
        errorCode: 'directory.account_disabled',
      });
    }
    await assert.rejects(t.services.directory.verifyPassword(d.entry, d.password), {
      code: 'directory.account_disabled',
    });
  });

  it('the temporary password must be changed at next logon, and a locked user is also unlocked', async () => {
    const u = await user();
    await badBinds('ad', u.dn, 5);
    assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, true, 'precondition');
    await verify(u.entry);
    const { result, rows } = await auditRowsDuring(t, () => act('reset', u.entry, 'INC-20 forgot'));
    assert.equal(result.status, 200);
    const temporary = /<code id="temporary-password">([^<]+)<\/code>/.exec(result.text)?.[1] ?? '';
    assert.match(temporary, /^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    assert.match(String(result.headers['cache-control']), /no-store/);

    await assert.rejects(t.services.directory.verifyPassword(u.entry, temporary), {
      code: 'directory.must_change_password',
    });
    const after = await t.services.directory.readUser(u.dn);
    assert.equal(after?.status.isLocked, false, 'unlocked by the reset');
    assert.equal(after?.status.mustChangePassword, true);

    assert.equal(rows.length, 1, 'one audit row');
    assertActionRow(rows[0], {
      actor: 'agent:hdesk',
      subject: u.username,
      action: 'writeback.reset_password',
      outcome: 'success',
      reason: 'INC-20 forgot',
    });
    assert.equal(rows[0]!.details.mustChange, true);
    assert.equal(rows[0]!.details.unlock, true);
    assert.ok(!JSON.stringify(rows).includes(temporary), 'the password is in no audit row');

    const mails = await mailsTo(`${u.username}.mail@sspr.test`);
    assert.equal(mails.length, 1, 'the user is told by mail');
    assert.ok(mails[0]!.text.includes(translate('mail.action.reset_password')));
    assert.ok(!mails[0]!.text.includes(temporary));

    // Later pages of the agent session never show the password again.
    const card = await s.agent.get(`/helpdesk/user?dn=${encodeURIComponent(u.dn)}`);
    assert.ok(!card.text.includes(temporary));
  });

  it('"caller sets it": the code goes to the caller phone, the caller resets the password, the agent never sees it', async () => {
    const u = await user();
    const phone = givenPhone();
    await givenSmsFactor(t.services, u.entry, phone);
    const seen: string[] = [];

    await verify(u.entry);

    const assist = await auditRowsDuring(t, () => act('assist', u.entry, 'INC-30 caller'));
    seen.push(assist.result.text);
    assert.equal(assist.result.status, 200);
    assert.ok(assist.result.text.includes(pageText('ui.helpdesk.assist_sent')));
    assert.equal(assist.rows.length, 1);
    assertActionRow(assist.rows[0], {
      actor: 'agent:hdesk',
      subject: u.username,
      action: 'helpdesk.caller_sets_password',
      outcome: 'success',
      reason: 'INC-30 caller',
    });

    const code = await lastCodeFor(t, phone);
    const texts = await smsSentTo(t, phone, 0);
    assert.ok(texts[0]!.includes('/reset'), 'the text names the reset page');
    assert.ok(!seen.some((html) => html.includes(code)), 'the agent page does not show the code');

    // The caller, on their own device, sets the password with that code.
    const caller = t.agent();
    const verifyPage = await identifyAs(caller, 'reset', u.username);
    assert.equal(verifyPage.status, 200);
    const choose = await submit(caller, '/reset/verify', verifyPage.text, { method: 'sms', code });
    assert.equal(choose.status, 200);
    assert.ok(choose.text.includes(pageText('ui.password.title')), 'the assist code proves the caller');
    const password = `${freshPassword('C')}abcdef`;
    const done = await submit(caller, '/reset/password', choose.text, { password, confirm: password });
    assert.equal(done.status, 200);
    assert.ok(done.text.includes(pageText('ui.done.reset')));
    await t.services.directory.verifyPassword(u.entry, password);

    // Everything the agent session gets afterwards, and the audit, lacks the password.
    seen.push((await s.agent.get(`/helpdesk/user?dn=${encodeURIComponent(u.dn)}`)).text);
    seen.push((await s.agent.get(`/helpdesk/audit?subject=${u.username}`)).text);
    seen.push((await s.agent.get(`/helpdesk/audit.csv?subject=${u.username}`)).text);
    assert.ok(!seen.some((html) => html.includes(password)), 'no agent response holds the password');
    const audit = await t.services.store.listAudit({ subject: u.username });
    assert.ok(!JSON.stringify(audit).includes(password));
    assert.ok(
      audit.some(
        (r) =>
          r.action === 'writeback.reset_password' &&
          r.actor === `self:${u.username}` &&
          r.outcome === 'success',
      ),
      'the reset is the caller own, self-service one',
    );
    assert.ok(!audit.some((r) => r.action === 'writeback.reset_password' && r.actor === 'agent:hdesk'));

    // The code is single use.
    const again = t.agent();
    const page2 = await identifyAs(again, 'reset', u.username);
    const reused = await submit(again, '/reset/verify', page2.text, { method: 'sms', code });
    assert.equal(reused.status, 400);
  });

  it('"caller sets it" right after verifying the caller by a text message still reaches the phone', {}, async () => {
    const u = await user();
    const phone = givenPhone();
    await givenSmsFactor(t.services, u.entry, phone);
    const sent = await s.post('/helpdesk/user/send-code', { dn: u.dn });
    assert.equal(sent.status, 200);
    assert.ok(sent.text.includes(pageText('ui.helpdesk.code_sent')));
    const readBack = await lastCodeFor(t, phone);
    const verified = await s.post('/helpdesk/user/verify', { dn: u.dn, method: 'sms', code: readBack });
    assert.equal(verified.status, 200);
    assert.ok(verified.text.includes(pageText('ui.helpdesk.verified')));
    const assist = await act('assist', u.entry, 'INC-31');
    assert.equal(assist.status, 200, 'the assist code is sent at once');
    assert.notEqual(await lastCodeFor(t, phone), readBack, 'a new code reached the phone');
  });

  it('every action leaves exactly one audit row with actor, reason and client address', async () => {
    const u = await user();
    const phone = givenPhone();
    await givenSmsFactor(t.services, u.entry, phone);
    const secret = await givenTotpFactor(t.services, u.entry);
    const steps: Array<[string, () => Promise<unknown>, Partial<StoredAudit>]> = [
      [
        'search',
        () => s.agent.get(`/helpdesk/search?q=${u.username}`),
        { action: 'helpdesk.search', outcome: 'success' },
      ],
      [
        'verify failure',
        () => s.post('/helpdesk/user/verify', { dn: u.dn, method: 'totp', code: wrongTotpCode(secret) }),
        {
          action: 'helpdesk.verify_caller',
          outcome: 'failure',
          subject: u.username,
          errorCode: 'flow.code_invalid',
        },
      ],
      [
        'verify success',
        () => s.post('/helpdesk/user/verify', { dn: u.dn, method: 'totp', code: totpCode(secret) }),
        { action: 'helpdesk.verify_caller', outcome: 'success', subject: u.username },
      ],
      [
        'unlock',
        () => act('unlock', u.entry, 'R-unlock'),
        { action: 'writeback.unlock', outcome: 'success', reason: 'R-unlock', subject: u.username },
      ],
      [
        'reset',
        () => act('reset', u.entry, 'R-reset'),
        { action: 'writeback.reset_password', outcome: 'success', reason: 'R-reset', subject: u.username },
      ],
      [
        'assist',
        () => act('assist', u.entry, 'R-assist'),
        {
          action: 'helpdesk.caller_sets_password',
          outcome: 'success',
          reason: 'R-assist',
          subject: u.username,
        },
      ],
      [
        'clear-factors',
        () => act('clear-factors', u.entry, 'R-clear'),
        { action: 'helpdesk.clear_factors', outcome: 'success', reason: 'R-clear', subject: u.username },
      ],
      [
        'missing reason',
        () => act('unlock', u.entry, '   '),
        { action: 'writeback.unlock', outcome: 'refused', errorCode: 'helpdesk.reason_required' },
      ],
    ];
    for (const [name, run, expected] of steps) {
      const { rows } = await auditRowsDuring(t, run);
      assert.equal(
        rows.length,
        1,
        `${name}: exactly one audit row, got ${rows.map((r) => r.action).join(', ')}`,
      );
      assertActionRow(rows[0], { actor: 'agent:hdesk', ...expected });
    }
  });

  it('the CSV export (auditor) is text/csv, and reasons starting with =, +, - or @ are escaped', async () => {
    const u = await user();
    await verify(u.entry);
    const reasons = ['=1+1 T1', '+SUM(A1) T2', '-2+3 T3', '@cmd T4'];
    for (const reason of reasons) {
      const res = await act('unlock', u.entry, reason);
      assert.equal(res.status, 200, reason);
    }
    const page = await s.agent.get('/helpdesk/audit');
    assert.ok(page.text.includes('/helpdesk/audit.csv'), 'the export link is offered to an auditor');
    const csv = await s.agent.get(`/helpdesk/audit.csv?subject=${u.username}&action=writeback.unlock`);
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /attachment/);
    const lines = csv.text.split('\r\n').filter(Boolean);
    assert.equal(lines[0], 'id,at,actor,subject,action,outcome,errorCode,clientAddress,reason,details');
    assert.equal(lines.length, 1 + reasons.length, 'header plus one row per unlock');
    for (const reason of reasons) {
      assert.ok(csv.text.includes(`,'${reason},`), `escaped: ${reason}`);
      assert.ok(!csv.text.includes(`,${reason},`), `not raw: ${reason}`);
    }
  });

  it('clearing factors removes them, texts the old phone and mails the user', async () => {
    const u = await user();
    const phone = givenPhone();
    await givenSmsFactor(t.services, u.entry, phone);
    await verify(u.entry);
    assert.equal((await t.services.store.listFactors(u.entry.id)).length, 2);
    const res = await act('clear-factors', u.entry, 'INC-40 lost phone');
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(pageText('ui.helpdesk.factors_cleared')));
    assert.equal((await t.services.store.listFactors(u.entry.id)).length, 0, 'no factor left');
    const texts = await smsSentTo(t, phone);
    assert.ok(texts.includes(translate('sms.helpdesk_cleared')), 'the old phone is told');
    const mails = await mailsTo(`${u.username}.mail@sspr.test`);
    assert.equal(mails.length, 1, 'one mail to the user address');
    assert.equal(mails[0]!.subject, translate('mail.account_changed.subject'));
    assert.ok(mails[0]!.text.includes(translate('mail.action.clear_factors')));
    assert.ok(mails[0]!.text.includes(SECURITY_CONTACT));
    assert.ok(!mails[0]!.text.includes('agent:'), 'no agent name in the mail');
  });

  it('a helpdesk unlock unlocks the account, shows it, and mails the user', async () => {
    const u = await user();
    await badBinds('ad', u.dn, 5);
    const locked = await verify(u.entry);
    assert.match(locked.text, /data-status="locked">yes</, 'the verified card shows the lock');
    const res = await act('unlock', u.entry, 'INC-50');
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(pageText('ui.helpdesk.unlocked')));
    assert.match(res.text, /data-status="locked">no</);
    assert.equal((await t.services.directory.readUser(u.dn))?.status.isLocked, false);
    await t.services.directory.verifyPassword(u.entry, u.password);
    const mails = await mailsTo(`${u.username}.mail@sspr.test`);
    assert.equal(mails.length, 1);
    assert.ok(mails[0]!.text.includes(translate('mail.action.unlock')));
    assert.ok(mails[0]!.text.includes(SECURITY_CONTACT));
  });
});
