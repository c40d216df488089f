// Shared fixtures for tests/api: a minimal web root, servers with cleanup,
// read-only SQL queries (SQLite or PostgreSQL, whichever the server uses), unique names and
// account helpers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createTestDatabase, createTestDatabaseAsync, databaseOf, dialect, isPostgresUrl, psql, sqliteFile, startServer,
} from './server.mjs';
import { api, CookieJar, getCsrf, parseSetCookie, responseLog } from './http.mjs';

export const INDEX_HTML = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="csrf-token" content="{{csrf_token}}">
<title>Latchkey test page</title>
<script type="module" src="/assets/app.js"></script>
</head>
<body><div id="app">latchkey-test-index</div></body>
</html>
`;
export const APP_JS = 'export const latchkeyTestAsset = 42;\nconsole.log("latchkey test asset");\n';
export const APP_CSS = 'body { color: #123456; }\n';

let commonPasswordList;
/**
 * The common-password list exactly as the build writes it (web/common_passwords.js, from the
 * npm package): the server refuses these for new passwords. Computed once per process.
 */
export function commonPasswords() {
  if (!commonPasswordList) {
    const require = createRequire(import.meta.url);
    commonPasswordList = require('../../web/common_passwords.js').commonPasswords();
  }
  return commonPasswordList;
}

/**
 * Write a minimal web root (index.html, assets/app.js, assets/app.css, and
 * assets/common-passwords.txt, which the server needs to start) into dir (created if needed).
 */
export function makeWebRoot(dir) {
  dir = dir || mkdtempSync(path.join(tmpdir(), 'latchkey-web-'));
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), INDEX_HTML);
  writeFileSync(path.join(dir, 'assets', 'app.js'), APP_JS);
  writeFileSync(path.join(dir, 'assets', 'app.css'), APP_CSS);
  writeFileSync(path.join(dir, 'assets', 'common-passwords.txt'), `${commonPasswords().join('\n')}\n`);
  return dir;
}

/** A fresh temp dir (caller removes it, or use server.cleanup()). */
export function tempDir(prefix = 'latchkey-t-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * Start a server with its own web root. Options as startServer (args, env, dataDir, webRoot, tls, db;
 * db: see startServer, e.g. another server's `db` to share its database).
 * The returned server has cleanup(): stop() and remove the web root it created.
 */
export async function startTestServer(opts = {}) {
  // Every test client is 127.0.0.1: suites that are not about brute-force throttling (which
  // fail logins and sign up many users on purpose) raise its limits; throttle tests pass
  // { throttle: true } to get the defaults.
  if (!opts.throttle) {
    opts = { ...opts, args: ['--login-free-failures', '100', '--signup-rate-limit', '100000', ...(opts.args || [])] };
  }
  const ownWeb = !opts.webRoot;
  const webRoot = opts.webRoot || makeWebRoot();
  let srv;
  try {
    srv = await startServer({ ...opts, webRoot });
  } catch (e) {
    if (ownWeb) rmSync(webRoot, { recursive: true, force: true });
    throw e;
  }
  srv.cleanup = async () => {
    await srv.stop();
    if (ownWeb) rmSync(webRoot, { recursive: true, force: true });
  };
  return srv;
}

/**
 * Read-only SQL against the database of the server on dataDir: <dataDir>/latchkey.db via the
 * sqlite3 CLI, or its PostgreSQL database via psql. Returns an array of row objects either way
 * (PostgreSQL: json_agg over the query; booleans become 1/0 as SQLite stores them).
 */
export function sql(dataDir, query) {
  const url = databaseOf(dataDir);
  if (isPostgresUrl(url)) return pgRows(url, query);
  const db = sqliteFile(url);
  assert.ok(existsSync(db), `database ${db} exists`);
  const out = execFileSync('sqlite3', ['-readonly', '-json', '-cmd', '.timeout 5000', db, query], {
    encoding: 'utf8',
  });
  return out.trim() ? JSON.parse(out) : [];
}

/** Rows of a read-only query on a PostgreSQL database URL, shaped as sqlite3 -json prints them. */
export function pgRows(url, query) {
  const inner = String(query).trim().replace(/;\s*$/, '');
  // The row alias must not be a column name (a column `t` would win over a row alias `t`).
  const out = psql(url, `SELECT coalesce(json_agg(lk_query_row), '[]'::json) FROM (${inner}) lk_query_row`, { readOnly: true });
  const bool = (v) => (typeof v === 'boolean' ? Number(v) : v);
  return JSON.parse(out).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, bool(v)])));
}

/** SQL string literal. */
export function q(s) {
  return `'${String(s).replaceAll("'", "''")}'`;
}

