// Races against one server (issue 7): many clients signing up one username at the same moment
// (exactly one wins, the rest get 409 on the username, one row holds the winner's name and
// password), and session checks racing the end of their session (a logout, or a revoke from
// another device): every check answers 200 with the whole user or 401, never a 5xx or a
// partial body, checks sent before the end was asked for pass, checks sent after it answered
// fail, and no check passes after one sent later than it failed (a session never comes back).
// Each race runs a few rounds to make it bite. Figures: one "ROBUSTNESS {json}" line per test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, CookieJar } from '../support/http.mjs';
import {
  assertCleanResponses, assertError, browser, login, PASSWORD, q, sessionCookieOf, signup, sleep, sql, startTestServer, uniq,
} from '../support/fixtures.mjs';
import { printFigures, tokenHashOf } from '../support/storm.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

const CLIENTS = 50;
const ROUNDS = 3;

/** Case variants of one username (usernames are unique without regard to ASCII case). */
function variant(name, i, mixed) {
  if (!mixed || i === 0) return name;
  return [...name].map((c, j) => (((i >> (j % 6)) & 1) ? c.toUpperCase() : c.toLowerCase())).join('');
}

test(`${CLIENTS} concurrent signups of one username: exactly one 201, ${CLIENTS - 1} x 409 on the username, one row with the winner's name and password`, async () => {
  const figures = { test: 'race-signup', clients: CLIENTS, rounds: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const base = uniq('race').toLowerCase();
    const mixed = round > 0; // later rounds race case variants of the name
    // Every client loads its own page first: its own CSRF cookie and token, its own jar.
    const clients = await Promise.all(Array.from({ length: CLIENTS }, async (_, i) => ({
      jar: await browser(srv.url),
      username: variant(base, i, mixed),
      password: `racer ${i} of ${base}`,
      name: `Racer ${i}`,
    })));
    const t0 = performance.now();
    const results = await Promise.all(clients.map((c) => api(srv.url, c.jar, 'POST', '/api/auth/signup', {
      json: { username: c.username, password: c.password, name: c.name }, timeoutMs: 30000,
    })));
    const ms = performance.now() - t0;
    const byStatus = {};
    for (const r of results) byStatus[r.status] = (byStatus[r.status] || 0) + 1;
    figures.rounds.push({ mixed_case: mixed, ms: Math.round(ms), by_status: byStatus });

    const winners = results.map((r, i) => [r, clients[i]]).filter(([r]) => r.status === 201);
    assert.equal(winners.length, 1, `round ${round}: exactly one 201: ${JSON.stringify(byStatus)}`);
    for (const [i, r] of results.entries()) {
      if (r.status === 201) continue;
      assertError(r, 409, { field: 'username' });
      assert.equal(sessionCookieOf(r), undefined, `round ${round}: loser ${i} got no session cookie`);
      assert.equal(clients[i].jar.has('latchkey_session'), false);
    }
    const [won, winner] = winners[0];
    assert.equal(won.body.user.username, winner.username, 'the 201 names the winner');
    assert.equal(won.body.user.name, winner.name);

    const rows = sql(srv.dataDir, `SELECT id, username, name FROM users WHERE lower(username) = ${q(base)}`);
    assert.equal(rows.length, 1, `round ${round}: one user row: ${JSON.stringify(rows)}`);
    assert.deepEqual(rows[0], { id: won.body.user.id, username: winner.username, name: winner.name }, 'the row is the winner\'s, whole');
    const sessions = sql(srv.dataDir, `SELECT token_hash FROM sessions WHERE user_id = ${Number(rows[0].id)}`);
    assert.deepEqual(sessions.map((s) => s.token_hash), [tokenHashOf(winner.jar.get('latchkey_session'))],
      'one session: the winner\'s');

    // The winner's session and password work; a loser's password is not the one stored.
    const me = await api(srv.url, winner.jar, 'GET', '/api/auth');
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(me.body, { user: won.body.user });
    await login(srv.url, await browser(srv.url), base.toUpperCase(), winner.password);
    const loser = clients.find((c) => c !== winner);
    const bad = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/login', { json: { username: base, password: loser.password } });
    assertError(bad, 401);
  }
  printFigures(figures);
});

/**
 * One round: `checkers` clients check the session (GET /api/auth, each request on its own
 * connection) in a loop while, after `delayMs`, the session is ended by `end()`; they go on
 * until `tailMs` after the end answered. -> { checks: [{t0, t1, status, body, text}], ended }
 */
