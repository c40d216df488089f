// Crash safety (issue 7): a storm of signups and logins, kill -9 at a random moment once some
// signups have answered 201, then a restart on the same data dir (SQLite) or database
// (PostgreSQL). The store passes its own integrity check (PRAGMA integrity_check, amcheck)
// right after the crash and after the restart, no row is half-written (a user without its
// password hash or its signup session, a session without its user or token hash), every
// signup that answered 201 logs in with its password, every session cookie a 2xx handed out
// still works, and every user row the storm left (a signup in flight at the kill may or may
// not have landed) is whole: it logs in with the password it was created with.
// Two rounds: the restarted server is stormed and killed again, and restarted once more.
// Figures: one "ROBUSTNESS {json}" line.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { api, CookieJar } from '../support/http.mjs';
import {
  assertCleanResponses, browser, dialect, makeWebRoot, signup, sleep, sql, startTestServer, tempDir, uniq, waitFor,
} from '../support/fixtures.mjs';
import { databaseOf, isPostgresUrl } from '../support/server.mjs';
import {
  halfWrittenRows, mapLimit, outcomes, printFigures, startStorm, storeIntegrity, tokenHashOf,
} from '../support/storm.mjs';

const CONCURRENCY = 16;
const ROUNDS = 2;

/** Backends of the dead server still connected to its PostgreSQL database (none for SQLite). */
function leftoverBackends(dataDir) {
  const url = databaseOf(dataDir);
  if (!isPostgresUrl(url)) return [];
  return sql(dataDir, 'SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = \'client backend\'');
}

