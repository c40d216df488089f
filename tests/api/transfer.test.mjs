// Moving users between databases: `latchkey export` (JSON lines: username, name,
// password_hash, created_at) from a SQLite data dir, `latchkey import` into a fresh database:
// PostgreSQL when the run has one (LATCHKEY_TEST_PG_URL_FILE), else a second SQLite data dir.
// Imported users log in with their old passwords; a second import skips them; a malformed
// line stops the import (exit 2, naming the line) before anything is written.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runLatchkey } from '../support/server.mjs';
import {
  api, assertCleanResponses, browser, createTestDatabase, dialect, login, pgRows, rfc3339Sec, signup, sql,
  startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

const cleanups = [];
let work; // the commands' working directory (nothing may land in the repository)
let sourceDir; // the SQLite data dir exported from
let sourceDb; // sqlite:<sourceDir>/latchkey.db
let users; // [{ username, name, password, hash, created_at }], in signup order
let exported; // `latchkey export` stdout

const NAMES = ['Ada Lovelace', 'Zoë Ünïcode 名前', ''];
const PASSWORDS = ['first transfer password', 'second transfer pässword', 'bcrypt transfer password'];

const run = (args, opts = {}) => runLatchkey(args, { cwd: work, timeoutMs: 30000, ...opts });

/** A fresh, empty target database: { db (URL), serverOpts (for startTestServer), users() }. */
function newTarget() {
  if (dialect() === 'postgres') {
    const d = createTestDatabase();
    cleanups.push(() => d.drop());
    return { db: d.url, serverOpts: { db: d.url }, users: () => pgRows(d.url, 'SELECT username, name, password_hash, created_at FROM users ORDER BY username') };
  }
  const dir = tempDir('latchkey-import-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return {
    db: `sqlite:${path.join(dir, 'latchkey.db')}`,
    serverOpts: { dataDir: dir, db: 'sqlite' },
    users: () => sql(dir, 'SELECT username, name, password_hash, created_at FROM users ORDER BY username'),
  };
}

before(async () => {
  work = tempDir('latchkey-transfer-cwd-');
  sourceDir = tempDir('latchkey-export-');
  cleanups.push(() => rmSync(work, { recursive: true, force: true }), () => rmSync(sourceDir, { recursive: true, force: true }));
  sourceDb = `sqlite:${path.join(sourceDir, 'latchkey.db')}`;
  users = NAMES.map((name, i) => ({ username: uniq(`tr${i}`), name, password: PASSWORDS[i] }));
  // Two argon2id users, then a restart with --password-hash bcrypt for the third.
  const a = await startTestServer({ dataDir: sourceDir, db: 'sqlite' });
  try {
    for (const u of users.slice(0, 2)) await signup(a.url, await browser(a.url), u);
  } finally {
    await a.cleanup();
  }
  const b = await startTestServer({ dataDir: sourceDir, db: 'sqlite', args: ['--password-hash', 'bcrypt'] });
  try {
    await signup(b.url, await browser(b.url), users[2]);
  } finally {
    await b.cleanup();
  }
  for (const u of users) {
    const [row] = sql(sourceDir, `SELECT password_hash, created_at FROM users WHERE username = '${u.username}'`);
    u.hash = row.password_hash;
    u.created_at = row.created_at;
  }
  assert.match(users[0].hash, /^\$argon2id\$/);
  assert.match(users[2].hash, /^\$(2[aby]|bcrypt)/, 'the third user has a bcrypt hash');
  const r = run(['export', '--db', sourceDb]);
  assert.equal(r.status, 0, `export: ${r.output}`);
  exported = r.stdout;
});

after(() => {
  for (const c of cleanups.reverse()) {
    try { c(); } catch { /* keep cleaning */ }
  }
});

test('export: one JSON object per line with exactly username, name, password_hash, created_at', () => {
  const lines = exported.split('\n');
  assert.equal(lines.pop(), '', 'the output ends with a newline');
  assert.equal(lines.length, 3, `one line per user: ${exported}`);
  const byName = new Map(lines.map((l) => JSON.parse(l)).map((o) => [o.username, o]));
  for (const u of users) {
    const o = byName.get(u.username);
    assert.ok(o, `${u.username} exported`);
    assert.deepEqual(Object.keys(o).sort(), ['created_at', 'name', 'password_hash', 'username']);
    assert.equal(o.name, u.name);
    assert.equal(o.password_hash, u.hash, 'the stored hash, unchanged');
    assert.equal(rfc3339Sec(o.created_at), Number(u.created_at), 'created_at as RFC 3339 UTC');
  }
  assert.ok(!exported.includes(PASSWORDS[0]) && !exported.includes(PASSWORDS[2]), 'no password in the export');
});

test('export --output FILE writes the same lines to an owner-only file, nothing on stdout', () => {
  const file = path.join(work, 'users.jsonl');
  const r = run(['export', '--db', sourceDb, '--output', file]);
  assert.equal(r.status, 0, r.output);
  assert.equal(readFileSync(file, 'utf8'), exported);
  assert.equal(r.stdout, '', 'stdout stays empty with --output');
  assert.equal((statSync(file).mode & 0o777).toString(8), '600', 'password hashes: mode 0600');
});

test('export --data-dir DIR (no --db) reads <DIR>/latchkey.db: the same lines', () => {
  const r = run(['export', '--data-dir', sourceDir]);
  assert.equal(r.status, 0, r.output);
  assert.equal(r.stdout, exported);
});

test(`import into a fresh ${dialect() === 'postgres' ? 'PostgreSQL database' : 'SQLite data dir'}: 3 imported, then 3 skipped; users log in with their passwords`, async () => {
  const file = path.join(work, 'import.jsonl');
  run(['export', '--db', sourceDb, '--output', file]);
  const target = newTarget();
  const first = run(['import', '--db', target.db, '--input', file]);
  assert.equal(first.status, 0, first.output);
  assert.match(first.stdout, /imported 3 users, skipped 0\b/, first.output);
  const again = run(['import', '--db', target.db], { input: exported });
  assert.equal(again.status, 0, again.output);
  assert.match(again.stdout, /imported 0 users, skipped 3\b/, again.output);
  // Usernames are unique without regard to case: an upper-cased copy is skipped too.
  const upper = exported.split('\n')[0].replace(/"username":"([^"]+)"/, (_, n) => `"username":"${n.toUpperCase()}"`);
  const caseCopy = run(['import', '--db', target.db], { input: `${upper}\n` });
  assert.equal(caseCopy.status, 0, caseCopy.output);
  assert.match(caseCopy.stdout, /imported 0 users, skipped 1\b/, caseCopy.output);

  const rows = target.users();
  const want = [...users].sort((x, y) => (x.username < y.username ? -1 : 1))
    .map((u) => ({ username: u.username, name: u.name, password_hash: u.hash, created_at: Number(u.created_at) }));
  assert.deepEqual(rows.map((r) => ({ ...r, created_at: Number(r.created_at) })), want, 'exactly the exported users, hashes and times kept');

  const srv = await startTestServer(target.serverOpts);
  try {
    for (const u of users) {
      const jar = await browser(srv.url);
      const res = await login(srv.url, jar, u.username, u.password);
      assert.equal(res.body.user.username, u.username);
      assert.equal(res.body.user.name, u.name);
      const me = await api(srv.url, jar, 'GET', '/api/auth');
      assert.equal(me.status, 200, me.text);
      const wrong = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/login', { json: { username: u.username, password: `${u.password}!` } });
      assert.equal(wrong.status, 401, `a wrong password is still refused for ${u.username}`);
    }
    const taken = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/signup', { json: { username: users[0].username, password: 'some other password' } });
    assert.equal(taken.status, 409, `imported usernames are taken: ${taken.text}`);
  } finally {
    await srv.cleanup();
  }
  assertCleanResponses();
});