/**
 * Everything the database of the server on dataDir holds, to look for leaked secrets: the
 * SQLite files (db + wal + journal), or a pg_dump (schema and data) of its PostgreSQL database.
 */
export function dbBytes(dataDir) {
  const url = databaseOf(dataDir);
  if (isPostgresUrl(url)) {
    return execFileSync('pg_dump', ['--no-owner', '--no-privileges', '-d', url], { timeout: 30000 });
  }
  const bufs = [];
  for (const p of [sqliteFile(url), `${sqliteFile(url)}-wal`, `${sqliteFile(url)}-journal`]) {
    if (existsSync(p)) bufs.push(readFileSync(p));
  }
  return Buffer.concat(bufs);
}

let counter = 0;
/** A unique valid username (3-32 chars of [A-Za-z0-9._-]). */
export function uniq(prefix = 'u') {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter.toString(36)}${randomBytes(3).toString('hex')}`.slice(0, 32);
}

export const PASSWORD = 'correct horse battery';

/** A copy of a browser's CSRF cookie and token without its session: a fresh visitor. */
export function withoutSession(jar) {
  const j = new CookieJar([['latchkey_csrf', jar.get('latchkey_csrf')]]);
  j.csrfToken = jar.csrfToken;
  return j;
}

/**
 * Asserts that a failed login for an unknown username costs at least `ratio` x one for the
 * existing `username` (the dummy hash verification hides which usernames exist: OWASP
 * Authentication Cheat Sheet, "Authentication Responses"). Every login must answer 401.
 * Compares the fastest of each kind (after one warm-up of each): other work on a busy machine
 * only ever adds time, so the minimum is the cost of the request itself. Rounds go on, at
 * least 5 and at most 20, until the minima agree, so a loaded machine takes more of them; a
 * missing verification keeps the ratio near 0 (near 0.5 for one of two) however many rounds.
 * @param {string} base
 * @param {string} username an existing user
 * @param {{password?: string, ratio?: number}} [opts] the wrong password sent; the bound
 */
export async function assertUnknownLoginCostsAsMuch(base, username, { password = 'not-the-password', ratio = 0.5 } = {}) {
  const jar = await browser(base);
  const time = async (u) => {
    const t0 = process.hrtime.bigint();
    const res = await api(base, jar, 'POST', '/api/auth/login', { json: { username: u, password } });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.equal(res.status, 401, res.text);
    return ms;
  };
  await time(username);
  await time(uniq('ghost'));
  const wrong = [];
  const unknown = [];
  let w = Infinity;
  let n = 0;
  for (let i = 0; i < 20 && !(i >= 5 && n >= ratio * w); i += 1) {
    wrong.push(await time(username));
    unknown.push(await time(uniq('ghost')));
    w = Math.min(...wrong);
    n = Math.min(...unknown);
  }
  const list = (a) => a.map((x) => x.toFixed(1)).join(',');
  assert.ok(n >= ratio * w, `unknown-user fastest ${n.toFixed(1)} ms >= ${ratio} x wrong-password fastest ${w.toFixed(1)} ms (wrong: ${list(wrong)}; unknown: ${list(unknown)})`);
}

/** A new browser with a CSRF token loaded. */
export async function browser(base) {
  const jar = new CookieJar();
  await getCsrf(base, jar);
  return jar;
}

/**
 * Sign up (asserting 201) in jar; returns the response.
 * remember: sent only when given; userAgent: sent as User-Agent when given.
 */
export async function signup(base, jar, { username = uniq(), password = PASSWORD, name = 'Test User', remember, userAgent } = {}) {
  const json = { username, password, name };
  if (remember !== undefined) json.remember = remember;
  const headers = userAgent === undefined ? {} : { 'User-Agent': userAgent };
  const res = await api(base, jar, 'POST', '/api/auth/signup', { json, headers });
  assert.equal(res.status, 201, `signup ${username}: ${res.status} ${res.text}`);
  return res;
}

/**
 * Log in (asserting 200) in jar; returns the response.
 * opts.remember: sent only when given; opts.userAgent: sent as User-Agent when given.
 */
export async function login(base, jar, username, password = PASSWORD, { remember, userAgent } = {}) {
  const json = { username, password };
  if (remember !== undefined) json.remember = remember;
  const headers = userAgent === undefined ? {} : { 'User-Agent': userAgent };
  const res = await api(base, jar, 'POST', '/api/auth/login', { json, headers });
  assert.equal(res.status, 200, `login ${username}: ${res.status} ${res.text}`);
  return res;
}

/** GET /api/auth with the jar; returns the status. */
export async function authStatus(base, jar) {
  const res = await api(base, jar, 'GET', '/api/auth');
  return res.status;
}

/** The session cookie value (token.mac) a response set, or undefined. */
export function sessionCookieOf(res) {
  const c = res.setCookies.map(parseSetCookie).filter((x) => x.name === 'latchkey_session');
  return c.length ? c[c.length - 1].value : undefined;
}

/** A jar holding only the given session cookie value. */
export function jarWithSession(value) {
  return new CookieJar([['latchkey_session', value]]);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll fn() every intervalMs until it returns a truthy value (returned) or timeoutMs passes (returns the last value). */
export async function waitFor(fn, { timeoutMs = 5000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v || Date.now() >= deadline) return v;
    await sleep(intervalMs);
  }
}

/** RFC 3339 UTC timestamp as the docs show it: YYYY-MM-DDTHH:MM:SSZ. */
export const RFC3339_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Seconds since the epoch of an RFC 3339 UTC string (asserting the format). */
export function rfc3339Sec(s) {
  assert.match(String(s), RFC3339_UTC, `RFC 3339 UTC timestamp: ${s}`);
  const t = Date.parse(s);
  assert.ok(Number.isFinite(t), `parseable: ${s}`);
  return t / 1000;
}

/** Seconds since the epoch of a DB time column (unix seconds/ms, or a date string). */
export function dbTimeSec(v) {
  if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
  if (/^\d+(\.\d+)?$/.test(String(v))) return dbTimeSec(Number(v));
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${String(v).replace(' ', 'T')}Z`);
  assert.ok(Number.isFinite(t), `parseable time: ${v}`);
  return t / 1000;
}

