// Journey of issue 19 in the browser: sign up with an email address, verify it from the mail's
// link, log out, "Forgot your password?", recover from the mail's link, land logged in, and the
// session another device had before the reset is gone. Mail is read from the server's file
// transport (<data-dir>/mail, tests/support/mailbox.mjs). The link's token must leave the address
// bar (and so the history) as soon as the page loads. Also: the code path of recovery, the
// "verify your email" banner (resend, 429, code), undoing an email change, and the new pages
// under axe.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertInputsLabelled, assertNoHorizontalOverflow, assertNoSeriousAxeViolations } from './a11y.mjs';
import {
  appState, expectScreen, expectSessionEnded, gotoApp, logIn, openAccount, startStack, submitLogin,
  submitSignup, uniqueUsername, withApp, withDevices,
} from './helpers.mjs';
import { api, browser as apiBrowser } from '../support/fixtures.mjs';
import { mailCount, mailDirOf, waitForMail } from '../support/mailbox.mjs';

/** A fresh user with an email address (`.test` domain: nothing leaves the machine). */
function newUser(prefix) {
  const username = uniqueUsername(prefix);
  return { username, email: `${username.replace(/_/g, '.')}@example.test`, password: `Pw-${username}-7x!` };
}

async function signUpWithEmail(page, user) {
  await gotoApp(page, '/login');
  await page.getByTestId('signup-email').fill(user.email);
  await submitSignup(page, user);
  await expectScreen(page, 'home-page', '/');
}

/** Opens a mail's link as the browser would (full load), path + '#token=' + token. */
async function openLink(page, path, token) {
  await page.goto(`${path}#token=${token}`);
}

/**
 * Opens a verification or undo link and confirms it with a click: the page posts nothing on
 * load (a mail scanner running its script must not spend the link), only after the click.
 */
async function openAndConfirm(page, path, token) {
  const api = path === '/undo-email' ? '/api/auth/email/undo' : '/api/auth/email/verify';
  const prefix = path === '/undo-email' ? 'undo' : 'verify';
  const posted = [];
  const watch = (req) => { if (new URL(req.url()).pathname === api) posted.push(req.url()); };
  page.on('request', watch);
  try {
    await openLink(page, path, token);
    await page.getByTestId(`${prefix}-ready`).waitFor();
    await page.waitForTimeout(300);
    assert.deepEqual(posted, [], `${path} posted its token before the click`);
    await page.getByTestId(`${prefix}-confirm`).click();
  } finally {
    page.off('request', watch);
  }
}

/** The token is in neither the address bar nor the current history entry. */
async function assertTokenGone(page, token) {
  assert.equal(page.url().includes(token), false, 'the token is in the address bar');
  const where = await page.evaluate(() => ({ href: location.href, hash: location.hash }));
  assert.equal(where.hash, '');
  assert.equal(where.href.includes(token), false);
}

