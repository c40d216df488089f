// Graceful shutdown under load (issue 7), beyond shutdown.test.mjs (a few logins of one user):
// SIGTERM in the middle of a storm of signups and logins that goes on after the signal. The
// process exits 0 well within --shutdown-grace, the requests in flight at the signal are
// answered, the ones sent after it are refused (connection refused or closed, never a 5xx),
// and every request that got a 2xx has its write in the database, after the exit and on a
// restart (its session cookie works, its user logs in). Then the bound: with --shutdown-grace
// 1s and about 3.5 s of password hashing queued (sized by a measured hash rate), the logins
// that complete within the grace are answered, the rest lose their connection (never a 5xx),
// the process exits within about the grace, and what was answered 2xx is kept.
// Figures: one "ROBUSTNESS {json}" line per test.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { api, CookieJar } from '../support/http.mjs';
import {
  assertCleanResponses, browser, dialect, makeWebRoot, PASSWORD, signup, sleep, startTestServer, tempDir, uniq, waitFor,
} from '../support/fixtures.mjs';
import {
  halfWrittenRows, mapLimit, outcomes, printFigures, startStorm, storeIntegrity, tokenHashOf,
} from '../support/storm.mjs';

const CONCURRENCY = 16;
const GRACE_S = 10;

/** The exit of srv's process ({ code, signal, at }), or null when it has not exited within ms. */
function exitWithin(srv, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { srv.proc.off('exit', onExit); resolve(null); }, ms);
    function onExit(code, signal) {
      clearTimeout(timer);
      resolve({ code, signal, at: performance.now() });
    }
    srv.proc.once('exit', onExit);
  });
}

/** Every 2xx record's write is in the store of dataDir: -> list of what is missing. */
function lostWrites(dataDir, acked) {
  const rows = halfWrittenRows(dataDir, { noLogouts: true });
  assert.deepEqual(rows.problems, [], 'no half-written rows');
  const names = new Set(rows.users.map((u) => u.username));
  const hashes = new Set(rows.sessions.map((s) => s.token_hash));
  const lost = [];
  for (const r of acked) {
    if (r.op === 'signup' && !names.has(r.username)) lost.push(`signup ${r.username} answered 201, no user row`);
    if (!hashes.has(tokenHashOf(r.cookie))) lost.push(`${r.op} ${r.username} answered ${r.status}, no session row`);
  }
  return { lost, rows };
}

/** On a (restarted) server: every acked cookie opens its session, every acked user logs in. */
async function ackedStillWork(url, acked) {
  const jar = await browser(url);
  const out = await mapLimit(acked, 8, async (r) => {
    const me = await api(url, new CookieJar([['latchkey_session', r.cookie]]), 'GET', '/api/auth');
    if (me.status !== 200 || me.body?.user?.username !== r.username) return `${r.op} ${r.username}: session ${me.status} ${me.text}`;
    if (r.op !== 'signup') return null;
    const j = new CookieJar([['latchkey_csrf', jar.get('latchkey_csrf')]]);
    j.csrfToken = jar.csrfToken;
    const res = await api(url, j, 'POST', '/api/auth/login', { json: { username: r.username, password: r.password }, timeoutMs: 30000 });
    return res.status === 200 ? null : `${r.username}: login ${res.status} ${res.text}`;
  });
  return out.filter(Boolean);
}

/** ms between the log lines matching `from` and `to` (their [YYYY-MM-DD HH:MM:SS.mmm] stamps), or null. */
function logGap(logs, from, to) {
  const at = (re) => {
    const line = logs.split('\n').find((l) => re.test(l));
    const m = line && line.match(/^\[(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3})\]/);
    return m ? Date.parse(`${m[1]}T${m[2]}`) : null;
  };
  const [a, b] = [at(from), at(to)];
  return a === null || b === null ? null : b - a;
}