/** GET /api/auth/sessions with the jar, asserting 200 JSON {sessions:[...]}; returns the array. */
export async function listSessions(base, jar) {
  const res = await api(base, jar, 'GET', '/api/auth/sessions');
  assert.equal(res.status, 200, `GET /api/auth/sessions: ${res.status} ${res.text}`);
  assertJson(res);
  assert.deepEqual(Object.keys(res.body), ['sessions'], `body is {sessions}: ${res.text}`);
  assert.ok(Array.isArray(res.body.sessions), res.text);
  return res.body.sessions;
}

/** The caller's own entry (current: true) of GET /api/auth/sessions. */
export async function currentSession(base, jar) {
  const list = await listSessions(base, jar);
  const mine = list.filter((x) => x.current === true);
  assert.equal(mine.length, 1, `exactly one current session: ${JSON.stringify(list)}`);
  return mine[0];
}

/** Session rows of a user (white-box). */
export function sessionRows(dataDir, userId) {
  return sql(dataDir, `SELECT * FROM sessions WHERE user_id = ${Number(userId)} ORDER BY created_at`);
}

/** Whether the sessions table holds a row with this public id (white-box). */
export function sessionRowExists(dataDir, id) {
  return sql(dataDir, `SELECT count(*) AS n FROM sessions WHERE id = ${q(id)}`)[0].n > 0;
}

/** Assert a JSON API response: Content-Type application/json and Cache-Control no-store. */
export function assertJson(res, msg = '') {
  const ct = res.headers['content-type'] || '';
  assert.match(ct, /^application\/json\b/i, `${msg} Content-Type is application/json (got "${ct}") for ${res.method} ${res.path}`);
  assert.notEqual(res.body, null, `${msg} body parses as JSON: ${res.text.slice(0, 200)}`);
}

