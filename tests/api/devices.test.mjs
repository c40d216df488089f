// Device sessions: GET /api/auth/sessions (shape, order, current, no secrets),
// DELETE /api/auth/sessions/{id} (revoke another device or oneself, 404 for unknown and
// foreign ids alike, CSRF), POST /api/auth/sessions/revoke_others.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { api, findSetCookie, isDeletion } from '../support/http.mjs';
import {
  assertCleanResponses, assertError, assertJson, assertNoStoreEverywhere, authStatus, browser, currentSession, jarWithSession, listSessions,
  login, PASSWORD, q, RFC3339_UTC, rfc3339Sec, sessionRowExists, sessionRows, signup, sleep, sql, startTestServer, uniq,
} from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

const CSRF_ERROR = { error: 'Missing or invalid CSRF token', code: 'csrf_rejected' };
const SESSION_KEYS = ['created_at', 'current', 'expires_at', 'id', 'ip', 'last_seen_at', 'user_agent'];
const UA_A = 'Mozilla/5.0 (X11; Linux x86_64) LatchkeyTest/A "quoted" back\\slash';
const UA_B = 'LatchkeyTest/B (iPhone; CPU iPhone OS 17_0 like Mac OS X)';

/**
 * One user with device A (signup, UA_A) and device B (login, UA_B), each with a page token.
 * distinct: wait 1.1 s between them so their created_at seconds differ.
 */
async function userWithTwoDevices({ distinct = false } = {}) {
  const username = uniq('dev');
  const a = await browser(srv.url);
  const b = await browser(srv.url);
  const s = await signup(srv.url, a, { username, userAgent: UA_A });
  if (distinct) await sleep(1100); // distinct created_at seconds, so "newest first" is observable
  // B also sends X-Forwarded-For: no proxy is configured, so ip must stay the peer address (127.0.0.1).
  const res = await api(srv.url, b, 'POST', '/api/auth/login', {
    json: { username, password: PASSWORD }, headers: { 'User-Agent': UA_B, 'X-Forwarded-For': '203.0.113.9' },
  });
  assert.equal(res.status, 200, res.text);
  return { username, userId: s.body.user.id, a, b };
}

function assertNotCleared(res) {
  const c = findSetCookie(res, 'latchkey_session');
  assert.ok(!c || !isDeletion(c), `the caller's cookie is not cleared: ${res.setCookies}`);
}

test('GET /api/auth/sessions: both devices see both sessions, newest first, documented fields, current on the caller\'s own only', async () => {
  const { userId, a, b } = await userWithTwoDevices({ distinct: true });
  const listA = await listSessions(srv.url, a);
  const listB = await listSessions(srv.url, b);
  const now = Date.now() / 1000;
  for (const [who, list] of [['A', listA], ['B', listB]]) {
    assert.equal(list.length, 2, `${who} sees 2 sessions: ${JSON.stringify(list)}`);
    for (const x of list) {
      assert.deepEqual(Object.keys(x).sort(), SESSION_KEYS, `exactly the documented fields: ${JSON.stringify(x)}`);
      assert.match(x.id, /^[A-Za-z0-9_-]{22}$/, `id is a 22-char public id: ${x.id}`);
      for (const k of ['created_at', 'last_seen_at', 'expires_at']) assert.match(x[k], RFC3339_UTC, `${k} is YYYY-MM-DDTHH:MM:SSZ: ${x[k]}`);
      const created = rfc3339Sec(x.created_at);
      const seen = rfc3339Sec(x.last_seen_at);
      const expires = rfc3339Sec(x.expires_at);
      assert.ok(Math.abs(created - now) < 30, `created_at is about now: ${x.created_at}`);
      assert.ok(created <= seen && seen <= now + 1, `created_at <= last_seen_at <= now: ${JSON.stringify(x)}`);
      assert.ok(expires > now, `expires_at in the future: ${x.expires_at}`);
      assert.equal(x.ip, '127.0.0.1');
      assert.equal(typeof x.current, 'boolean');
    }
    assert.ok(rfc3339Sec(list[0].created_at) > rfc3339Sec(list[1].created_at), `newest first by created_at: ${JSON.stringify(list)}`);
    assert.equal(list.filter((x) => x.current).length, 1, `exactly one current: ${JSON.stringify(list)}`);
  }
  // B logged in later: B's session is first in both lists; current marks the caller's own.
  assert.equal(listA[0].id, listB[0].id);
  assert.equal(listA[1].id, listB[1].id);
  assert.notEqual(listA[0].id, listA[1].id);
  const [idB, idA] = [listA[0].id, listA[1].id];
  assert.deepEqual(listA.map((x) => [x.id, x.current]), [[idB, false], [idA, true]]);
  assert.deepEqual(listB.map((x) => [x.id, x.current]), [[idB, true], [idA, false]]);
  assert.equal(listA.find((x) => x.id === idA).user_agent, UA_A, 'user_agent as sent (A)');
  assert.equal(listA.find((x) => x.id === idB).user_agent, UA_B, 'user_agent as sent (B)');
  // default remember:true: expires_at is the earlier of last_seen + 14d (idle) and created + 30d (absolute)
  for (const x of listA) {
    const want = Math.min(rfc3339Sec(x.last_seen_at) + 14 * 86400, rfc3339Sec(x.created_at) + 30 * 86400);
    assert.equal(rfc3339Sec(x.expires_at), want, `expires_at = min(idle, absolute): ${JSON.stringify(x)}`);
  }
  // the public ids are the rows' ids (white-box) and have nothing to do with the tokens
  const rows = sessionRows(srv.dataDir, userId);
  assert.deepEqual(rows.map((r) => r.id).sort(), [idA, idB].sort());
  for (const jar of [a, b]) {
    const cookie = jar.get('latchkey_session');
    const [token, mac] = cookie.split('.');
    for (const id of [idA, idB]) {
      assert.ok(!cookie.includes(id), `the id is not part of the cookie: ${id}`);
      assert.notEqual(id, token.slice(0, 22));
    }
    const raw = await api(srv.url, jar, 'GET', '/api/auth/sessions');
    const forbidden = [token, mac, cookie];
    for (const d of [createHash('sha256').update(token).digest(), createHash('sha256').update(Buffer.from(token, 'base64url')).digest()]) {
      forbidden.push(d.toString('hex'), d.toString('hex').toUpperCase(), d.toString('base64'), d.toString('base64url'));
    }
    for (const r of rows) forbidden.push(String(r.token_hash));
    for (const f of forbidden) assert.ok(!raw.text.includes(f), `the sessions body does not contain a token or token hash (${f.slice(0, 10)}...)`);
  }
});

