import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { DirectoryUser } from '../../src/directory/directory.ts';
import { launchBrowser, screenshotPath, serve } from '../support/browser.ts';
import {
  badBinds,
  facts,
  givenUser,
  helpdeskGroupDn,
  removeTestUsers,
  type TestUser,
} from '../support/directory-servers.ts';
import { directoryUserOf, givenApp, givenTotpFactor, type TestApp, totpCode } from '../support/test-app.ts';

/**
 * A helpdesk agent's journey in a real browser against Samba AD: sign in with password and own
 * authenticator, find a locked user, verify the caller with the caller's authenticator code,
 * unlock with a reason. Screenshots of every step go to test-results/e2e/helpdesk-unlock/.
 */
describe('browser: helpdesk unlocks a locked user (Samba AD, Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let user: TestUser;
  let hdesk: DirectoryUser;
  let agentSecret: string;
  let callerSecret: string;
  const shot = (page: Page, step: string) =>
    page.screenshot({ path: screenshotPath('helpdesk-unlock', step), fullPage: true });

  before(async () => {
    t = await givenApp('ad', { HELPDESK_GROUPS: helpdeskGroupDn('ad') });
    server = await serve(t.app);
    browser = await launchBrowser();
    user = await givenUser('ad');
    hdesk = await directoryUserOf(t, 'hdesk');
    agentSecret = await givenTotpFactor(t.services, hdesk);
    callerSecret = await givenTotpFactor(t.services, await directoryUserOf(t, user.username));
    await badBinds('ad', user.dn, 5);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    if (hdesk) await t.services.store.deleteFactors(hdesk.id);
    await t?.close();
    if (user) await removeTestUsers('ad', [user]);
  });

  it('signs in, finds the locked user, verifies the caller and unlocks the account', async () => {
    assert.equal((await t.services.directory.readUser(user.dn))?.status.isLocked, true, 'precondition');
    const page = await browser.newPage();
    await page.goto(`${server.url}/helpdesk`);
    await page.getByRole('heading', { name: 'Helpdesk' }).waitFor();
    await page.getByLabel('Username or email address').fill('hdesk');
    await page.getByLabel('Password', { exact: true }).fill(facts('ad').users.hdesk!.password);
    await shot(page, '01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('heading', { name: 'Confirm with your authenticator app' }).waitFor();
    await page.getByLabel('6-digit code from your authenticator app').fill(totpCode(agentSecret));
    await shot(page, '02-agent-totp');
    await page.getByRole('button', { name: 'Verify' }).click();

    await page.getByRole('heading', { name: 'Find a user' }).waitFor();
    await page.getByText('Signed in as hdesk.').waitFor();
    await page.getByLabel('Username, name or email').fill(user.username.slice(0, 7));
    await page.getByRole('button', { name: 'Search' }).click();
    const link = page.getByRole('link', { name: user.username, exact: true });
    await link.waitFor();
    await shot(page, '03-search-results');
    await link.click();

    await page.getByRole('heading', { name: 'Verify the caller' }).waitFor();
    assert.equal(await page.locator('[data-status]').count(), 0, 'no status before verification');
    await page.getByLabel("Code from the caller's authenticator app").fill(totpCode(callerSecret));
    await shot(page, '04-verify-caller');
    await page.getByRole('button', { name: 'Verify' }).first().click();

    await page.getByText('The caller is verified').waitFor();
    assert.equal(await page.locator('[data-status="locked"]').textContent(), 'yes');
    await page.locator('#reason-unlock').fill('INC-4242 locked out after holiday');
    await shot(page, '05-verified-locked');
    await page.getByRole('button', { name: 'Unlock the account' }).click();

    await page.getByText('The account is unlocked.').waitFor();
    assert.equal(await page.locator('[data-status="locked"]').textContent(), 'no');
    await shot(page, '06-unlocked');
    await page.close();

    assert.equal((await t.services.directory.readUser(user.dn))?.status.isLocked, false);
    const rows = await t.services.store.listAudit({ subject: user.username, action: 'writeback.unlock' });
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor, 'agent:hdesk');
    assert.equal(rows[0]!.reason, 'INC-4242 locked out after holiday');
  });
});