test('SIGTERM mid-storm: in-flight requests answered, later ones refused, exit 0 within the grace, every 2xx kept', async () => {
  const dir = tempDir('latchkey-drain-');
  const webRoot = makeWebRoot();
  let srv;
  try {
    srv = await startTestServer({ dataDir: dir, webRoot, args: ['--shutdown-grace', `${GRACE_S}s`] });
    const users = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      const u = { username: uniq(`dseed${i}`), password: `seed password ${i}` };
      await signup(srv.url, await browser(srv.url), u);
      return u;
    }));
    const storm = await startStorm(srv.url, { concurrency: CONCURRENCY, prefix: 'd', users });
    const want = { signups: 5 + randomInt(10), logins: 3 + randomInt(8) };
    const reached = await waitFor(() => (storm.count('signup', 201) >= want.signups && storm.count('login', 200) >= want.logins) || srv.exitStatus(),
      { timeoutMs: 30000, intervalMs: 5 });
    assert.ok(reached && !srv.exitStatus(), `${JSON.stringify(want)} answered before the signal: ${JSON.stringify(outcomes(storm.records))}`);
    await sleep(randomInt(200));

    // The storm goes on through the signal: requests keep coming while the server drains.
    const exited = exitWithin(srv, (GRACE_S + 5) * 1000);
    const inFlightAtSignal = storm.inFlight;
    const signalAt = performance.now();
    srv.proc.kill('SIGTERM');
    const exit = await exited;
    storm.stop();
    await storm.done;
    if (!exit) srv.proc.kill('SIGKILL');
    assert.ok(exit, `exited within ${GRACE_S + 5} s of SIGTERM`);
    const drainMs = exit.at - signalAt;
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, 'exit status 0');
    assert.ok(drainMs < GRACE_S * 1000, `drained in ${drainMs.toFixed(0)} ms, within the ${GRACE_S} s grace`);
    assert.doesNotMatch(srv.logs(), /grace period over/, 'nothing had to be cut');

    const recs = storm.records;
    const problems = [];
    for (const r of recs) {
      const where = `${r.op} ${r.username} sent at ${(r.t0 - signalAt).toFixed(0)} ms, done at ${(r.t1 - signalAt).toFixed(0)} ms from the signal`;
      if (r.status >= 500) problems.push(`${where}: ${r.status} ${r.text}`);
      else if (r.status !== undefined && r.status !== (r.op === 'signup' ? 201 : 200)) problems.push(`${where}: unexpected ${r.status} ${r.text}`);
      // Sent well before the signal: accepted and read by then, so it must be answered.
      if (r.error && r.t0 < signalAt - 500) problems.push(`${where}: in flight at the signal, not answered: ${r.error}`);
      // Sent well after the signal: the listener is closed.
      if (r.status !== undefined && r.t0 > signalAt + 500) problems.push(`${where}: answered ${r.status} though sent after the listener closed`);
      if (r.error && r.t0 > signalAt && !/ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/.test(r.error)) problems.push(`${where}: ${r.error}`);
    }
    assert.deepEqual(problems, [], 'what each request got');
    const drained = recs.filter((r) => r.t0 < signalAt && r.t1 > signalAt && r.status !== undefined);
    const refused = recs.filter((r) => r.t0 > signalAt && r.error);
    assert.ok(drained.length > 0, `some requests in flight at the signal were answered during the drain (${inFlightAtSignal} in flight)`);
    assert.ok(refused.length > 0, 'requests sent during the drain were refused');

    const acked = recs.filter((r) => r.status === 200 || r.status === 201);
    for (const r of acked) assert.ok(r.cookie, `${r.op} ${r.username}: ${r.status} with a session cookie`);
    const afterExit = lostWrites(dir, acked);
    assert.deepEqual(afterExit.lost, [], 'every 2xx write is in the database after the exit');
    const integrity = storeIntegrity(dir);
    assert.deepEqual(integrity.problems, [], `store integrity after the drain (${integrity.kind})`);

    srv = await startTestServer({ dataDir: dir, webRoot });
    assert.deepEqual(await ackedStillWork(srv.url, acked), [], 'after a restart: every 2xx session works, every 201 user logs in');
    const counts = outcomes(recs);
    printFigures({
      test: 'drain',
      store: dialect(),
      concurrency: CONCURRENCY,
      grace_s: GRACE_S,
      signal_after_ms: Math.round(signalAt - recs[0].t0),
      signups_201: counts.signup['201'] || 0,
      logins_200: counts.login['200'] || 0,
      in_flight_at_signal: inFlightAtSignal,
      answered_during_drain: drained.length,
      answered_during_drain_2xx: drained.filter((r) => r.status < 300).length,
      refused_during_drain: refused.length,
      drain_ms: Math.round(drainMs),
      users_after: afterExit.rows.users.length,
      sessions_after: afterExit.rows.sessions.length,
    });
  } finally {
    await srv?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
  }
});

