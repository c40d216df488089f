// Journey: a user on three devices presses "Sign out everywhere else" on A.
// A stays logged in with a list of one; B and C are logged out on their next
// action (B sees the "session ended" message; C presses Log out on a session
// the server already ended: no message for a logout the user asked for).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertNoReload, expectScreen, expectSessionEnded, logIn, markWindow, openAccount, sessionRows,
  signUp, startStack, uniqueUsername, waitForCount, withDevices,
} from './helpers.mjs';

describe('sign out everywhere else', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('RevokeOthers_ThreeDevices_EndsTheOtherTwo', () => withDevices(stack, [{}, {}, {}], async ([a, b, c]) => {
    const user = { username: uniqueUsername('everywhere'), password: 'everywhere else pw' };
    await signUp(a.page, user);
    await logIn(b.page, user);
    await logIn(c.page, user);
    await markWindow(b.page);

    await openAccount(a.page);
    const rows = sessionRows(a.page);
    await waitForCount(rows.all, 3, 'sessions on A');

    const response = a.page.waitForResponse((r) => r.url().endsWith('/api/auth/sessions/revoke_others'));
    await a.page.getByTestId('revoke-others').click();
    const res = await response;
    assert.equal(res.status(), 200);
    assert.deepEqual(await res.json(), { success: true, revoked: 2 });
    assert.ok(res.request().headers()['x-csrf-token'], 'carries the CSRF token');
    await waitForCount(rows.all, 1, 'sessions on A afterwards');
    assert.equal(await rows.current.count(), 1, 'the one left is this device');
    await a.page.getByTestId('sessions-status').waitFor({ state: 'visible' });
    assert.equal((await a.page.getByTestId('sessions-status').textContent()).trim(), 'Signed out 2 other sessions.');

    await b.page.getByTestId('account-link').click();
    await expectSessionEnded(b.page);
    await assertNoReload(b.page);

    const logout = c.page.waitForResponse((r) => r.url().endsWith('/api/auth/logout'));
    await c.page.getByTestId('logout-button').click();
    assert.equal((await logout).status(), 200, 'docs/API.md: logout always answers 200');
    await expectScreen(c.page, 'login-page', '/login');
    assert.equal(await c.page.getByTestId('login-notice').count(), 0, 'no "session ended" after a logout');

    await a.page.reload();
    await expectScreen(a.page, 'account-page', '/account');
    await waitForCount(rows.all, 1, 'sessions on A after a reload');
  }));
});
