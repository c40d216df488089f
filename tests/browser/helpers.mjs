// Shared setup for the browser specs: one latchkey server and one Chromium per
// spec file, a fresh browser context (cookie jar) per test, and a page that
// records console errors, page errors, Content-Security-Policy violations and
// API requests so a spec can assert on them. Selectors are data-testid only.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../support/server.mjs';

const kChromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const kTimeout = 10000;

/**
 * Starts the server and the browser; returns { server, browser, stop() }.
 * `server` (optional) goes to startServer (e.g. { tls: { cert, key } } for HTTPS).
 * `bfcache: true` leaves Chromium's back/forward cache on (Playwright turns it off by default,
 * --disable-back-forward-cache, so that goBack always loads).
 */
export async function startStack({ server: serverOptions, bfcache = false } = {}) {
  const server = await startServer(serverOptions);
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
      args: kChromiumArgs,
      ignoreDefaultArgs: bfcache ? ['--disable-back-forward-cache'] : [],
    });
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    server,
    browser,
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

/**
 * A console message is a failure unless it is Chromium's own note about an API
 * call that answered 4xx: the app expects those (401 from GET /api/auth when
 * logged out, 409 for a taken username, ...) and handles them itself.
 */
function isExpectedApiStatus(msg) {
  const url = msg.location()?.url || '';
  return /^Failed to load resource: the server responded with a status of 4\d\d\b/.test(msg.text())
    && new URL(url, 'http://x').pathname.startsWith('/api/');
}

/**
 * Records what a page reports into `problems` (each prefixed with `label`) and its API
 * requests into `apiRequests`; see openApp.
 */
async function watchPage(page, label, problems, apiRequests) {
  page.on('console', (msg) => {
    // Chromium reports a blocked script, style, image or frame as a console message naming the
    // Content Security Policy; any such message fails the test, whatever its level.
    if (/Content Security Policy/i.test(msg.text())) problems.push(`${label}CSP: ${msg.text()}`);
    else if (msg.type() === 'error' && !isExpectedApiStatus(msg)) problems.push(`${label}console.error: ${msg.text()}`);
  });
  // And the DOM's own report of each violation (also for ones Chromium does not log), sent
  // through the console above so that the page gains no global.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Content Security Policy violation event: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile || '?'}:${e.lineNumber}`);
    });
  });
  page.on('pageerror', (err) => problems.push(`${label}page error: ${err.message}`));
  page.on('request', (req) => {
    const { pathname } = new URL(req.url());
    if (pathname.startsWith('/api/')) {
      apiRequests.push({ method: req.method(), path: pathname, headers: req.headers(), body: req.postData() });
    }
  });
}

/**
 * Opens a fresh context and page on the server. `contextOptions` go to
 * browser.newContext (e.g. { userAgent } to pose as another device).
 * `newTab()` opens another page of the same context (another tab of the same
 * browser: one cookie jar, one localStorage) and returns { page, apiRequests };
 * its problems go to the same `problems`.
 * @returns {{ context, page, problems: string[], apiRequests: object[], newTab(): Promise<object>,
 *   assertClean(): void }}
 */
export async function openApp(stack, contextOptions = {}) {
  const context = await stack.browser.newContext({ ...contextOptions, baseURL: stack.server.url });
  context.setDefaultTimeout(kTimeout);
  const page = await context.newPage();
  const problems = [];
  const apiRequests = [];
  await watchPage(page, '', problems, apiRequests);
  let tabs = 1;
  return {
    context,
    page,
    problems,
    apiRequests,
    async newTab() {
      tabs += 1;
      const tab = { page: await context.newPage(), apiRequests: [] };
      await watchPage(tab.page, `tab ${tabs}: `, problems, tab.apiRequests);
      return tab;
    },
    /** Fails the test if the page logged an error or threw. */
    assertClean() {
      assert.deepEqual(problems, [], 'the page reported errors');
    },
  };
}

/** Opens `path` and waits until the app has booted and routed. */
export async function gotoApp(page, path) {
  await page.goto(path);
  await page.locator([
    '[data-testid="login-page"]', '[data-testid="home-page"]', '[data-testid="account-page"]',
    '[data-testid="not-found-page"]', '[data-testid="forgot-page"]', '[data-testid="recover-page"]',
    '[data-testid="verify-email-page"]', '[data-testid="undo-email-page"]',
  ].join(', ')).first().waitFor();
}