describe('email verification and account recovery', () => {
  let stack;
  let mailDir;
  before(async () => {
    stack = await startStack();
    mailDir = mailDirOf(stack.server);
  });
  after(async () => { await stack?.stop(); });

  test('Journey_SignupVerifyForgetRecover_LandsLoggedInAndEndsOldSessions', () => withDevices(stack, [{}, {}],
    async ([app, other]) => {
      const { page } = app;
      const user = newUser('journey');
      await signUpWithEmail(page, user);
      await page.getByTestId('verify-banner').waitFor();
      assert.equal((await page.getByTestId('verify-banner-email').textContent()).trim(), user.email);

      // The link of the verification mail verifies the address and leaves no token behind.
      const verifyMail = await waitForMail(mailDir, { to: user.email, subject: /Confirm/ });
      assert.ok(verifyMail.token, 'the mail has a link with a token');
      await openAndConfirm(page, '/verify-email', verifyMail.token);
      await expectScreen(page, 'verify-success', '/verify-email');
      await assertTokenGone(page, verifyMail.token);
      assert.match(await page.getByTestId('verify-success').textContent(), new RegExp(user.email.replace(/\./g, '\\.')));
      assert.equal(await page.getByTestId('verify-banner').count(), 0, 'no banner once verified');
      assert.equal((await appState(page)).user.email_verified, true);
      // Going back and forth through the history never brings the token back.
      await page.getByTestId('verify-home-link').click();
      await expectScreen(page, 'home-page', '/');
      await page.goBack();
      await expectScreen(page, 'verify-email-page', '/verify-email');
      await assertTokenGone(page, verifyMail.token);
      await page.getByTestId('verify-home-link').click();
      await openAccount(page);
      await page.getByTestId('email-verified-badge').waitFor();

      // Another device logged in before the reset.
      await logIn(other.page, user);

      // Log out, forget the password, ask for a mail.
      await page.getByTestId('logout-button').click();
      await expectScreen(page, 'login-page', '/login');
      const before = await mailCount(mailDir);
      await page.getByTestId('forgot-password-link').click();
      await expectScreen(page, 'forgot-page', '/forgot-password');
      await page.getByTestId('forgot-login').fill(user.email);
      await page.getByTestId('forgot-submit').click();
      await page.getByTestId('forgot-sent').waitFor();
      assert.match(await page.getByTestId('forgot-sent').textContent(), /If an account matches/);

      // The recovery link: a new password, then logged in on the home page.
      const recoveryMail = await waitForMail(mailDir, { to: user.email, subject: /Reset/, after: before });
      assert.ok(recoveryMail.token);
      await openLink(page, '/recover', recoveryMail.token);
      await expectScreen(page, 'recover-with-link', '/recover');
      await assertTokenGone(page, recoveryMail.token);
      const newPassword = `${user.password}-renewed`;
      await page.getByTestId('recover-password').fill(newPassword);
      await page.getByTestId('recover-password-confirm').fill(newPassword);
      await page.getByTestId('recover-submit').click();
      await expectScreen(page, 'home-page', '/');
      assert.match(await page.getByTestId('header-user').textContent(), new RegExp(user.username));
      await assertTokenGone(page, recoveryMail.token);
      const history = await page.evaluate(() => history.length);
      assert.ok(history >= 1);

      // The other device's session ended with the reset.
      await other.page.getByTestId('account-link').click();
      await expectSessionEnded(other.page);
      // The old password no longer works; the new one does.
      await submitLogin(other.page, user);
      await other.page.getByTestId('login-alert').waitFor({ state: 'visible' });
      await submitLogin(other.page, { ...user, password: newPassword });
      await expectScreen(other.page, 'home-page', '/');
    }));

  test('Recover_WithCodeAndLogin_SignsIn_AndAnUsedLinkSaysSo', () => withApp(stack, async ({ page }) => {
    const user = newUser('code');
    await signUpWithEmail(page, user);
    const verifyMail = await waitForMail(mailDir, { to: user.email, subject: /Confirm/ });
    await openAndConfirm(page, '/verify-email', verifyMail.token);
    await page.getByTestId('verify-success').waitFor();
    // The same link again is refused, in words.
    await openAndConfirm(page, '/verify-email', verifyMail.token);
    await page.getByTestId('verify-failed').waitFor();
    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');

    const before = await mailCount(mailDir);
    await gotoApp(page, '/forgot-password');
    await page.getByTestId('forgot-login').fill(user.username);
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-code-link').click();
    await expectScreen(page, 'recover-with-code', '/recover');
    const mail = await waitForMail(mailDir, { to: user.email, subject: /Reset/, after: before });
    assert.ok(mail.code);
    const newPassword = `${user.password}-bycode`;
    await page.getByTestId('recover-login').fill(user.username);
    await page.getByTestId('recover-code').fill('0000 0000');
    await page.getByTestId('recover-password').fill(newPassword);
    await page.getByTestId('recover-password-confirm').fill(newPassword);
    await page.getByTestId('recover-submit').click();
    // A wrong code is shown under the code field, and nothing logs in.
    await page.locator('[data-testid="recover-code-error"] li').waitFor();
    assert.match(await page.getByTestId('recover-code-error').textContent(), /not valid/);
    assert.equal((await appState(page)).loggedIn, false);
    await page.getByTestId('recover-code').fill(mail.code);
    await page.getByTestId('recover-submit').click();
    await expectScreen(page, 'home-page', '/');
  }));

  test('ForgotPassword_UnknownLogin_SameConfirmation_And429ShowsRetryAfter', () => withApp(stack, async ({ page }) => {
    await gotoApp(page, '/forgot-password');
    await assertNoSeriousAxeViolations(page, 'forgot-password');
    await assertInputsLabelled(page, 'forgot-password');
    // Client rule: required.
    await page.getByTestId('forgot-submit').click();
    await page.locator('[data-testid="forgot-login-error"] li').waitFor();
    await page.getByTestId('forgot-login').fill(uniqueUsername('nobody'));
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-sent').waitFor();
    const unknown = await page.getByTestId('forgot-sent').textContent();
    assert.match(unknown, /If an account matches/);
    await assertNoSeriousAxeViolations(page, 'forgot-password-sent');

    // The server's 429 (held here: its limits are per hour) shows when to try again.
    await page.route('**/api/auth/recovery', (route) => route.fulfill({
      status: 429, contentType: 'application/json', headers: { 'Retry-After': '120' },
      body: JSON.stringify({ error: 'Too many requests', code: 'throttled', field: null }),
    }));
    await gotoApp(page, '/forgot-password');
    await page.getByTestId('forgot-login').fill('someone');
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-alert').waitFor({ state: 'visible' });
    assert.equal((await page.getByTestId('forgot-alert').textContent()).trim(),
      'Too many attempts. Please try again in 2 minutes.');
    assert.equal(await page.getByTestId('forgot-sent').count(), 0);
  }));

  test('Banner_ResendAndCode_Verifies_And429Shown', () => withApp(stack, async ({ page, apiRequests }) => {
    const user = newUser('banner');
    await signUpWithEmail(page, user);
    await page.getByTestId('verify-banner').waitFor();
    await assertNoSeriousAxeViolations(page, 'home-with-banner');
    const first = await waitForMail(mailDir, { to: user.email, subject: /Confirm/ });
    const before = await mailCount(mailDir);

    await page.getByTestId('verify-banner-resend').click();
    await page.getByTestId('verify-banner-status').waitFor();
    assert.match(await page.getByTestId('verify-banner-status').textContent(), /We sent a new link and code/);
    assert.equal(apiRequests.filter((r) => r.path === '/api/auth/email/resend').length, 1);
    const second = await waitForMail(mailDir, { to: user.email, subject: /Confirm/, after: before });
    assert.notEqual(second.code, first.code);

    // 429 on resend (held here: the real limit is 10 an hour) says when to try again.
    await page.route('**/api/auth/email/resend', (route) => route.fulfill({
      status: 429, contentType: 'application/json', headers: { 'Retry-After': '30' },
      body: JSON.stringify({ error: 'Too many requests', code: 'throttled', field: null }),
    }), { times: 1 });
    await page.getByTestId('verify-banner-resend').click();
    await page.locator('[data-testid="verify-banner-status"].text-danger').waitFor();
    assert.equal((await page.getByTestId('verify-banner-status').textContent()).trim(),
      'Too many attempts. Please try again in 30 seconds.');

    // A malformed code never leaves the page; the first mail's code was replaced by the second's.
    const verifies = () => apiRequests.filter((r) => r.path === '/api/auth/email/verify').length;
    await page.getByTestId('verify-banner-code').fill('12ab');
    await page.getByTestId('verify-banner-submit').click();
    await page.locator('[data-testid="verify-banner-code-error"] li').waitFor();
    assert.equal(verifies(), 0);
    await page.getByTestId('verify-banner-code').fill(first.code);
    await page.getByTestId('verify-banner-submit').click();
    await page.locator('[data-testid="verify-banner-code-error"] li').waitFor();
    assert.match(await page.getByTestId('verify-banner-code-error').textContent(), /not valid/);
    assert.equal(verifies(), 1);
    assert.equal(await page.getByTestId('verify-banner-code').inputValue(), '', 'a refused code is emptied');
    await page.getByTestId('verify-banner-code').fill(second.code);
    await page.getByTestId('verify-banner-submit').click();
    await page.getByTestId('verify-banner').waitFor({ state: 'detached' });
    await openAccount(page);
    await page.getByTestId('email-verified-badge').waitFor();
    await assertNoSeriousAxeViolations(page, 'account-email-verified');
  }));

  test('EmailField_ClientRules_MirrorTheServer_NoRequestWhileInvalid', () => withApp(stack, async ({ page, apiRequests }) => {
    await gotoApp(page, '/login');
    const signups = () => apiRequests.filter((r) => r.path === '/api/auth/signup').length;
    const user = newUser('rules');
    // Each address breaks one of the server's rules; the client says what the server says.
    const cases = [
      'no-at-sign.example.test', 'two@at@example.test', '@example.test', `${'l'.repeat(65)}@example.test`,
      'jürgen@example.test', '.dot@example.test', 'dot.@example.test', 'two..dots@example.test',
      'sp ace@example.test', 'paren(s)@example.test', 'quote"d@example.test', 'a@', 'anna@bücher.example',
      'a@-bad.example', 'a@bad-.example', 'a@under_score.example', 'a@two..dots.example', 'a@localhost',
      `a@${'d'.repeat(64)}.example`, `a@${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(63)}.${'g'.repeat(60)}.test`,
      'a@[127.0.0.1]', 'a@example.test.',
    ];
    const jar = await apiBrowser(stack.server.url);
    for (const email of cases) {
      const res = await api(stack.server.url, jar, 'POST', '/api/auth/signup',
        { json: { username: uniqueUsername('mirror'), password: 'a long enough password 1', email } });
      assert.equal(res.status, 400, `${email}: the server refuses it (${res.text})`);
      assert.equal(res.body.field, 'email', email);
      await page.getByTestId('signup-email').fill(email);
      await submitSignup(page, user);
      await page.locator('[data-testid="signup-email-error"] li').first().waitFor();
      assert.equal((await page.getByTestId('signup-email-error').textContent()).trim(), res.body.error, email);
      assert.equal(await page.getByTestId('signup-email').getAttribute('aria-invalid'), 'true');
    }
    assert.equal(signups(), 0, 'no signup request while the address breaks a rule');
    // The longest the rules allow, in the xn-- form, is accepted by the client and the server.
    await page.getByTestId('signup-email').fill(`${user.username.replace(/_/g, '.')}@xn--bcher-kva.example`);
    await submitSignup(page, user);
    await expectScreen(page, 'home-page', '/');
    assert.equal(signups(), 1);
    assert.equal((await appState(page)).user.email, `${user.username.replace(/_/g, '.')}@xn--bcher-kva.example`);

    // The account page has the same rules, and shows the server's 400 on `email` under the field.
    await openAccount(page);
    await page.getByTestId('email-input').fill('anna@bücher.example');
    await page.getByTestId('email-current-password').fill(user.password);
    await page.getByTestId('email-submit').click();
    await page.locator('[data-testid="email-input-error"] li').waitFor();
    assert.equal((await page.getByTestId('email-input-error').textContent()).trim(),
      'Write an international domain in its ASCII form (xn--...)');
    await page.route('**/api/auth/user', (route) => route.fulfill({
      status: 400, contentType: 'application/json',
      body: JSON.stringify({ error: 'The server refuses this address', code: 'validation_failed', field: 'email' }),
    }), { times: 1 });
    await page.getByTestId('email-input').fill('fine@example.test');
    await page.getByTestId('email-current-password').fill(user.password);
    await page.getByTestId('email-submit').click();
    await page.locator('[data-testid="email-input-error"] li').waitFor();
    assert.equal((await page.getByTestId('email-input-error').textContent()).trim(), 'The server refuses this address');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'email-input');
  }));

  test('AccountEmail_ChangeThenUndo_EndsSessions_TakenAddressSaidInWords', () => withApp(stack, async ({ page }) => {
    // A verified address of someone else.
    const owner = newUser('owner');
    await signUpWithEmail(page, owner);
    const ownerMail = await waitForMail(mailDir, { to: owner.email, subject: /Confirm/ });
    await openAndConfirm(page, '/verify-email', ownerMail.token);
    await page.getByTestId('verify-success').waitFor();
    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');

    const user = newUser('mover');
    await signUpWithEmail(page, user);
    const mail = await waitForMail(mailDir, { to: user.email, subject: /Confirm/ });
    await openAndConfirm(page, '/verify-email', mail.token);
    await page.getByTestId('verify-success').waitFor();
    await page.getByTestId('verify-home-link').click();
    await openAccount(page);
    await page.getByTestId('email-verified-badge').waitFor();

    // Change to a new address, then undo it from the mail sent to the old one.
    const before = await mailCount(mailDir);
    const newAddress = `new.${user.email}`;
    await page.getByTestId('email-input').fill(newAddress);
    await page.getByTestId('email-current-password').fill(user.password);
    await page.getByTestId('email-submit').click();
    await page.getByTestId('email-unverified-badge').waitFor();
    assert.match(await page.getByTestId('email-status').textContent(), /We sent a link and a code/);
    await page.getByTestId('verify-banner').waitFor();
    await assertNoSeriousAxeViolations(page, 'account-email-unverified');
    const undo = await waitForMail(mailDir, { to: user.email, subject: /changed/, after: before });
    assert.ok(undo.token);
    await openAndConfirm(page, '/undo-email', undo.token);
    await page.getByTestId('undo-success').waitFor();
    await assertTokenGone(page, undo.token);
    assert.match(await page.getByTestId('undo-success').textContent(), /every session was ended/);
    assert.match(await page.getByTestId('undo-success').textContent(), new RegExp(user.email.replace(/\./g, '\\.')));
    await assertNoSeriousAxeViolations(page, 'undo-email');
    // This browser's session was one of them.
    assert.equal(await page.getByTestId('header-user').count(), 0);
    assert.equal((await appState(page)).loggedIn, false);
    // The password was turned off too: the page says so and leads to recovery by mail.
    assert.match(await page.getByTestId('undo-password-reset').textContent(), /password was turned off/);
    const asked = await mailCount(mailDir);
    await page.getByTestId('undo-forgot-password-link').click();
    await expectScreen(page, 'forgot-page', '/forgot-password');
    await page.getByTestId('forgot-login').fill(user.email);
    await page.getByTestId('forgot-submit').click();
    await page.getByTestId('forgot-sent').waitFor();
    const reset = await waitForMail(mailDir, { to: user.email, subject: /Reset/, after: asked });
    await openLink(page, '/recover', reset.token);
    await expectScreen(page, 'recover-with-link', '/recover');
    user.password = `${user.password}-after-undo`;
    await page.getByTestId('recover-password').fill(user.password);
    await page.getByTestId('recover-password-confirm').fill(user.password);
    await page.getByTestId('recover-submit').click();
    await expectScreen(page, 'home-page', '/');
    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');
    await logIn(page, user);
    assert.equal((await appState(page)).user.email, user.email);
    assert.equal((await appState(page)).user.email_verified, true);

    // An address verified on another account: the change is saved unverified (unique among
    // verified addresses only), and its code answers 409 email_taken, said in words.
    await openAccount(page);
    const sent = await mailCount(mailDir);
    await page.getByTestId('email-input').fill(owner.email);
    await page.getByTestId('email-current-password').fill(user.password);
    await page.getByTestId('email-submit').click();
    await page.getByTestId('email-unverified-badge').waitFor();
    const taken = await waitForMail(mailDir, { to: owner.email, subject: /Confirm/, after: sent });
    await page.getByTestId('verify-banner-code').fill(taken.code);
    await page.getByTestId('verify-banner-submit').click();
    await page.getByTestId('verify-banner-alert').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('verify-banner-alert').textContent(), /already verified for another account/);
    assert.equal((await appState(page)).user.email_verified, false);
  }));

  test('LinkPages_WithoutTokenOrWithBadOne_ExplainAndPassAxe', () => withApp(stack, async ({ page }) => {
    await openLink(page, '/recover', 'A'.repeat(43));
    await page.getByTestId('recover-with-link').waitFor();
    await assertTokenGone(page, 'A'.repeat(43));
    await assertNoSeriousAxeViolations(page, 'recover-link');
    await assertInputsLabelled(page, 'recover-link');
    const password = 'a fresh long passphrase 42';
    await page.getByTestId('recover-password').fill(password);
    await page.getByTestId('recover-password-confirm').fill(password);
    await page.getByTestId('recover-submit').click();
    await page.getByTestId('recover-alert').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('recover-alert').textContent(), /expired or was already used/);
    // The password rules of signup apply.
    await page.getByTestId('recover-password').fill('short');
    await page.getByTestId('recover-submit').click();
    await page.locator('[data-testid="recover-password-error"] li').waitFor();

    await gotoApp(page, '/recover');
    await page.getByTestId('recover-with-code').waitFor();
    await assertNoSeriousAxeViolations(page, 'recover-code');
    await assertInputsLabelled(page, 'recover-code');

    await openAndConfirm(page, '/verify-email', 'B'.repeat(43));
    await page.getByTestId('verify-failed').waitFor();
    await assertTokenGone(page, 'B'.repeat(43));
    await assertNoSeriousAxeViolations(page, 'verify-email-failed');

    await openAndConfirm(page, '/undo-email', 'C'.repeat(43));
    await page.getByTestId('undo-failed').waitFor();
    await assertNoSeriousAxeViolations(page, 'undo-email-failed');
  }));
  test('Phone_NewScreens_NoHorizontalScrolling', () => withApp(stack, async ({ page }) => {
    const user = newUser('phone');
    await signUpWithEmail(page, user);
    await page.getByTestId('verify-banner').waitFor();
    await assertNoHorizontalOverflow(page, 'phone home with banner');
    await openAccount(page);
    await assertNoHorizontalOverflow(page, 'phone account with email');
    await assertNoSeriousAxeViolations(page, 'phone account with email');
    for (const [path, testId] of [['/verify-email', 'verify-email-page'], ['/forgot-password', 'forgot-page'],
      ['/recover', 'recover-page'], ['/undo-email', 'undo-email-page']]) {
      await gotoApp(page, path);
      await page.getByTestId(testId).waitFor();
      await assertNoHorizontalOverflow(page, `phone ${path}`);
    }
  }, { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true }));
});

