// Idle timeouts per "remember" choice (--session-idle-timeout for remember:true,
// --session-idle-timeout-short for remember:false), touching on use (last_seen_at),
// and the write throttle of last_seen_at. Second-scale timeouts; mostly sleeps.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, api, authStatus, browser, currentSession, dbTimeSec, listSessions, login, rfc3339Sec,
  q, sessionCookieOf, sessionRowExists, signup, sleep, sql, startTestServer, uniq,
} from '../support/fixtures.mjs';

let short2; // --session-idle-timeout-short 2s (remember:false sessions end after 2 s unused)
let long2; // --session-idle-timeout 2s (remember:true sessions end after 2 s unused)
let short3; // --session-idle-timeout-short 3s (touch interval 1 s)
let dflt; // defaults (touch interval min(60 s, 2h / 10) = 60 s)
before(async () => {
  [short2, long2, short3, dflt] = await Promise.all([
    startTestServer({ args: ['--session-idle-timeout-short', '2s'] }),
    startTestServer({ args: ['--session-idle-timeout', '2s'] }),
    startTestServer({ args: ['--session-idle-timeout-short', '3s'] }),
    startTestServer(),
  ]);
});
after(async () => { await Promise.all([short2?.cleanup(), long2?.cleanup(), short3?.cleanup(), dflt?.cleanup()]); });

const DAY = 86400;

/** A user with two devices on srv: one logged in with remember:true, one with remember:false. */
async function twoDevices(srv) {
  const username = uniq('idle');
  await signup(srv.url, await browser(srv.url), { username });
  const persistent = await browser(srv.url);
  const transient = await browser(srv.url);
  await login(srv.url, persistent, username, undefined, { remember: true });
  await login(srv.url, transient, username, undefined, { remember: false });
  return { persistent, transient };
}

test('idle timeouts follow the remember choice: each kind ends after its own idle time unused (401, row deleted), the other lives', async () => {
  // short2: remember:false idles out after 2 s; remember:true has 14d.  long2: the other way round (2 s vs 2h).
  const a = await twoDevices(short2);
  const b = await twoDevices(long2);
  const meA = { p: await currentSession(short2.url, a.persistent), t: await currentSession(short2.url, a.transient) };
  const meB = { p: await currentSession(long2.url, b.persistent), t: await currentSession(long2.url, b.transient) };
  const idleOf = (me) => rfc3339Sec(me.expires_at) - rfc3339Sec(me.last_seen_at);
  assert.equal(idleOf(meA.t), 2, `remember:false expires_at = last_seen_at + --session-idle-timeout-short: ${JSON.stringify(meA.t)}`);
  assert.equal(idleOf(meA.p), 14 * DAY, `remember:true expires_at = last_seen_at + 14d (default --session-idle-timeout): ${JSON.stringify(meA.p)}`);
  assert.equal(idleOf(meB.p), 2, `remember:true expires_at = last_seen_at + --session-idle-timeout: ${JSON.stringify(meB.p)}`);
  assert.equal(idleOf(meB.t), 7200, `remember:false expires_at = last_seen_at + 2h (default --session-idle-timeout-short): ${JSON.stringify(meB.t)}`);
  await sleep(3000);
  const deadA = await api(short2.url, a.transient, 'GET', '/api/auth');
  assertError(deadA, 401);
  assert.deepEqual(deadA.body, { error: 'Your session has ended. Please log in again.', code: 'session_ended' });
  assert.equal(sessionRowExists(short2.dataDir, meA.t.id), false, 'the idle remember:false row is deleted');
  assert.equal(await authStatus(short2.url, a.persistent), 200, 'remember:true on the same server is alive');
  assertError(await api(long2.url, b.persistent, 'GET', '/api/auth'), 401);
  assert.equal(sessionRowExists(long2.dataDir, meB.p.id), false, 'the idle remember:true row is deleted');
  assert.equal(await authStatus(long2.url, b.transient), 200, 'remember:false (2h idle) on the same server is alive');
});

