// Login: new session cookie and rotation, identical failures for unknown user and
// wrong password, timing parity (dummy hash), malformed login bodies.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, assertJson, browser, jarWithSession, login, q, sessionCookieOf, signup, sql,
  assertUnknownLoginCostsAsMuch, startTestServer, uniq,
} from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

const sessionsOf = (username) => sql(srv.dataDir,
  `SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ${q(username)}`).length;

test('login: 200 {user} with a new session cookie; the pre-login session of that browser stops working', async () => {
  const jar = await browser(srv.url);
  const username = uniq('rot');
  const s = await signup(srv.url, jar, { username, password: 'rotate-me-please', name: 'Rot' });
  const oldCookie = sessionCookieOf(s);
  assert.equal(sessionsOf(username), 1);
  const res = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username, password: 'rotate-me-please' } });
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.match(res.headers['cache-control'] || '', /no-store/i);
  assert.deepEqual(res.body, { user: s.body.user });
  const newCookie = sessionCookieOf(res);
  assert.ok(newCookie, 'login sets latchkey_session');
  assert.notEqual(newCookie, oldCookie, 'a new session cookie');
  assert.notEqual(newCookie.split('.')[0], oldCookie.split('.')[0], 'a new session token');
  assert.equal((await api(srv.url, jarWithSession(newCookie), 'GET', '/api/auth')).status, 200, 'new cookie works');
  const old = await api(srv.url, jarWithSession(oldCookie), 'GET', '/api/auth');
  assertError(old, 401);
  assert.equal(sessionsOf(username), 1, 'the old session row was deleted');
});

test('login while holding another user\'s session deletes that old session too', async () => {
  const jar = await browser(srv.url);
  const bob = uniq('bob');
  const alice = uniq('alice');
  await signup(srv.url, await browser(srv.url), { username: alice });
  const bobCookie = sessionCookieOf(await signup(srv.url, jar, { username: bob }));
  const res = await login(srv.url, jar, alice);
  assert.equal(res.body.user.username, alice);
  assert.equal((await api(srv.url, jarWithSession(bobCookie), 'GET', '/api/auth')).status, 401);
  assert.equal(sessionsOf(bob), 0);
  const me = await api(srv.url, jar, 'GET', '/api/auth');
  assert.equal(me.body?.user?.username, alice);
});

test('login session cookie has the documented attributes', async () => {
  const jar = await browser(srv.url);
  const username = uniq('attr');
  await signup(srv.url, await browser(srv.url), { username });
  const res = await login(srv.url, jar, username);
  const raw = res.setCookies.find((c) => c.startsWith('latchkey_session='));
  assert.ok(raw);
  assert.match(raw, /;\s*HttpOnly/i);
  assert.match(raw, /;\s*SameSite=Lax/i);
  assert.match(raw, /;\s*Path=\/(;|$)/);
  assert.match(raw, /;\s*Max-Age=\d+/i);
  assert.doesNotMatch(raw, /;\s*Secure/i);
});

test('unknown user and wrong password: same 401, same body {"error":"Invalid username or password"}', async () => {
  const username = uniq('known');
  await signup(srv.url, await browser(srv.url), { username, password: 'the-right-password' });
  const jar = await browser(srv.url);
  const wrong = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username, password: 'the-wrong-password' } });
  const unknown = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username: uniq('nobody'), password: 'the-wrong-password' } });
  assertError(wrong, 401);
  assertError(unknown, 401);
  assert.deepEqual(wrong.body, { error: 'Invalid username or password', code: 'invalid_credentials' });
  assert.equal(unknown.text, wrong.text, 'identical bodies');
  assert.equal(unknown.headers['content-type'], wrong.headers['content-type']);
  assert.equal(sessionCookieOf(wrong), undefined, 'no session cookie on failure');
  assert.equal(sessionCookieOf(unknown), undefined, 'no session cookie on failure');
  assert.equal((await api(srv.url, jar, 'GET', '/api/auth')).status, 401);
});

