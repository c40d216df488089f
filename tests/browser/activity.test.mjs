// Journey: someone guesses at my password from another browser; my Account page's
// "Recent activity" shows the failed attempt (highlighted) next to my sign-up, and a
// change I make on the page appears there without a reload.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertNoReload, gotoApp, markWindow, openAccount, signUp, startStack, submitLogin, uniqueUsername,
  waitForCount, withDevices,
} from './helpers.mjs';

describe('recent activity', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('AccountPage_FailedAttemptElsewhere_ShownInRecentActivity', () => withDevices(stack, [{}, {}], async ([a, b]) => {
    const user = { username: uniqueUsername('act'), name: 'Activity', password: 'activity long pw' };
    await signUp(a.page, user);
    await gotoApp(b.page, '/login');
    await submitLogin(b.page, { username: user.username, password: 'a wrong guess' });
    await b.page.getByTestId('login-alert').waitFor({ state: 'visible' });

    await openAccount(a.page);
    const items = a.page.getByTestId('event-item');
    await waitForCount(items, 2, 'events');
    assert.deepEqual(
      await items.evaluateAll((els) => els.map((e) => e.dataset.eventType)),
      ['login_failed', 'signup']);
    const failed = items.first();
    assert.equal((await failed.getByTestId('event-label').textContent()).trim(), 'Failed sign-in attempt');
    assert.match(await failed.getByTestId('event-label').getAttribute('class'), /text-danger/);
    assert.equal((await failed.getByTestId('event-ip').textContent()).trim(), '127.0.0.1');

    await markWindow(a.page);
    await a.page.getByTestId('profile-name').fill('Activity Renamed');
    await a.page.getByTestId('profile-submit').click();
    await waitForCount(items, 3, 'events after the profile change');
    assert.equal(await items.first().getAttribute('data-event-type'), 'profile_updated');
    await assertNoReload(a.page);
  }));
});
