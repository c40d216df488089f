// Journey: a user removes their account after an in-page confirmation (no
// browser dialog); afterwards they are logged out and cannot log in again.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  expectScreen, signUp, startStack, submitLogin, uniqueUsername, withApp,
} from './helpers.mjs';

describe('remove account', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('RemoveAccount_Confirmed_LogsOutAndLoginFails', () => withApp(stack, async ({ page, apiRequests, problems }) => {
    page.on('dialog', (dialog) => {
      problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    const user = { username: uniqueUsername('leaving'), name: 'Leaving Soon', password: 'goodbye password' };
    await signUp(page, user);

    // Cancel first: nothing is sent, the account stays.
    await page.getByTestId('remove-account').click();
    await page.getByTestId('remove-confirm').waitFor();
    await page.getByTestId('remove-confirm-cancel').click();
    await page.getByTestId('remove-account').waitFor();
    assert.equal(await page.getByTestId('remove-confirm').count(), 0);
    assert.equal(apiRequests.filter((r) => r.path === '/api/auth/remove_account').length, 0, 'cancel sends nothing');

    await page.getByTestId('remove-account').click();
    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/remove_account'));
    await page.getByTestId('remove-confirm-yes').click();
    assert.equal((await response).status(), 200);
    await expectScreen(page, 'login-page', '/login');
    assert.equal(await page.getByTestId('header-user').count(), 0);

    await page.reload();
    await expectScreen(page, 'login-page', '/login');

    const login = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await submitLogin(page, user);
    assert.equal((await login).status(), 401);
    await page.getByTestId('login-alert').waitFor({ state: 'visible' });
    assert.equal((await page.getByTestId('login-alert').textContent()).trim(), 'Invalid username or password');
  }));

  test('RemoveAccount_SessionGoneOnServer_401FlipsToLoginPage', () => withApp(stack, async ({ page, context }) => {
    await signUp(page, { username: uniqueUsername('expired'), password: 'expired session pw' });
    // The server no longer knows this browser: any API call now answers 401.
    await context.clearCookies({ name: 'latchkey_session' });

    await page.getByTestId('remove-account').click();
    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/remove_account'));
    await page.getByTestId('remove-confirm-yes').click();
    assert.equal((await response).status(), 401);
    await expectScreen(page, 'login-page', '/login');
    assert.equal(await page.getByTestId('header-user').count(), 0, 'header no longer shows a user');
  }));
});
