// Journey over HTTPS: the server runs with built-in TLS and a self-signed certificate made
// here (the context ignores certificate errors for this spec only); a visitor signs up, sees
// the logged-in view and stays logged in across a reload, with __Host- Secure cookies and the
// Content-Security-Policy header enforced (any violation fails the test: helpers.mjs).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeSelfSignedCert } from '../support/server.mjs';
import {
  expectScreen, gotoApp, kTimeout, openApp, startStack, submitSignup, uniqueUsername, withApp,
} from './helpers.mjs';

const kHttps = { ignoreHTTPSErrors: true };

describe('tls', () => {
  let stack;
  let certDir;
  before(async () => {
    certDir = mkdtempSync(path.join(tmpdir(), 'latchkey-browser-cert-'));
    stack = await startStack({ server: { tls: makeSelfSignedCert(certDir) } });
  });
  after(async () => {
    await stack?.stop();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  test('Tls_Signup_LoggedInWithHostCookiesAndSurvivesReload', () => withApp(stack, async ({ page, context }) => {
    assert.ok(stack.server.url.startsWith('https://'), stack.server.url);
    const user = { username: uniqueUsername('tls'), name: 'Grace Hopper', password: 'cobol over tls 1959' };

    const first = await page.goto('/');
    assert.match(first.headers()['content-security-policy'] || '', /script-src 'self'/, 'CSP header on the page');
    assert.equal(first.headers()['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    await expectScreen(page, 'login-page', '/login');

    const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/signup'));
    await submitSignup(page, user);
    assert.equal((await response).status(), 201);
    await expectScreen(page, 'home-page', '/');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Grace Hopper');

    const cookies = await context.cookies();
    for (const name of ['__Host-latchkey_session', '__Host-latchkey_csrf']) {
      const c = cookies.find((x) => x.name === name);
      assert.ok(c, `${name} stored by the browser: ${cookies.map((x) => x.name)}`);
      assert.equal(c.secure, true, `${name} Secure`);
      assert.equal(c.httpOnly, true, `${name} HttpOnly`);
      assert.equal(c.path, '/', `${name} Path=/`);
      assert.equal(c.sameSite, 'Lax', `${name} SameSite=Lax`);
    }
    assert.deepEqual(cookies.filter((c) => !c.name.startsWith('__Host-')).map((c) => c.name), [], 'only __Host- cookies');

    await page.reload();
    await expectScreen(page, 'home-page', '/');
    assert.equal((await page.getByTestId('header-user').textContent()).trim(), 'Logged in as Grace Hopper');
    await gotoApp(page, '/account');
    await expectScreen(page, 'account-page', '/account');
  }, kHttps));

  // The guard the other specs rely on: an inline script (what CSP forbids) is blocked and
  // reported as a problem of the page.
  test('Tls_InlineScript_BlockedByCspAndReported', async () => {
    const app = await openApp(stack, kHttps);
    try {
      await gotoApp(app.page, '/');
      await app.page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.__inlineRan = true;';
        document.body.appendChild(s);
      });
      const deadline = Date.now() + kTimeout;
      while (!app.problems.some((p) => /CSP/.test(p)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(app.problems.some((p) => /CSP/.test(p)), `the violation is reported: ${app.problems}`);
      assert.equal(await app.page.evaluate(() => window.__inlineRan), undefined, 'the inline script did not run');
    } finally {
      await app.context.close();
    }
  });
});