describe('with --require-verified-email', () => {
  let stack;
  before(async () => { stack = await startStack({ server: { args: ['--require-verified-email', 'true'] } }); });
  after(async () => { await stack?.stop(); });

  test('Signup_WithoutEmail_ServerErrorUnderTheField_LoginWaitsForTheLink', () => withApp(stack, async ({ page }) => {
    const mailDir = mailDirOf(stack.server);
    const user = newUser('required');
    await gotoApp(page, '/login');
    await submitSignup(page, user);
    await page.locator('[data-testid="signup-email-error"] li').waitFor();
    assert.match(await page.getByTestId('signup-email-error').textContent(), /required/i);
    assert.equal(await page.getByTestId('signup-email').getAttribute('aria-invalid'), 'true');
    await page.getByTestId('signup-email').fill(user.email);
    await submitSignup(page, user);
    await expectScreen(page, 'home-page', '/');
    await page.getByTestId('verify-banner').waitFor();
    await page.getByTestId('logout-button').click();
    await expectScreen(page, 'login-page', '/login');

    await submitLogin(page, user);
    await page.getByTestId('login-alert').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('login-alert').textContent(), /Verify your email address/);
    // The link works without a session, then the login does.
    const mail = await waitForMail(mailDir, { to: user.email, subject: /Confirm/ });
    await openAndConfirm(page, '/verify-email', mail.token);
    await page.getByTestId('verify-success').waitFor();
    await page.getByTestId('verify-login-hint').waitFor({ state: 'detached' });
    await logIn(page, user);
  }));
});
