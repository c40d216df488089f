// The client package (clients/backbone) as an app gets it: `npm pack` (which runs its UMD
// build), the tarball's contents, `npm install <tarball>` into an empty app (offline: the
// package has peer dependencies only), then the installed files loaded in headless Chromium
// on a page Latchkey serves from an app web root, three ways: under require.js (the AMD
// branch), from plain <script> tags (the global branch) and through a CommonJS `require`
// (the branch webpack and browserify take). Each talks to the real API: a signup, "who am I",
// a logout, with the CSRF token the page was rendered with.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { commonPasswords, startTestServer, tempDir, uniq } from '../support/fixtures.mjs';

const kRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const kPackageDir = path.join(kRoot, 'clients', 'backbone');
const kModules = path.join(kRoot, 'node_modules');
const kDist = 'dist/latchkey-backbone-client.js';
const kChromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let dir;
let packed; // npm pack --json's entry
let installed; // <app>/node_modules/@latchkey/backbone-client
let srv;
let browser;

before(async () => {
  dir = tempDir('latchkey-client-pkg-');
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: kPackageDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
  });
  [packed] = JSON.parse(out);
  const app = path.join(dir, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), '{"name": "fixture-app", "private": true}\n');
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps',
    '--ignore-scripts', path.join(dir, packed.filename)], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  installed = path.join(app, 'node_modules', '@latchkey', 'backbone-client');

  // The app's web root: its page template, require.js, the libraries and the installed package.
  const web = path.join(dir, 'web');
  mkdirSync(path.join(web, 'assets'), { recursive: true });
  writeFileSync(path.join(web, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="csrf-token" content="{{csrf_token}}"><title>package fixture</title></head>
<body><script src="/assets/require.js"></script><script src="/assets/boot.js"></script></body></html>
`);
  writeFileSync(path.join(web, 'assets', 'boot.js'),
    "requirejs.config({ baseUrl: '/assets', paths: { 'latchkey-client': 'latchkey-backbone-client' } });\n");
  const copies = {
    'require.js': path.join(kModules, 'requirejs', 'require.js'),
    'jquery.js': path.join(kModules, 'jquery', 'dist', 'jquery.js'),
    'underscore.js': path.join(kModules, 'underscore', 'underscore-umd.js'),
    'backbone.js': path.join(kModules, 'backbone', 'backbone.js'),
    'latchkey-backbone-client.js': path.join(installed, kDist),
  };
  for (const [name, from] of Object.entries(copies)) cpSync(from, path.join(web, 'assets', name));
  const list = path.join(dir, 'common-passwords.txt');
  writeFileSync(list, `${commonPasswords().join('\n')}\n`);
  srv = await startTestServer({ dataDir: path.join(dir, 'data'), webRoot: web, args: ['--common-passwords', list] });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', args: kChromiumArgs });
});

after(async () => {
  await browser?.close();
  await srv?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A fresh context's page on `urlPath`; page errors fail the test. */
async function open(urlPath, t) {
  const context = await browser.newContext({ baseURL: srv.url });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  t.after(() => assert.deepEqual(errors, [], 'no page errors'));
  await page.goto(urlPath);
  return page;
}

/** In the page: a SessionModel from `client` signs up, asks who it is, logs out. */
function journey(client, username) {
  const session = new client.SessionModel(null, { apiRoot: '/api/auth' });
  const seen = {};
  return session.checkAuth().then((before) => {
    seen.before = before;
    return session.signup({ username, password: 'package test pw 1', name: 'Pkg' });
  }).then(() => {
    seen.afterSignup = session.get('logged_in');
    seen.user = session.user.toJSON();
    seen.state = JSON.stringify([session.attributes, session.user.attributes]);
    return session.checkAuth();
  }).then((again) => {
    seen.checkAuth = again;
    return session.logout();
  }).then(() => {
    seen.afterLogout = session.get('logged_in');
    seen.exports = Object.keys(client).sort();
    return seen;
  }, (err) => ({ failed: err }));
}

function assertJourney(seen, username) {
  assert.equal(seen.failed, undefined, JSON.stringify(seen.failed));
  assert.equal(seen.before, false, 'no session at first');
  assert.equal(seen.afterSignup, true);
  assert.deepEqual(Object.keys(seen.user).sort(), ['email', 'email_verified', 'id', 'name', 'username']);
  assert.equal(seen.user.username, username);
  assert.ok(!seen.state.includes('package test pw 1'), 'no password kept on a model');
  assert.equal(seen.checkAuth, true);
  assert.equal(seen.afterLogout, false);
  assert.deepEqual(seen.exports,
    ['AuthEventCollection', 'DeviceSessionCollection', 'SessionModel', 'UserModel', 'request']);
}

test('npm pack: the UMD build, the AMD sources, README and package.json, nothing else', () => {
  const files = packed.files.map((f) => f.path).sort();
  const sources = readdirSync(path.join(kPackageDir, 'src')).map((f) => `src/${f}`);
  assert.deepEqual(files, [kDist, 'README.md', 'package.json', ...sources].sort());
  assert.equal(packed.name, '@latchkey/backbone-client');
  assert.ok(sources.includes('src/session_model.js') && sources.includes('src/index.js'), sources.join());
});

test("npm install <tarball>: the installed sources are the repository's files byte for byte", () => {
  const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.equal(pkg.main, kDist);
  assert.deepEqual(Object.keys(pkg.peerDependencies).sort(), ['backbone', 'jquery', 'underscore']);
  assert.equal(pkg.dependencies, undefined, 'peer dependencies only');
  for (const f of readdirSync(path.join(kPackageDir, 'src'))) {
    assert.ok(readFileSync(path.join(installed, 'src', f)).equals(readFileSync(path.join(kPackageDir, 'src', f))), f);
  }
});

/** The journey run in the page on the module `loader` gives (an expression of a promise). */
function runJourney(page, loader, username) {
  return page.evaluate(`(${loader}).then((client) => (${journey.toString()})(client, ${JSON.stringify(username)}))`);
}

test('AMD: loaded by require.js on a page Latchkey rendered, it signs up and logs out', async (t) => {
  const page = await open('/notes/1', t);
  const username = uniq('amd');
  const seen = await runJourney(page, "new Promise((resolve) => window.require(['latchkey-client'], resolve))", username);
  assertJourney(seen, username);
  assert.equal(await page.evaluate(() => 'LatchkeyBackbone' in window), false, 'nothing on window under AMD');
});

/**
 * A page of plain <script> tags (no AMD loader) on the server's origin: the libraries, then
 * the package's UMD file. Fulfilled by the test, after a visit to Latchkey's page for the CSRF
 * cookie, and given the token in the meta the package reads.
 */
async function openPlain(t, { withPackage }) {
  const page = await open('/', t);
  const token = await page.locator('meta[name="csrf-token"]').getAttribute('content');
  const scripts = ['jquery.js', 'underscore.js', 'backbone.js', ...(withPackage ? ['latchkey-backbone-client.js'] : [])];
  await page.route('**/plain', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<!doctype html><meta name="csrf-token" content="${token}">${scripts.map((s) => `<script src="/assets/${s}"></script>`).join('')}`,
  }));
  await page.goto('/plain');
  return page;
}

