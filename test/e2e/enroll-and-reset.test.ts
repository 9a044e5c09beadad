import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshotPath, serve } from '../support/browser.ts';
import { freshPassword, givenUser, removeTestUsers, type TestUser } from '../support/directory-servers.ts';
import { givenApp, lastCodeFor, type TestApp, totpCode } from '../support/test-app.ts';

const PHONE = '+447700900555';

/**
 * A person's journey in a real browser against Samba AD: enroll an authenticator app and a
 * phone, then forget the password and reset it with a code by SMS; the new password then
 * binds. Screenshots of every step go to test-results/e2e/enroll-and-reset/.
 */
describe('browser: enroll, then forgot password (Samba AD, Chromium)', () => {
  let t: TestApp;
  let server: Awaited<ReturnType<typeof serve>>;
  let browser: Browser;
  let user: TestUser;
  const shot = (page: Page, step: string) =>
    page.screenshot({ path: screenshotPath('enroll-and-reset', step), fullPage: true });

  before(async () => {
    t = await givenApp('ad');
    server = await serve(t.app);
    browser = await launchBrowser();
    user = await givenUser('ad');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
    if (user) await removeTestUsers('ad', [user]);
  });

  it('enrolls an authenticator app and a phone through the pages', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/enroll`);
    await shot(page, '01-sign-in');
    await page.getByLabel('Username or email address').fill(user.username);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    await shot(page, '02-signed-in');

    await page.getByRole('button', { name: 'Add an authenticator app' }).click();
    const secret = (await page.locator('#totp-secret').textContent())?.trim() ?? '';
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.ok(await page.locator('img.qr').isVisible());
    await shot(page, '03-authenticator-qr');
    await page.getByLabel('6-digit code from your authenticator app').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: 'Verify to make changes' }).waitFor();
    await shot(page, '04-authenticator-added');

    // A second factor needs the first one proven in this sign-in.
    await page.getByLabel('6-digit code from your authenticator app').fill(totpCode(secret, 1));
    await page.getByRole('button', { name: 'Verify' }).first().click();
    await page.getByText('Verified: you can add and remove methods').waitFor();
    await page.getByLabel('Mobile number').fill('+44 7700 900555');
    await page.getByRole('button', { name: 'Send a confirmation code' }).click();
    await shot(page, '05-phone-code-sent');
    await page.getByLabel('6-digit code from the text message').fill(await lastCodeFor(t, PHONE));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('+44 ••• ••• 555').waitFor();
    await shot(page, '06-phone-added');
    await page.close();
  });

  it('resets the forgotten password with an SMS code, and the directory accepts the new password', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await shot(page, '07-home');
    await page.getByRole('link', { name: 'I forgot my password' }).click();
    await page.getByLabel('Username or email address').fill(user.username);
    await shot(page, '08-identify');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Prove it is you' }).waitFor();
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByText('a code is on its way').waitFor();
    await shot(page, '09-verify-code-sent');
    await page.getByLabel('6-digit code from the text message').fill(await lastCodeFor(t, PHONE));
    await page.getByRole('button', { name: 'Verify' }).last().click();
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();

    // The live checklist: a weak password leaves rules unmet, a good one turns every rule green.
    const rules = page.locator('ul[data-checklist] li');
    const total = await rules.count();
    assert.ok(total >= 5, `checklist has ${total} rules`);
    await page.getByLabel('New password', { exact: true }).pressSequentially('password1', { delay: 20 });
    await page.locator('ul[data-checklist] li.unmet').first().waitFor();
    await shot(page, '10a-checklist-weak');
    const next = `${freshPassword('B')}-long-enough`;
    await page.getByLabel('New password', { exact: true }).fill('');
    await page.getByLabel('New password', { exact: true }).pressSequentially(next, { delay: 5 });
    await page.waitForFunction(
      (n) => document.querySelectorAll('ul[data-checklist] li.met').length === n,
      total,
    );
    assert.equal(await page.locator('ul[data-checklist] li.unmet').count(), 0);
    await page.getByLabel('New password again').fill(next);
    // The external script's live hint: proof the CSP-safe script runs.
    await page.getByText(/✓ \d+ of at least 15 characters/).waitFor();
    await shot(page, '10-choose-password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password has been changed').waitFor();
    await shot(page, '11-done');

    const entry = await t.services.directory.findUser(user.username);
    assert.ok(entry);
    await t.services.directory.verifyPassword(entry, next);
    await page.close();
  });
});
