// Journey: a visitor fills the forms badly; Parsley shows the problem next to
// the field and no request leaves the browser. A good form then does send
// exactly one request, which proves the request observer works.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gotoApp, startStack, submitLogin, submitSignup, withApp } from './helpers.mjs';

const kGood = { username: 'valid.user-1', name: 'Valid User', password: 'long enough pw', confirm: 'long enough pw' };

// Each case breaks one rule of docs/API.md (or the confirmation) and names the
// field whose error element must show a message.
const kBadSignups = [
  { label: 'empty username', change: { username: '' }, field: 'username' },
  { label: 'username of 2 characters', change: { username: 'ab' }, field: 'username' },
  { label: 'username of 33 characters', change: { username: 'a'.repeat(33) }, field: 'username' },
  { label: 'username with a space', change: { username: 'bad name' }, field: 'username' },
  { label: 'username with a non-ASCII letter', change: { username: 'jos\u00e9' }, field: 'username' },
  { label: 'password of 7 characters', change: { password: 'seven77', confirm: 'seven77' }, field: 'password' },
  {
    label: 'password of 4 emoji (8 UTF-16 units, 4 code points)',
    change: { password: '\u{1F511}'.repeat(4), confirm: '\u{1F511}'.repeat(4) },
    field: 'password',
  },
  {
    label: 'password of 1025 characters',
    change: { password: 'p'.repeat(1025), confirm: 'p'.repeat(1025) },
    field: 'password',
  },
  { label: 'confirmation differs', change: { confirm: 'long enough pX' }, field: 'password-confirm' },
  { label: 'name of 101 characters', change: { name: 'n'.repeat(101) }, field: 'name' },
  { label: 'name with a tab', change: { name: 'tab\there' }, field: 'name' },
];

describe('client-side validation', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('Signup_InvalidForms_ShowFieldErrorAndSendNoRequest', () => withApp(stack, async ({ page, apiRequests }) => {
    const signups = () => apiRequests.filter((r) => r.path === '/api/auth/signup');
    await gotoApp(page, '/login');

    for (const { label, change, field } of kBadSignups) {
      await submitSignup(page, { ...kGood, ...change });
      const error = page.getByTestId(`signup-${field}-error`);
      await error.locator('li').first().waitFor({ state: 'visible' }).catch(() => {
        throw new Error(`${label}: no error shown next to ${field}`);
      });
      assert.notEqual((await error.textContent()).trim(), '', `${label}: error text`);
      assert.match(await page.getByTestId(`signup-${field}`).getAttribute('class'), /\bis-invalid\b/, label);
      assert.equal(signups().length, 0, `${label}: no request sent`);
      assert.equal(new URL(page.url()).pathname, '/login', label);
    }

    await submitSignup(page, kGood);
    await page.getByTestId('home-page').waitFor();
    assert.equal(signups().length, 1, 'the valid form sent exactly one request');
  }));

  test('Login_EmptyOrShortFields_SendNoRequest', () => withApp(stack, async ({ page, apiRequests }) => {
    await gotoApp(page, '/login');
    await submitLogin(page, { username: '', password: '' });
    await page.getByTestId('login-username-error').locator('li').first().waitFor();
    await page.getByTestId('login-password-error').locator('li').first().waitFor();
    await submitLogin(page, { username: 'someone', password: 'short' });
    await page.getByTestId('login-password-error').locator('li').first().waitFor();
    assert.equal(await page.getByTestId('login-username-error').locator('li').count(), 0, 'username now fine');

    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await submitLogin(page, { username: 'someone', password: 'long enough but wrong' });
    assert.equal((await response).status(), 401);
    assert.deepEqual(apiRequests.filter((r) => r.method === 'POST').map((r) => r.path), ['/api/auth/login']);
    await page.getByTestId('login-alert').waitFor({ state: 'visible' });
  }));
});
