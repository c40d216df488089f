// Helpers of the crash, drain and race tests (tests/api/crash, drain, race): a storm of signups
// and logins with every response recorded, and whole-store consistency checks that work on
// SQLite and PostgreSQL alike (integrity of the files or pages, and no half-written row).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { api, CookieJar } from './http.mjs';
import { browser, sql, uniq } from './fixtures.mjs';
import { databaseOf, isPostgresUrl, psql, sqliteFile } from './server.mjs';

/** SHA-256 of a session token as the server stores it (token_hash: lowercase hex). */
export const tokenHashOf = (cookieValue) => createHash('sha256').update(String(cookieValue).split('.')[0]).digest('hex');

/** A "ROBUSTNESS {json}" line on stdout (scripts/test.sh collects them). */
export function printFigures(figures) {
  console.log(`ROBUSTNESS ${JSON.stringify(figures)}`);
}

const now = () => performance.now();

/**
 * A storm of signups (fresh unique usernames, each with its own password) and logins of users
 * whose signup got its 201, `concurrency` requests in flight at all times, each on its own
 * connection (agent: false) and with its own cookie jar (a copy of one of a few pre-loaded CSRF
 * cookies and tokens: no page load during the storm). Every request is recorded:
 *   { op: 'signup'|'login', username, password, t0, t1 (ms, performance.now()), status,
 *     body, cookie (the session cookie set, if any), error (message of a transport failure) }
 * stop(): no new request starts (those in flight finish or fail); done: resolves when every
 * worker has returned. loginShare: the share of logins once some users exist; users: accounts
 * ({ username, password }) that exist already, logged into from the start.
 */
export async function startStorm(base, { concurrency = 16, loginShare = 0.5, prefix = 's', timeoutMs = 20000, users = [] } = {}) {
  // A few CSRF identities, loaded before the storm (a page load is a request like any other).
  const seeds = await Promise.all(Array.from({ length: Math.min(4, concurrency) }, () => browser(base)));
  const records = [];
  const created = [...users]; // { username, password }: given, or whose signup answered 201
  let stopped = false;
  let inFlight = 0;
  const fresh = (i) => {
    const seed = seeds[i % seeds.length];
    const jar = new CookieJar([['latchkey_csrf', seed.get('latchkey_csrf')]]);
    jar.csrfToken = seed.csrfToken;
    return jar;
  };
  const one = async (worker) => {
    let rec;
    if (created.length > 0 && Math.random() < loginShare) {
      const u = created[Math.floor(Math.random() * created.length)];
      rec = { op: 'login', username: u.username, password: u.password };
    } else {
      const username = uniq(prefix);
      rec = { op: 'signup', username, password: `pw ${randomBytes(6).toString('hex')} storm` };
    }
    const jar = fresh(worker);
    const json = rec.op === 'signup'
      ? { username: rec.username, password: rec.password, name: `Storm ${rec.username}` }
      : { username: rec.username, password: rec.password };
    rec.t0 = now();
    records.push(rec);
    inFlight += 1;
    try {
      const res = await api(base, jar, 'POST', `/api/auth/${rec.op}`, { json, timeoutMs });
      rec.status = res.status;
      rec.body = res.body;
      rec.text = res.text.slice(0, 300);
      rec.cookie = jar.get('latchkey_session');
      if (rec.op === 'signup' && res.status === 201) created.push({ username: rec.username, password: rec.password });
    } catch (e) {
      rec.error = `${e.code || ''} ${e.message}`.trim();
    } finally {
      rec.t1 = now();
      inFlight -= 1;
    }
    return rec;
  };
  const worker = async (i) => {
    while (!stopped) {
      const rec = await one(i);
      // A refused connection fails at once: no busy loop while the server is gone.
      if (rec.error) await new Promise((r) => setTimeout(r, 20));
    }
  };
  const done = Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  return {
    records,
    created,
    get inFlight() { return inFlight; },
    stop() { stopped = true; },
    done,
    /** Records with this op and status. */
    count(op, status) { return records.filter((r) => r.op === op && r.status === status).length; },
  };
}

/** Counts of a storm's records by op and outcome ({signup: {201: n, error: n}, login: {...}}). */
export function outcomes(records) {
  const out = { signup: {}, login: {} };
  for (const r of records) {
    const k = r.status === undefined ? (r.error ? 'error' : 'pending') : String(r.status);
    out[r.op][k] = (out[r.op][k] || 0) + 1;
  }
  return out;
}

/**
 * The store's own integrity check, on the files or pages as they are (call it while no
 * server runs on them, or with one running: both stores allow readers):
 * SQLite: PRAGMA integrity_check and PRAGMA foreign_key_check (sqlite3 CLI, read-only);
 * PostgreSQL: amcheck's verify_heapam on every table and bt_index_check (with heapallindexed)
 * on every index of the schema (the extension is created in the test database if missing).
 * -> { kind, problems: [strings] }
 */
