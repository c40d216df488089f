// Journey: "Remember me" on the login form. Unchecked (the default) gives a
// browser-session cookie (no expiry); checked gives a persistent one. Signing
// up always remembers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  expectScreen, gotoApp, sessionCookie, signUp, startStack, submitLogin, uniqueUsername, withApp,
} from './helpers.mjs';

describe('remember me', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('Login_RememberUncheckedOrChecked_SessionOrPersistentCookie', () => withApp(stack, async ({ page, context, apiRequests }) => {
    const user = { username: uniqueUsername('remember'), password: 'remember me maybe' };
    const bodyOf = (path) => JSON.parse(apiRequests.filter((r) => r.path === path).at(-1).body);

    await signUp(page, user);
    assert.equal(bodyOf('/api/auth/signup').remember, true, 'signup asks to be remembered');
    let cookie = await sessionCookie(context);
    assert.ok(cookie.expires > Date.now() / 1000 + 3600, `signup cookie persists (expires ${cookie.expires})`);

    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');
    assert.equal(await page.getByTestId('login-remember').isChecked(), false, 'unchecked by default');
    await submitLogin(page, user);
    await expectScreen(page, 'home-page', '/');
    assert.equal(bodyOf('/api/auth/login').remember, false);
    cookie = await sessionCookie(context);
    assert.ok(cookie, 'session cookie set');
    assert.equal(cookie.expires, -1, 'a browser-session cookie has no expiry');
    assert.equal(cookie.httpOnly, true);

    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');
    await submitLogin(page, { ...user, remember: true });
    await expectScreen(page, 'home-page', '/');
    assert.equal(bodyOf('/api/auth/login').remember, true);
    cookie = await sessionCookie(context);
    assert.ok(cookie.expires > Date.now() / 1000 + 3600, `persistent cookie (expires ${cookie.expires})`);

    // The persistent session survives a reload.
    await gotoApp(page, '/');
    await expectScreen(page, 'home-page', '/');
  }));
});