test('import: a malformed line -> exit 2 naming the line, nothing imported', () => {
  const target = newTarget();
  const m = run(['migrate', '--db', target.db]);
  assert.equal(m.status, 0, `migrate: ${m.output}`);
  const good = exported.split('\n').filter(Boolean);
  const obj = good.map((l) => JSON.parse(l));
  const cases = [
    ['not JSON', 2, [good[0], '{"username": "broken", ', good[1]]],
    ['a field missing', 3, [good[0], good[1], JSON.stringify({ username: obj[2].username, name: obj[2].name, password_hash: obj[2].password_hash })]],
    ['a password_hash no hash format', 1, [JSON.stringify({ ...obj[0], password_hash: 'plain text password' }), good[1], good[2]]],
    ['an invalid username', 2, [good[0], JSON.stringify({ ...obj[1], username: 'no spaces allowed' }), good[2]]],
    ['created_at not a time', 3, [good[0], good[1], JSON.stringify({ ...obj[2], created_at: 'yesterday' })]],
  ];
  for (const [what, line, lines] of cases) {
    const r = run(['import', '--db', target.db], { input: `${lines.join('\n')}\n` });
    assert.equal(r.status, 2, `${what}: exit status 2 (${r.output})`);
    assert.match(r.output, new RegExp(`\\bline ${line}\\b`), `${what}: the message names line ${line}: ${r.output}`);
    assert.deepEqual(target.users(), [], `${what}: nothing imported, not even the good lines`);
  }
  // The failed runs left nothing behind: every user imports now.
  const r = run(['import', '--db', target.db], { input: exported });
  assert.equal(r.status, 0, r.output);
  assert.match(r.stdout, /imported 3 users, skipped 0\b/, r.output);
});

test('the commands given --db write nothing else: no ./data appears in their working directory', () => {
  // migrate, export and import above ran in `work` with --db (and once --data-dir DIR): the
  // only files there are the ones the tests asked for.
  assert.deepEqual(readdirSync(work).sort(), ['import.jsonl', 'users.jsonl']);
});
