// Several `latchkey serve` nodes on one PostgreSQL database (issue 5): sessions made on one node
// work on the others (one shared --secret-file); a logout, revoke or password change on one node
// ends the session on every node within 1 s even where it was cached (LISTEN/NOTIFY); racing
// signups of one username; throttling counted across nodes; simultaneous start-up on an empty
// database; and a database outage (a private cluster killed and resumed): 503 JSON, the process
// stays up, and it recovers by itself.
//
// Needs LATCHKEY_TEST_PG_URL_FILE or LATCHKEY_TEST_PG_URL (ctest: fixture `pg`); the outage
// test starts its own cluster with scripts/pg-cluster.sh.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from '../support/http.mjs';
import { psql, runLatchkey } from '../support/server.mjs';
import {
  api, assertError, browser, createTestDatabase, dialect, listSessions, login, PASSWORD, sessionCookieOf, signup,
  jarWithSession, sleep, sql, startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const NO_PG = dialect() !== 'postgres' && 'needs PostgreSQL: set LATCHKEY_TEST_PG_URL_FILE or LATCHKEY_TEST_PG_URL';
const PROPAGATION_MS = 1000;

let keyDir; // holds the nodes' shared secret file
let secretFile;
let shared; // createTestDatabase() of the three main nodes
let nodes = []; // three nodes on `shared`, relaxed throttling

/** A secret file as the operator makes it: `latchkey keys rotate --secret-file F`. */
function makeSecretFile(file) {
  const r = runLatchkey(['keys', 'rotate', '--secret-file', file]);
  assert.equal(r.status, 0, `keys rotate: ${r.output}`);
}

/** n nodes started at the same time on database `db` with the shared secret file. */
async function startNodes(n, { db, throttle = false, args = [] }) {
  const started = await Promise.allSettled(Array.from({ length: n }, () => startTestServer({
    db, throttle, args: ['--secret-file', secretFile, ...args],
  })));
  const up = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
  const failed = started.filter((r) => r.status === 'rejected');
  if (failed.length) {
    await Promise.all(up.map((s) => s.cleanup()));
    throw failed[0].reason;
  }
  return up;
}

/**
 * Polls GET /api/auth with `cookie` on `node` every 50 ms until it answers 401; only 200 (still
 * valid) may come before. Returns the ms from `since` to the 401; fails after PROPAGATION_MS.
 */
async function msUntilLoggedOut(node, cookie, since, label) {
  const seen = [];
  for (;;) {
    const res = await api(node.url, jarWithSession(cookie), 'GET', '/api/auth');
    const ms = performance.now() - since;
    if (res.status === 401) {
      assertError(res, 401);
      return ms;
    }
    assert.equal(res.status, 200, `${label}: only 200 or 401 expected: ${res.status} ${res.text}`);
    seen.push(Math.round(ms));
    assert.ok(ms < PROPAGATION_MS, `${label}: still 200 on the caching node after ${Math.round(ms)} ms (polls at ${seen.join(', ')} ms)`);
    await sleep(50);
  }
}

/** GET /api/auth on `node` with the jar asserting 200 twice (the second from its cache, if any). */
async function warm(node, jar) {
  for (let i = 0; i < 2; i += 1) {
    const res = await api(node.url, jar, 'GET', '/api/auth');
    assert.equal(res.status, 200, `warm-up on ${node.url}: ${res.status} ${res.text}`);
  }
}

before(async () => {
  if (NO_PG) return;
  keyDir = tempDir('latchkey-cluster-');
  secretFile = path.join(keyDir, 'shared-secret.key');
  makeSecretFile(secretFile);
  shared = createTestDatabase();
  nodes = await startNodes(3, { db: shared.url });
});

after(async () => {
  await Promise.all(nodes.map((s) => s.cleanup()));
  await shared?.drop();
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
});

test('a session made on node 1 works on nodes 2 and 3 (shared key file); a name change shows everywhere within 1 s', { skip: NO_PG }, async (t) => {
  const [n1, n2, n3] = nodes;
  const jar = await browser(n1.url); // page (CSRF cookie and token) from node 1
  const username = uniq('mn');
  const s = await signup(n1.url, jar, { username, name: 'Node One' });
  const user = s.body.user;
  for (const [i, n] of nodes.entries()) {
    const res = await api(n.url, jar, 'GET', '/api/auth');
    assert.equal(res.status, 200, `node ${i + 1}: ${res.text}`);
    assert.deepEqual(res.body.user, user, `node ${i + 1} sees the same user`);
  }
  // A state-changing call on node 2 with node 1's CSRF token; nodes 1 and 3 have it cached.
  const patched = await api(n2.url, jar, 'PATCH', '/api/auth/user', { json: { name: 'Renamed on two' } });
  assert.equal(patched.status, 200, `PATCH on node 2 with node 1's CSRF token: ${patched.text}`);
  const since = performance.now();
  for (const [label, n] of [['node 1', n1], ['node 3', n3]]) {
    for (;;) {
      const res = await api(n.url, jar, 'GET', '/api/auth');
      assert.equal(res.status, 200, res.text);
      if (res.body.user.name === 'Renamed on two') break;
      assert.ok(performance.now() - since < PROPAGATION_MS, `${label} still shows the old name after ${PROPAGATION_MS} ms`);
      await sleep(50);
    }
  }
  t.diagnostic(`name change visible on nodes 1 and 3 after ${Math.round(performance.now() - since)} ms`);
  // A page from node 2 signs up on node 3; the session then logs out on node 1.
  const jar2 = await browser(n2.url);
  await signup(n3.url, jar2);
  const out = await api(n1.url, jar2, 'POST', '/api/auth/logout');
  assert.equal(out.status, 200, `logout on node 1 with node 2's CSRF token: ${out.text}`);
});

test('logout on node 3 ends the session on node 1, which had it cached, within 1 s', { skip: NO_PG }, async (t) => {
  const [n1, , n3] = nodes;
  const jar = await browser(n1.url);
  const cookie = sessionCookieOf(await signup(n1.url, jar));
  await warm(n1, jar);
  const out = await api(n3.url, jar, 'POST', '/api/auth/logout');
  assert.equal(out.status, 200, out.text);
  const ms = await msUntilLoggedOut(n1, cookie, performance.now(), 'logout');
  t.diagnostic(`logout on node 3 -> 401 on node 1 after ${Math.round(ms)} ms`);
  assertError(await api(nodes[1].url, jarWithSession(cookie), 'GET', '/api/auth'), 401);
});

test('revoking a session by id on node 2 ends it on node 1, which had it cached, within 1 s', { skip: NO_PG }, async (t) => {
  const [n1, n2] = nodes;
  const username = uniq('rv');
  const other = await browser(n2.url);
  await signup(n2.url, other, { username });
  const victim = await browser(n1.url);
  const cookie = sessionCookieOf(await login(n1.url, victim, username));
  await warm(n1, victim);
  const list = await listSessions(n2.url, other);
  assert.equal(list.length, 2, JSON.stringify(list));
  const target = list.find((x) => x.current === false);
  const del = await api(n2.url, other, 'DELETE', `/api/auth/sessions/${target.id}`);
  assert.equal(del.status, 200, del.text);
  const ms = await msUntilLoggedOut(n1, cookie, performance.now(), 'revoke');
  t.diagnostic(`DELETE /api/auth/sessions/{id} on node 2 -> 401 on node 1 after ${Math.round(ms)} ms`);
  assert.equal((await api(n1.url, other, 'GET', '/api/auth')).status, 200, 'the revoking session itself lives on');
});

test('a password change on node 3 ends the other sessions on node 1, which had them cached, within 1 s', { skip: NO_PG }, async (t) => {
  const [n1, n2, n3] = nodes;
  const username = uniq('pw');
  const changer = await browser(n3.url);
  await signup(n3.url, changer, { username });
  const victim = await browser(n1.url);
  const cookie = sessionCookieOf(await login(n1.url, victim, username));
  await warm(n1, victim);
  const newPassword = `new ${uniq('pass')} phrase`;
  const res = await api(n3.url, changer, 'POST', '/api/auth/password', { json: { current_password: PASSWORD, new_password: newPassword } });
  assert.equal(res.status, 200, res.text);
  const ms = await msUntilLoggedOut(n1, cookie, performance.now(), 'password change');
  t.diagnostic(`password change on node 3 -> 401 on node 1 after ${Math.round(ms)} ms`);
  assert.equal((await api(n1.url, changer, 'GET', '/api/auth')).status, 200, 'the rotated session of the changer works on node 1');
  const old = await api(n2.url, await browser(n2.url), 'POST', '/api/auth/login', { json: { username, password: PASSWORD } });
  assert.equal(old.status, 401, 'the old password no longer logs in on node 2');
  await login(n2.url, await browser(n2.url), username, newPassword);
});

test('"sign out everywhere else" and account removal on node 2 end the sessions node 1 had cached within 1 s', { skip: NO_PG }, async (t) => {
  const [n1, n2] = nodes;
  for (const action of ['revoke_others', 'remove_account']) {
    const username = uniq(action === 'revoke_others' ? 'ro' : 'ra');
    const actor = await browser(n2.url);
    await signup(n2.url, actor, { username });
    const victim = await browser(n1.url);
    const cookie = sessionCookieOf(await login(n1.url, victim, username));
    await warm(n1, victim);
    const res = action === 'revoke_others'
      ? await api(n2.url, actor, 'POST', '/api/auth/sessions/revoke_others')
      : await api(n2.url, actor, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD } });
    assert.equal(res.status, 200, `${action}: ${res.text}`);
    const ms = await msUntilLoggedOut(n1, cookie, performance.now(), action);
    t.diagnostic(`${action} on node 2 -> 401 on node 1 after ${Math.round(ms)} ms`);
  }
});

