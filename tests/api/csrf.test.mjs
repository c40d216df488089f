// CSRF: page render and token, header requirement on every state-changing /api/ request,
// binding to the browser's csrf cookie, routing of pages vs API vs assets.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { api, CookieJar, findSetCookie, getCsrf, parseCsrfMeta } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, authStatus, browser, signup, startTestServer, uniq,
} from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

const CSRF_ERROR = { error: 'Missing or invalid CSRF token', code: 'csrf_rejected' };
const POSTS = ['/api/auth/signup', '/api/auth/login', '/api/auth/logout', '/api/auth/remove_account'];
const validBody = () => ({ username: uniq('cs'), password: 'csrf-test-password', name: 'C' });

function assertCsrf403(res, label) {
  assert.ok(res.status < 500, `${label}: ${res.status}`);
  assertError(res, 403);
  assert.deepEqual(res.body, CSRF_ERROR, label);
}

test('GET / renders index.html with a 64-char csrf-token meta, text/html, sets latchkey_csrf', async () => {
  const jar = new CookieJar();
  const res = await api(srv.url, jar, 'GET', '/');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] || '', /^text\/html/i);
  assert.ok(res.text.includes('latchkey-test-index'), 'body is our index.html');
  assert.ok(!res.text.includes('{{csrf_token}}'), 'placeholder replaced');
  const token = parseCsrfMeta(res.text);
  assert.match(token || '', /^[A-Za-z0-9_-]{64}$/, `token: ${token}`);
  assert.ok(findSetCookie(res, 'latchkey_csrf'), 'csrf cookie set when the browser has none');
});

test('a render for a browser that already has a csrf cookie does not replace it', async () => {
  const jar = await browser(srv.url);
  const cookie = jar.get('latchkey_csrf');
  const res = await api(srv.url, jar, 'GET', '/');
  assert.equal(res.status, 200);
  const c = findSetCookie(res, 'latchkey_csrf');
  assert.ok(!c || c.value === cookie, `csrf cookie kept: ${res.setCookies}`);
  assert.equal(jar.get('latchkey_csrf'), cookie);
});

test('each GET / gives a different token and all of them work for that browser', async () => {
  const jar = await browser(srv.url);
  const t1 = jar.csrfToken;
  const t2 = await getCsrf(srv.url, jar);
  const t3 = await getCsrf(srv.url, jar, '/account');
  assert.notEqual(t1, t2);
  assert.notEqual(t2, t3);
  assert.notEqual(t1, t3);
  const username = uniq('multi');
  const s = await api(srv.url, jar, 'POST', '/api/auth/signup', { json: { username, password: 'multi-token-pw' }, csrf: t1 });
  assert.equal(s.status, 201, s.text);
  const l = await api(srv.url, jar, 'POST', '/api/auth/logout', { csrf: t2 });
  assert.equal(l.status, 200, l.text);
  const li = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username, password: 'multi-token-pw' }, csrf: t3 });
  assert.equal(li.status, 200, li.text);
  const li2 = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username, password: 'multi-token-pw' }, csrf: t1 });
  assert.equal(li2.status, 200, 'old tokens stay valid');
});

test('deep links render the page with a token: /account, /login, /some/deep/link, /x?y=1; HEAD too', async () => {
  for (const p of ['/account', '/login', '/some/deep/link', '/account?tab=security', '/signup/']) {
    const jar = new CookieJar();
    const res = await api(srv.url, jar, 'GET', p);
    assert.equal(res.status, 200, `${p}: ${res.status}`);
    assert.match(res.headers['content-type'] || '', /^text\/html/i, p);
    assert.match(parseCsrfMeta(res.text) || '', /^[A-Za-z0-9_-]{64}$/, `${p} has a token`);
    assert.ok(jar.has('latchkey_csrf'), `${p} sets the csrf cookie`);
  }
  const head = await api(srv.url, new CookieJar(), 'HEAD', '/some/deep/link');
  assert.equal(head.status, 200);
  assert.match(head.headers['content-type'] || '', /^text\/html/i);
  assert.equal(head.raw.length, 0, 'HEAD has no body');
});

test('/api/unknown -> 404 JSON, not the page', async () => {
  for (const p of ['/api/unknown', '/api/', '/api/auth/nope', '/api/auth/signup/extra']) {
    const res = await api(srv.url, new CookieJar(), 'GET', p);
    assertError(res, 404);
    assert.equal(parseCsrfMeta(res.text), undefined, `${p} is not the page`);
    assert.equal(findSetCookie(res, 'latchkey_csrf'), undefined, `${p} does not set the csrf cookie`);
  }
  const missingAsset = await api(srv.url, new CookieJar(), 'GET', '/assets/missing.js');
  assert.equal(missingAsset.status, 404, 'a missing asset is 404, not the page');
  assert.ok(!missingAsset.text.includes('latchkey-test-index'));
});

