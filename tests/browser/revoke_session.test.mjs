// Journey: one user on two devices. Device A's Account page lists both
// sessions (device, IP, last seen, "This device" on its own); A revokes B;
// B's next API call answers 401 and B lands on the login page with a
// "session ended" message, without a page reload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertNoReload, expectScreen, expectSessionEnded, logIn, markWindow, openAccount, sessionRows,
  signUp, startStack, uniqueUsername, waitForCount, withDevices,
} from './helpers.mjs';

// Device B poses as Firefox on Windows, so the list must tell the two apart.
const kFirefoxOnWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

describe('revoke a session', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('AccountPage_TwoDevices_ListsBothAndRevokeEndsTheOther', () => withDevices(stack, [{}, { userAgent: kFirefoxOnWindows }], async ([a, b]) => {
    const user = { username: uniqueUsername('twodev'), name: 'Two Devices', password: 'two devices pw' };
    await signUp(a.page, user);
    await logIn(b.page, user);

    // B waits on its Account page with the list loaded.
    await openAccount(b.page);
    await waitForCount(sessionRows(b.page).all, 2, 'sessions on B');
    await markWindow(b.page);

    await openAccount(a.page);
    const rows = sessionRows(a.page);
    await waitForCount(rows.all, 2, 'sessions on A');
    assert.equal(await rows.current.count(), 1, 'exactly one row is this device');
    assert.equal(await a.page.getByTestId('session-current').count(), 1, 'one "This device" badge');
    assert.equal((await rows.current.getByTestId('session-current').textContent()).trim(), 'This device');
    assert.equal(await rows.current.getByTestId('session-revoke').count(), 0, 'no Revoke on this device');
    assert.match((await rows.current.getByTestId('session-device').textContent()).trim(), /^Chrome\b.* \d+ on Linux$/);

    const other = a.page.locator('[data-testid="session-item"][data-current="false"]');
    assert.equal((await other.getByTestId('session-device').textContent()).trim(), 'Firefox 128 on Windows');
    assert.equal((await other.getByTestId('session-ip').textContent()).trim(), '127.0.0.1');
    assert.match((await other.getByTestId('session-last-seen').textContent()).trim(), /^(just now|1 minute ago)$/);
    const otherId = await other.getAttribute('data-session-id');
    assert.match(otherId, /^[A-Za-z0-9_-]{22}$/, 'a 22-character public id');
    assert.equal(await a.page.getByTestId('revoke-others').isEnabled(), true);

    const revoke = a.page.waitForResponse((r) => r.request().method() === 'DELETE');
    await other.getByTestId('session-revoke').click();
    const res = await revoke;
    assert.equal(new URL(res.url()).pathname, `/api/auth/sessions/${otherId}`);
    assert.equal(res.status(), 200);
    assert.ok(res.request().headers()['x-csrf-token'], 'DELETE carries the CSRF token');
    await waitForCount(rows.all, 1, 'sessions on A after the revoke');
    assert.equal(await rows.current.count(), 1, 'the remaining row is this device');
    await a.page.getByTestId('sessions-status').waitFor({ state: 'visible' });
    assert.equal((await a.page.getByTestId('sessions-status').textContent()).trim(), 'Session revoked.');
    assert.equal(await a.page.getByTestId('revoke-others').isDisabled(), true, 'no other session left');

    // B's next action reloads the account data: 401, then the login page.
    const refused = b.page.waitForResponse((r) => r.url().endsWith('/api/auth/user'));
    await b.page.getByTestId('profile-submit').click();
    assert.equal((await refused).status(), 401);
    await expectSessionEnded(b.page);
    await assertNoReload(b.page);

    // A is unaffected; B can log in again, and the notice is gone then.
    await a.page.reload();
    await expectScreen(a.page, 'account-page', '/account');
    await b.page.getByTestId('login-username').fill(user.username);
    await b.page.getByTestId('login-password').fill(user.password);
    await b.page.getByTestId('login-submit').click();
    await expectScreen(b.page, 'home-page', '/');
    await b.page.getByTestId('logout-button').click();
    await expectScreen(b.page, 'login-page', '/login');
    assert.equal(await b.page.getByTestId('login-notice').count(), 0, 'logging out shows no notice');
  }));

  test('RevokeSession_AlreadyGone_ShowsErrorAndRefreshesList', () => withDevices(stack, [{}, {}], async ([a, b]) => {
    const user = { username: uniqueUsername('gone'), password: 'already gone pw' };
    await signUp(a.page, user);
    await logIn(b.page, user);
    await openAccount(a.page);
    const rows = sessionRows(a.page);
    await waitForCount(rows.all, 2, 'sessions on A');

    // B logs out after A loaded the list: A's row for B is stale.
    await b.page.getByTestId('logout-button').click();
    await expectScreen(b.page, 'login-page', '/login');

    const revoke = a.page.waitForResponse((r) => r.request().method() === 'DELETE');
    await a.page.locator('[data-testid="session-item"][data-current="false"]').getByTestId('session-revoke').click();
    const res = await revoke;
    assert.equal(res.status(), 404);
    const alert = a.page.getByTestId('sessions-alert');
    await alert.waitFor({ state: 'visible' });
    assert.equal((await alert.textContent()).trim(), (await res.json()).error);
    await waitForCount(rows.all, 1, 'sessions on A after the refresh');
    assert.equal(await a.page.getByTestId('header-user').count(), 1, 'a 404 is not a lost session');
    assert.equal(new URL(a.page.url()).pathname, '/account');
  }));
});