test('GET /api/auth/sessions lists only the caller\'s own user; 401 without a session', async () => {
  const { a } = await userWithTwoDevices();
  const other = await browser(srv.url);
  await signup(srv.url, other);
  const mine = await listSessions(srv.url, other);
  assert.equal(mine.length, 1, `another user sees only their own session: ${JSON.stringify(mine)}`);
  assert.equal(mine[0].current, true);
  const idsA = (await listSessions(srv.url, a)).map((x) => x.id);
  assert.ok(!idsA.includes(mine[0].id));
  const res = await api(srv.url, await browser(srv.url), 'GET', '/api/auth/sessions');
  assertError(res, 401);
  assertError(await api(srv.url, jarWithSession('garbage.value'), 'GET', '/api/auth/sessions'), 401);
});

test('revoking B from A: 200 {"success":true}; B is logged out, A is not; B\'s row is gone', async () => {
  const { userId, a, b } = await userWithTwoDevices();
  const idB = (await currentSession(srv.url, b)).id;
  const idA = (await currentSession(srv.url, a)).id;
  const bCookie = b.get('latchkey_session');
  const res = await api(srv.url, a, 'DELETE', `/api/auth/sessions/${idB}`);
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.deepEqual(res.body, { success: true });
  assertNotCleared(res);
  const bRes = await api(srv.url, b, 'GET', '/api/auth');
  assertError(bRes, 401);
  assert.deepEqual(bRes.body, { error: 'Your session has ended. Please log in again.', code: 'session_ended' }, 'a revoked session: session_ended');
  assertError(await api(srv.url, jarWithSession(bCookie), 'GET', '/api/auth/sessions'), 401);
  assert.equal(await authStatus(srv.url, a), 200, 'A is still logged in');
  assert.equal(sessionRowExists(srv.dataDir, idB), false, 'B\'s row deleted');
  assert.deepEqual(sessionRows(srv.dataDir, userId).map((r) => r.id), [idA]);
  assert.deepEqual((await listSessions(srv.url, a)).map((x) => x.id), [idA]);
  // B cannot use its dead session to revoke A
  assertError(await api(srv.url, b, 'DELETE', `/api/auth/sessions/${idA}`), 401);
  assert.equal(await authStatus(srv.url, a), 200);
});

