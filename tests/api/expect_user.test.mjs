// Issue 18, "every tab tells the truth" (server side): a request may say which user the page
// was built for (X-Latchkey-Expect-User: <user id>). When the browser's session now belongs
// to someone else (another tab logged in as them), the request is refused with 409
// user_mismatch and changes and shows nothing: on /api/auth, through the reverse proxy (the
// upstream never sees it), and through forward auth (403 there, with X-Latchkey-Error-Code).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api } from '../support/http.mjs';
import { assertError, browser, signup, startTestServer, uniq } from '../support/fixtures.mjs';
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

/** One browser (one jar) where user A signed up, then user B logged in over it: the jar is B's. */
async function switchedBrowser() {
  const jar = await browser(srv.url);
  await signup(srv.url, jar, { username: uniq('a') });
  const a = (await api(srv.url, jar, 'GET', '/api/auth')).body.user;
  await signup(srv.url, jar, { username: uniq('b') }); // the same browser, now B
  const b = (await api(srv.url, jar, 'GET', '/api/auth')).body.user;
  assert.notEqual(a.id, b.id);
  return { jar, a, b };
}

test('a write for the user on screen goes through; for another user: 409 user_mismatch, nothing changed', async () => {
  const { jar, a, b } = await switchedBrowser();
  const stale = { 'X-Latchkey-Expect-User': String(a.id) };
  assertError(await api(srv.url, jar, 'PATCH', '/api/auth/user', { json: { name: 'Renamed' }, headers: stale }),
    409, { code: 'user_mismatch' });
  assertError(await api(srv.url, jar, 'POST', '/api/auth/logout', { headers: stale }), 409, { code: 'user_mismatch' });
  assertError(await api(srv.url, jar, 'POST', '/api/auth/sessions/revoke_others', { headers: stale }), 409, { code: 'user_mismatch' });
  const after = await api(srv.url, jar, 'GET', '/api/auth');
  assert.equal(after.status, 200, 'the logout of a stale tab did not end B\'s session');
  assert.deepEqual(after.body.user, b, 'B was not renamed');

  const own = { 'X-Latchkey-Expect-User': String(b.id) };
  const renamed = await api(srv.url, jar, 'PATCH', '/api/auth/user', { json: { name: 'B Renamed' }, headers: own });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.user.name, 'B Renamed');
  // Reads are refused too: the sessions and events of B never reach a page showing A.
  for (const path of ['/api/auth/sessions', '/api/auth/events', '/api/auth']) {
    assertError(await api(srv.url, jar, 'GET', path, { headers: stale }), 409, { code: 'user_mismatch' });
    assert.equal((await api(srv.url, jar, 'HEAD', path, { headers: stale })).status, 409, `HEAD ${path}`);
    assert.equal((await api(srv.url, jar, 'GET', path, { headers: own })).status, 200, `GET ${path} for B`);
  }
  // Without the header, GET /api/auth says who is signed in.
  assert.deepEqual((await api(srv.url, jar, 'GET', '/api/auth')).body.user.id, b.id);
});

test('a header that is not a user id: 400; no session: the route decides (401)', async () => {
  const { jar, b } = await switchedBrowser();
  for (const bad of ['abc', '-1', '0', '1.5', '+1', '0x1', `${b.id}x`, '99999999999999999999']) {
    assertError(await api(srv.url, jar, 'PATCH', '/api/auth/user', { json: { name: 'x' }, headers: { 'X-Latchkey-Expect-User': bad } }),
      400, { code: 'validation_failed' });
  }
  const loggedOut = await browser(srv.url);
  assertError(await api(srv.url, loggedOut, 'PATCH', '/api/auth/user', { json: { name: 'x' }, headers: { 'X-Latchkey-Expect-User': String(b.id) } }),
    401, { code: 'unauthenticated' });
});

test('through the reverse proxy: a stale write never reaches the upstream; a current one does', async () => {
  const { jar, a, b } = await switchedBrowser();
  const before = app.requests.length;
  assertError(await api(srv.url, jar, 'POST', '/api/notes', { json: { text: 'for A' }, headers: { 'X-Latchkey-Expect-User': String(a.id) } }),
    409, { code: 'user_mismatch' });
  assert.equal(app.requests.length, before, 'the upstream saw nothing');
  const ok = await api(srv.url, jar, 'POST', '/api/notes', { json: { text: 'for B' }, headers: { 'X-Latchkey-Expect-User': String(b.id) } });
  assert.equal(ok.status, 200);
  const seen = app.requests.at(-1);
  assert.equal(seen.headers['x-latchkey-user-id'], String(b.id));
  assert.equal(seen.headers['x-latchkey-expect-user'], undefined, 'X-Latchkey-* from the client never reaches the upstream');
  // A stale read never reaches it either (the application's answer would not name its user).
  assertError(await api(srv.url, jar, 'GET', '/api/notes', { headers: { 'X-Latchkey-Expect-User': String(a.id) } }),
    409, { code: 'user_mismatch' });
  assert.equal(app.requests.at(-1), seen, 'the upstream saw no stale read');
  const read = await api(srv.url, jar, 'GET', '/api/notes', { headers: { 'X-Latchkey-Expect-User': String(b.id) } });
  assert.equal(read.status, 200);
});

test('forward auth: a stale write or read is 403 user_mismatch, named in X-Latchkey-Error-Code', async () => {
  const { jar, a, b } = await switchedBrowser();
  const ask = (headers, method = 'POST') => api(srv.url, jar, 'GET', '/api/auth/verify', { headers: { 'X-Original-Method': method, 'X-Original-URI': '/app/x', ...headers } });
  const stale = await ask({ 'X-Latchkey-Expect-User': String(a.id) });
  assertError(stale, 403, { code: 'user_mismatch' });
  assert.equal(stale.headers['x-latchkey-error-code'], 'user_mismatch');
  const staleRead = await ask({ 'X-Latchkey-Expect-User': String(a.id) }, 'GET');
  assertError(staleRead, 403, { code: 'user_mismatch' });
  assert.equal((await ask({ 'X-Latchkey-Expect-User': String(b.id) }, 'GET')).status, 200);
  const bad = await ask({ 'X-Latchkey-Expect-User': 'nope' });
  assertError(bad, 403, { code: 'validation_failed' });
  assert.equal(bad.headers['x-latchkey-error-code'], 'validation_failed');
  const ok = await ask({ 'X-Latchkey-Expect-User': String(b.id) });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['x-latchkey-user-id'], String(b.id));
  assert.equal(ok.headers['x-latchkey-error-code'], undefined);
});
