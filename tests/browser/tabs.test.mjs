// Journeys across the tabs of one browser (issue 18, "every tab tells the truth"): two pages
// of one context share the cookie jar and localStorage, as two tabs do. A logout or a login
// in one tab reaches the other without a reload (BroadcastChannel, or the storage event where
// there is none), and the other drops everything of the old user; a tab that comes back into
// view asks the server again; an answer about another user is never applied.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertNoSeriousAxeViolations } from './a11y.mjs';
import { api, browser as apiBrowser, login as apiLogin, signup as apiSignup } from '../support/fixtures.mjs';
import {
  appState, assertNoReload, expectScreen, gotoApp, markWindow, openAccount, signUp, startStack,
  submitLogin, uniqueUsername, waitForCount, withApp,
} from './helpers.mjs';

const kLoggedOutElsewhere = 'You logged out in another tab or window.';
const kMismatchNotice = 'Nothing was changed: this page was out of date, showing another account than the one now logged in in this browser.';

/** A user signed up through the API (another browser); returns its credentials and id. */
async function apiUser(stack, prefix, name) {
  const user = { username: uniqueUsername(prefix), name, password: `${prefix} pass phrase 42` };
  const jar = await apiBrowser(stack.server.url);
  const res = await apiSignup(stack.server.url, jar, user);
  return { ...user, id: res.body.user.id };
}

/** Opens `path` in a new tab of `app` and waits for the account page's lists, when it is one. */
async function openTab(app, path) {
  const tab = await app.newTab();
  await gotoApp(tab.page, path);
  if (path === '/account') {
    await tab.page.getByTestId('session-list').waitFor();
    await tab.page.getByTestId('event-list').waitFor();
  }
  return tab;
}

/** Fails when the page's DOM holds any of `strings`. */
async function assertNotInDom(page, strings, what) {
  const html = await page.content();
  for (const s of strings) assert.equal(html.includes(s), false, `${what}: the DOM still holds ${JSON.stringify(s)}`);
}

/** Waits until the header greets `name`. */
function headerShows(page, name) {
  return page.getByTestId('header-user').filter({ hasText: `Logged in as ${name}` }).waitFor();
}

/**
 * Resolves once no request of the page's jQuery is in flight and ten rounds of timers have run
 * after the last one ended: jQuery settles a request's promise callbacks one timer round each
 * (a handful of rounds down the client's chain), so by then every answer has been applied or
 * dropped.
 */
function settled(page) {
  return page.evaluate(() => new Promise((resolve) => {
    window.require(['jquery'], ($) => {
      const rounds = (n) => (n ? setTimeout(() => rounds(n - 1), 0) : resolve());
      if ($.active === 0) rounds(10);
      else $(document).one('ajaxStop', () => rounds(10));
    });
  }));
}

/** Starts recording, in the page, every auth message other tabs send; `take()` returns them. */
async function listenForTabMessages(page) {
  await page.evaluate(() => {
    const seen = [];
    window.__latchkeyTestMessages = seen;
    if (typeof BroadcastChannel === 'function') {
      new BroadcastChannel('latchkey-auth').onmessage = (e) => seen.push({ via: 'broadcast', data: e.data });
    }
    window.addEventListener('storage', (e) => {
      if (e.key === 'latchkey-auth' && e.newValue) seen.push({ via: 'storage', data: JSON.parse(e.newValue) });
    });
  });
  return { take: () => page.evaluate(() => window.__latchkeyTestMessages) };
}

/** A message says "auth changed" and why, and nothing about anyone. */
function assertAnonymousMessages(messages, via, secrets) {
  assert.ok(messages.length > 0, 'the other tab sent a message');
  for (const m of messages) {
    assert.equal(m.via, via);
    assert.deepEqual(Object.keys(m.data).sort(), ['nonce', 'reason']);
    assert.match(m.data.nonce, /^[0-9a-f]{16}$/);
    for (const s of secrets) assert.equal(JSON.stringify(m.data).includes(String(s)), false, `message holds ${s}`);
  }
}

