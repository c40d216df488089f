// Journey: a user removes their account after an in-page confirmation (no
// browser dialog) that asks for their password; a wrong password keeps the
// account, the right one deletes it, logs out and login fails afterwards.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  expectScreen, expectSessionEnded, signUp, startStack, submitLogin, uniqueUsername, withApp,
} from './helpers.mjs';

describe('remove account', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('RemoveAccount_ConfirmedWithPassword_LogsOutAndLoginFails', () => withApp(stack, async ({ page, apiRequests, problems }) => {
    page.on('dialog', (dialog) => {
      problems.push(`unexpected ${dialog.type()} dialog: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    const removals = () => apiRequests.filter((r) => r.path === '/api/auth/remove_account');
    const user = { username: uniqueUsername('leaving'), name: 'Leaving Soon', password: 'goodbye password' };
    await signUp(page, user);

    // Cancel first: nothing is sent, the account stays.
    await page.getByTestId('remove-account').click();
    await page.getByTestId('remove-confirm').waitFor();
    await page.getByTestId('remove-confirm-cancel').click();
    await page.getByTestId('remove-account').waitFor();
    assert.equal(await page.getByTestId('remove-confirm').count(), 0);
    assert.equal(removals().length, 0, 'cancel sends nothing');

    // No password: Parsley stops the form, nothing is sent.
    await page.getByTestId('remove-account').click();
    await page.getByTestId('remove-confirm-yes').click();
    await page.getByTestId('remove-password-error').locator('li').first().waitFor();
    assert.equal(removals().length, 0, 'an empty password sends nothing');

    // A wrong password: 401 on `password`, shown next to the input; still logged in.
    await page.getByTestId('remove-password').fill('not my password');
    let response = page.waitForResponse((r) => r.url().endsWith('/api/auth/remove_account'));
    await page.getByTestId('remove-confirm-yes').click();
    let res = await response;
    assert.equal(res.status(), 401);
    const body = await res.json();
    assert.equal(body.field, 'password');
    const error = page.getByTestId('remove-password-error');
    await error.locator('li').first().waitFor();
    assert.equal((await error.textContent()).trim(), body.error);
    assert.equal(new URL(page.url()).pathname, '/', 'a wrong password is not a lost session');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Leaving Soon');
    assert.equal(await page.getByTestId('remove-password').inputValue(), '', 'password input emptied');
    assert.deepEqual(JSON.parse(removals()[0].body), { password: 'not my password' });

    await page.getByTestId('remove-password').fill(user.password);
    response = page.waitForResponse((r) => r.url().endsWith('/api/auth/remove_account'));
    await page.getByTestId('remove-confirm-yes').click();
    res = await response;
    assert.equal(res.status(), 200);
    assert.deepEqual(JSON.parse(removals()[1].body), { password: user.password });
    assert.ok(removals().every((r) => r.headers['x-csrf-token']), 'every removal carries the CSRF token');
    await expectScreen(page, 'login-page', '/login');
    assert.equal(await page.getByTestId('header-user').count(), 0);
    assert.equal(await page.getByTestId('login-notice').count(), 0, 'removing the account is no "session ended"');

    await page.reload();
    await expectScreen(page, 'login-page', '/login');

    const login = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await submitLogin(page, user);
    assert.equal((await login).status(), 401);
    await page.getByTestId('login-alert').waitFor({ state: 'visible' });
    assert.equal((await page.getByTestId('login-alert').textContent()).trim(), 'Invalid username or password');
  }));

  test('RemoveAccount_SessionGoneOnServer_401FlipsToLoginPage', () => withApp(stack, async ({ page, context }) => {
    const user = { username: uniqueUsername('expired'), password: 'expired session pw' };
    await signUp(page, user);
    // The server no longer knows this browser: any API call now answers 401.
    await context.clearCookies({ name: 'latchkey_session' });

    await page.getByTestId('remove-account').click();
    await page.getByTestId('remove-password').fill(user.password);
    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/remove_account'));
    await page.getByTestId('remove-confirm-yes').click();
    const res = await response;
    assert.equal(res.status(), 401);
    assert.equal((await res.json()).field, undefined, 'no session: a 401 about no field');
    await expectSessionEnded(page);
  }));
});
