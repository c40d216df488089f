// A 401 for a session that no longer exists (session_ended: logged out elsewhere, revoked,
// expired) also deletes the session cookie, so the browser stops sending a token that can
// never work again; a 401 without any session cookie sets no cookie.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, findSetCookie, isDeletion } from '../support/http.mjs';
import { assertError, browser, signup, startTestServer } from '../support/fixtures.mjs';
import { startUpstream } from '../support/upstream.mjs';

let srv;
let app;
before(async () => {
  app = await startUpstream();
  srv = await startTestServer({ args: ['--upstream', `/api/notes=${app.url}`, '--trusted-proxy', '127.0.0.1'] });
});
after(async () => {
  await srv?.cleanup();
  await app?.close();
});

async function endedJar() {
  const jar = await browser(srv.url);
  await signup(srv.url, jar);
  const stale = jar.clone();
  assert.equal((await api(srv.url, jar, 'POST', '/api/auth/logout')).status, 200);
  assert.ok(stale.has('latchkey_session'));
  return stale;
}

for (const [label, method, path, headers] of [
  ['GET /api/auth', 'GET', '/api/auth', {}],
  ['PATCH /api/auth/user', 'PATCH', '/api/auth/user', {}],
  ['the reverse proxy', 'GET', '/api/notes/1', {}],
  ['forward auth', 'GET', '/api/auth/verify', { 'X-Original-Method': 'GET', 'X-Original-URI': '/app' }],
]) {
  test(`session_ended deletes the session cookie: ${label}`, async () => {
    const stale = await endedJar();
    const res = await api(srv.url, stale, method, path, { json: method === 'PATCH' ? { name: 'x' } : undefined, headers });
    assertError(res, 401, { code: 'session_ended' });
    const cookie = findSetCookie(res, 'latchkey_session');
    assert.ok(cookie && isDeletion(cookie), `Set-Cookie deletes latchkey_session: ${res.headers['set-cookie']}`);
    assert.equal(stale.has('latchkey_session'), false, 'the jar applied the deletion');
    // Next request: no cookie at all, plain unauthenticated, nothing set.
    const next = await api(srv.url, stale, 'GET', '/api/auth');
    assertError(next, 401, { code: 'unauthenticated' });
    assert.equal(findSetCookie(next, 'latchkey_session'), undefined);
  });
}
