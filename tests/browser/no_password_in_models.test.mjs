// Journey: after signup and after login, nothing reachable from the app's
// session holds the password, the user model holds only id/username/name/
// email/email_verified, and the app leaves nothing of its own on window. The
// same for the one-time tokens and codes of mails (verification, recovery):
// used through the pages, they stay on no model, view attribute or storage.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  expectScreen, gotoApp, openAccount, startStack, submitLogin, submitSignup, uniqueUsername, withApp,
} from './helpers.mjs';
import { mailCount, mailDirOf, waitForMail } from '../support/mailbox.mjs';

// Library globals we accept (Require.js must stay global to load the bundle;
// Parsley reads its registry from window.Parsley).
const kAllowedGlobals = new Set([
  'require', 'requirejs', 'define',
  'Parsley', 'psly', 'ParsleyConfig', 'ParsleyExtend', 'ParsleyUtils', 'ParsleyValidator', 'ParsleyUI',
  'inputEventPatched', // Parsley's input-event polyfill marks itself installed
]);

/**
 * Walks every object reachable from the `app` module (session, user, their
 * attributes, listeners, views...; DOM nodes excluded) and reports each path
 * holding a string that contains `needle`.
 */
function inspectApp(page, needle) {
  return page.evaluate((secret) => new Promise((resolve, reject) => {
    window.require(['app'], (app) => {
      const hits = [];
      const seen = new WeakSet();
      let objects = 0;
      const walk = (value, path, depth) => {
        if (typeof value === 'string') {
          if (value.includes(secret)) hits.push(path);
          return;
        }
        if (!value || typeof value !== 'object' || depth > 12) return;
        if (value instanceof Node || value === window || seen.has(value)) return;
        seen.add(value);
        objects += 1;
        for (const key of Object.getOwnPropertyNames(value)) {
          let child;
          try { child = value[key]; } catch { continue; }
          walk(child, `${path}.${key}`, depth + 1);
        }
      };
      walk(app, 'app', 0);
      resolve({
        hits,
        objects,
        json: JSON.stringify(app.session) + JSON.stringify(app.session.user),
        userKeys: Object.keys(app.session.user.attributes).sort(),
        loggedIn: app.session.get('logged_in'),
        storage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
      });
    }, reject);
  }), needle);
}

async function assertNoPassword(page, password, username) {
  const found = await inspectApp(page, password);
  assert.deepEqual(found.hits, [], 'paths holding the password');
  assert.equal(found.json.includes(password), false);
  assert.equal(found.storage.includes(password), false, 'web storage holds the password');
  assert.deepEqual(found.userKeys, ['email', 'email_verified', 'id', 'name', 'username']);
  assert.equal(found.loggedIn, true);
  // The walk is real: it does find the username on the user model.
  const control = await inspectApp(page, username);
  assert.ok(control.hits.includes('app.session.user.attributes.username'), JSON.stringify(control.hits));
  assert.ok(control.objects > 10, `walked ${control.objects} objects`);
}

