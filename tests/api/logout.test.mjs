// Two devices, logout, remove_account.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, CookieJar, findSetCookie, isDeletion } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, assertJson, authStatus, browser, jarWithSession, login, PASSWORD, q,
  sessionCookieOf, signup, sql, startTestServer, uniq,
} from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

const userRow = (username) => sql(srv.dataDir, `SELECT id, username FROM users WHERE lower(username) = lower(${q(username)})`);
const sessionCount = (userId) => sql(srv.dataDir, `SELECT count(*) AS n FROM sessions WHERE user_id = ${Number(userId)}`)[0].n;

function assertCleared(res) {
  const c = findSetCookie(res, 'latchkey_session');
  assert.ok(c, `Set-Cookie clears latchkey_session: ${res.setCookies}`);
  assert.ok(isDeletion(c), `cleared with Max-Age=0 or a past Expires: ${c.raw}`);
  assert.equal(c.attrs.path, '/', `clearing cookie has Path=/ so it matches: ${c.raw}`);
}

test('two devices of one user each get their own session', async () => {
  const username = uniq('dev');
  const phone = await browser(srv.url);
  const laptop = await browser(srv.url);
  const s = await signup(srv.url, phone, { username });
  await login(srv.url, laptop, username);
  assert.notEqual(phone.get('latchkey_session'), laptop.get('latchkey_session'));
  assert.equal(await authStatus(srv.url, phone), 200);
  assert.equal(await authStatus(srv.url, laptop), 200);
  assert.equal(sessionCount(s.body.user.id), 2);
});

test('logout: 200 {"success":true}, cookie cleared, that session dead, the other device still logged in, row deleted', async () => {
  const username = uniq('lo');
  const phone = await browser(srv.url);
  const laptop = await browser(srv.url);
  const s = await signup(srv.url, phone, { username });
  await login(srv.url, laptop, username);
  const id = s.body.user.id;
  assert.equal(sessionCount(id), 2);
  const phoneCookie = phone.get('latchkey_session');
  const res = await api(srv.url, phone, 'POST', '/api/auth/logout');
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.match(res.headers['cache-control'] || '', /no-store/i);
  assert.deepEqual(res.body, { success: true });
  assertCleared(res);
  assert.equal(phone.has('latchkey_session'), false, 'jar honoured the deletion');
  assert.equal(await authStatus(srv.url, phone), 401);
  const replay = await api(srv.url, jarWithSession(phoneCookie), 'GET', '/api/auth');
  assertError(replay, 401);
  assert.equal(await authStatus(srv.url, laptop), 200, 'other device still logged in');
  assert.equal(sessionCount(id), 1, 'the logged-out session row is gone');
  // The CSRF cookie survives logout (the page token keeps working).
  assert.ok(phone.has('latchkey_csrf'));
});

test('logout with a replayed (already logged out) cookie cannot revive it and does not touch other sessions', async () => {
  const username = uniq('lo2');
  const a = await browser(srv.url);
  const b = await browser(srv.url);
  const s = await signup(srv.url, a, { username });
  await login(srv.url, b, username);
  const old = a.get('latchkey_session');
  await api(srv.url, a, 'POST', '/api/auth/logout');
  const again = new CookieJar([...a.cookies, ['latchkey_session', old]]);
  again.csrfToken = a.csrfToken;
  const res = await api(srv.url, again, 'POST', '/api/auth/logout');
  assert.ok(res.status < 500, res.text);
  assert.equal(await authStatus(srv.url, jarWithSession(old)), 401);
  assert.equal(await authStatus(srv.url, b), 200);
  assert.equal(sessionCount(s.body.user.id), 1);
});

test('logout without a session: 200 {"success":true} (no failure is documented)', async () => {
  const jar = await browser(srv.url);
  const res = await api(srv.url, jar, 'POST', '/api/auth/logout');
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.deepEqual(res.body, { success: true });
});

test('logout accepts an empty JSON object body too', async () => {
  const username = uniq('lo3');
  const jar = await browser(srv.url);
  await signup(srv.url, jar, { username });
  const res = await api(srv.url, jar, 'POST', '/api/auth/logout', { json: {} });
  assert.equal(res.status, 200, res.text);
  assert.equal(await authStatus(srv.url, jar), 401);
});

test('remove_account: 401 JSON without a session', async () => {
  const jar = await browser(srv.url);
  const res = await api(srv.url, jar, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD } });
  assertError(res, 401);
  const tampered = await browser(srv.url);
  tampered.set('latchkey_session', 'abc.def');
  assertError(await api(srv.url, tampered, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD } }), 401);
});

test('remove_account: 200, every device logged out, user and sessions gone, old login fails, username free again', async () => {
  const username = uniq('rm');
  const phone = await browser(srv.url);
  const laptop = await browser(srv.url);
  const s = await signup(srv.url, phone, { username, password: 'remove-me-password' });
  await login(srv.url, laptop, username, 'remove-me-password');
  const id = s.body.user.id;
  // another user's session must survive
  const bystander = await browser(srv.url);
  await signup(srv.url, bystander);
  const phoneCookie = phone.get('latchkey_session');
  const laptopCookie = laptop.get('latchkey_session');
  assert.equal(userRow(username).length, 1);
  assert.equal(sessionCount(id), 2);

  const res = await api(srv.url, phone, 'POST', '/api/auth/remove_account', { json: { password: 'remove-me-password' } });
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.match(res.headers['cache-control'] || '', /no-store/i);
  assert.deepEqual(res.body, { success: true });
  assertCleared(res);

  assertError(await api(srv.url, jarWithSession(phoneCookie), 'GET', '/api/auth'), 401);
  assertError(await api(srv.url, jarWithSession(laptopCookie), 'GET', '/api/auth'), 401);
  assert.equal(await authStatus(srv.url, laptop), 401);
  assert.equal(await authStatus(srv.url, bystander), 200, 'other users are untouched');
  assert.deepEqual(userRow(username), [], 'user row deleted');
  assert.equal(sessionCount(id), 0, 'all its sessions deleted');

  const relogin = await api(srv.url, laptop, 'POST', '/api/auth/login', { json: { username, password: 'remove-me-password' } });
  assertError(relogin, 401);
  assert.deepEqual(relogin.body, { error: 'Invalid username or password', code: 'invalid_credentials' });

  const fresh = await browser(srv.url);
  const again = await api(srv.url, fresh, 'POST', '/api/auth/signup', { json: { username, password: 'brand-new-password' } });
  assert.equal(again.status, 201, `username is free again: ${again.text}`);
  // Even if the new account reused the old id, the old cookies stay dead.
  assert.equal(await authStatus(srv.url, jarWithSession(phoneCookie)), 401);
  assert.equal(await authStatus(srv.url, jarWithSession(laptopCookie)), 401);
  assert.equal(await authStatus(srv.url, fresh), 200);
  // and the old password does not open the new account
  const oldPw = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/login', { json: { username, password: 'remove-me-password' } });
  assert.equal(oldPw.status, 401);
});

test('remove_account with the username in another case frees it case-insensitively', async () => {
  const username = uniq('Case');
  const jar = await browser(srv.url);
  await signup(srv.url, jar, { username });
  const rm = await api(srv.url, jar, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD } });
  assert.equal(rm.status, 200, rm.text);
  const res = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/signup', { json: { username: username.toLowerCase(), password: 'another-password' } });
  assert.equal(res.status, 201, res.text);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
