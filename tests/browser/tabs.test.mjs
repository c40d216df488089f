// Journeys across the users of one browser (issue 18, "every tab tells the truth"): a page is
// built for one user, and an answer about another is never applied.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appState, openAccount, signUp, startStack, uniqueUsername, withApp } from './helpers.mjs';

const kMismatchNotice = 'Nothing was changed: this page was out of date, showing another account than the one now logged in in this browser.';

/** Fails when the page's DOM holds any of `strings`. */
async function assertNotInDom(page, strings, what) {
  const html = await page.content();
  for (const s of strings) assert.equal(html.includes(s), false, `${what}: the DOM still holds ${JSON.stringify(s)}`);
}

describe('tabs', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('AnswerNamingAnotherUser_IsNotApplied_TabReloadsItsState', () => withApp(stack, async ({ page, apiRequests }) => {
    const alice = { username: uniqueUsername('alice'), name: 'Alice Liddell', password: 'down the rabbit hole' };
    await signUp(page, alice);
    await openAccount(page);
    const { id } = (await appState(page)).user;
    // A server without the expect-user check, or a proxy that mixed up answers: the profile
    // write answers with someone else's user.
    await page.route('**/api/auth/user', (route) => route.fulfill({
      status: 200, contentType: 'application/json',
      body: JSON.stringify({ user: { id: id + 1000, username: 'someone_else', name: 'Someone Else' } }),
    }));
    await page.getByTestId('profile-name').fill('Alice Renamed');
    const recheck = page.waitForRequest((r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/auth');
    await page.getByTestId('profile-submit').click();
    await recheck;
    await page.getByTestId('page-notice').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('page-notice').textContent(), kMismatchNotice);
    await assertNotInDom(page, ['Someone Else', 'someone_else'], 'after the refused answer');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Alice Liddell');
    assert.equal(await page.getByTestId('profile-status').isHidden(), true, 'never "Saved."');
    assert.equal((await appState(page)).user.name, 'Alice Liddell');
    const patch = apiRequests.find((r) => r.method === 'PATCH');
    assert.equal(patch.headers['x-latchkey-expect-user'], String(id));
  }));
});