test('a plain <script>: window.LatchkeyBackbone holds the constructors, and they work', async (t) => {
  const page = await openPlain(t, { withPackage: true });
  const username = uniq('global');
  assert.deepEqual(await page.evaluate(() => typeof window.LatchkeyBackbone.SessionModel), 'function');
  const seen = await runJourney(page, 'Promise.resolve(window.LatchkeyBackbone)', username);
  assertJourney(seen, username);
});

test('CommonJS: module.exports of the UMD file with require() of the peers', async (t) => {
  const page = await openPlain(t, { withPackage: false });
  const source = readFileSync(path.join(installed, kDist), 'utf8');
  const username = uniq('cjs');
  const loader = `Promise.resolve().then(() => {
    const module = { exports: {} };
    const peers = { jquery: window.jQuery, underscore: window._, backbone: window.Backbone };
    new Function('module', 'exports', 'require', 'define', ${JSON.stringify(source)})(
      module, module.exports, (name) => peers[name], undefined);
    return module.exports;
  })`;
  const seen = await runJourney(page, loader, username);
  assertJourney(seen, username);
  assert.equal(await page.evaluate(() => 'LatchkeyBackbone' in window), false, 'no global under CommonJS');
});

/**
 * Runs `fn(client, Backbone, $, arg)` in the page under require.js (the AMD branch); its result.
 * `fn` may call withRecordedAjax (below), which is sent along.
 */
function inPage(page, fn, arg) {
  return page.evaluate(`new Promise((resolve, reject) => window.require(['latchkey-client', 'backbone', 'jquery'],
    (client, Backbone, $) => {
      const withRecordedAjax = ${withRecordedAjax.toString()};
      Promise.resolve().then(() => (${fn.toString()})(client, Backbone, $, ${JSON.stringify(arg)})).then(resolve, reject);
    }, reject))`);
}