test('control: nodes do cache sessions (a row deleted behind their back stays valid on the warm node only), so the tests above measure the notifications', { skip: NO_PG }, async () => {
  const [n1, n2] = nodes;
  const jar = await browser(n1.url);
  const cookie = sessionCookieOf(await signup(n1.url, jar));
  await warm(n1, jar);
  const [mine] = (await listSessions(n1.url, jar)).filter((x) => x.current);
  // Deleted without a node knowing: no notification is sent.
  psql(shared.url, `DELETE FROM sessions WHERE id = '${mine.id}'`);
  assert.equal((await api(n2.url, jarWithSession(cookie), 'GET', '/api/auth')).status, 401, 'a node that never saw the session reads the database');
  assert.equal((await api(n1.url, jarWithSession(cookie), 'GET', '/api/auth')).status, 200, 'the warm node answers from its cache');
});

test('20 concurrent signups of one username over 3 nodes: exactly one 201, 19 x 409 field "username"', { skip: NO_PG }, async () => {
  const username = uniq('race');
  const variants = [username, username.toUpperCase(), `${username[0].toUpperCase()}${username.slice(1)}`];
  const jars = await Promise.all(Array.from({ length: 20 }, (_, i) => browser(nodes[i % 3].url)));
  const results = await Promise.all(jars.map((jar, i) => api(nodes[i % 3].url, jar, 'POST', '/api/auth/signup', {
    json: { username: variants[i % variants.length], password: PASSWORD },
  })));
  const created = results.filter((r) => r.status === 201);
  assert.equal(created.length, 1, `statuses: ${results.map((r) => r.status).join(',')}`);
  for (const r of results.filter((x) => x.status !== 201)) assertError(r, 409, { field: 'username' });
  const rows = sql(nodes[0].dataDir, `SELECT username FROM users WHERE lower(username) = lower('${username}')`);
  assert.equal(rows.length, 1, `one user row: ${JSON.stringify(rows)}`);
  const winner = jars[results.indexOf(created[0])];
  for (const n of nodes) assert.equal((await api(n.url, winner, 'GET', '/api/auth')).status, 200);
});