export function storeIntegrity(dataDir) {
  const url = databaseOf(dataDir);
  if (isPostgresUrl(url)) {
    const ofSchema = "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'";
    const problems = [];
    // bt_index_check returns void and raises an error on corruption (psql then exits non-zero).
    let counts;
    try {
      counts = psql(url, [
        'CREATE EXTENSION IF NOT EXISTS amcheck',
        `SELECT (SELECT count(*) FROM pg_class c ${ofSchema} AND c.relkind = 'r') || ' ' || count(bt_index_check(c.oid::regclass, true))
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam ${ofSchema} AND am.amname = 'btree'`,
      ]).trim().split(' ').map(Number);
    } catch (e) {
      problems.push(`bt_index_check: ${String(e.stderr || e.message).trim()}`);
      counts = [NaN, NaN];
    }
    const [tables, indexes] = counts;
    const bad = sql(dataDir, `SELECT c.relname AS name, v.blkno, v.offnum, v.msg FROM pg_class c
      CROSS JOIN LATERAL verify_heapam(c.oid::regclass, check_toast => true) v ${ofSchema} AND c.relkind = 'r'`);
    for (const b of bad) problems.push(`heap ${b.name} block ${b.blkno} offset ${b.offnum}: ${b.msg}`);
    if (!problems.length) assert.ok(tables >= 4 && indexes >= 4, `amcheck saw the schema: ${tables} tables, ${indexes} btree indexes`);
    return { kind: 'amcheck', tables, indexes, problems };
  }
  const file = sqliteFile(url);
  assert.ok(existsSync(file), `database ${file} exists`);
  const run = (pragma) => execFileSync('sqlite3', ['-readonly', '-cmd', '.timeout 5000', file, pragma], { encoding: 'utf8' }).trim();
  const integrity = run('PRAGMA integrity_check');
  const fk = run('PRAGMA foreign_key_check');
  const problems = [];
  if (integrity !== 'ok') problems.push(`PRAGMA integrity_check: ${integrity}`);
  if (fk !== '') problems.push(`PRAGMA foreign_key_check: ${fk}`);
  return { kind: 'integrity_check', problems };
}

const PASSWORD_HASH = /^(\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]{22,}\$[A-Za-z0-9+/]{43,}|\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}|\$bcrypt[-\w]*\$.{20,})$/;

/**
 * Rows that no completed write can leave behind (schema: src/store/<store>/migrations.cpp):
 * a user without a well-formed password hash or username; a session whose user is missing,
 * whose token_hash is not a SHA-256 hex digest, whose public id is not 22 base64url chars, or
 * whose times do not add up; duplicate usernames (case-insensitively) or token hashes.
 * noLogouts: nothing ended a session (a storm of signups and logins only), so every user has
 * at least the session its signup wrote with it in one transaction.
 * -> { users, sessions, problems: [strings] }
 */
export function halfWrittenRows(dataDir, { noLogouts = false } = {}) {
  const problems = [];
  const users = sql(dataDir, 'SELECT id, username, name, password_hash, created_at FROM users ORDER BY id');
  const sessions = sql(dataDir, 'SELECT id, user_id, token_hash, created_at, last_seen_at, expires_at, idle_timeout, persistent FROM sessions');
  const userIds = new Set(users.map((u) => Number(u.id)));
  for (const u of users) {
    if (typeof u.username !== 'string' || !/^[A-Za-z0-9._-]{3,32}$/.test(u.username)) problems.push(`user ${u.id}: username ${JSON.stringify(u.username)}`);
    if (typeof u.password_hash !== 'string' || !PASSWORD_HASH.test(u.password_hash)) problems.push(`user ${u.id} (${u.username}): password_hash ${JSON.stringify(String(u.password_hash).slice(0, 40))}`);
    if (!(Number(u.created_at) > 1.5e9)) problems.push(`user ${u.id}: created_at ${u.created_at}`);
    if (typeof u.name !== 'string') problems.push(`user ${u.id}: name ${u.name}`);
  }
  const perUser = new Map();
  for (const s of sessions) {
    const uid = Number(s.user_id);
    perUser.set(uid, (perUser.get(uid) || 0) + 1);
    if (!userIds.has(uid)) problems.push(`session ${s.id}: user ${s.user_id} does not exist`);
    if (typeof s.token_hash !== 'string' || !/^[0-9a-f]{64}$/.test(s.token_hash)) problems.push(`session ${s.id}: token_hash ${JSON.stringify(s.token_hash)}`);
    if (typeof s.id !== 'string' || !/^[A-Za-z0-9_-]{22}$/.test(s.id)) problems.push(`session ${JSON.stringify(s.id)}: public id`);
    const [c, l, e, idle] = [s.created_at, s.last_seen_at, s.expires_at, s.idle_timeout].map(Number);
    if (!(c > 1.5e9 && l >= c && e > c && idle > 0)) problems.push(`session ${s.id}: times created ${c} last_seen ${l} expires ${e} idle ${idle}`);
    if (![0, 1].includes(Number(s.persistent))) problems.push(`session ${s.id}: persistent ${s.persistent}`);
  }
  const dupNames = new Map();
  for (const u of users) dupNames.set(String(u.username).toLowerCase(), (dupNames.get(String(u.username).toLowerCase()) || 0) + 1);
  for (const [name, n] of dupNames) if (n > 1) problems.push(`username ${name}: ${n} rows`);
  const hashes = new Set();
  for (const s of sessions) {
    if (hashes.has(s.token_hash)) problems.push(`token_hash ${s.token_hash}: more than one session`);
    hashes.add(s.token_hash);
  }
  if (noLogouts) {
    for (const u of users) if (!perUser.get(Number(u.id))) problems.push(`user ${u.id} (${u.username}): no session, though signup writes one with the user`);
  }
  return { users, sessions, problems };
}

/** Run fn over items with at most `limit` at a time; -> results in order. */
export async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const run = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  return out;
}
