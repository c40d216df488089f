// Audit log (ASVS 7.1.x, 7.2.1): auth_events rows for every decision, never a password or a
// token; GET /api/auth/events shows users their own recent events.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api, assertError, browser, dbBytes, listSessions, login, PASSWORD, sessionCookieOf, signup,
  sql, startTestServer, uniq,
} from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

test('each action is an event; users see their own, newest first; no secret is stored', async () => {
  const a = await browser(srv.url);
  const username = uniq('ev');
  const s = await signup(srv.url, a, { username, userAgent: 'device-A' });
  const b = await browser(srv.url);
  const wrong = await api(srv.url, b, 'POST', '/api/auth/login', { json: { username, password: 'wrong-password' } });
  assert.equal(wrong.status, 401);
  await login(srv.url, b, username, PASSWORD, { userAgent: 'device-B' });
  const sessions = await listSessions(srv.url, a);
  const other = sessions.find((x) => !x.current);
  assert.equal((await api(srv.url, a, 'DELETE', `/api/auth/sessions/${other.id}`)).status, 200);
  assert.equal((await api(srv.url, a, 'PATCH', '/api/auth/user', { json: { name: 'New' } })).status, 200);
  const pw = await api(srv.url, a, 'POST', '/api/auth/password', {
    json: { current_password: PASSWORD, new_password: 'another long password' },
  });
  assert.equal(pw.status, 200);
  assert.equal((await api(srv.url, a, 'POST', '/api/auth/logout')).status, 200);
  await login(srv.url, a, username, 'another long password');

  const res = await api(srv.url, a, 'GET', '/api/auth/events');
  assert.equal(res.status, 200, res.text);
  const types = res.body.events.map((e) => e.type);
  assert.deepEqual(types, ['login', 'logout', 'password_changed', 'profile_updated',
    'session_revoked', 'login', 'login_failed', 'signup']);
  for (const e of res.body.events) {
    assert.deepEqual(Object.keys(e).sort(), ['at', 'ip', 'type', 'user_agent']);
    assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(e.ip, '127.0.0.1');
  }
  assert.equal(res.body.events.at(-1).user_agent, 'device-A');

  const rows = sql(srv.dataDir, `SELECT * FROM auth_events WHERE username = '${username}'`);
  assert.ok(rows.length >= 8);
  const bytes = dbBytes(srv.dataDir).toString('latin1');
  for (const secret of [PASSWORD, 'another long password', 'wrong-password', sessionCookieOf(s)]) {
    assert.ok(!bytes.includes(secret), 'no password or token in the database');
  }
});

test('events: 401 without a session; another user never sees mine', async () => {
  assertError(await api(srv.url, await browser(srv.url), 'GET', '/api/auth/events'), 401);
  const a = await browser(srv.url);
  await signup(srv.url, a, { username: uniq('ea') });
  const b = await browser(srv.url);
  await signup(srv.url, b, { username: uniq('eb') });
  const mine = await api(srv.url, b, 'GET', '/api/auth/events');
  assert.deepEqual(mine.body.events.map((e) => e.type), ['signup']);
});

test('account removal is logged with the user id after the user is gone', async () => {
  const a = await browser(srv.url);
  const username = uniq('er');
  const s = await signup(srv.url, a, { username });
  const id = s.body.user.id;
  assert.equal((await api(srv.url, a, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD } })).status, 200);
  const rows = sql(srv.dataDir, `SELECT type FROM auth_events WHERE user_id = ${Number(id)} ORDER BY id`);
  assert.deepEqual(rows.map((r) => r.type), ['signup', 'account_removed']);
});