test('request.isSameOrigin: decided as the browser resolves the URL, never by its first characters', async (t) => {
  const page = await open('/notes/1', t);
  const { host, hostname, port } = new URL(srv.url);
  // URL as a request would be given it -> does it go to the page's own origin (http://host)
  const cases = [
    ['/api/auth/logout', true], ['api/auth', true], ['?q=1', true], ['', true], ['  /api/auth', true],
    [`http://${host}/api/auth`, true], [`HTTP://${host.toUpperCase()}/api/auth`, true],
    [`http://${hostname}:${port}/x`, true],
    [`//localhost:${port}/api/auth`, false], [' //evil.example/api', false], ['\t//evil.example/api', false],
    ['\n//evil.example/api', false], ['/\\evil.example/api', false], ['\\\\evil.example\\api', false],
    ['//evil.example', false], ['HTTPS://evil.example/api', false], ['https://evil.example/api', false],
    [`https://${host}/api/auth`, false], [`http://127.0.0.1:${Number(port) + 1}/api`, false],
    [`http://127.0.0.1.evil.example:${port}/api`, false], [`http://${host}@evil.example/api`, false],
    ['javascript:alert(1)', false], ['data:,x', false], ['blob:https://evil.example/1', false],
    ['http://', false], [null, false], [undefined, false],
  ];
  const verdicts = await inPage(page, (client, Backbone, $, urls) => urls.map((u) => client.request.isSameOrigin(u)),
    cases.map(([u]) => u));
  assert.deepEqual(cases.map(([u, v], i) => [u, verdicts[i]]), cases.map(([u, v]) => [u, v]));
});

/**
 * In the page: Backbone.ajax replaced by a recorder answering `answers[i]` in turn
 * ({ok: body} or {fail: {status, body}}), so no request leaves. `run({settle, rounds})`: settle(p)
 * resolves with {ok} or {err} of a jQuery promise, rounds() once what the answers so far set off
 * has finished. Returns what `run` resolves with, as `result`, and `sent`: each request's
 * method, url and headers.
 */
function withRecordedAjax(client, Backbone, $, answers, run) {
  const sent = [];
  const realAjax = Backbone.ajax;
  Backbone.ajax = (opts) => {
    sent.push({ type: opts.type, url: opts.url, headers: { ...(opts.headers || {}) }, data: opts.data });
    const answer = answers.shift() || { ok: {} };
    if (answer.ok) return $.Deferred().resolve(answer.ok, 'success', { status: 200 }).promise();
    const xhr = { status: answer.fail.status, responseJSON: answer.fail.body,
      getResponseHeader: (name) => (answer.fail.headers || {})[name] ?? null };
    return $.Deferred().reject(xhr, 'error', 'failed').promise();
  };
  const settle = (p) => new Promise((resolve) => { p.then((v) => resolve({ ok: v }), (e) => resolve({ err: e })); });
  // The recorder answers at once; the client's promise callbacks then take a timer round each
  // (jQuery), a handful down its chain: after ten, whatever the answers started has finished.
  const rounds = (n = 10) => new Promise((resolve) => {
    const next = (k) => (k ? setTimeout(() => next(k - 1), 0) : resolve());
    next(n);
  });
  return Promise.resolve(run({ settle, rounds })).then((result) => {
    Backbone.ajax = realAjax;
    return { result, sent };
  }, (err) => { Backbone.ajax = realAjax; throw err; });
}

test('SessionModel: CSRF and expected-user headers only for writes to its own origin, whatever apiRoot', async (t) => {
  const page = await open('/notes/1', t);
  const { port } = new URL(srv.url);
  const roots = ['/api/auth', `${srv.url}/api/auth`, `http://localhost:${port}/api/auth`, `//localhost:${port}/api/auth`,
    ` //evil.example/api/auth`, 'HTTPS://evil.example/api/auth'];
  const out = await inPage(page, (client, Backbone, $, roots) => withRecordedAjax(client, Backbone, $, [], async ({ settle }) => {
    for (const apiRoot of roots) {
      const session = new client.SessionModel(null, { apiRoot, csrfToken: 'the-token', tabSync: false });
      await settle(session.login({ username: 'u', password: 'not kept' }).then(null, () => null));
      session._setUser({ id: 5, username: 'five', name: '' });
      await settle(session.updateProfile({ name: 'Five' }));
      await settle(session.checkAuth());
    }
  }), roots);
  const sent = out.sent;
  assert.equal(sent.length, roots.length * 3);
  roots.forEach((root, i) => {
    const own = i < 2;
    const [login, patch, check] = sent.slice(i * 3, i * 3 + 3);
    assert.equal(login.type, 'POST');
    assert.equal(login.headers['X-CSRF-Token'], own ? 'the-token' : undefined, `${root}: login CSRF`);
    assert.equal(login.headers['X-Latchkey-Expect-User'], undefined, `${root}: a login acts for no one yet`);
    assert.equal(patch.type, 'PATCH');
    assert.equal(patch.headers['X-CSRF-Token'], own ? 'the-token' : undefined, `${root}: PATCH CSRF`);
    assert.equal(patch.headers['X-Latchkey-Expect-User'], own ? '5' : undefined, `${root}: PATCH expected user`);
    assert.equal(check.type, 'GET');
    assert.deepEqual(check.headers, {}, `${root}: GET carries neither`);
  });
});

