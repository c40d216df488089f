// Journey at two widths, a phone (375x812, touch) and a desktop (1280x800): signup -> home ->
// account (profile, password, sessions) -> logout -> login. On each screen: no horizontal
// scrolling, every input found by its label, landmarks, no serious/critical axe-core
// violation, and a screenshot (build/screenshots/ or $LATCHKEY_SCREENSHOT_DIR). Each button's
// loading indicator is checked while its request is held by page.route (disabled, aria-busy,
// spinner, busy label) and after it is released (restored, whatever the outcome: 4xx,
// network error, success); a double click sends one request; a failed submit moves focus to
// the first invalid field, for client-side rules and for a server error naming a field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  assertInputsLabelled, assertLandmarks, assertNoHorizontalOverflow, assertNoSeriousAxeViolations,
  assertTapTargets, screenshot, screenshotDir,
} from './a11y.mjs';
import {
  expectScreen, gotoApp, kTimeout, logIn, openAccount, openApp, sessionRows, startStack,
  uniqueUsername, waitForCount, withApp,
} from './helpers.mjs';

const kWidths = [
  { name: 'phone', touch: true, context: { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true } },
  { name: 'desktop', touch: false, context: { viewport: { width: 1280, height: 800 } } },
];

/** Polls `check` until it returns true (or fails after kTimeout with `what`). */
async function waitUntil(check, what) {
  const deadline = Date.now() + kTimeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Holds the next request to `pathname`: resolves with its playwright Route once the browser
 * has sent it; the test then continues, fulfills or aborts it.
 */
async function holdNext(page, pathname) {
  let arrived;
  const held = new Promise((resolve) => { arrived = resolve; });
  await page.route((url) => url.pathname === pathname, (route) => arrived(route), { times: 1 });
  return held;
}

async function focusedTestId(page) {
  return page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-testid'));
}

async function expectFocus(page, testId) {
  await waitUntil(async () => (await focusedTestId(page)) === testId, `focus on ${testId}`);
}

/** The button shows its loading indicator: disabled, aria-busy, a spinner, the busy label. */
async function assertBusy(page, testId, label) {
  const button = page.getByTestId(testId);
  assert.equal(await button.getAttribute('aria-busy'), 'true', `${testId} aria-busy`);
  assert.equal(await button.isDisabled(), true, `${testId} disabled while busy`);
  const spinner = button.getByTestId('busy-spinner');
  assert.equal(await spinner.isVisible(), true, `${testId} spinner visible`);
  assert.match(await spinner.getAttribute('class'), /\bspinner-border-sm\b/);
  assert.equal(await spinner.locator('.visually-hidden').textContent(), 'Loading…');
  assert.equal((await button.textContent()).trim(), `Loading…${label}`);
}

/** The button is back to normal once its request has ended. */
async function expectRestored(page, testId, label) {
  const button = page.getByTestId(testId);
  await page.locator(`[data-testid="${testId}"]:not([aria-busy])`).waitFor();
  assert.equal(await button.isEnabled(), true, `${testId} enabled again`);
  assert.equal(await button.getByTestId('busy-spinner').count(), 0, `${testId} spinner gone`);
  assert.equal((await button.textContent()).trim(), label);
}

/** The input is marked invalid and described by its error message. */
async function assertInvalid(page, testId) {
  const input = page.getByTestId(testId);
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `${testId} aria-invalid`);
  const describedBy = (await input.getAttribute('aria-describedby') || '').split(/\s+/);
  assert.ok(describedBy.includes(`${testId}-error`), `${testId} is described by its errors: ${describedBy}`);
  assert.notEqual((await page.getByTestId(`${testId}-error`).textContent()).trim(), '', `${testId} error shown`);
}

function countRequests(apiRequests, method, path) {
  return apiRequests.filter((r) => r.method === method && r.path === path).length;
}

