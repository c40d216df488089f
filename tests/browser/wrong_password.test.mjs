// Journey: a user mistypes their password (or their username) and is told
// "Invalid username or password"; the correct password then works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  expectScreen, signUp, startStack, submitLogin, uniqueUsername, withApp,
} from './helpers.mjs';

describe('wrong password', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('Login_WrongPasswordOrUnknownUser_ShowsInvalidCredentials', () => withApp(stack, async ({ page }) => {
    const user = { username: uniqueUsername('linus'), name: 'Linus', password: 'right password 42' };
    await signUp(page, user);
    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');

    const alert = page.getByTestId('login-alert');
    const attempts = [
      { username: user.username, password: 'wrong password 42' },
      { username: uniqueUsername('nobody'), password: user.password },
    ];
    for (const attempt of attempts) {
      const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
      await submitLogin(page, attempt);
      assert.equal((await response).status(), 401);
      await alert.waitFor({ state: 'visible' });
      assert.equal((await alert.textContent()).trim(), 'Invalid username or password');
      assert.equal(await page.getByTestId('login-password').inputValue(), '', 'password field emptied');
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal(await page.getByTestId('header-user').count(), 0);
    }

    await submitLogin(page, user);
    await expectScreen(page, 'home-page', '/');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Linus');
  }));
});