test('SessionModel: an answer naming another user, or a 409 user_mismatch, is not applied and the session checks again', async (t) => {
  const page = await open('/notes/1', t);
  const out = await inPage(page, (client, Backbone, $) => withRecordedAjax(client, Backbone, $, [
    { ok: { user: { id: 6, username: 'six', name: 'Someone Else' } } }, // PATCH answered for user 6
    { ok: { user: { id: 5, username: 'five', name: 'Five' } } }, // the check that follows
    { fail: { status: 409, body: { error: 'x', code: 'user_mismatch', field: null } } }, // the next PATCH
    { ok: { user: { id: 6, username: 'six', name: 'Six' } } }, // its check: the browser is user 6's now
  ], async ({ settle, rounds }) => {
    const session = new client.SessionModel(null, { apiRoot: '/api/auth', csrfToken: 't', tabSync: false });
    const events = [];
    session.on('user:mismatch', () => events.push('mismatch'));
    session.on('user:switched', (s, o) => events.push(`switched to ${s.user.get('id')}${o.mismatch ? ' (mismatch)' : ''}`));
    session._setUser({ id: 5, username: 'five', name: 'Five' });
    const first = await settle(session.updateProfile({ name: 'Renamed' }));
    await rounds(); // the check the mismatch started
    const afterFirst = session.user.toJSON();
    const second = await settle(session.updateProfile({ name: 'Renamed again' }));
    await rounds();
    return { first: first.err, second: second.err, afterFirst, after: session.user.toJSON(), events };
  }));
  const { result, sent } = out;
  assert.equal(result.first.code, 'user_mismatch');
  assert.equal(result.first.stale, true);
  assert.deepEqual(result.afterFirst, { id: 5, username: 'five', name: 'Five', email: null, email_verified: false },
    'the answer for user 6 was not applied');
  assert.equal(result.second.code, 'user_mismatch');
  assert.equal(result.second.stale, true);
  assert.deepEqual(result.after, { id: 6, username: 'six', name: 'Six', email: null, email_verified: false },
    'the check switched to the browser\'s user');
  assert.deepEqual(result.events, ['mismatch', 'mismatch', 'switched to 6 (mismatch)']);
  assert.deepEqual(sent.map((r) => `${r.type} ${r.url} ${r.headers['X-Latchkey-Expect-User'] || '-'}`),
    ['PATCH /api/auth/user 5', 'GET /api/auth -', 'PATCH /api/auth/user 5', 'GET /api/auth -']);
});

