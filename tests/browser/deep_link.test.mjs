// Journey: the user opens or reloads a URL other than / (pushState routes).
// Every such URL serves the page, the assets load from absolute /assets/
// URLs, and the router sends the user where they belong.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectScreen, gotoApp, signUp, startStack, uniqueUsername, withApp } from './helpers.mjs';

describe('deep links', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('DeepLink_LoggedOut_LoginReloadsAndHomeRedirects', () => withApp(stack, async ({ page }) => {
    await gotoApp(page, '/login');
    await expectScreen(page, 'login-page', '/login');
    await page.reload();
    await expectScreen(page, 'login-page', '/login');
    assert.equal(await page.title(), 'Log in · Latchkey');

    await gotoApp(page, '/');
    await expectScreen(page, 'login-page', '/login');
    await gotoApp(page, '/account');
    await expectScreen(page, 'login-page', '/login');
    assert.equal(await page.getByTestId('login-notice').count(), 0, 'never logged in: no "session ended"');
  }));

  test('DeepLink_UnknownNestedPath_ShowsNotFoundWithWorkingAssets', () => withApp(stack, async ({ page }) => {
    const res = await page.goto('/account/settings/deep');
    assert.equal(res.status(), 200);
    await expectScreen(page, 'not-found-page', '/account/settings/deep');
    assert.match(await page.getByTestId('not-found-page').textContent(), /\/account\/settings\/deep/);
    const sheet = await page.evaluate(() => getComputedStyle(document.querySelector('main.container')).maxWidth);
    assert.equal(sheet, '960px', 'app.css applied');

    await page.getByTestId('not-found-home').click();
    await expectScreen(page, 'login-page', '/login');
  }));

  test('DeepLink_LoggedIn_LoginRedirectsHome', () => withApp(stack, async ({ page }) => {
    await signUp(page, { username: uniqueUsername('deep'), name: 'Deep', password: 'deep link pw 1' });
    await gotoApp(page, '/login');
    await expectScreen(page, 'home-page', '/');
    await gotoApp(page, '/account');
    await expectScreen(page, 'account-page', '/account');
    assert.equal(await page.title(), 'Account · Latchkey');
    await gotoApp(page, '/nowhere');
    await expectScreen(page, 'not-found-page', '/nowhere');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Deep');
  }));
});