/**
 * Assert an error response per docs: JSON {error: string, code: string[, field]} with the given
 * status (and, when given, that field, message and code).
 */
export function assertError(res, status, { field, error, code } = {}) {
  const where = `${res.method} ${res.path} -> ${res.status} ${res.text.slice(0, 300)}`;
  assert.equal(res.status, status, `status ${status} expected: ${where}`);
  assertJson(res, where);
  assert.equal(typeof res.body, 'object', where);
  assert.ok(!Array.isArray(res.body), where);
  assert.equal(typeof res.body.error, 'string', `error is a string: ${where}`);
  assert.ok(res.body.error.length > 0, `error non-empty: ${where}`);
  assert.match(String(res.body.code), /^[a-z_]+$/, `code is a snake_case string: ${where}`);
  if (field !== undefined) assert.equal(res.body.field, field, `field "${field}" expected: ${where}`);
  if (code !== undefined) assert.equal(res.body.code, code, `code "${code}" expected: ${where}`);
  if (error !== undefined) assert.equal(res.body.error, error, `error message: ${where}`);
  // Cache-Control: no-store is checked for every API response by assertNoStoreEverywhere().
}

/**
 * Whole-file check: every API response (path under /api/, and /healthz) this process saw was a
 * JSON object with Content-Type application/json and Cache-Control: no-store (docs: "All API
 * responses are JSON (Content-Type: application/json) and carry Cache-Control: no-store").
 */
export function assertNoStoreEverywhere() {
  const bad = new Set();
  let n = 0;
  for (const r of responseLog) {
    const p = r.path.split('?')[0];
    if (!(p.startsWith('/api/') || p === '/healthz')) continue;
    n += 1;
    if (!/no-store/i.test(r.headers['cache-control'] || '')) bad.add(`${r.method} ${p} -> ${r.status}: no Cache-Control: no-store`);
    if (!/^application\/json\b/i.test(r.headers['content-type'] || '')) bad.add(`${r.method} ${p} -> ${r.status}: Content-Type "${r.headers['content-type'] || ''}"`);
    if (r.method !== 'HEAD' && r.status !== 204 && (r.body === null || typeof r.body !== 'object')) bad.add(`${r.method} ${p} -> ${r.status}: body is not a JSON object`);
  }
  assert.deepEqual([...bad].sort(), [], `API responses must be JSON with Cache-Control: no-store (${n} seen)`);
}

const SECRETISH_KEY = /hash|token|password|passwd|secret|salt/i;

/**
 * Whole-file check over every response this process saw: no 5xx; no JSON key that
 * looks like a hash/token/password; no session token or password hash in any body.
 */
export function assertCleanResponses(extraSecrets = []) {
  const sessionTokens = new Set();
  for (const r of responseLog) {
    for (const raw of r.setCookies) {
      const c = parseSetCookie(raw);
      if (c.name === 'latchkey_session' && c.value) {
        sessionTokens.add(c.value);
        sessionTokens.add(c.value.split('.')[0]);
      }
    }
  }
  const problems = [];
  const walk = (v, where, r) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`, r));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (SECRETISH_KEY.test(k)) problems.push(`${r.method} ${r.path}: JSON key ${where}.${k}`);
        walk(x, `${where}.${k}`, r);
      }
    }
  };
  for (const r of responseLog) {
    if (r.status >= 500) problems.push(`${r.method} ${r.path}: status ${r.status} ${r.text.slice(0, 200)}`);
    if (r.body && typeof r.body === 'object') walk(r.body, '$', r);
    for (const t of sessionTokens) {
      if (t && t.length >= 16 && r.text.includes(t)) problems.push(`${r.method} ${r.path}: body contains a session token`);
    }
    for (const s of extraSecrets) {
      if (s && r.text.includes(s)) problems.push(`${r.method} ${r.path}: body contains a secret (${s.slice(0, 12)}...)`);
    }
    if (/\$argon2|\$2[aby]\$|\$bcrypt/.test(r.text)) problems.push(`${r.method} ${r.path}: body contains a password hash`);
  }
  assert.deepEqual(problems, [], `responses seen in this file (${responseLog.length}) must be clean`);
}

export { api, CookieJar, getCsrf, createTestDatabase, createTestDatabaseAsync, dialect };
