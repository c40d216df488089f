// Shared setup for the browser specs: one latchkey server and one Chromium per
// spec file, a fresh browser context (cookie jar) per test, and a page that
// records console errors, page errors and API requests so a spec can assert
// on them. Selectors are data-testid only.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../support/server.mjs';

const kChromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const kTimeout = 10000;

/** Starts the server and the browser; returns { server, browser, stop() }. */
export async function startStack() {
  const server = await startServer();
  let browser;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
      args: kChromiumArgs,
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
 * Opens a fresh context and page on the server.
 * @returns {{ context, page, problems: string[], apiRequests: object[], assertClean(): void }}
 */
export async function openApp(stack) {
  const context = await stack.browser.newContext({ baseURL: stack.server.url });
  context.setDefaultTimeout(kTimeout);
  const page = await context.newPage();
  const problems = [];
  const apiRequests = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !isExpectedApiStatus(msg)) problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('request', (req) => {
    const { pathname } = new URL(req.url());
    if (pathname.startsWith('/api/')) {
      apiRequests.push({ method: req.method(), path: pathname, headers: req.headers(), body: req.postData() });
    }
  });
  return {
    context,
    page,
    problems,
    apiRequests,
    /** Fails the test if the page logged an error or threw. */
    assertClean() {
      assert.deepEqual(problems, [], 'the page reported errors');
    },
  };
}

/** Opens `path` and waits until the app has booted and routed. */
export async function gotoApp(page, path) {
  await page.goto(path);
  await page.locator('[data-testid="login-page"], [data-testid="home-page"], [data-testid="not-found-page"]')
    .first().waitFor();
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

/** Fills and submits the login form; does not wait for the outcome. */
export async function submitLogin(page, { username, password }) {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
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

/**
 * Runs `body(app)` on a fresh context, then fails if the page logged an error;
 * closes the context either way. An error from `body` is reported together
 * with whatever the page logged, which is usually the cause.
 */
export async function withApp(stack, body) {
  const app = await openApp(stack);
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
