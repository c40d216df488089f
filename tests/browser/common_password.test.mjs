// Journey: a visitor picks a common password ("password1") or their username
// as password. The client refuses it before sending anything, with the same
// verdict as the server (which refuses it too when asked directly). The list
// is downloaded once, only when a new password is first checked. The same
// holds on the change-password form.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  gotoApp, openAccount, signUp, startStack, submitSignup, uniqueUsername, withApp,
} from './helpers.mjs';

const kTooCommon = 'This password is too common. Choose another.';
const kListPath = '/assets/common-passwords.txt';

/** Counts the page's downloads of the common-password list. */
function countListFetches(page) {
  const seen = { count: 0 };
  page.on('request', (req) => {
    if (new URL(req.url()).pathname === kListPath) seen.count += 1;
  });
  return seen;
}

async function expectFieldError(page, testId, text, label) {
  const error = page.getByTestId(`${testId}-error`);
  await error.locator('li').first().waitFor({ state: 'visible' }).catch(() => {
    throw new Error(`${label}: no error shown next to ${testId}`);
  });
  assert.equal((await error.textContent()).trim(), text, label);
  assert.match(await page.getByTestId(testId).getAttribute('class'), /\bis-invalid\b/, label);
}

/** POSTs JSON from the page (same origin, the page's CSRF token); returns {status, body}. */
function postFromPage(page, path, body) {
  return page.evaluate(async ([p, b]) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const res = await fetch(p, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(b),
    });
    return { status: res.status, body: await res.json() };
  }, [path, body]);
}

describe('common passwords', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('Signup_CommonPassword_BlockedWithoutRequestAndServerAgrees', () => withApp(stack, async ({ page, apiRequests }) => {
    const signups = () => apiRequests.filter((r) => r.path === '/api/auth/signup');
    const fetches = countListFetches(page);
    await gotoApp(page, '/login');
    assert.equal(fetches.count, 0, 'the list is fetched lazily, not at boot');

    const username = uniqueUsername('common');
    await submitSignup(page, { username, password: 'password1' });
    await expectFieldError(page, 'signup-password', kTooCommon, 'password1');
    await submitSignup(page, { username, password: 'PassWord1' });
    await expectFieldError(page, 'signup-password', kTooCommon, 'PassWord1 (case folded)');
    await submitSignup(page, { username, password: username.toUpperCase() });
    await expectFieldError(page, 'signup-password', 'The password must not be the same as the username.',
      'the username as password');
    assert.equal(signups().length, 0, 'no signup request left the browser');
    assert.equal(fetches.count, 1, 'the list was fetched once');
    assert.equal(await page.getByTestId('signup-submit').isEnabled(), true, 'the form is usable again');

    // The server, asked directly, gives the same verdict.
    const res = await postFromPage(page, '/api/auth/signup', { username, password: 'password1' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: kTooCommon, code: 'validation_failed', field: 'password' });

    await submitSignup(page, { username, password: 'password1 with more words' });
    await page.getByTestId('home-page').waitFor();
    assert.equal(signups().length, 2, 'the direct request and the good form');
    assert.equal(fetches.count, 1, 'still one download');
  }));

  test('ChangePassword_CommonOrUsername_BlockedWithoutRequest', () => withApp(stack, async ({ page, apiRequests }) => {
    const user = { username: uniqueUsername('chcommon'), password: 'a decent passphrase' };
    await signUp(page, user);
    await openAccount(page);
    const changes = () => apiRequests.filter((r) => r.path === '/api/auth/password');
    const fill = async (next) => {
      await page.getByTestId('password-current').fill(user.password);
      await page.getByTestId('password-new').fill(next);
      await page.getByTestId('password-confirm').fill(next);
      await page.getByTestId('password-submit').click();
    };
    await fill('qwertyuiop');
    await expectFieldError(page, 'password-new', kTooCommon, 'qwertyuiop');
    await fill(user.username);
    await expectFieldError(page, 'password-new', 'The password must not be the same as the username.',
      'the username as new password');
    assert.equal(changes().length, 0, 'no password request left the browser');

    const res = await postFromPage(page, '/api/auth/password', { current_password: user.password, new_password: 'qwertyuiop' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: kTooCommon, code: 'validation_failed', field: 'new_password' });

    await fill('another decent passphrase');
    await page.getByTestId('password-status').waitFor({ state: 'visible' });
    assert.equal(changes().length, 2, 'the direct request and the good form');
  }));
});