test('failed logins on different nodes count together: 5 spread over 3 nodes, then 429 with Retry-After on any node', { skip: NO_PG }, async () => {
  const db = createTestDatabase();
  let trio = [];
  try {
    trio = await startNodes(3, { db: db.url, throttle: true, args: ['--login-free-failures', '5'] });
    const username = uniq('th');
    const jar = await browser(trio[0].url);
    await signup(trio[0].url, jar, { username });
    // The 1 s lock counts from the 5th attempt in whole seconds: start just after a second
    // begins so that the checks below do not straddle a boundary.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    for (let i = 0; i < 5; i += 1) {
      const n = trio[i % 3];
      const res = await api(n.url, jar, 'POST', '/api/auth/login', { json: { username, password: 'not the password' } });
      assertError(res, 401);
    }
    for (const n of [trio[2], trio[0]]) {
      const res = await api(n.url, jar, 'POST', '/api/auth/login', { json: { username, password: PASSWORD } });
      assertError(res, 429);
      const retry = Number(res.headers['retry-after']);
      assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After: ${res.headers['retry-after']}`);
    }
  } finally {
    await Promise.all(trio.map((s) => s.cleanup()));
    await db.drop();
  }
});

test('three nodes started at the same time on a fresh empty database all come up; each migration ran once', { skip: NO_PG }, async () => {
  const db = createTestDatabase();
  let trio = [];
  try {
    trio = await startNodes(3, { db: db.url });
    const rows = sql(trio[0].dataDir, 'SELECT version, count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version');
    assert.ok(rows.length >= 3, `migrations recorded: ${JSON.stringify(rows)}`);
    // TEMPORARY, branch operator only: 5 is main's throttling migration, not on this branch. At
    // the merge put back `{ version: i + 1, n: 1 }` (this one then fails: 5 is there).
    const versions = [1, 2, 3, 4, 6];
    rows.forEach((r, i) => assert.deepEqual(r, { version: versions[i], n: 1 }, `each version once, none missing: ${JSON.stringify(rows)}`));
    const username = uniq('up');
    await signup(trio[1].url, await browser(trio[1].url), { username });
    for (const n of trio) await login(n.url, await browser(n.url), username);
  } finally {
    await Promise.all(trio.map((s) => s.cleanup()));
    await db.drop();
  }
});

test('with PostgreSQL a node refuses to start without the key file it must share (no key is made up)', { skip: NO_PG }, () => {
  const dir = tempDir('latchkey-nokey-');
  try {
    const missing = path.join(dir, 'no-such.key');
    const r = runLatchkey(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--db', shared.url, '--secret-file', missing,
      '--web-root', nodes[0].webRoot]);
    assert.equal(r.status, 2, `exit status 2 (docs/DEPLOYMENT.md): ${r.output}`);
    assert.ok(r.output.includes(missing), `names the missing file: ${r.output}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Outage: a cluster of the test's own, killed (immediate shutdown) and started again.

// docs/DEPLOYMENT.md, "When the database goes away".
const UNAVAILABLE = 'The service is temporarily unavailable';

const pgCluster = (cmd, dir) => execFileSync(path.join(repoRoot, 'scripts', 'pg-cluster.sh'), [cmd, dir], { encoding: 'utf8', timeout: 60000 }).trim();

/**
 * Requests `path` until it answers `status` (only `before` statuses may come first); each
 * request and the whole wait end at `deadline` (performance.now() ms). -> the response.
 */
async function until(srv, jar, method, path, { status, before = [], deadline, json }) {
  const seen = [];
  for (;;) {
    const left = deadline - performance.now();
    assert.ok(left > 0, `${method} ${path}: no ${status} in time (saw ${seen.join(', ') || 'nothing'})`);
    let res;
    try {
      res = await api(srv.url, jar, method, path, { json, timeoutMs: left });
    } catch (e) {
      assert.fail(`${method} ${path}: no answer (${e.message}); saw ${seen.join(', ')}`);
    }
    if (res.status === status) return res;
    assert.ok(before.includes(res.status), `${method} ${path}: ${res.status} ${res.text} (expected ${status})`);
    seen.push(res.status);
    await sleep(100);
  }
}

test('database outage: 503 JSON within 6 s (the node stays up, /healthz 200, the session is not dropped); recovers by itself within 10 s', { skip: NO_PG }, async (t) => {
  const dir = tempDir('latchkey-pg-outage-');
  let srv;
  try {
    const url = pgCluster('start', dir);
    srv = await startTestServer({ db: url, args: ['--secret-file', secretFile] });
    const jar = await browser(srv.url);
    const username = uniq('out');
    await signup(srv.url, jar, { username });
    await warm(srv, jar);
    const ready = await request(srv.url, 'GET', '/readyz');
    assert.equal(ready.status, 200, ready.text);
    assert.deepEqual(JSON.parse(ready.text), { status: 'ready' });

    pgCluster('kill', dir);
    const killedAt = performance.now();
    // Answered from a cache until the node notices: 200 may come first, never 401 or a hang.
    const auth = await until(srv, jar, 'GET', '/api/auth', { status: 503, before: [200], deadline: killedAt + 6000 });
    assertError(auth, 503, { error: UNAVAILABLE });
    t.diagnostic(`GET /api/auth -> 503 ${Math.round(performance.now() - killedAt)} ms after the kill`);
    const readyAt = performance.now();
    const notReady = await until(srv, null, 'GET', '/readyz', { status: 503, before: [200], deadline: readyAt + 6000 });
    assertError(notReady, 503, { error: 'The database is unavailable', code: 'storage_unavailable' });
    t.diagnostic(`GET /readyz -> 503 after ${Math.round(performance.now() - readyAt)} ms`);
    const loginAt = performance.now();
    const loginRes = await until(srv, await browser(srv.url), 'POST', '/api/auth/login', {
      status: 503, deadline: loginAt + 6000, json: { username, password: PASSWORD },
    });
    assertError(loginRes, 503, { error: UNAVAILABLE });
    const again = await until(srv, jar, 'GET', '/api/auth', { status: 503, deadline: performance.now() + 6000 });
    assertError(again, 503, { error: UNAVAILABLE });
    assert.equal(srv.exitStatus(), null, `the node is still running: ${srv.logs().slice(-2000)}`);
    const health = await request(srv.url, 'GET', '/healthz');
    assert.equal(health.status, 200, `liveness stays 200 during the outage: ${health.text}`);

    pgCluster('resume', dir);
    const resumedAt = performance.now();
    const back = await until(srv, null, 'GET', '/readyz', { status: 200, before: [503], deadline: resumedAt + 10000 });
    assert.deepEqual(JSON.parse(back.text), { status: 'ready' });
    const session = await until(srv, jar, 'GET', '/api/auth', { status: 200, before: [503], deadline: resumedAt + 10000 });
    assert.equal(session.body.user.username, username, 'the session survived the outage');
    t.diagnostic(`ready and the session back ${Math.round(performance.now() - resumedAt)} ms after the resume`);
    await login(srv.url, await browser(srv.url), username);
    assert.equal(srv.exitStatus(), null);
  } finally {
    await srv?.cleanup();
    try {
      pgCluster('stop', dir);
    } catch (e) {
      t.diagnostic(`pg-cluster.sh stop: ${e.message}`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
