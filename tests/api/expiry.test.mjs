// Server-side absolute session lifetime (--session-lifetime, independent of the cookie's
// --cookie-max-age) and the periodic sweeper of ended sessions (--session-sweep-interval).
// Mostly sleeps (seconds), so it overlaps with the other files under --test-concurrency=2.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, findSetCookie } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, authStatus, browser, currentSession, jarWithSession, login, rfc3339Sec,
  sessionCookieOf, sessionRowExists, signup, sleep, sql, startTestServer, uniq, waitFor,
} from '../support/fixtures.mjs';

let srv; // --session-lifetime 3s, cookie Max-Age 60 s
let sweepLife; // --session-sweep-interval 1s --session-lifetime 2s
let sweepIdle; // --session-sweep-interval 1s --session-idle-timeout-short 2s
before(async () => {
  [srv, sweepLife, sweepIdle] = await Promise.all([
    startTestServer({ args: ['--cookie-max-age', '60s', '--session-lifetime', '3s'] }),
    startTestServer({ args: ['--session-sweep-interval', '1s', '--session-lifetime', '2s'] }),
    startTestServer({ args: ['--session-sweep-interval', '1s', '--session-idle-timeout-short', '2s'] }),
  ]);
});
after(async () => { await Promise.all([srv?.cleanup(), sweepLife?.cleanup(), sweepIdle?.cleanup()]); });

const rowsOf = (s, userId) => sql(s.dataDir, `SELECT id FROM sessions WHERE user_id = ${Number(userId)}`).map((r) => r.id);

test('a session is rejected after --session-lifetime (3 s) although the cookie Max-Age (60 s) has not passed; its row is deleted', async () => {
  const username = uniq('exp');
  const jar = await browser(srv.url);
  const res = await signup(srv.url, jar, { username });
  const c = findSetCookie(res, 'latchkey_session');
  assert.equal(c.attrs['max-age'], '60', `the cookie keeps --cookie-max-age: ${c.raw}`);
  const csrf = findSetCookie(await api(srv.url, null, 'GET', '/'), 'latchkey_csrf');
  assert.equal(csrf.attrs['max-age'], '60', csrf.raw);
  assert.equal((await api(srv.url, jarWithSession(c.value), 'GET', '/api/auth')).status, 200);
  const userId = res.body.user.id;
  assert.equal(rowsOf(srv, userId).length, 1);
  await sleep(4000);
  const late = await api(srv.url, jarWithSession(c.value), 'GET', '/api/auth');
  assertError(late, 401);
  assert.deepEqual(late.body, { error: 'Your session has ended. Please log in again.', code: 'session_ended' });
  assert.deepEqual(rowsOf(srv, userId), [], 'docs: "An expired session answers 401 and is deleted"');
  // the account itself is fine: logging in again works (with the same page token)
  await login(srv.url, jar, username);
  assert.equal((await api(srv.url, jar, 'GET', '/api/auth')).status, 200);
});

test('absolute lifetime: a session used every half second still ends 3 s after creation; expires_at = created_at + 3 s', async () => {
  const jar = await browser(srv.url);
  const t0 = Date.now();
  const s = await signup(srv.url, jar);
  const cookie = sessionCookieOf(s);
  const me = await currentSession(srv.url, jar);
  const lifetime = rfc3339Sec(me.expires_at) - rfc3339Sec(me.created_at);
  assert.equal(lifetime, 3, `expires_at is the earlier of idle (14d) and absolute (3 s) expiry: ${JSON.stringify(me)}`);
  const statuses = [];
  let firstDead;
  while (Date.now() - t0 < 6000) {
    const st = await authStatus(srv.url, jarWithSession(cookie));
    statuses.push([Date.now() - t0, st]);
    if (st !== 200 && firstDead === undefined) firstDead = Date.now() - t0;
    if (firstDead !== undefined && statuses.length >= 2 && statuses.filter(([ms]) => ms >= firstDead).length >= 3) break;
    await sleep(500);
  }
  const trace = statuses.map(([ms, st]) => `${ms}ms:${st}`).join(' ');
  assert.ok(firstDead !== undefined, `the session ended despite constant use: ${trace}`);
  assert.ok(firstDead >= 1500 && firstDead <= 4500, `it ended about 3 s after creation (at ${firstDead} ms): ${trace}`);
  const afterDeath = statuses.filter(([ms]) => ms >= firstDead).map(([, st]) => st);
  assert.ok(afterDeath.every((st) => st === 401), `401 from then on: ${trace}`);
  assert.ok(statuses.filter(([ms]) => ms < firstDead).every(([, st]) => st === 200), `200 before: ${trace}`);
  assert.deepEqual(rowsOf(srv, s.body.user.id), [], 'row deleted');
});

test('sweeper: with --session-sweep-interval 1s --session-lifetime 2s an ended session row disappears without being presented', async () => {
  const jar = await browser(sweepLife.url);
  const t0 = Date.now();
  const s = await signup(sweepLife.url, jar);
  const userId = s.body.user.id;
  const ids = rowsOf(sweepLife, userId);
  assert.equal(ids.length, 1, 'the row exists right after signup');
  const gone = await waitFor(() => !sessionRowExists(sweepLife.dataDir, ids[0]), { timeoutMs: 6000, intervalMs: 200 });
  const ms = Date.now() - t0;
  assert.ok(gone, `row still there after ${ms} ms`);
  assert.ok(ms <= 4500, `row swept within ~4 s of creation (took ${ms} ms)`);
  assert.equal(await authStatus(sweepLife.url, jar), 401);
  // the account is untouched: a new login works right away
  await login(sweepLife.url, await browser(sweepLife.url), s.body.user.username);
});

test('sweeper: an idle remember:false session (short idle 2 s) is swept; a remember:true session of the same user is kept', async () => {
  const username = uniq('sw');
  const keep = await browser(sweepIdle.url);
  const drop = await browser(sweepIdle.url);
  const s = await signup(sweepIdle.url, keep, { username, remember: true });
  const t0 = Date.now();
  await login(sweepIdle.url, drop, username, undefined, { remember: false });
  const keepId = (await currentSession(sweepIdle.url, keep)).id;
  const dropId = (await currentSession(sweepIdle.url, drop)).id;
  assert.equal(rowsOf(sweepIdle, s.body.user.id).length, 2);
  const gone = await waitFor(() => !sessionRowExists(sweepIdle.dataDir, dropId), { timeoutMs: 6000, intervalMs: 200 });
  const ms = Date.now() - t0;
  assert.ok(gone, `idle remember:false row still there after ${ms} ms`);
  assert.ok(ms <= 4500, `swept within ~4 s of its last use (took ${ms} ms)`);
  assert.ok(sessionRowExists(sweepIdle.dataDir, keepId), 'the sweeper kept the live remember:true session');
  await sleep(1200); // one more sweep
  assert.ok(sessionRowExists(sweepIdle.dataDir, keepId), 'still kept after another sweep');
  assert.equal(await authStatus(sweepIdle.url, keep), 200);
  assert.equal(await authStatus(sweepIdle.url, drop), 401);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
