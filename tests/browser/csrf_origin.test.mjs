// The CSRF token (and the expected user) never leave the page's origin (issue 18): the
// client's one request hook adds X-CSRF-Token and X-Latchkey-Expect-User only to URLs the
// browser sends to the page's own origin, however the URL is spelled (leading spaces,
// protocol-relative, backslashes, upper-case schemes), also for an app whose apiRoot is
// absolute. Every request leaving the page is intercepted and its headers counted.
//
// Latchkey's own Content-Security-Policy (connect-src falls back to 'self') already stops
// such requests before they leave; the page is served here with `connect-src *` added, as an
// app with a laxer policy serves it, so that what is tested is the hook itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { appState, signUp, startStack, uniqueUsername, withApp } from './helpers.mjs';

const kRelax = (csp) => csp.replace("default-src 'self'", "default-src 'self'; connect-src *");

describe('CSRF header and origins', () => {
  let stack;
  before(async () => { stack = await startStack(); });
  after(async () => { await stack?.stop(); });

  test('RequestHook_UrlsOfOtherOrigins_NeverGetCsrfOrExpectUserHeaders', () => withApp(stack, async ({ page, context }) => {
    const own = new URL(stack.server.url);
    const port = own.port;
    const other = `http://localhost:${port}`; // the same server under another origin
    await context.route((url) => url.origin === own.origin && !/^\/(api|assets)\//.test(url.pathname), async (route) => {
      const res = await route.fetch();
      const headers = { ...res.headers(), 'content-security-policy': kRelax(res.headers()['content-security-policy']) };
      await route.fulfill({ response: res, headers, body: kRelax(await res.text()) });
    });
    const seen = []; // every request (and CORS preflight) to a /sink path, on any origin
    await context.route((url) => url.pathname.startsWith('/sink/'), async (route) => {
      const req = route.request();
      seen.push({ url: new URL(req.url()), method: req.method(), headers: await req.allHeaders() });
      await route.fulfill({
        status: 200, contentType: 'application/json', body: '{}',
        headers: {
          'Access-Control-Allow-Origin': own.origin,
          'Access-Control-Allow-Headers': '*, X-CSRF-Token, X-Latchkey-Expect-User, X-Test-Control',
          'Access-Control-Allow-Methods': 'POST, PUT, PATCH, DELETE',
        },
      });
    });

    await signUp(page, { username: uniqueUsername('origin'), password: 'same origin only please' });
    const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
    const { id } = (await appState(page)).user;

    // name -> [URL as the app gives it, does it go to the page's own origin]
    const cases = {
      relative: ['/sink/relative', true],
      'absolute-own': [`${own.origin}/sink/absolute-own`, true],
      'upper-case-own': [`HTTP://127.0.0.1:${port}/sink/upper-case-own`, true],
      'leading-space-relative': ['  /sink/leading-space-relative', true],
      'absolute-other': [`${other}/sink/absolute-other`, false],
      'protocol-relative': [`//localhost:${port}/sink/protocol-relative`, false],
      'leading-space-protocol-relative': [`  //localhost:${port}/sink/leading-space-protocol-relative`, false],
      'leading-tab-protocol-relative': [`\t//localhost:${port}/sink/leading-tab-protocol-relative`, false],
      backslash: [`/\\localhost:${port}/sink/backslash`, false],
      'upper-case-other': [`HTTP://LOCALHOST:${port}/sink/upper-case-other`, false],
      'other-port': [`http://127.0.0.1:${Number(port) === 65535 ? 1 : Number(port) + 1}/sink/other-port`, false],
      'other-scheme': [`https://127.0.0.1:${port}/sink/other-scheme`, false],
    };
    const outcome = await page.evaluate(({ cases, other, own }) => new Promise((resolve, reject) => {
      window.require(['app', 'backbone', 'latchkey-client'], (app, Backbone, client) => {
        const model = new Backbone.Model();
        const calls = Object.values(cases).map(([url]) => app.session.sync('create', model, {
          url, contentType: 'application/json', data: '{}', dataType: 'json',
        }));
        // Apps with an absolute apiRoot, on their own origin and on another.
        for (const [name, root] of [['apiroot-own', own], ['apiroot-other', other]]) {
          const session = new client.SessionModel(null, { apiRoot: `${root}/sink/${name}`, tabSync: false });
          session.set('logged_in', true);
          session.user.set({ id: 7, username: 'seven', name: '' });
          calls.push(session.revokeOtherSessions());
        }
        // The control: a header the test adds itself reaches the other origin, so a request
        // carrying the CSRF header there would have been seen too.
        calls.push(app.session.sync('read', model, { url: `${other}/sink/control`, headers: { 'X-Test-Control': '1' } }));
        Promise.allSettled(calls.map((c) => Promise.resolve(c))).then((r) => resolve(r.map((x) => x.status)));
      }, reject);
    }), { cases, other, own: own.origin });
    assert.deepEqual(outcome, Array(Object.keys(cases).length + 3).fill('fulfilled'), 'every request reached the sink');

    const requests = seen.filter((r) => r.method !== 'OPTIONS');
    const byName = (name) => requests.filter((r) => r.url.pathname.startsWith(`/sink/${name}`));
    const control = byName('control');
    assert.equal(control.length, 1);
    assert.equal(control[0].url.origin, other);
    assert.equal(control[0].headers['x-test-control'], '1');

    const expected = { ...cases, 'apiroot-own': [null, true], 'apiroot-other': [null, false] };
    for (const [name, [, sameOrigin]] of Object.entries(expected)) {
      const hits = byName(name);
      assert.equal(hits.length, 1, `${name}: one request`);
      const [req] = hits;
      assert.equal(req.url.origin === own.origin, sameOrigin, `${name} went to ${req.url.origin}`);
      const expectUser = name.startsWith('apiroot') ? '7' : String(id);
      assert.equal(req.headers['x-csrf-token'], sameOrigin ? token : undefined, `${name}: X-CSRF-Token`);
      assert.equal(req.headers['x-latchkey-expect-user'], sameOrigin ? expectUser : undefined, `${name}: X-Latchkey-Expect-User`);
    }
    // No preflight asked to send them either.
    for (const r of seen.filter((x) => x.method === 'OPTIONS')) {
      assert.doesNotMatch(r.headers['access-control-request-headers'] || '', /x-csrf-token|x-latchkey-expect-user/i,
        `preflight of ${r.url}`);
    }
  }));
});