test('kill -9 mid-storm of signups and logins, restart on the same store: every 2xx kept, nothing half-written', async () => {
  const dir = tempDir('latchkey-crash-');
  const webRoot = makeWebRoot();
  const figures = { test: 'crash', store: dialect(), concurrency: CONCURRENCY, rounds: [] };
  const passwords = new Map(); // username -> password, every signup the storms sent
  const kept = []; // 2xx responses of every round: { op, username, password, cookie }
  let srv;
  try {
    srv = await startTestServer({ dataDir: dir, webRoot });
    // A few accounts to log into from the first moment of the storm.
    const seeded = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const u = { username: `seed${i}${uniq('c')}`.slice(0, 32), password: `seed password ${i}` };
      await signup(srv.url, await browser(srv.url), u);
      passwords.set(u.username, u.password);
      return u;
    }));
    for (let round = 0; round < ROUNDS; round += 1) {
      const users = [...seeded, ...kept.filter((r) => r.op === 'signup').map(({ username, password }) => ({ username, password }))];
      const storm = await startStorm(srv.url, { concurrency: CONCURRENCY, prefix: `c${round}`, users });
      // Kill at a random moment: once 6-20 signups answered 201 and 3-12 logins 200, plus 0-300 ms.
      const want = { signups: 6 + randomInt(15), logins: 3 + randomInt(10) };
      const reached = await waitFor(() => (storm.count('signup', 201) >= want.signups && storm.count('login', 200) >= want.logins) || srv.exitStatus(),
        { timeoutMs: 30000, intervalMs: 5 });
      assert.ok(reached && !srv.exitStatus(), `round ${round}: ${JSON.stringify(want)} answered before the kill (${JSON.stringify(outcomes(storm.records))}, server ${JSON.stringify(srv.exitStatus())})`);
      await sleep(randomInt(300));
      const exited = new Promise((r) => srv.proc.once('exit', (code, signal) => r({ code, signal })));
      storm.stop();
      const inFlightAtKill = storm.inFlight;
      const killedAt = performance.now();
      srv.proc.kill('SIGKILL');
      const exit = await exited;
      assert.equal(exit.signal, 'SIGKILL');
      await storm.done;
      await srv.cleanup();
      const checksT0 = performance.now();

      for (const r of storm.records) if (r.op === 'signup') passwords.set(r.username, r.password);
      const problems = [];
      for (const r of storm.records) {
        if (r.status >= 500) problems.push(`${r.op} ${r.username}: ${r.status} ${r.text}`);
        else if (r.status !== undefined && !(r.op === 'signup' ? [201] : [200]).includes(r.status)) problems.push(`${r.op} ${r.username}: unexpected ${r.status} ${r.text}`);
        else if (r.error && r.t0 < killedAt && r.t1 < killedAt) problems.push(`${r.op} ${r.username}: failed before the kill: ${r.error}`);
        if (r.status === 201 || r.status === 200) {
          if (!r.cookie) problems.push(`${r.op} ${r.username}: ${r.status} without a session cookie`);
          kept.push(r);
        }
      }
      assert.deepEqual(problems, [], `round ${round}: the storm before the kill`);

      // The store as the crash left it, before any server opens it again.
      const crashed = storeIntegrity(dir);
      assert.deepEqual(crashed.problems, [], `round ${round}: integrity right after the kill (${crashed.kind})`);
      const leftovers = await waitFor(() => leftoverBackends(dir).length === 0, { timeoutMs: 10000, intervalMs: 100 });
      assert.ok(leftovers, `round ${round}: the dead server's database sessions are gone: ${JSON.stringify(leftoverBackends(dir))}`);
      const half = halfWrittenRows(dir, { noLogouts: true });
      assert.deepEqual(half.problems, [], `round ${round}: no half-written rows right after the kill`);

      const restartT0 = performance.now();
      srv = await startTestServer({ dataDir: dir, webRoot });
      const restartMs = performance.now() - restartT0;

      // Every 2xx of this and the earlier rounds: its write is there.
      const rows = halfWrittenRows(dir, { noLogouts: true });
      assert.deepEqual(rows.problems, [], `round ${round}: no half-written rows after the restart`);
      const names = new Set(rows.users.map((u) => u.username));
      const hashes = new Set(rows.sessions.map((s) => s.token_hash));
      const lost = [];
      for (const r of kept) {
        if (r.op === 'signup' && !names.has(r.username)) lost.push(`signup ${r.username} answered 201 but its user is gone`);
        if (!hashes.has(tokenHashOf(r.cookie))) lost.push(`${r.op} ${r.username} answered ${r.status} but its session row is gone`);
      }
      assert.deepEqual(lost, [], `round ${round}: no acknowledged write lost`);
      // Users that the storm did not send are not there; the ones it did are whole.
      const strangers = rows.users.filter((u) => !passwords.has(u.username)).map((u) => u.username);
      assert.deepEqual(strangers, [], 'only users the storms signed up');
      const acked = new Set([...seeded.map((u) => u.username), ...kept.filter((r) => r.op === 'signup').map((r) => r.username)]);
      const landedUnacked = rows.users.filter((u) => !acked.has(u.username)).length;

      // Every session cookie a 2xx handed out still opens the session on the new server.
      const cookieChecks = await mapLimit(kept, 8, async (r) => {
        const res = await api(srv.url, new CookieJar([['latchkey_session', r.cookie]]), 'GET', '/api/auth');
        return res.status === 200 && res.body?.user?.username === r.username ? null : `${r.op} ${r.username}: GET /api/auth ${res.status} ${res.text}`;
      });
      assert.deepEqual(cookieChecks.filter(Boolean), [], `round ${round}: every 2xx session survives the crash`);
      // Every user row logs in with the password it was signed up with: none is half-written,
      // whether its signup answered 201 or was in flight at the kill.
      const jar = await browser(srv.url);
      const logins = await mapLimit(rows.users, 8, async (u) => {
        const j = new CookieJar([['latchkey_csrf', jar.get('latchkey_csrf')]]);
        j.csrfToken = jar.csrfToken;
        const res = await api(srv.url, j, 'POST', '/api/auth/login', { json: { username: u.username, password: passwords.get(u.username) }, timeoutMs: 30000 });
        return res.status === 200 ? null : `${u.username}: login ${res.status} ${res.text}`;
      });
      assert.deepEqual(logins.filter(Boolean), [], `round ${round}: every user logs in after the restart`);

      const after = storeIntegrity(dir);
      assert.deepEqual(after.problems, [], `round ${round}: integrity after the restart (${after.kind})`);
      const counts = outcomes(storm.records);
      figures.rounds.push({
        kill_after_ms: Math.round(killedAt - storm.records[0].t0),
        signups_201: counts.signup['201'] || 0,
        logins_200: counts.login['200'] || 0,
        in_flight_at_kill: inFlightAtKill,
        failed_at_kill: (counts.signup.error || 0) + (counts.login.error || 0),
        unacknowledged_signups_landed: landedUnacked,
        users_after: rows.users.length,
        sessions_after: rows.sessions.length,
        restart_ms: Math.round(restartMs),
        checks_ms: Math.round(performance.now() - checksT0),
        integrity: crashed.kind,
      });
    }
    printFigures(figures);
  } finally {
    await srv?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
  }
});

test('no response in this file was a 5xx or leaked a secret', () => {
  assertCleanResponses();
});