test('SessionModel: email and recovery calls: who they act for, what they apply, nothing kept', async (t) => {
  const page = await open('/notes/1', t);
  const five = { id: 5, username: 'five', name: '', email: 'five@example.test', email_verified: false };
  const out = await inPage(page, (client, Backbone, $, five) => withRecordedAjax(client, Backbone, $, [
    { ok: { user: { ...five, email_verified: true } } }, // verify by the page's user's link
    { ok: { user: { id: 7, username: 'seven', name: '', email: 's@example.test', email_verified: true } } }, // another's link
    { fail: { status: 400, body: { error: 'Wrong code', code: 'invalid_token', field: 'code' } } }, // a code
    { ok: { success: true } }, // resend
    { fail: { status: 429, body: { error: 'Slow down', code: 'throttled', field: null }, headers: { 'Retry-After': '42' } } },
    { ok: { user: { id: 9, username: 'nine', name: '', email: 'n@example.test', email_verified: true } } }, // recovery
    { ok: { user: { id: 9, username: 'nine', name: '', email: 'old@example.test', email_verified: true } } }, // undo
  ], async ({ settle, rounds }) => {
    const session = new client.SessionModel(null, { apiRoot: '/api/auth', csrfToken: 't', tabSync: false });
    const events = [];
    session.on('user:mismatch', () => events.push('mismatch'));
    session.on('user:switched', (s) => events.push(`switched to ${s.user.get('id')}`));
    session._setUser(five);
    const seen = {};
    await settle(session.verifyEmail({ token: 'link-token-own' }));
    seen.ownLink = session.user.get('email_verified');
    session.user.set('email_verified', false);
    await settle(session.verifyEmail({ token: 'link-token-other' }));
    seen.otherLink = session.user.toJSON();
    seen.code = (await settle(session.verifyEmail({ code: '1234 5678' }))).err;
    await settle(session.resendVerification());
    seen.throttled = (await settle(session.requestRecovery({ login: 'five' }))).err;
    await settle(session.completeRecovery({ token: 'recovery-token', new_password: 'new pw 12345', remember: false }));
    seen.recovered = { loggedIn: session.get('logged_in'), id: session.user.get('id') };
    await settle(session.undoEmailChange({ token: 'undo-token' }));
    await rounds();
    seen.undone = session.get('logged_in');
    seen.events = events;
    seen.state = JSON.stringify([session.attributes, session.user.attributes, session]);
    return seen;
  }), five);
  const { result, sent } = out;
  assert.equal(result.ownLink, true, 'the page user\'s verified address applied');
  assert.equal(result.otherLink.id, 5, 'another account\'s answer is not applied');
  assert.equal(result.otherLink.email_verified, false);
  assert.equal(result.code.field, 'code');
  assert.equal(result.throttled.status, 429);
  assert.equal(result.throttled.retryAfter, 42);
  assert.deepEqual(result.recovered, { loggedIn: true, id: 9 });
  assert.equal(result.undone, false, 'the undo ended the page user\'s session');
  assert.deepEqual(result.events, ['switched to 9'], 'no mismatch for a link of another account');
  for (const secret of ['link-token-own', 'link-token-other', '1234 5678', 'recovery-token', 'new pw 12345', 'undo-token']) {
    assert.equal(result.state.includes(secret), false, `the session keeps ${secret}`);
  }
  assert.deepEqual(sent.map((r) => `${r.type} ${r.url} ${r.headers['X-Latchkey-Expect-User'] || '-'} ${r.headers['X-CSRF-Token']}`), [
    'POST /api/auth/email/verify - t', 'POST /api/auth/email/verify - t', 'POST /api/auth/email/verify 5 t',
    'POST /api/auth/email/resend 5 t', 'POST /api/auth/recovery - t', 'POST /api/auth/recovery/complete - t',
    'POST /api/auth/email/undo - t',
  ]);
  assert.deepEqual(sent.map((r) => JSON.parse(r.data)), [
    { token: 'link-token-own' }, { token: 'link-token-other' }, { code: '1234 5678' }, {}, { login: 'five' },
    { token: 'recovery-token', new_password: 'new pw 12345', remember: false }, { token: 'undo-token' },
  ]);
});

test('SessionModel: two pages of one browser keep in step (login and logout in one, the other follows)', async (t) => {
  const context = await browser.newContext({ baseURL: srv.url });
  t.after(() => context.close());
  const pages = [await context.newPage(), await context.newPage()];
  const errors = [];
  for (const p of pages) p.on('pageerror', (e) => errors.push(e.message));
  t.after(() => assert.deepEqual(errors, [], 'no page errors'));
  for (const p of pages) {
    await p.goto('/notes/1');
    // The test's own page: it may keep its session on window to look at it later.
    await inPage(p, (client) => {
      const session = new client.SessionModel(null, { apiRoot: '/api/auth' });
      window.__session = session;
      window.__changes = [];
      session.on('change:logged_in', (s, v, o) => window.__changes.push({ loggedIn: v, elsewhere: o.elsewhere || null }));
      return session.checkAuth();
    });
  }
  const username = uniq('tabs');
  await pages[0].evaluate((u) => window.__session.signup({ username: u, password: 'package tabs pw 1' }), username);
  await pages[1].waitForFunction(() => window.__changes.length === 1);
  assert.equal(await pages[1].evaluate(() => window.__session.user.get('username')), username);
  await pages[0].evaluate(() => window.__session.logout());
  await pages[1].waitForFunction(() => window.__changes.length === 2);
  assert.deepEqual(await pages[1].evaluate(() => window.__changes),
    [{ loggedIn: true, elsewhere: 'login' }, { loggedIn: false, elsewhere: 'logout' }]);
  assert.deepEqual(await pages[0].evaluate(() => window.__changes), [{ loggedIn: true, elsewhere: null }, { loggedIn: false, elsewhere: null }],
    'the page that acted heard no echo');
});