test('--shutdown-grace bounds the drain: work queued past the grace is cut, the process exits, nothing answered is lost', async () => {
  const dir = tempDir('latchkey-grace-');
  const webRoot = makeWebRoot();
  let srv;
  const GRACE = 1;
  const QUEUED_S = 3.5; // seconds of password hashing queued at the signal: well past the grace
  try {
    srv = await startTestServer({ dataDir: dir, webRoot, args: ['--shutdown-grace', `${GRACE}s`] });
    // Four accounts: the logins of one account in flight count towards its throttle.
    const usernames = [uniq('grace'), uniq('grace'), uniq('grace'), uniq('grace')];
    for (const username of usernames) await signup(srv.url, await browser(srv.url), { username });
    const seed = await browser(srv.url);
    const send = (n, timeoutMs) => Array.from({ length: n }, (_, i) => {
      const username = usernames[i % usernames.length];
      const j = new CookieJar([['latchkey_csrf', seed.get('latchkey_csrf')]]);
      j.csrfToken = seed.csrfToken;
      const rec = { op: 'login', username, password: PASSWORD, t0: performance.now() };
      rec.done = api(srv.url, j, 'POST', '/api/auth/login', { json: { username, password: PASSWORD }, timeoutMs })
        .then((res) => { Object.assign(rec, { status: res.status, text: res.text, cookie: j.get('latchkey_session') }); })
        .catch((e) => { rec.error = `${e.code || ''} ${e.message}`.trim(); })
        .finally(() => { rec.t1 = performance.now(); });
      return rec;
    });
    // How many logins this machine hashes per second now: queue QUEUED_S seconds of them.
    const t0 = performance.now();
    const probe = send(10, 30000);
    await Promise.all(probe.map((r) => r.done));
    for (const r of probe) assert.equal(r.status, 200, r.text || r.error);
    const perSecond = 10 / ((performance.now() - t0) / 1000);
    // At least 150: a probe on a loaded machine can read a third of the rate the server
    // reaches a moment later (7 against 45 hashes/s seen), and too few logins would all be
    // answered before the signal. More only lengthens the queue that the grace cuts.
    const logins = Math.min(400, Math.max(150, Math.ceil(perSecond * QUEUED_S)));

    const sent = send(logins, 60000);
    await sleep(400); // the server has read them all: they wait for the hashing threads
    const exited = exitWithin(srv, 60000);
    const signalAt = performance.now();
    srv.proc.kill('SIGTERM');
    const exit = await exited;
    if (!exit) srv.proc.kill('SIGKILL');
    await Promise.all(sent.map((r) => r.done));
    assert.ok(exit, 'exited within 60 s of SIGTERM');
    const exitMs = exit.at - signalAt;
    const answered = sent.filter((r) => r.status !== undefined);
    const cut = sent.filter((r) => r.error);
    const firstLogs = srv.logs();
    assert.equal(exit.signal, null, `not killed by a signal (${exit.signal})`);
    assert.equal(exit.code, 0, 'exit status 0');
    for (const r of answered) assert.equal(r.status, 200, `every answer is a 200, never a 5xx: ${r.status} ${r.text}`);
    const afterExit = lostWrites(dir, [...probe, ...answered]);
    assert.deepEqual(afterExit.lost, [], 'every 200 has its session row');
    assert.deepEqual(storeIntegrity(dir).problems, []);

    srv = await startTestServer({ dataDir: dir, webRoot });
    assert.deepEqual(await ackedStillWork(srv.url, answered), [], 'after a restart every answered login\'s session works');
    const answeredInGrace = answered.filter((r) => r.t1 >= signalAt && r.t1 <= signalAt + GRACE * 1000).length;
    const cutAt = cut.map((r) => r.t1 - signalAt).sort((a, b) => a - b);
    printFigures({
      test: 'drain-grace',
      store: dialect(),
      grace_s: GRACE,
      hashes_per_s: Number(perSecond.toFixed(1)),
      queued_logins: logins,
      answered_before_signal: answered.filter((r) => r.t1 < signalAt).length,
      answered_in_grace: answeredInGrace,
      answered_after_grace: answered.filter((r) => r.t1 > signalAt + GRACE * 1000).length,
      cut: cut.length,
      first_cut_ms: cutAt.length ? Math.round(cutAt[0]) : null,
      exit_ms: Math.round(exitMs),
      grace_over_to_exit_ms: logGap(firstLogs, /grace period over/, /server stopped/),
      sessions_after: afterExit.rows.sessions.length,
    });
    assert.ok(cut.length > 0, `the queue outlasted the grace (${answered.length} of ${logins} answered): the bound was tested`);
    assert.match(firstLogs, /grace period over/, 'the server says it cut connections');
    const badCuts = cut.filter((r) => !/ECONNRESET|socket hang up|EPIPE/.test(r.error)).map((r) => r.error);
    assert.deepEqual(badCuts, [], 'a cut request loses its connection');
    // Draining means answering what completes meanwhile: at the rate measured above, about
    // perSecond x GRACE of the queued logins are done within the grace and must be answered.
    assert.ok(answeredInGrace > 0, `some queued logins were answered within the ${GRACE} s grace (${answeredInGrace}; about ${Math.floor(perSecond * GRACE)} hashed by then)`);
    assert.ok(exitMs < GRACE * 1000 + 2000, `exited ${exitMs.toFixed(0)} ms after SIGTERM: within the ${GRACE} s grace plus 2 s`);
  } finally {
    await srv?.cleanup();
    rmSync(dir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
  }
});

test('no response in this file was a 5xx or leaked a secret', () => {
  assertCleanResponses();
});