test('GET on a POST-only endpoint does not sign anyone up (404/405 JSON)', async () => {
  const res = await api(srv.url, new CookieJar(), 'GET', '/api/auth/signup');
  assert.ok([404, 405].includes(res.status), `${res.status} ${res.text}`);
  assertError(res, res.status);
});

test('every POST endpoint without X-CSRF-Token -> 403 JSON {"error":"Missing or invalid CSRF token"}', async () => {
  for (const p of POSTS) {
    const jar = await browser(srv.url);
    const json = p.endsWith('signup') || p.endsWith('login') ? validBody() : undefined;
    assertCsrf403(await api(srv.url, jar, 'POST', p, { json, csrf: null }), `POST ${p} without token`);
    assertCsrf403(await api(srv.url, jar, 'POST', p, { json, csrf: '' }), `POST ${p} with empty token`);
  }
});

test('a missing token is rejected even for a logged-in browser (logout/remove_account do nothing)', async () => {
  const jar = await browser(srv.url);
  await signup(srv.url, jar);
  assertCsrf403(await api(srv.url, jar, 'POST', '/api/auth/logout', { csrf: null }), 'logout without token');
  assertCsrf403(await api(srv.url, jar, 'POST', '/api/auth/remove_account', { csrf: null }), 'remove_account without token');
  assert.equal(await authStatus(srv.url, jar), 200, 'still logged in, account still there');
});

test('PUT, PATCH and DELETE under /api/ also need the token (403 without it, before any routing)', async () => {
  // docs: "Every POST, PUT, PATCH and DELETE under /api/ must carry the header X-CSRF-Token, else 403"
  const jar = await browser(srv.url);
  const failures = [];
  const probes = [];
  for (const m of ['PUT', 'PATCH', 'DELETE']) {
    for (const p of ['/api/auth', '/api/auth/signup', '/api/auth/logout', '/api/unknown']) probes.push([m, p]);
  }
  probes.push(['POST', '/api/unknown'], ['POST', '/api/auth']);
  for (const [m, p] of probes) {
    const res = await api(srv.url, jar, m, p, { json: {}, csrf: null });
    assert.ok(res.status < 500, `${m} ${p}: ${res.status}`);
    if (res.status !== 403 || res.body?.error !== CSRF_ERROR.error) failures.push(`${m} ${p} without token -> ${res.status} ${res.text}`);
  }
  assert.deepEqual(failures, []);
});

test('with a valid token, unsupported methods on /api/ are not routed to a handler (404/405 JSON)', async () => {
  const jar = await browser(srv.url);
  for (const m of ['PUT', 'PATCH', 'DELETE']) {
    for (const p of ['/api/auth', '/api/auth/signup', '/api/unknown']) {
      const res = await api(srv.url, jar, m, p, { json: { username: uniq('m'), password: 'method-pw-123' } });
      assert.ok([404, 405].includes(res.status), `${m} ${p} with token -> ${res.status} ${res.text}`);
      assertError(res, res.status);
    }
  }
});

test('the X-CSRF-Token header name is case-insensitive (HTTP/2 proxies lowercase it)', async () => {
  const jar = await browser(srv.url);
  const res = await api(srv.url, jar, 'POST', '/api/auth/signup', {
    json: validBody(), csrf: null, headers: { 'x-csrf-token': jar.csrfToken },
  });
  assert.equal(res.status, 201, res.text);
});

test('wrong tokens -> 403', async () => {
  const jar = await browser(srv.url);
  const good = jar.csrfToken;
  const flipAt = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const cases = [
    ['random 64 chars', randomBytes(48).toString('base64url')],
    ['flipped char in nonce', flipAt(good, 5)],
    ['flipped char in mac', flipAt(good, 40)],
    ['truncated', good.slice(0, 63)],
    ['extended', `${good}A`],
    ['with padding', `${good}==`],
    ['standard base64 alphabet', good.replaceAll('-', '+').replaceAll('_', '/') === good ? `${good.slice(0, 63)}+` : good.replaceAll('-', '+').replaceAll('_', '/')],
    ['the raw csrf cookie value (naive double submit)', jar.get('latchkey_csrf')],
    ['the token lowercased', good.toLowerCase() === good ? flipAt(good, 0) : good.toLowerCase()],
    ['garbage', 'not a token'],
  ];
  for (const [label, token] of cases) {
    assertCsrf403(await api(srv.url, jar, 'POST', '/api/auth/login', { json: validBody(), csrf: token }), label);
  }
  const ok = await api(srv.url, jar, 'POST', '/api/auth/login', { json: validBody(), csrf: good });
  assert.equal(ok.status, 401, 'the genuine token passes the CSRF check (then 401 for an unknown user)');
});

