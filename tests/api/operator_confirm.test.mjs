// Issue 18: an operator's action takes effect when the command returns. `latchkey user
// disable`, `user delete`, `user set-password` and `session revoke` wait until every server
// running on the database has applied the change (feed_nodes, docs/OPERATIONS.md), and say so.
// The moment the command exits 0, the very next request with the old session -- a write: a
// profile change -- is refused with 401 `session_ended`, in 20 rounds (the change feed's 250 ms
// poll on SQLite would be hit in nearly every one without the wait); with two servers on one
// database both have applied it; with none running the command returns at once and says so;
// a server stopped (SIGSTOP) while the command waits is not waited for past 3 s, and once
// resumed it serves nothing stale (its cache's lease ran out). Runs on SQLite and
// (api_tests_postgres) PostgreSQL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { latchkeyBin } from '../support/server.mjs';
import {
  api, browser, createTestDatabase, dialect, listSessions, makeWebRoot, signup, startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

const ROUNDS = 20;
const cleanups = [];
let work; // the commands' working directory and web root (its common-password list)
let srv;

before(async () => {
  work = tempDir('latchkey-confirm-');
  makeWebRoot(work);
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  srv = await startTestServer();
  cleanups.push(() => srv.cleanup());
});
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/**
 * `latchkey <args>` against `on`'s database ({ db, dataDir }) as a child process, without
 * blocking the event loop. -> { status, stdout, stderr, ms } once it has exited.
 */
function cli(args, on, input) {
  const extra = args[1] === 'set-password' ? ['--password-stdin', '--web-root', work] : [];
  const argv = [...args, ...extra, '--data-dir', on.dataDir, '--db', on.db];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(latchkeyBin(), argv, { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - start }));
    child.stdin.end(input ?? '');
  });
}

/** A user signed up on `server` whose session `server` has served twice (so cached). */
async function cachedSession(server, username = uniq('op')) {
  const jar = await browser(server.url);
  await signup(server.url, jar, { username });
  for (let i = 0; i < 2; i += 1) {
    assert.equal((await api(server.url, jar, 'GET', '/api/auth')).status, 200);
  }
  return { username, jar };
}

/** A profile change with `jar` on `server`: must be refused as a session that ended. */
async function assertWriteRefused(server, jar, label) {
  const res = await api(server.url, jar, 'PATCH', '/api/auth/user', { json: { name: 'Renamed After' } });
  assert.equal(res.status, 401, `${label}: the profile change right after the command: ${res.status} ${res.text}`);
  assert.equal(JSON.parse(res.text).code, 'session_ended', label);
}

/** The command for round i, acting on `u` (a user with a cached session on the server). */
async function operatorAction(i, u, on) {
  switch (i % 4) {
    case 0: return { what: 'user disable', r: await cli(['user', 'disable', u.username], on) };
    case 1: return { what: 'user delete', r: await cli(['user', 'delete', u.username, '--yes'], on) };
    case 2: return { what: 'user set-password', r: await cli(['user', 'set-password', u.username], on, 'a fresh operator passphrase\n') };
    default: {
      const id = (await listSessions(on.url, u.jar)).find((s) => s.current).id;
      return { what: 'session revoke', r: await cli(['session', 'revoke', id], on) };
    }
  }
}

const waitedMs = (stdout) => Number(/ in (\d+) ms/.exec(stdout)?.[1]);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

test(`${ROUNDS} rounds: the request right after the command exits is refused (disable, delete, set-password, revoke)`, async () => {
  const waited = [];
  const took = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const u = await cachedSession(srv);
    const { what, r } = await operatorAction(i, u, srv);
    // Nothing but synchronous checks between the exit and the request.
    assert.equal(r.status, 0, `${what}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /; applied by 1 running server in \d+ ms\n$/, what);
    assert.equal(r.stderr, '', what);
    await assertWriteRefused(srv, u.jar, `round ${i} ${what}`);
    waited.push(waitedMs(r.stdout));
    took.push(r.ms);
  }
  console.log(`# ${dialect()}: the command waited for the server: median ${median(waited)} ms, max ${Math.max(...waited)} ms;`
    + ` whole command median ${Math.round(median(took))} ms`);
});

test('two servers on one database: the command waits for both, and both refuse at once', async () => {
  // The second server on the first one's data dir (its secret key) and database.
  const second = await startTestServer({ dataDir: srv.dataDir, db: srv.db });
  try {
    for (let i = 0; i < 4; i += 1) {
      const u = await cachedSession(srv);
      for (let k = 0; k < 2; k += 1) assert.equal((await api(second.url, u.jar, 'GET', '/api/auth')).status, 200);
      const { what, r } = await operatorAction(i, u, srv);
      assert.equal(r.status, 0, `${what}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /; applied by 2 running servers in \d+ ms\n$/, what);
      await Promise.all([assertWriteRefused(srv, u.jar, `${what} first`), assertWriteRefused(second, u.jar, `${what} second`)]);
    }
  } finally {
    await second.cleanup();
  }
  // The second stopped cleanly: its row is gone, the next command waits for one server.
  const u = await cachedSession(srv);
  const r = await cli(['user', 'disable', u.username], srv);
  assert.match(r.stdout, /; applied by 1 running server in \d+ ms\n$/);
});

test('no server running: the command returns at once and says so', async () => {
  const dataDir = tempDir('latchkey-confirm-none-');
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let db = `sqlite:${path.join(dataDir, 'latchkey.db')}`;
  if (dialect() === 'postgres') {
    const d = createTestDatabase();
    cleanups.push(() => d.drop());
    db = d.url;
  }
  const on = { db, dataDir };
  // A server that ran on it and stopped cleanly leaves no row behind.
  const once = await startTestServer({ dataDir, db });
  const u = await cachedSession(once);
  await once.cleanup();
  const r = await cli(['user', 'disable', u.username], on);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${u.username} disabled; its sessions ended; no server running\n`);
  assert.ok(r.ms < 3000, `returned after ${Math.round(r.ms)} ms`);
  const again = await cli(['user', 'disable', u.username], on);
  assert.equal(again.stdout, `${u.username} was already disabled\n`, 'nothing changed: nothing to wait for');
});

test('a server stopped while the command waits: not waited for past the lease, and stale nothing once resumed', async () => {
  const u = await cachedSession(srv);
  srv.proc.kill('SIGSTOP');
  let r;
  try {
    r = await cli(['user', 'disable', u.username], srv);
  } finally {
    srv.proc.kill('SIGCONT');
  }
  await assertWriteRefused(srv, u.jar, 'resumed after the lease');  // the very first request
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`; applied by 0 running servers in \\d+ ms; 1 stopped or stalled meanwhile \\(\\S+ pid ${srv.proc.pid}: serves nothing from a cache\\)\\n$`));
  assert.ok(r.ms < 5000, `the command took ${Math.round(r.ms)} ms`);
  // Resumed, it confirms again: the next command waits for it.
  const v = await cachedSession(srv);
  const next = await cli(['user', 'disable', v.username], srv);
  assert.match(next.stdout, /; applied by 1 running server in \d+ ms\n$/);
});