describe('tabs', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  for (const variant of ['BroadcastChannel', 'storage event']) {
    test(`LogoutInOneTab_${variant === 'BroadcastChannel' ? 'Broadcast' : 'StorageFallback'}_OtherTabShowsLoginWithNoUserData`, () => withApp(stack, async (app) => {
      if (variant === 'storage event') {
        // A browser without BroadcastChannel: the client falls back to localStorage events.
        await app.context.addInitScript(() => { delete window.BroadcastChannel; });
      }
      const alice = { username: uniqueUsername('alice'), name: 'Alice Liddell', password: 'down the rabbit hole' };
      await signUp(app.page, alice);
      await openAccount(app.page);
      const b = await openTab(app, '/account');
      const { id } = (await appState(b.page)).user;
      const ip = (await b.page.getByTestId('session-ip').first().textContent()).trim();
      assert.equal((await b.page.getByTestId('header-user').textContent()).trim(), 'Logged in as Alice Liddell');
      assert.ok((await appState(b.page)).authEvents > 0, 'tab B holds the activity');
      await markWindow(b.page);
      const messages = await listenForTabMessages(b.page);

      await app.page.getByTestId('logout-button').click();
      await expectScreen(app.page, 'login-page', '/login');

      await expectScreen(b.page, 'login-page', '/login');
      await assertNoReload(b.page);
      assert.equal((await b.page.getByTestId('login-notice').textContent()).trim(), kLoggedOutElsewhere);
      assert.equal(await b.page.getByTestId('header-user').count(), 0);
      await assertNotInDom(b.page, [alice.username, alice.name, ip, 'session-item', 'event-item'], 'tab B');
      assert.deepEqual(await appState(b.page), {
        loggedIn: false, user: { id: null, username: '', name: '', email: null, email_verified: false }, deviceSessions: 0,
        authEvents: 0,
      });
      assertAnonymousMessages(await messages.take(), variant === 'BroadcastChannel' ? 'broadcast' : 'storage',
        [alice.username, alice.name, `"${id}"`, `:${id},`]);
      for (const page of [app.page, b.page]) {
        assert.equal(await page.evaluate(() => localStorage.length + sessionStorage.length), 0, 'web storage left empty');
      }
    }));
  }

  test('LoginAsAnotherUserInOneTab_OtherTab_ReRendersForThatUser', () => withApp(stack, async (app) => {
    const alice = { username: uniqueUsername('alice'), name: 'Alice Liddell', password: 'down the rabbit hole' };
    const bob = await apiUser(stack, 'bob', 'Bob Builder');
    await signUp(app.page, alice);
    await openAccount(app.page);
    const b = await openTab(app, '/account');
    await markWindow(b.page);

    // The journey a user takes: log out, log in as someone else.
    await app.page.getByTestId('logout-button').click();
    await expectScreen(app.page, 'login-page', '/login');
    await submitLogin(app.page, bob);
    await expectScreen(app.page, 'home-page', '/');
    await expectScreen(b.page, 'home-page', '/');
    await headerShows(b.page, 'Bob Builder');
    assert.equal(await b.page.getByTestId('home-username').textContent(), bob.username);
    await assertNotInDom(b.page, [alice.username, alice.name], 'tab B after the login as bob');
    await assertNoReload(b.page);

    // A direct switch (an app's "switch account": login while logged in): tab B, on the
    // Account page as bob, is rebuilt for alice, and says so.
    await b.page.getByTestId('account-link').click();
    await b.page.getByTestId('session-list').waitFor();
    const sessionLoads = () => b.apiRequests.filter((r) => r.method === 'GET' && r.path === '/api/auth/sessions').length;
    const loadsBefore = sessionLoads();
    await app.page.evaluate((u) => new Promise((resolve, reject) => {
      window.require(['app'], (a) => a.session.login(u).then(() => resolve(), (e) => reject(new Error(e.error))));
    }), { username: alice.username, password: alice.password });
    await headerShows(app.page, 'Alice Liddell');
    await headerShows(b.page, 'Alice Liddell');
    await expectScreen(b.page, 'account-page', '/account');
    assert.equal(await b.page.getByTestId('profile-name').inputValue(), alice.name);
    assert.match(await b.page.getByTestId('page-notice').textContent(), /now logged in as Alice Liddell/);
    await assertNoSeriousAxeViolations(b.page, 'account page with the switch notice');
    await b.page.getByTestId('session-list').waitFor();
    assert.ok(sessionLoads() > loadsBefore, 'tab B reloaded the sessions, for alice');
    await assertNotInDom(b.page, [bob.username, bob.name], 'tab B after the switch to alice');
    await assertNoReload(b.page);
  }));

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

  test('StaleTabWrites_BrowserNowAnotherUser_NeverActForThatUser', () => withApp(stack, async (app) => {
    const alice = await apiUser(stack, 'alice', 'Alice Liddell');
    const bob = await apiUser(stack, 'bob', 'Bob Builder');
    const { page: a, context } = app;
    await gotoApp(a, '/login');
    await submitLogin(a, alice);
    await expectScreen(a, 'home-page', '/');
    await openAccount(a);
    const b = await openTab(app, '/account');
    await markWindow(b.page);
    // The browser logs in as bob where no tab of this client hears it (another app on the
    // origin, a script): both tabs still show alice.
    const token = await a.locator('meta[name="csrf-token"]').getAttribute('content');
    const asBrowser = (path, data) => context.request.post(path, { headers: { 'X-CSRF-Token': token }, data });
    assert.equal((await asBrowser('/api/auth/login', { username: bob.username, password: bob.password })).status(), 200);
    const whoIsLoggedIn = async () => (await (await context.request.get('/api/auth')).json()).user;

    // Tab B saves the profile it shows: the server refuses (409), nothing is renamed.
    await b.page.getByTestId('profile-name').fill('Renamed by a stale tab');
    const answer = b.page.waitForResponse((r) => r.url().endsWith('/api/auth/user'));
    await b.page.getByTestId('profile-submit').click();
    const res = await answer;
    assert.equal(res.status(), 409);
    assert.equal((await res.json()).code, 'user_mismatch');
    assert.equal(res.request().headers()['x-latchkey-expect-user'], String(alice.id));
    await headerShows(b.page, 'Bob Builder');
    await expectScreen(b.page, 'account-page', '/account');
    assert.equal(await b.page.getByTestId('page-notice').textContent(), kMismatchNotice);
    assert.equal(await b.page.getByTestId('profile-name').inputValue(), 'Bob Builder');
    assert.equal(await b.page.getByTestId('profile-status').isHidden(), true, 'never "Saved."');
    await assertNotInDom(b.page, [alice.username, alice.name, 'Renamed by a stale tab'], 'tab B');
    await assertNoReload(b.page);
    assert.deepEqual(await whoIsLoggedIn(),
      { id: bob.id, username: bob.username, name: 'Bob Builder', email: null, email_verified: false });
    const aliceNow = await apiBrowser(stack.server.url);
    await apiLogin(stack.server.url, aliceNow, alice.username, alice.password);
    assert.equal((await api(stack.server.url, aliceNow, 'GET', '/api/auth')).body.user.name, 'Alice Liddell');
    // Tab B told tab A what it found.
    await headerShows(a, 'Bob Builder');
    await assertNotInDom(a, [alice.username, alice.name], 'tab A');

    // Behind both tabs' backs again, alice: tab A's logout (for bob) never ends her session.
    assert.equal((await asBrowser('/api/auth/login', { username: alice.username, password: alice.password })).status(), 200);
    const logout = a.waitForResponse((r) => r.url().endsWith('/api/auth/logout'));
    await a.getByTestId('logout-button').click();
    assert.equal((await logout).status(), 409);
    await headerShows(a, 'Alice Liddell');
    assert.equal(await a.getByTestId('page-notice').textContent(), kMismatchNotice);
    assert.equal((await whoIsLoggedIn()).id, alice.id, "alice's session goes on");
    await headerShows(b.page, 'Alice Liddell');
  }));

  test('StaleTabReads_BrowserNowAnotherUser_NeverShowsThatUsersSessions', () => withApp(stack, async (app) => {
    const alice = await apiUser(stack, 'alice', 'Alice Liddell');
    const bob = await apiUser(stack, 'bob', 'Bob Builder');
    const { page, context } = app;
    await gotoApp(page, '/login');
    await submitLogin(page, alice);
    await expectScreen(page, 'home-page', '/');
    await openAccount(page);
    await page.getByTestId('session-list').waitFor();
    await markWindow(page);
    // The browser logs in as bob where this tab does not hear it; bob's session carries a
    // user agent of its own, which the sessions list would show.
    const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const login = await context.request.post('/api/auth/login', {
      headers: { 'X-CSRF-Token': token, 'User-Agent': 'BobsOtherDevice/1.0' },
      data: { username: bob.username, password: bob.password },
    });
    assert.equal(login.status(), 200);
    // The tab, still showing alice, reloads its sessions list: the server refuses the read
    // (409), and the tab follows the browser to bob instead of listing bob's sessions as
    // alice's.
    const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/sessions');
    const listed = page.evaluate(() => new Promise((resolve) => {
      window.require(['app'], (a) => a.session.sessions().then(
        (list) => resolve({ ok: true, n: list.length }), (e) => resolve({ ok: false, code: e.code })));
    }));
    const res = await answer;
    assert.equal(res.status(), 409);
    assert.equal(res.request().headers()['x-latchkey-expect-user'], String(alice.id));
    assert.deepEqual(await listed, { ok: false, code: 'user_mismatch' });
    await headerShows(page, 'Bob Builder');
    assert.equal(await page.getByTestId('page-notice').textContent(), kMismatchNotice);
    await assertNotInDom(page, [alice.username, alice.name], 'the tab, now for bob');
    await assertNoReload(page);
  }));

  test('AnswerForTheOldUser_ArrivingAfterLogout_IsDropped', () => withApp(stack, async (app) => {
    const alice = { username: uniqueUsername('alice'), name: 'Alice Liddell', password: 'down the rabbit hole' };
    await signUp(app.page, alice);
    const b = await app.newTab();
    // Tab B's activity request is held until after the logout in tab A, then answered with
    // alice's activity (as a slow network would deliver it).
    let release;
    const released = new Promise((r) => { release = r; });
    let held;
    const arrived = new Promise((r) => { held = r; });
    await b.page.route('**/api/auth/events', async (route) => {
      held();
      await released;
      await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({
        events: [{ type: 'login', at: '2026-01-01T00:00:00Z', ip: '203.0.113.7', user_agent: 'Held/1.0' }],
      }) });
    });
    await gotoApp(b.page, '/account');
    await arrived;
    await app.page.getByTestId('logout-button').click();
    await expectScreen(b.page, 'login-page', '/login');
    release();
    await settled(b.page);
    assert.equal((await appState(b.page)).authEvents, 0, 'the held answer was not applied');
    await assertNotInDom(b.page, ['203.0.113.7', 'event-item'], 'tab B');
  }));

  test('TabComesBackIntoView_BrowserLoggedInAsAnother_TabReRenders', () => withApp(stack, async ({ page, context, apiRequests }) => {
    const alice = { username: uniqueUsername('alice'), name: 'Alice Liddell', password: 'down the rabbit hole' };
    const bob = await apiUser(stack, 'bob', 'Bob Builder');
    await signUp(page, alice);
    await openAccount(page);
    await markWindow(page);
    // Bob logs in in this browser where no tab of this client hears it (another app on the
    // origin, a script): the tab cannot know until it asks.
    const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const res = await context.request.post('/api/auth/login', {
      headers: { 'X-CSRF-Token': token }, data: { username: bob.username, password: bob.password },
    });
    assert.equal(res.status(), 200);
    const checks = () => apiRequests.filter((r) => r.method === 'GET' && r.path === '/api/auth').length;
    assert.equal(checks(), 1, 'the page has asked only at boot');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Alice Liddell');

    // Headless pages are always visible: the tab "comes back" as the browser reports it.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await headerShows(page, 'Bob Builder');
    await expectScreen(page, 'account-page', '/account');
    assert.equal(checks(), 2);
    assert.equal(await page.getByTestId('profile-name').inputValue(), 'Bob Builder');
    await assertNotInDom(page, [alice.username, alice.name], 'after the check');
    await assertNoReload(page);
  }));

  test('SessionEndedWhileTyping_TypedTextKept_RestoredAfterLoginAsSameUser', () => withApp(stack, async (app) => {
    const alice = await apiUser(stack, 'alice', 'Alice Liddell');
    await gotoApp(app.page, '/login');
    await submitLogin(app.page, alice);
    await expectScreen(app.page, 'home-page', '/');
    await openAccount(app.page);
    const b = await openTab(app, '/account');

    // The user types a new name, and starts a password change in the same page.
    const typed = 'Alice Pleasance Liddell';
    const pw = { current: 'typed-current-pw-31c9', next: 'typed-new-pw-8e02d' };
    await app.page.getByTestId('profile-name').fill(typed);
    await app.page.getByTestId('password-current').fill(pw.current);
    await app.page.getByTestId('password-new').fill(pw.next);
    // Meanwhile alice signs out everywhere else from another device: this browser's session ends.
    const device = await apiBrowser(stack.server.url);
    await apiLogin(stack.server.url, device, alice.username, alice.password);
    const revoked = await api(stack.server.url, device, 'POST', '/api/auth/sessions/revoke_others', { json: {} });
    assert.equal(revoked.status, 200);

    await app.page.getByTestId('profile-submit').click();
    await expectScreen(app.page, 'login-page', '/login');
    assert.equal((await app.page.getByTestId('login-notice').textContent()).trim(), 'Your session has ended. Please log in again.');
    assert.match(await app.page.getByTestId('login-draft-notice').textContent(), /What you typed\s+\(Name\) is kept/);
    await assertNotInDom(app.page, [typed, pw.current, pw.next], 'the login page');
    await assertNoSeriousAxeViolations(app.page, 'login page with the kept-text notice');
    // The other tab heard that the session ended, and kept nothing (nothing was typed there).
    await expectScreen(b.page, 'login-page', '/login');
    assert.equal((await b.page.getByTestId('login-notice').textContent()).trim(), 'Your session has ended. Please log in again.');
    assert.equal(await b.page.getByTestId('login-draft-notice').count(), 0);

    await submitLogin(app.page, alice);
    await expectScreen(app.page, 'account-page', '/account');
    assert.equal(await app.page.getByTestId('profile-name').inputValue(), typed);
    assert.equal(await app.page.getByTestId('password-current').inputValue(), '', 'passwords are never kept');
    assert.equal(await app.page.getByTestId('password-new').inputValue(), '');
    assert.match(await app.page.getByTestId('page-notice').textContent(), /filled in again\. It is not saved yet\./);
    await assertNoSeriousAxeViolations(app.page, 'account page with the restored text');
    const before = await app.context.request.get('/api/auth');
    assert.equal((await before.json()).user.name, 'Alice Liddell', 'nothing saved by itself');

    await app.page.getByTestId('profile-submit').click();
    await app.page.getByTestId('profile-status').waitFor({ state: 'visible' });
    const saved = await app.context.request.get('/api/auth');
    assert.equal((await saved.json()).user.name, typed);
  }));

  test('SessionEndedWhileTyping_LoginAsAnotherUser_DropsTheTypedText', () => withApp(stack, async ({ page }) => {
    const alice = await apiUser(stack, 'alice', 'Alice Liddell');
    const bob = await apiUser(stack, 'bob', 'Bob Builder');
    await gotoApp(page, '/login');
    await submitLogin(page, alice);
    await expectScreen(page, 'home-page', '/');
    await openAccount(page);
    await page.getByTestId('profile-name').fill('Typed for alice only');
    const device = await apiBrowser(stack.server.url);
    await apiLogin(stack.server.url, device, alice.username, alice.password);
    await api(stack.server.url, device, 'POST', '/api/auth/sessions/revoke_others', { json: {} });
    await page.getByTestId('profile-submit').click();
    await expectScreen(page, 'login-page', '/login');
    await page.getByTestId('login-draft-notice').waitFor();

    await submitLogin(page, bob);
    await expectScreen(page, 'home-page', '/');
    await openAccount(page);
    assert.equal(await page.getByTestId('profile-name').inputValue(), 'Bob Builder');
    await assertNotInDom(page, ['Typed for alice only'], "bob's account page");
    await waitForCount(page.getByTestId('page-notice').filter({ hasText: /\S/ }), 0, 'notices');
  }));
});
