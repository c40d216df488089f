// Journey: the server turns a form down. An error about one field appears next
// to that field (a taken username: 409 on `username`); an error about no field
// appears in the form's alert (a request the server's CSRF check rejects).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  expectScreen, gotoApp, signUp, startStack, submitSignup, uniqueUsername, withApp,
} from './helpers.mjs';

describe('server errors', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('Signup_TakenUsername_ShowsServerErrorNextToUsername', () => withApp(stack, async ({ page }) => {
    const taken = uniqueUsername('taken');
    await signUp(page, { username: taken, password: 'first owner pw' });
    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');

    // Usernames are unique without regard to case.
    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/signup'));
    await submitSignup(page, { username: taken.toUpperCase(), password: 'second owner pw' });
    const res = await response;
    assert.equal(res.status(), 409);
    const body = await res.json();
    assert.equal(body.field, 'username');

    const error = page.getByTestId('signup-username-error');
    await error.locator('li').first().waitFor();
    assert.equal((await error.textContent()).trim(), body.error);
    assert.match(await page.getByTestId('signup-username').getAttribute('class'), /\bis-invalid\b/);
    assert.equal(await page.getByTestId('signup-alert').isHidden(), true, 'no general alert for a field error');
    assert.equal(await page.getByTestId('header-user').count(), 0);

    await page.getByTestId('signup-username').fill(uniqueUsername('free'));
    assert.equal((await error.textContent()).trim(), '', 'editing the field clears the server error');
  }));

  test('Signup_ErrorWithoutField_ShowsGeneralAlert', () => withApp(stack, async ({ page, context }) => {
    await gotoApp(page, '/login');
    // Without its cookie the page's CSRF token no longer verifies: 403, no field.
    await context.clearCookies({ name: 'latchkey_csrf' });

    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/signup'));
    await submitSignup(page, { username: uniqueUsername('csrf'), password: 'csrf test password' });
    const res = await response;
    assert.equal(res.status(), 403);
    const body = await res.json();
    assert.equal(body.field, undefined);

    const alert = page.getByTestId('signup-alert');
    await alert.waitFor({ state: 'visible' });
    assert.equal((await alert.textContent()).trim(), body.error);
    assert.equal((await page.getByTestId('signup-username-error').textContent()).trim(), '');
    assert.equal(new URL(page.url()).pathname, '/login');
  }));
});