test('a failed login issues no session cookie', async () => {
  const jar = await browser(srv.url);
  const username = uniq('fl');
  await signup(srv.url, jar, { username, password: 'failing-login-pw' });
  const res = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username, password: 'nope-nope-nope' } });
  assertError(res, 401);
  assert.equal(sessionCookieOf(res), undefined);
});

test('timing: an unknown-user login is not much faster than a wrong-password login (dummy hash)', async () => {
  const username = uniq('timing');
  await signup(srv.url, await browser(srv.url), { username, password: 'timing-password-1' });
  await assertUnknownLoginCostsAsMuch(srv.url, username);
});

test('login with a malformed body -> 400 (wrong types name the field)', async () => {
  const jar = await browser(srv.url);
  const cases = [
    ['username is a number', { username: 12345, password: 'whatever-pw' }, 'username'],
    ['username is null', { username: null, password: 'whatever-pw' }, 'username'],
    ['username is an array', { username: ['a'], password: 'whatever-pw' }, 'username'],
    ['password is a number', { username: 'someone', password: 12345678 }, 'password'],
    ['password is an object', { username: 'someone', password: {} }, 'password'],
    ['password is a boolean', { username: 'someone', password: true }, 'password'],
  ];
  for (const [label, json, field] of cases) {
    const res = await api(srv.url, jar, 'POST', '/api/auth/login', { json });
    assert.ok(res.status < 500, `${label}: ${res.status}`);
    assertError(res, 400, { field });
  }
  // Missing fields: interpretation - a login body without username/password is malformed (400).
  for (const [label, json] of [['missing password', { username: 'someone' }], ['missing username', { password: 'whatever-pw' }], ['empty object', {}]]) {
    const res = await api(srv.url, jar, 'POST', '/api/auth/login', { json });
    assert.ok(res.status < 500, `${label}: ${res.status}`);
    assertError(res, 400);
  }
  for (const [label, rawBody] of [['array', '[]'], ['number', '42'], ['malformed', '{"username":'], ['string', '"x"'], ['null', 'null']]) {
    const res = await api(srv.url, jar, 'POST', '/api/auth/login', { rawBody, headers: { 'Content-Type': 'application/json' } });
    assert.ok(res.status < 500, `${label}: ${res.status}`);
    assertError(res, 400);
  }
  const t = await api(srv.url, jar, 'POST', '/api/auth/login', {
    rawBody: JSON.stringify({ username: 'someone', password: 'whatever-pw' }), headers: { 'Content-Type': 'text/plain' },
  });
  assertError(t, 415);
});

test('passwords are compared exactly: case, suffix, prefix and NUL-truncation variants fail', async () => {
  const username = uniq('exact');
  const password = 'Exact-Password-123';
  await signup(srv.url, await browser(srv.url), { username, password });
  const jar = await browser(srv.url);
  for (const p of [password.toLowerCase(), `${password}x`, password.slice(0, -1), ` ${password}`, `${password}\u0000tail`]) {
    const res = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username, password: p } });
    // A NUL never reaches the password check: every string field refuses it (400, docs/API.md).
    const expected = p.includes('\u0000') ? 400 : 401;
    assert.equal(res.status, expected, `password variant ${JSON.stringify(p)} -> ${res.status}`);
  }
  await login(srv.url, jar, username, password);
});

test('a password containing NUL is not truncated at the NUL', async () => {
  const username = uniq('nul');
  const jar = await browser(srv.url);
  const res = await api(srv.url, jar, 'POST', '/api/auth/signup', { json: { username, password: 'abcd\u0000efghijkl' } });
  assert.ok(res.status === 201 || res.status === 400, `signup with NUL in password: ${res.status} ${res.text}`);
  if (res.status === 400) { assertError(res, 400, { field: 'password' }); return; }
  const bad = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/login', {
    json: { username, password: 'abcd\u0000zzzzzzzz' },
  });
  assert.equal(bad.status, 401, `a different password sharing the part before NUL must not log in: ${bad.status}`);
  await login(srv.url, await browser(srv.url), username, 'abcd\u0000efghijkl');
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