describe('no password in models', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('SignupAndLogin_AfterSuccess_NoModelHoldsPassword', () => withApp(stack, async ({ page }) => {
    const user = { username: uniqueUsername('secret'), name: 'Secret Keeper', password: 'Pa55-unique-9f3c2e' };
    await gotoApp(page, '/login');
    await submitSignup(page, user);
    await expectScreen(page, 'home-page', '/');
    await assertNoPassword(page, user.password, user.username);

    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');
    await submitLogin(page, user);
    await expectScreen(page, 'home-page', '/');
    await assertNoPassword(page, user.password, user.username);
  }));

  test('ChangePasswordAndRemoveAttempt_AfterSubmit_NoModelHoldsPassword', () => withApp(stack, async ({ page }) => {
    const user = { username: uniqueUsername('rotating'), password: 'Old-pw-unique-7d1a' };
    const newPassword = 'New-pw-unique-2b8e';
    await gotoApp(page, '/login');
    await submitSignup(page, user);
    await expectScreen(page, 'home-page', '/');

    await openAccount(page);
    await page.getByTestId('password-current').fill(user.password);
    await page.getByTestId('password-new').fill(newPassword);
    await page.getByTestId('password-confirm').fill(newPassword);
    await page.getByTestId('password-submit').click();
    await page.getByTestId('password-status').waitFor({ state: 'visible' });
    await assertNoPassword(page, user.password, user.username);
    await assertNoPassword(page, newPassword, user.username);

    // A removal refused for a wrong password leaves nothing of it behind either.
    const wrong = 'Wrong-pw-unique-5c3f';
    await page.getByTestId('brand').click();
    await page.getByTestId('remove-account').click();
    await page.getByTestId('remove-password').fill(wrong);
    await page.getByTestId('remove-confirm-yes').click();
    await page.getByTestId('remove-password-error').locator('li').first().waitFor();
    await assertNoPassword(page, wrong, user.username);
  }));

  test('MailTokensAndCodes_UsedThroughThePages_NoModelHoldsThem', () => withApp(stack, async ({ page }) => {
    const user = { username: uniqueUsername('tokens'), password: 'Tok-pw-unique-4e2d' };
    const email = `${user.username.replace(/_/g, '.')}@example.test`;
    const mailDir = mailDirOf(stack.server);
    await gotoApp(page, '/login');
    await page.getByTestId('signup-email').fill(email);
    await submitSignup(page, user);
    await expectScreen(page, 'home-page', '/');
    const verify = await waitForMail(mailDir, { to: email, subject: /Confirm/ });

    // The code, typed into the banner and accepted.
    let sent = await mailCount(mailDir);
    await page.getByTestId('verify-banner-resend').click();
    const resent = await waitForMail(mailDir, { to: email, subject: /Confirm/, after: sent });
    await page.getByTestId('verify-banner-code').fill(resent.code);
    await page.getByTestId('verify-banner-submit').click();
    await page.getByTestId('verify-banner').waitFor({ state: 'detached' });
    await assertNoPassword(page, resent.code, user.username);
    await assertNoPassword(page, resent.code.replace(' ', ''), user.username);
    // An old link's token, refused, stays nowhere either.
    await page.goto(`/verify-email#token=${verify.token}`);
    await page.getByTestId('verify-ready').waitFor();
    await assertNoPassword(page, verify.token, user.username); // held, not yet posted
    await page.getByTestId('verify-confirm').click();
    await page.getByTestId('verify-failed').waitFor();
    await assertNoPassword(page, verify.token, user.username);
    // The control: the walk finds the address on the user model.
    assert.ok((await inspectApp(page, email)).hits.includes('app.session.user.attributes.email'));

    // Recovery: the link's token while the page waits for the new password, and after.
    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');
    sent = await mailCount(mailDir);
    await gotoApp(page, '/forgot-password');
    await page.getByTestId('forgot-login').fill(user.username);
    await page.getByTestId('forgot-submit').click();
    const recovery = await waitForMail(mailDir, { to: email, subject: /Reset/, after: sent });
    await page.goto(`/recover#token=${recovery.token}`);
    await page.getByTestId('recover-with-link').waitFor();
    const holding = await inspectApp(page, recovery.token);
    assert.deepEqual(holding.hits, [], 'paths holding the recovery token');
    assert.equal(holding.storage.includes(recovery.token), false, 'web storage holds the token');
    const newPassword = 'Recovered-pw-unique-8a1b';
    await page.getByTestId('recover-password').fill(newPassword);
    await page.getByTestId('recover-password-confirm').fill(newPassword);
    await page.getByTestId('recover-submit').click();
    await expectScreen(page, 'home-page', '/');
    await assertNoPassword(page, recovery.token, user.username);
    await assertNoPassword(page, newPassword, user.username);
  }));

  test('Window_AfterBoot_HoldsNoAppGlobals', () => withApp(stack, async ({ page, context }) => {
    // Baseline: an empty page on the same origin (same secure-context APIs).
    const blank = await context.newPage();
    await blank.route('**/__baseline', (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html>' }));
    await blank.goto('/__baseline');
    const baseline = new Set(await blank.evaluate(() => Object.getOwnPropertyNames(window)));
    await blank.close();

    await gotoApp(page, '/login');
    const globals = await page.evaluate(() => Object.getOwnPropertyNames(window)
      .filter((k) => window[k] !== undefined));
    const added = globals.filter((k) => !baseline.has(k));
    assert.deepEqual(added.filter((k) => !kAllowedGlobals.has(k)), [], 'unexpected globals');
    for (const name of ['session', 'app', 'SessionModel', 'UserModel', 'Backbone', 'jQuery', '$']) {
      assert.equal(await page.evaluate((n) => window[n] === undefined, name), true, `window.${name}`);
    }
    assert.equal(await page.evaluate(() => typeof window.require), 'function');
  }));
});