let counter = 0;
/** A fresh valid username (3-32 of [A-Za-z0-9._-]). */
export function uniqueUsername(prefix = 'user') {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`.slice(0, 32);
}

/** Fills and submits the signup form; does not wait for the outcome. */
export async function submitSignup(page, { username, password, confirm = password, name = '' }) {
  await page.getByTestId('signup-username').fill(username);
  await page.getByTestId('signup-name').fill(name);
  await page.getByTestId('signup-password').fill(password);
  await page.getByTestId('signup-password-confirm').fill(confirm);
  await page.getByTestId('signup-submit').click();
}

/**
 * Fills and submits the login form; does not wait for the outcome. `remember`
 * sets the "Remember me" checkbox when given, else leaves it as it is.
 */
export async function submitLogin(page, { username, password, remember }) {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  if (remember !== undefined) await page.getByTestId('login-remember').setChecked(remember);
  await page.getByTestId('login-submit').click();
}

/** Logs in through the UI (from wherever the page is) and waits for the logged-in page. */
export async function logIn(page, user) {
  await gotoApp(page, '/login');
  await submitLogin(page, user);
  await page.getByTestId('home-page').waitFor();
}

/** Signs up through the UI and waits for the logged-in page. */
export async function signUp(page, user) {
  await gotoApp(page, '/login');
  await submitSignup(page, user);
  await page.getByTestId('home-page').waitFor();
}

/** Waits until the page shows `path` and the given screen. */
export async function expectScreen(page, testId, pathname) {
  await page.getByTestId(testId).waitFor();
  if (pathname !== undefined) assert.equal(new URL(page.url()).pathname, pathname);
}

/** Waits until `locator` matches exactly `n` elements (or fails after kTimeout). */
export async function waitForCount(locator, n, what = 'elements') {
  const deadline = Date.now() + kTimeout;
  let count;
  while ((count = await locator.count()) !== n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} ${what}, found ${count}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens the Account page through the header link (no reload) and waits for the session list. */
export async function openAccount(page) {
  await page.getByTestId('account-link').click();
  await expectScreen(page, 'account-page', '/account');
  await page.getByTestId('session-list').waitFor();
}

/** The session-list rows: all of them, and the one of this browser. */
export function sessionRows(page) {
  const all = page.getByTestId('session-item');
  return { all, current: page.locator('[data-testid="session-item"][data-current="true"]') };
}

export const kSessionEndedMessage = 'Your session has ended. Please log in again.';

/**
 * Marks the page's window so a later assertNoReload can tell that the page was
 * not reloaded in between (a reload makes a fresh window).
 */
export async function markWindow(page) {
  await page.evaluate(() => { window.__latchkeyTestMarker = 'same page'; });
}

export async function assertNoReload(page) {
  assert.equal(await page.evaluate(() => window.__latchkeyTestMarker), 'same page', 'the page was not reloaded');
}

/** Waits for the login page at /login telling that the session has ended. */
export async function expectSessionEnded(page) {
  await expectScreen(page, 'login-page', '/login');
  assert.equal((await page.getByTestId('login-notice').textContent()).trim(), kSessionEndedMessage);
  assert.equal(await page.getByTestId('header-user').count(), 0, 'header shows no user');
}

/**
 * What the page's session holds (through require, as the app's modules reach it): logged_in,
 * the user's attributes, and how many device sessions and activity events it has loaded.
 */
export function appState(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    window.require(['app'], (app) => resolve({
      loggedIn: app.session.get('logged_in'),
      user: app.session.user.toJSON(),
      deviceSessions: app.session.deviceSessions.length,
      authEvents: app.session.authEvents.length,
    }), reject);
  }));
}

/** The latchkey_session cookie of a context, or undefined. */
export async function sessionCookie(context) {
  return (await context.cookies()).find((c) => c.name === 'latchkey_session');
}

/**
 * Runs `body(app)` on a fresh context (options as openApp), then fails if the
 * page logged an error; closes the context either way. An error from `body` is
 * reported together with whatever the page logged, which is usually the cause.
 */
export async function withApp(stack, body, contextOptions = {}) {
  const app = await openApp(stack, contextOptions);
  try {
    await body(app);
  } catch (err) {
    if (app.problems.length) err.message += `\npage problems:\n  ${app.problems.join('\n  ')}`;
    throw err;
  } finally {
    await app.context.close();
  }
  app.assertClean();
}

/**
 * Like withApp with one fresh context per entry of `contextOptions` (each its
 * own cookie jar: several devices of one user). `body(apps)` gets them in
 * that order; any page's errors fail the test.
 */
export async function withDevices(stack, contextOptions, body) {
  const apps = [];
  const problems = () => apps.flatMap((app, i) => app.problems.map((p) => `device ${i}: ${p}`));
  try {
    for (const options of contextOptions) apps.push(await openApp(stack, options));
    await body(apps);
  } catch (err) {
    if (problems().length) err.message += `\npage problems:\n  ${problems().join('\n  ')}`;
    throw err;
  } finally {
    for (const app of apps) await app.context.close();
  }
  assert.deepEqual(problems(), [], 'the pages reported errors');
}
