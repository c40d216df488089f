// Journey: a new visitor signs up, sees their name, and stays logged in
// across a reload because the session cookie is persistent.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { expectScreen, gotoApp, startStack, submitSignup, uniqueUsername, withApp } from './helpers.mjs';

describe('signup', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('Signup_ValidForm_ShowsNameAndSurvivesReload', () => withApp(stack, async ({ page, context }) => {
    const user = { username: uniqueUsername('ada'), name: 'Ada Lovelace', password: 'analytical engine 1843' };

    await gotoApp(page, '/');
    await expectScreen(page, 'login-page', '/login');
    assert.equal(await page.getByTestId('header-user').count(), 0, 'no user shown while logged out');

    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/signup'));
    await submitSignup(page, user);
    assert.equal((await response).status(), 201);

    await expectScreen(page, 'home-page', '/');
    assert.equal(await page.getByTestId('home-name').textContent(), 'Ada Lovelace');
    assert.equal(await page.getByTestId('home-username').textContent(), user.username);
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Ada Lovelace');

    const session = (await context.cookies()).find((c) => c.name === 'latchkey_session');
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.ok(session.expires > Date.now() / 1000, 'session cookie is persistent (has an expiry)');

    await page.reload();
    await expectScreen(page, 'home-page', '/');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Ada Lovelace');
  }));

  test('Signup_WithoutName_GreetsByUsername', () => withApp(stack, async ({ page }) => {
    const user = { username: uniqueUsername('noname'), password: 'no name needed here' };
    await gotoApp(page, '/login');
    await submitSignup(page, user);
    await expectScreen(page, 'home-page', '/');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), `Logged in as ${user.username}`);
  }));

  test('Signup_NameWithMarkup_ShownAsText', () => withApp(stack, async ({ page }) => {
    const name = 'Bob <b>bold</b> & <i>co</i>';
    await gotoApp(page, '/login');
    await submitSignup(page, { username: uniqueUsername('markup'), name, password: 'markup is text' });
    await expectScreen(page, 'home-page', '/');
    assert.equal(await page.getByTestId('home-name').textContent(), name);
    assert.equal(await page.getByTestId('home-name').locator('b, i').count(), 0, 'no markup rendered');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), `Logged in as ${name}`);
  }));
});