test('a token from another browser (bound to another csrf cookie) -> 403', async () => {
  const a = await browser(srv.url);
  const b = await browser(srv.url);
  assert.notEqual(a.get('latchkey_csrf'), b.get('latchkey_csrf'));
  assertCsrf403(await api(srv.url, a, 'POST', '/api/auth/signup', { json: validBody(), csrf: b.csrfToken }), "A's cookie with B's token");
  // no csrf cookie at all, but a valid-looking token
  const naked = new CookieJar();
  assertCsrf403(await api(srv.url, naked, 'POST', '/api/auth/signup', { json: validBody(), csrf: b.csrfToken }), 'no csrf cookie');
  // a forged csrf cookie paired with someone else's token
  const forged = new CookieJar([['latchkey_csrf', randomBytes(32).toString('base64url')]]);
  assertCsrf403(await api(srv.url, forged, 'POST', '/api/auth/signup', { json: validBody(), csrf: b.csrfToken }), 'forged csrf cookie');
  // B's own token still works for B
  assert.equal((await api(srv.url, b, 'POST', '/api/auth/signup', { json: validBody() })).status, 201);
});

test('one token from one page load keeps working across signup, logout, login, logout, login (no reload)', async () => {
  const jar = await browser(srv.url);
  const token = jar.csrfToken;
  const csrfCookie = jar.get('latchkey_csrf');
  const username = uniq('flow');
  const pw = 'flow-password-1';
  const steps = [
    ['POST', '/api/auth/signup', { username, password: pw }, 201],
    ['POST', '/api/auth/logout', undefined, 200],
    ['POST', '/api/auth/login', { username, password: pw }, 200],
    ['POST', '/api/auth/logout', undefined, 200],
    ['POST', '/api/auth/login', { username, password: pw }, 200],
  ];
  for (const [m, p, json, status] of steps) {
    const res = await api(srv.url, jar, m, p, { json, csrf: token });
    assert.equal(res.status, status, `${p}: ${res.status} ${res.text}`);
    assert.equal(jar.get('latchkey_csrf'), csrfCookie, `${p} keeps the csrf cookie`);
  }
  assert.equal(await authStatus(srv.url, jar), 200);
});

test('the CSRF check runs before the body is looked at', async () => {
  const jar = await browser(srv.url);
  const cases = [
    ['malformed JSON', { rawBody: '{"username":', headers: { 'Content-Type': 'application/json' } }],
    ['wrong Content-Type', { rawBody: 'username=a&password=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }],
    ['text/plain JSON (classic form CSRF)', { rawBody: JSON.stringify(validBody()), headers: { 'Content-Type': 'text/plain' } }],
    ['JSON array', { rawBody: '[]', headers: { 'Content-Type': 'application/json' } }],
    ['invalid field', { json: { username: 'x', password: 1 } }],
  ];
  for (const [label, opts] of cases) {
    for (const p of ['/api/auth/signup', '/api/auth/login']) {
      assertCsrf403(await api(srv.url, jar, 'POST', p, { ...opts, csrf: null }), `${p}: ${label} without token`);
    }
  }
});

test('a cross-site form post (no header, form content type) cannot sign up or log in', async () => {
  const jar = await browser(srv.url);
  const username = uniq('form');
  const res = await api(srv.url, jar, 'POST', '/api/auth/signup', {
    rawBody: `username=${username}&password=formpassword1`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'https://evil.example' },
    csrf: null,
  });
  // Refused by the origin check, which runs first (origin.test.mjs); without Origin, by the token.
  assertError(res, 403, { error: 'Cross-origin request refused', code: 'origin_rejected' });
  const noOrigin = await api(srv.url, jar, 'POST', '/api/auth/signup', {
    rawBody: `username=${username}&password=formpassword1`,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    csrf: null,
  });
  assertCsrf403(noOrigin, 'form post without Origin');
  const probe = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/signup', { json: { username, password: 'formpassword1' } });
  assert.equal(probe.status, 201, 'the form post created nothing');
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