test('DELETE of another user\'s session id and of an unknown id: the same 404; the other user\'s session still works', async () => {
  const { a } = await userWithTwoDevices();
  const victim = await browser(srv.url);
  await signup(srv.url, victim);
  const victimId = (await currentSession(srv.url, victim)).id;
  const foreign = await api(srv.url, a, 'DELETE', `/api/auth/sessions/${victimId}`);
  assertError(foreign, 404);
  const unknownId = 'AAAAAAAAAAAAAAAAAAAAAA';
  assert.equal(sql(srv.dataDir, `SELECT count(*) AS n FROM sessions WHERE id = ${q(unknownId)}`)[0].n, 0);
  const unknown = await api(srv.url, a, 'DELETE', `/api/auth/sessions/${unknownId}`);
  assertError(unknown, 404);
  assert.equal(unknown.text, foreign.text, 'never says which: identical bodies');
  for (const weird of ['x', 'A'.repeat(200), '%2E%2E', 'a%00b']) {
    const r = await api(srv.url, a, 'DELETE', `/api/auth/sessions/${weird}`);
    assert.equal(r.status, 404, `DELETE /api/auth/sessions/${weird.slice(0, 20)} -> ${r.status} ${r.text}`);
  }
  assert.equal(await authStatus(srv.url, victim), 200, 'the other user\'s session still works');
  assert.equal(sessionRowExists(srv.dataDir, victimId), true);
  assert.equal(await authStatus(srv.url, a), 200);
  // a revoked id is unknown from then on
  const b2 = await browser(srv.url);
  await login(srv.url, b2, (await api(srv.url, a, 'GET', '/api/auth')).body.user.username);
  const id2 = (await currentSession(srv.url, b2)).id;
  assert.equal((await api(srv.url, a, 'DELETE', `/api/auth/sessions/${id2}`)).status, 200);
  const again = await api(srv.url, a, 'DELETE', `/api/auth/sessions/${id2}`);
  assertError(again, 404);
  assert.equal(again.text, unknown.text);
});

test('DELETE /api/auth/sessions/{id} without CSRF token -> 403 and nothing revoked; without a session -> 401', async () => {
  const { a, b } = await userWithTwoDevices();
  const idB = (await currentSession(srv.url, b)).id;
  for (const csrf of [null, '', b.csrfToken]) {
    const res = await api(srv.url, a, 'DELETE', `/api/auth/sessions/${idB}`, { csrf });
    assertError(res, 403);
    assert.deepEqual(res.body, CSRF_ERROR);
  }
  assert.equal(await authStatus(srv.url, b), 200, 'B still logged in');
  assert.equal(sessionRowExists(srv.dataDir, idB), true);
  const anon = await browser(srv.url);
  assertError(await api(srv.url, anon, 'DELETE', `/api/auth/sessions/${idB}`), 401);
  assert.equal(await authStatus(srv.url, b), 200);
});

test('revoking one\'s own current session: 200, cookie cleared, next call 401; the other device stays', async () => {
  const { a, b } = await userWithTwoDevices();
  const idA = (await currentSession(srv.url, a)).id;
  const aCookie = a.get('latchkey_session');
  const res = await api(srv.url, a, 'DELETE', `/api/auth/sessions/${idA}`);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { success: true });
  const c = findSetCookie(res, 'latchkey_session');
  assert.ok(c && isDeletion(c), `cookie cleared: ${res.setCookies}`);
  assert.equal(c.attrs.path, '/', c.raw);
  assert.equal(a.has('latchkey_session'), false);
  assert.equal(await authStatus(srv.url, a), 401);
  assertError(await api(srv.url, jarWithSession(aCookie), 'GET', '/api/auth'), 401);
  assert.equal(sessionRowExists(srv.dataDir, idA), false);
  assert.equal(await authStatus(srv.url, b), 200);
  assert.equal((await listSessions(srv.url, b)).length, 1);
});

test('POST /api/auth/sessions/revoke_others: {"success":true,"revoked":2}; the others 401, the caller and other users stay', async () => {
  const { userId, username, a, b } = await userWithTwoDevices();
  const c = await browser(srv.url);
  await login(srv.url, c, username);
  const bystander = await browser(srv.url);
  await signup(srv.url, bystander);
  const idA = (await currentSession(srv.url, a)).id;
  assert.equal(sessionRows(srv.dataDir, userId).length, 3);
  // CSRF and session are required
  assertError(await api(srv.url, a, 'POST', '/api/auth/sessions/revoke_others', { csrf: null }), 403);
  assertError(await api(srv.url, await browser(srv.url), 'POST', '/api/auth/sessions/revoke_others'), 401);
  assert.equal(sessionRows(srv.dataDir, userId).length, 3, 'nothing revoked by the refused calls');
  const res = await api(srv.url, a, 'POST', '/api/auth/sessions/revoke_others');
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.deepEqual(res.body, { success: true, revoked: 2 });
  assertNotCleared(res);
  assert.equal(await authStatus(srv.url, b), 401);
  assert.equal(await authStatus(srv.url, c), 401);
  assert.equal(await authStatus(srv.url, a), 200, 'the caller stays');
  assert.equal(await authStatus(srv.url, bystander), 200, 'other users untouched');
  assert.deepEqual(sessionRows(srv.dataDir, userId).map((r) => r.id), [idA]);
  assert.deepEqual((await listSessions(srv.url, a)).map((x) => [x.id, x.current]), [[idA, true]]);
  const again = await api(srv.url, a, 'POST', '/api/auth/sessions/revoke_others');
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body, { success: true, revoked: 0 });
  assert.equal(await authStatus(srv.url, a), 200);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