test('an idled-out session is no longer listed by GET /api/auth/sessions nor counted by revoke_others (it has ended)', async () => {
  // docs: expires_at is "when it ends if unused"; an ended session is gone for every purpose.
  const username = uniq('gone');
  const keep = await browser(short2.url);
  const idle = await browser(short2.url);
  await signup(short2.url, keep, { username, remember: true });
  await login(short2.url, idle, username, undefined, { remember: false });
  const idleId = (await currentSession(short2.url, idle)).id;
  assert.equal((await listSessions(short2.url, keep)).length, 2, 'both listed while alive');
  await sleep(3000);
  const problems = [];
  const list = await listSessions(short2.url, keep);
  const now = Date.now() / 1000;
  if (list.some((x) => x.id === idleId)) problems.push(`GET /api/auth/sessions still lists the idled-out session: ${JSON.stringify(list)}`);
  for (const x of list) if (rfc3339Sec(x.expires_at) <= now) problems.push(`listed session already past its expires_at: ${JSON.stringify(x)}`);
  const res = await api(short2.url, keep, 'POST', '/api/auth/sessions/revoke_others');
  assert.equal(res.status, 200, res.text);
  if (res.body?.revoked !== 0) problems.push(`revoke_others after the other session had ended: expected {"success":true,"revoked":0}, got ${res.text}`);
  assert.equal(await authStatus(short2.url, idle), 401);
  assert.equal(await authStatus(short2.url, keep), 200);
  assert.deepEqual(problems, []);
});

test('touch: a remember:false session (idle 3 s) used every second for 5 s stays alive, then ends after 4 s idle', async () => {
  const username = uniq('touch');
  const jar = await browser(short3.url);
  await signup(short3.url, jar, { username, remember: false });
  const id = (await currentSession(short3.url, jar)).id;
  const t0 = Date.now();
  const trace = [];
  while (Date.now() - t0 < 5000) {
    await sleep(1000);
    trace.push(`${Date.now() - t0}ms:${await authStatus(short3.url, jar)}`);
  }
  assert.ok(trace.every((x) => x.endsWith(':200')), `alive while in use for longer than the idle timeout: ${trace.join(' ')}`);
  assert.equal(sessionRowExists(short3.dataDir, id), true);
  await sleep(4000);
  assertError(await api(short3.url, jar, 'GET', '/api/auth'), 401);
  assert.equal(sessionRowExists(short3.dataDir, id), false, 'row deleted');
  // the account still works
  await login(short3.url, await browser(short3.url), username);
});

test('last_seen_at advances on use past the touch interval (1 s here); created_at stays; expires_at follows last_seen_at', async () => {
  const jar = await browser(short3.url);
  // remember:true (idle 14d) so the 2.2 s pause cannot idle it out; the touch interval is still
  // 1 s because it follows the shortest idle timeout (3 s here).
  const s = await signup(short3.url, jar, { remember: true });
  const before0 = await currentSession(short3.url, jar);
  const rowOf = (id) => sql(short3.dataDir, `SELECT created_at, last_seen_at FROM sessions WHERE id = ${q(id)}`)[0];
  await sleep(2200);
  assert.equal(await authStatus(short3.url, jar), 200);
  const after1 = await currentSession(short3.url, jar);
  assert.equal(after1.id, before0.id);
  assert.equal(after1.created_at, before0.created_at, 'created_at unchanged');
  const l0 = rfc3339Sec(before0.last_seen_at);
  const l1 = rfc3339Sec(after1.last_seen_at);
  assert.ok(l1 >= l0 + 1, `last_seen_at advanced: ${before0.last_seen_at} -> ${after1.last_seen_at}`);
  assert.ok(l1 <= Date.now() / 1000 + 1, `last_seen_at not in the future: ${after1.last_seen_at}`);
  assert.equal(rfc3339Sec(after1.expires_at) - l1, 14 * DAY, `expires_at = last_seen_at + idle (14d): ${JSON.stringify(after1)}`);
  assert.ok(rfc3339Sec(after1.expires_at) > rfc3339Sec(before0.expires_at), 'expires_at moved forward with the touch');
  // Touches reach the database in a batch within a second (session/touch_batcher.h).
  let row = rowOf(before0.id);
  for (let i = 0; i < 30 && dbTimeSec(row.last_seen_at) !== l1; i += 1) {
    await sleep(100);
    row = rowOf(before0.id);
  }
  assert.equal(dbTimeSec(row.last_seen_at), l1, `DB last_seen_at matches the API: ${JSON.stringify(row)}`);
  assert.equal(dbTimeSec(row.created_at), rfc3339Sec(before0.created_at));
  assert.ok(sessionCookieOf(s));
});

test('last_seen_at is written at most every touch interval: with default timeouts (60 s) quick reuse does not rewrite it', async () => {
  const jar = await browser(dflt.url);
  await signup(dflt.url, jar);
  const me = await currentSession(dflt.url, jar);
  const read = () => dbTimeSec(sql(dflt.dataDir, `SELECT last_seen_at FROM sessions WHERE id = ${q(me.id)}`)[0].last_seen_at);
  const l0 = read();
  await sleep(1500);
  for (let i = 0; i < 3; i += 1) assert.equal(await authStatus(dflt.url, jar), 200);
  assert.equal(read(), l0, 'last_seen_at not rewritten within the 60 s touch interval');
  assert.equal((await currentSession(dflt.url, jar)).last_seen_at, me.last_seen_at);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
