// Journey: a user changes their password on device A. The form checks its
// fields first and shows the server's verdict on the current password next to
// it; a success ends the session of device B (its next action lands on the
// login page with a "session ended" message) while A stays logged in on its
// rotated cookie. Afterwards only the new password logs in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertNoReload, expectScreen, expectSessionEnded, logIn, markWindow, openAccount, sessionCookie,
  sessionRows, signUp, startStack, submitLogin, uniqueUsername, waitForCount, withDevices,
} from './helpers.mjs';

async function fillPasswordForm(page, { current, next, confirm = next }) {
  await page.getByTestId('password-current').fill(current);
  await page.getByTestId('password-new').fill(next);
  await page.getByTestId('password-confirm').fill(confirm);
  await page.getByTestId('password-submit').click();
}

describe('change password', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('ChangePassword_OnA_EndsBAndKeepsA', () => withDevices(stack, [{}, {}], async ([a, b]) => {
    const oldPassword = 'old password 2026';
    const newPassword = 'brand new passphrase';
    const user = { username: uniqueUsername('rotate'), name: 'Rotating', password: oldPassword };
    await signUp(a.page, user);
    await logIn(b.page, user);
    await markWindow(b.page);

    await openAccount(a.page);
    await waitForCount(sessionRows(a.page).all, 2, 'sessions on A');
    const changes = () => a.apiRequests.filter((r) => r.path === '/api/auth/password');

    // Client rules first: a short new password and a mismatch send nothing.
    await fillPasswordForm(a.page, { current: oldPassword, next: 'short' });
    await a.page.getByTestId('password-new-error').locator('li').first().waitFor();
    await fillPasswordForm(a.page, { current: oldPassword, next: newPassword, confirm: `${newPassword}!` });
    await a.page.getByTestId('password-confirm-error').locator('li').first().waitFor();
    assert.equal(changes().length, 0, 'invalid forms send nothing');

    // A wrong current password: 401 on current_password, shown next to it; still logged in.
    let response = a.page.waitForResponse((r) => r.url().endsWith('/api/auth/password'));
    await fillPasswordForm(a.page, { current: 'not the password', next: newPassword });
    let res = await response;
    assert.equal(res.status(), 401);
    const body = await res.json();
    assert.equal(body.field, 'current_password');
    const error = a.page.getByTestId('password-current-error');
    await error.locator('li').first().waitFor();
    assert.equal((await error.textContent()).trim(), body.error);
    assert.equal(new URL(a.page.url()).pathname, '/account', 'a wrong password is not a lost session');
    assert.equal(await a.page.getByTestId('header-user').count(), 1);

    const original = await sessionCookie(a.context);
    response = a.page.waitForResponse((r) => r.url().endsWith('/api/auth/password'));
    await fillPasswordForm(a.page, { current: oldPassword, next: newPassword });
    res = await response;
    assert.equal(res.status(), 200);
    assert.deepEqual(JSON.parse(changes().at(-1).body), { current_password: oldPassword, new_password: newPassword });
    assert.ok(changes().at(-1).headers['x-csrf-token'], 'carries the CSRF token');
    await a.page.getByTestId('password-status').waitFor({ state: 'visible' });
    for (const id of ['password-current', 'password-new', 'password-confirm']) {
      assert.equal(await a.page.getByTestId(id).inputValue(), '', `${id} emptied`);
    }
    const afterChange = await sessionCookie(a.context);
    assert.ok(afterChange && afterChange.value !== original.value, 'the session cookie was rotated');
    // The list re-renders: B's session is gone, this one remains.
    await waitForCount(sessionRows(a.page).all, 1, 'sessions on A after the change');
    assert.equal(await sessionRows(a.page).current.count(), 1);

    // B's next action: opening its Account page asks the server, which says 401.
    await b.page.getByTestId('account-link').click();
    await expectSessionEnded(b.page);
    await assertNoReload(b.page);

    // A keeps working on the rotated cookie, across a reload too, with the same CSRF token.
    await a.page.getByTestId('profile-name').fill('Rotated');
    await a.page.getByTestId('profile-submit').click();
    await a.page.getByTestId('profile-status').waitFor({ state: 'visible' });
    await a.page.reload();
    await expectScreen(a.page, 'account-page', '/account');
    assert.equal((await a.page.getByTestId('header-user').textContent()).trim(), 'Logged in as Rotated');

    // The old password no longer logs in; the new one does.
    await a.page.getByTestId('logout-button').click();
    await expectScreen(a.page, 'login-page', '/login');
    const login = a.page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await submitLogin(a.page, { username: user.username, password: oldPassword });
    assert.equal((await login).status(), 401);
    await a.page.getByTestId('login-alert').waitFor({ state: 'visible' });
    await submitLogin(a.page, { username: user.username, password: newPassword });
    await expectScreen(a.page, 'home-page', '/');
    await submitLogin(b.page, { username: user.username, password: newPassword });
    await expectScreen(b.page, 'home-page', '/');
  }));
});
