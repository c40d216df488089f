// Forward auth (issue 17 section 2; docs/INTEGRATION.md): GET/HEAD /api/auth/verify answers a
// proxy in front of an application whether the request it is about to pass may go, and as
// whom. The original method and URI are believed only from a --trusted-proxy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { api, CookieJar } from '../support/http.mjs';
import { assertError, browser, signup, startTestServer } from '../support/fixtures.mjs';

const ISS = 'https://app.example.test'; // --public-url: iss and, for forward auth, aud
let proxied; // --trusted-proxy 127.0.0.1 --public-path /app/public --public-url ISS (the test client is the proxy)
let direct; // no trusted proxy: X-Forwarded-Method/-Uri are ignored
before(async () => {
  [proxied, direct] = await Promise.all([
    startTestServer({ args: ['--trusted-proxy', '127.0.0.1', '--public-path', '/app/public', '--public-url', ISS] }),
    startTestServer({ args: ['--public-path', '/app/public'] }),
  ]);
});
after(async () => { await Promise.all([proxied, direct].map((s) => s?.cleanup())); });

const forwarded = (method, uri, style = 'forwarded') => (style === 'forwarded'
  ? { 'X-Forwarded-Method': method, 'X-Forwarded-Uri': uri }
  : { 'X-Original-Method': method, 'X-Original-URI': uri });

test('a live session: 200 with the identity headers and {"user"}; none: 401', async () => {
  const jar = await browser(proxied.url);
  assertError(await api(proxied.url, jar, 'GET', '/api/auth/verify'), 401, { code: 'unauthenticated' });
  await signup(proxied.url, jar);
  const me = (await api(proxied.url, jar, 'GET', '/api/auth')).body.user;
  const current = (await api(proxied.url, jar, 'GET', '/api/auth/sessions')).body.sessions.find((s) => s.current);
  const res = await api(proxied.url, jar, 'GET', '/api/auth/verify');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { user: me });
  assert.equal(res.headers['x-latchkey-user-id'], String(me.id));
  assert.equal(res.headers['x-latchkey-username'], me.username);
  assert.equal(res.headers['x-latchkey-session-id'], current.id);
  assert.equal(res.headers['cache-control'], 'no-store');
  // The signed assertion, aud = --public-url (docs/INTEGRATION.md "Audience").
  const keys = createLocalJWKSet((await api(proxied.url, null, 'GET', '/.well-known/jwks.json')).body);
  const { payload } = await jwtVerify(res.headers['x-latchkey-assertion'], keys, { issuer: ISS, audience: ISS, algorithms: ['EdDSA', 'ES256'] });
  assert.equal(payload.sub, String(me.id));
  assert.equal(payload.sid, current.id);
  assert.equal(payload.username, me.username);
  assert.ok(payload.exp > payload.iat && payload.exp - payload.iat <= 60);
  const head = await api(proxied.url, jar, 'HEAD', '/api/auth/verify');
  assert.equal(head.status, 200);
  assert.equal(head.raw.length, 0);
  assert.equal(head.headers['x-latchkey-user-id'], String(me.id));
  assert.ok(head.headers['x-latchkey-assertion']);
  // An ended session says so.
  const stale = jar.clone();
  await api(proxied.url, jar, 'POST', '/api/auth/logout');
  assertError(await api(proxied.url, stale, 'GET', '/api/auth/verify'), 401, { code: 'session_ended' });
});

test('a state-changing original method from a trusted proxy needs the origin and CSRF checks', async () => {
  const jar = await browser(proxied.url);
  await signup(proxied.url, jar);
  for (const style of ['forwarded', 'original']) {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND']) {
      assertError(await api(proxied.url, jar, 'GET', '/api/auth/verify', { csrf: null, headers: forwarded(method, '/app/notes', style) }),
        403, { code: 'csrf_rejected' });
      const ok = await api(proxied.url, jar, 'GET', '/api/auth/verify', { headers: forwarded(method, '/app/notes', style) });
      assert.equal(ok.status, 200, `${style} ${method} with the token`);
    }
    assertError(await api(proxied.url, jar, 'GET', '/api/auth/verify', {
      headers: { ...forwarded('POST', '/app/notes', style), Origin: 'https://evil.example' },
    }), 403, { code: 'origin_rejected' });
    // Safe original methods need no token.
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const res = await api(proxied.url, jar, 'GET', '/api/auth/verify', { csrf: null, headers: forwarded(method, '/app/x', style) });
      assert.equal(res.status, 200, `${style} ${method}`);
    }
  }
});

test('public paths: 200 without a session, {"user": null} and no identity; path confusion is not public', async () => {
  const anon = new CookieJar();
  const res = await api(proxied.url, anon, 'GET', '/api/auth/verify', { headers: forwarded('GET', '/app/public/list?x=1') });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { user: null });
  assert.equal(res.headers['x-latchkey-user-id'], undefined);
  assert.equal(res.headers['x-latchkey-assertion'], undefined);
  for (const uri of ['/app/public/../private', '/app/public/%2e%2e/private', '/app/publicity', '/app/public%2F..%2Fprivate',
    '/app/public/..;/private', '/app/private']) {
    assertError(await api(proxied.url, anon, 'GET', '/api/auth/verify', { headers: forwarded('GET', uri) }), 401,
      { code: 'unauthenticated' });
  }
  // A public path still needs the CSRF token for a state-changing method (no exception).
  assertError(await api(proxied.url, anon, 'GET', '/api/auth/verify', { csrf: null, headers: forwarded('POST', '/app/public/x') }),
    403, { code: 'csrf_rejected' });
});

test('from a client that is not a trusted proxy, the forwarded method and URI are ignored', async () => {
  const jar = await browser(direct.url);
  await signup(direct.url, jar);
  // A forged POST is not checked (the request is a GET from the client itself)...
  const res = await api(direct.url, jar, 'GET', '/api/auth/verify', { csrf: null, headers: forwarded('POST', '/app/x') });
  assert.equal(res.status, 200);
  // ...and a forged public URI does not open anything.
  assertError(await api(direct.url, new CookieJar(), 'GET', '/api/auth/verify', { headers: forwarded('GET', '/app/public/x') }),
    401, { code: 'unauthenticated' });
});