async function raceChecks(cookie, end, { checkers = 12, delayMs = 60, tailMs = 250 } = {}) {
  const checks = [];
  let stopAt = Infinity;
  const loop = async () => {
    while (performance.now() < stopAt) {
      const c = { t0: performance.now() };
      checks.push(c);
      try {
        const res = await api(srv.url, new CookieJar([['latchkey_session', cookie]]), 'GET', '/api/auth');
        Object.assign(c, { status: res.status, body: res.body, text: res.text });
      } catch (e) {
        c.error = e.message;
      }
      c.t1 = performance.now();
    }
  };
  const loops = Array.from({ length: checkers }, loop);
  await sleep(delayMs);
  const ended = { t0: performance.now() };
  const res = await end();
  ended.t1 = performance.now();
  ended.res = res;
  stopAt = ended.t1 + tailMs;
  await Promise.all(loops);
  return { checks, ended };
}

test('session checks racing a logout or a revoke: 200 with the whole user or 401, never in between, never back', async () => {
  const username = uniq('racelo');
  const home = await browser(srv.url); // another device of the user: revokes, lists sessions
  const s = await signup(srv.url, home, { username, name: 'Race Logout' });
  const user = s.body.user;
  const figures = { test: 'race-logout', rounds: [] };
  const problems = [];
  const ROUNDS_LOGOUT = 8;
  for (let round = 0; round < ROUNDS_LOGOUT; round += 1) {
    const device = await browser(srv.url);
    const cookie = sessionCookieOf(await login(srv.url, device, username, PASSWORD));
    const mine = (await api(srv.url, device, 'GET', '/api/auth/sessions')).body.sessions.find((x) => x.current);
    const byRevoke = round % 2 === 1;
    const end = byRevoke
      ? () => api(srv.url, home, 'DELETE', `/api/auth/sessions/${mine.id}`)
      : () => api(srv.url, device, 'POST', '/api/auth/logout');
    const { checks, ended } = await raceChecks(cookie, end, { delayMs: 30 + 25 * round });
    assert.equal(ended.res.status, 200, `round ${round}: ${byRevoke ? 'revoke' : 'logout'}: ${ended.res.text}`);
    assert.deepEqual(ended.res.body, { success: true });

    let ok = 0;
    let refused = 0;
    for (const c of checks) {
      const where = `round ${round} (${byRevoke ? 'revoke' : 'logout'}) check at +${(c.t0 - ended.t0).toFixed(1)} ms`;
      if (c.error) { problems.push(`${where}: transport error ${c.error}`); continue; }
      if (c.status === 200) {
        ok += 1;
        if (JSON.stringify(c.body) !== JSON.stringify({ user })) problems.push(`${where}: 200 with a partial body ${c.text}`);
        if (c.t0 > ended.t1) problems.push(`${where}: 200 though sent after the end had answered`);
      } else if (c.status === 401) {
        refused += 1;
        if (JSON.stringify(c.body) !== JSON.stringify({ error: 'Your session has ended. Please log in again.', code: 'session_ended' })) problems.push(`${where}: 401 body ${c.text}`);
        if (c.t1 < ended.t0) problems.push(`${where}: 401 though answered before the end was sent`);
      } else {
        problems.push(`${where}: status ${c.status} ${String(c.text).slice(0, 200)}`);
      }
    }
    // Never back: no check passes when an earlier one, answered before it was sent, failed.
    const firstRefusal = Math.min(...checks.filter((c) => c.status === 401).map((c) => c.t1));
    for (const c of checks) {
      if (c.status === 200 && c.t0 > firstRefusal) problems.push(`round ${round}: 200 at +${(c.t0 - ended.t0).toFixed(1)} ms after a 401 had answered at +${(firstRefusal - ended.t0).toFixed(1)} ms`);
    }
    assert.ok(ok > 0 && refused > 0, `round ${round}: the race was run (checks passed before and failed after): ${ok} x 200, ${refused} x 401`);

    // After the end: the row is gone, the other device no longer lists it, later checks fail.
    assert.deepEqual(sql(srv.dataDir, `SELECT id FROM sessions WHERE token_hash = ${q(tokenHashOf(cookie))}`), [], `round ${round}: session row deleted`);
    const list = (await api(srv.url, home, 'GET', '/api/auth/sessions')).body.sessions.map((x) => x.id);
    assert.ok(!list.includes(mine.id), `round ${round}: the ended session is not listed`);
    const later = await Promise.all(Array.from({ length: 10 }, () => api(srv.url, new CookieJar([['latchkey_session', cookie]]), 'GET', '/api/auth')));
    for (const r of later) assertError(r, 401);
    figures.rounds.push({ by: byRevoke ? 'revoke' : 'logout', checks: checks.length, ok, refused, end_ms: Number((ended.t1 - ended.t0).toFixed(1)) });
  }
  assert.equal((await api(srv.url, home, 'GET', '/api/auth')).status, 200, 'the other device is still logged in');
  printFigures(figures);
  assert.deepEqual(problems, []);
});

test('no response in this file was a 5xx or leaked a secret', () => {
  assertCleanResponses();
});