describe('responsive and accessible client', () => {
  let stack;
  let dir;
  before(async () => {
    stack = await startStack();
    dir = screenshotDir();
    console.log(`# screenshots: ${dir}`);
  });
  after(async () => { await stack?.stop(); });

  for (const width of kWidths) {
    test(`Journey_${width.name}_NoOverflowLabelledAxeCleanBusyButtonsFocusOnErrors`, () => withApp(stack, async ({ page, apiRequests, problems }) => {
      const shots = [];
      async function checkScreen(screen) {
        const where = `${width.name} ${screen}`;
        await assertNoHorizontalOverflow(page, where);
        await assertInputsLabelled(page, where);
        await assertLandmarks(page, where);
        if (width.touch) await assertTapTargets(page, where);
        shots.push(await screenshot(page, dir, width.name, screen));
        await assertNoSeriousAxeViolations(page, where);
      }
      const user = { username: uniqueUsername(`a11y_${width.name}`), name: 'Ada Lovelace', password: 'analytical engine 1843' };

      await gotoApp(page, '/login');
      assert.equal(await page.locator('meta[name="viewport"]').getAttribute('content'), 'width=device-width, initial-scale=1');
      await checkScreen('1-login');

      // Client-side: Parsley refuses, no request, focus on the first invalid field.
      await page.getByTestId('signup-username').fill(user.username);
      await page.getByTestId('signup-submit').click();
      await expectFocus(page, 'signup-password');
      await assertInvalid(page, 'signup-password');
      assert.equal(countRequests(apiRequests, 'POST', '/api/auth/signup'), 0, 'no request while a rule fails');
      await checkScreen('2-login-invalid');

      // Held request: busy; a double click sends one request; a 400 naming `name` restores the
      // button and moves focus to that field.
      await page.getByTestId('signup-name').fill(user.name);
      await page.getByTestId('signup-password').fill(user.password);
      await page.getByTestId('signup-password-confirm').fill(user.password);
      let held = holdNext(page, '/api/auth/signup');
      await page.getByTestId('signup-submit').dblclick();
      let route = await held;
      await assertBusy(page, 'signup-submit', 'Signing up…');
      assert.equal(await page.getByTestId('login-submit').isDisabled(), true, 'the other form waits too');
      shots.push(await screenshot(page, dir, width.name, '3-signup-busy'));
      await route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify({ error: 'Choose another name.', code: 'validation_failed', field: 'name' }) });
      await expectRestored(page, 'signup-submit', 'Sign up');
      assert.equal(await page.getByTestId('login-submit').isEnabled(), true);
      await expectFocus(page, 'signup-name');
      await assertInvalid(page, 'signup-name');
      assert.equal((await page.getByTestId('signup-name-error').textContent()).trim(), 'Choose another name.');
      assert.equal(countRequests(apiRequests, 'POST', '/api/auth/signup'), 1, 'a double click sends one request');

      // Success, held: busy until the server answers, then home.
      await page.getByTestId('signup-name').fill(user.name);
      assert.equal(await page.getByTestId('signup-name').getAttribute('aria-invalid'), null, 'editing clears aria-invalid');
      held = holdNext(page, '/api/auth/signup');
      await page.getByTestId('signup-submit').click();
      route = await held;
      await assertBusy(page, 'signup-submit', 'Signing up…');
      await route.continue();
      await expectScreen(page, 'home-page', '/');
      await checkScreen('4-home');

      // A second device, so the session list has two rows and "Sign out everywhere else" works.
      const other = await openApp(stack);
      try {
        await logIn(other.page, user);
      } finally {
        await other.context.close();
      }

      await openAccount(page);
      await waitForCount(sessionRows(page).all, 2, 'sessions');
      await checkScreen('5-account');

      // Network error: restored, the alert says so.
      await page.getByTestId('profile-name').fill('Ada King');
      held = holdNext(page, '/api/auth/user');
      await page.getByTestId('profile-submit').click();
      route = await held;
      await assertBusy(page, 'profile-submit', 'Saving…');
      await route.abort('failed');
      await expectRestored(page, 'profile-submit', 'Save name');
      await page.getByTestId('profile-alert').waitFor({ state: 'visible' });
      assert.equal((await page.getByTestId('profile-alert').textContent()).trim(), 'Cannot reach the server');
      // Chromium logs the aborted request as a console error: that one is expected.
      for (let i = problems.length - 1; i >= 0; i -= 1) if (/net::ERR_FAILED/.test(problems[i])) problems.splice(i, 1);

      // Success.
      held = holdNext(page, '/api/auth/user');
      await page.getByTestId('profile-submit').click();
      route = await held;
      await assertBusy(page, 'profile-submit', 'Saving…');
      await route.continue();
      await page.getByTestId('profile-status').waitFor({ state: 'visible' });
      await expectRestored(page, 'profile-submit', 'Save name');
      assert.equal(await page.getByTestId('profile-name').inputValue(), 'Ada King');

      // Change password: client-side failure focuses the first invalid field (the new password)...
      await page.getByTestId('password-current').fill('not the password');
      await page.getByTestId('password-submit').click();
      await expectFocus(page, 'password-new');
      await assertInvalid(page, 'password-new');
      // ... and the server's 401 on current_password focuses that field.
      await page.getByTestId('password-new').fill('a brand new passphrase');
      await page.getByTestId('password-confirm').fill('a brand new passphrase');
      held = holdNext(page, '/api/auth/password');
      await page.getByTestId('password-submit').click();
      route = await held;
      await assertBusy(page, 'password-submit', 'Changing password…');
      await route.continue();
      await expectRestored(page, 'password-submit', 'Change password');
      await expectFocus(page, 'password-current');
      await assertInvalid(page, 'password-current');
      await checkScreen('6-account-errors');

      // Sign out everywhere else.
      held = holdNext(page, '/api/auth/sessions/revoke_others');
      await page.getByTestId('revoke-others').click();
      route = await held;
      await assertBusy(page, 'revoke-others', 'Signing out…');
      await route.continue();
      await page.getByTestId('sessions-status').waitFor({ state: 'visible' });
      await waitForCount(sessionRows(page).all, 1, 'sessions after signing out the others');

      // Log out.
      held = holdNext(page, '/api/auth/logout');
      await page.getByTestId('logout-button').click();
      route = await held;
      await assertBusy(page, 'logout-button', 'Logging out…');
      await route.continue();
      await expectScreen(page, 'login-page', '/login');
      await checkScreen('7-logged-out');

      // Log in again.
      await page.getByTestId('login-username').fill(user.username);
      await page.getByTestId('login-password').fill(user.password);
      held = holdNext(page, '/api/auth/login');
      await page.getByTestId('login-submit').click();
      route = await held;
      await assertBusy(page, 'login-submit', 'Logging in…');
      assert.equal(await page.getByTestId('signup-submit').isDisabled(), true, 'the other form waits too');
      await route.continue();
      await expectScreen(page, 'home-page', '/');
      await checkScreen('8-home-again');

      // Remove the account: the confirmation's button is busy, Cancel waits too.
      await page.getByTestId('remove-account').click();
      await expectFocus(page, 'remove-password');
      await page.getByTestId('remove-password').fill(user.password);
      held = holdNext(page, '/api/auth/remove_account');
      await page.getByTestId('remove-confirm-yes').click();
      route = await held;
      await assertBusy(page, 'remove-confirm-yes', 'Removing account…');
      assert.equal(await page.getByTestId('remove-confirm-cancel').isDisabled(), true, 'Cancel waits too');
      await route.continue();
      await expectScreen(page, 'login-page', '/login');

      console.log(`# ${width.name}: ${shots.length} screenshots in ${dir}`);
    }, width.context));
  }
});
