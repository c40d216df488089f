// Journey: a user edits their display name on the Account page. Parsley holds
// back a bad name; a good one is saved (PATCH /api/auth/user) and the header's
// "Logged in as NAME" follows at once, without a reload, and after one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertNoReload, expectScreen, markWindow, openAccount, signUp, startStack, uniqueUsername, withApp,
} from './helpers.mjs';

describe('profile', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('ProfileName_Edited_HeaderUpdatesWithoutReload', () => withApp(stack, async ({ page, apiRequests }) => {
    const user = { username: uniqueUsername('renamer'), name: 'Old Name', password: 'rename me please' };
    await signUp(page, user);
    await markWindow(page);
    await openAccount(page);
    const patches = () => apiRequests.filter((r) => r.path === '/api/auth/user');
    assert.equal(await page.getByTestId('profile-name').inputValue(), 'Old Name');

    for (const bad of ['n'.repeat(101), 'tab\there']) {
      await page.getByTestId('profile-name').fill(bad);
      await page.getByTestId('profile-submit').click();
      await page.getByTestId('profile-name-error').locator('li').first().waitFor();
    }
    assert.equal(patches().length, 0, 'invalid names send nothing');

    // 100 code points that are 200 UTF-16 units: the server's limit, not Parsley's `length`.
    const name = `New <b>Name</b> ${'\u{1F511}'.repeat(84)}`;
    assert.equal(Array.from(name).length, 100);
    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/user'));
    await page.getByTestId('profile-name').fill(name);
    await page.getByTestId('profile-submit').click();
    const res = await response;
    assert.equal(res.status(), 200);
    assert.equal(res.request().method(), 'PATCH');
    assert.deepEqual(JSON.parse(patches()[0].body), { name });
    assert.ok(patches()[0].headers['x-csrf-token'], 'PATCH carries the CSRF token');

    await page.getByTestId('profile-status').waitFor({ state: 'visible' });
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), `Logged in as ${name}`);
    assert.equal(await page.getByTestId('header-user').locator('b').count(), 0, 'the name is text, not markup');
    await assertNoReload(page);

    await page.getByTestId('brand').click();
    await expectScreen(page, 'home-page', '/');
    assert.equal(await page.getByTestId('home-name').textContent(), name);

    // An empty name greets by username, and it sticks across a reload.
    await openAccount(page);
    await page.getByTestId('profile-name').fill('');
    await page.getByTestId('profile-submit').click();
    await page.getByTestId('profile-status').waitFor({ state: 'visible' });
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), `Logged in as ${user.username}`);
    await page.reload();
    await expectScreen(page, 'account-page', '/account');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), `Logged in as ${user.username}`);
    assert.equal(await page.getByTestId('profile-name').inputValue(), '');
  }));
});
