// Starts a real `latchkey serve` on a free loopback port with a fresh data dir,
// for black-box API and browser tests. Stops it (SIGTERM, then SIGKILL) on stop().
//
// Environment: LATCHKEY_BIN (default build/latchkey), LATCHKEY_WEB_ROOT (default web/dist).
// LATCHKEY_TEST_PG_URL_FILE (a file holding the URL) or LATCHKEY_TEST_PG_URL: an admin URL of
// a PostgreSQL cluster (postgres://user@host:port/postgres). When set, every server gets a
// fresh database of its own on that cluster (`--db postgres://.../lk_<random>`), dropped when
// the server stops; without it, servers use SQLite in their data dir (the server's default).
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** The server binary under test (LATCHKEY_BIN, default build/latchkey). */
export function latchkeyBin() {
  return process.env.LATCHKEY_BIN || path.join(repoRoot, 'build', 'latchkey');
}

/**
 * Runs `latchkey ...args` to completion (for configurations that must be refused at startup,
 * and the one-shot commands: migrate, export, import, keys). input: written to its stdin;
 * cwd: its working directory.
 * -> { status, output, stdout, stderr } (exit status; output = stdout and stderr together).
 */
export function runLatchkey(args, { env = {}, timeoutMs = 15000, input, cwd } = {}) {
  const r = spawnSync(latchkeyBin(), args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs, input, cwd });
  return { status: r.status, output: `${r.stdout || ''}${r.stderr || ''}`, stdout: r.stdout || '', stderr: r.stderr || '' };
}

/**
 * A self-signed certificate for CN=localhost with subjectAltName DNS:localhost and
 * IP:127.0.0.1, valid one day, written to `dir` (openssl CLI).
 * -> { cert, key } file paths, and certPem (the PEM text, to use as a trusted `ca`).
 */
export function makeSelfSignedCert(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1',
    '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' });
  return { cert, key, certPem: readFileSync(cert, 'utf8') };
}

/**
 * GET over HTTPS with node:https (fetch cannot be told to trust a self-signed certificate).
 * With `ca` the server's certificate must chain to it; without, it is not verified.
 * -> { status, headers, text }
 */
export function httpsGet(url, { ca, headers = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, rejectUnauthorized: Boolean(ca), headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout: GET ${url}`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Databases

let adminUrl;
/** The PostgreSQL admin URL of the test run (LATCHKEY_TEST_PG_URL, else the file named by
 * LATCHKEY_TEST_PG_URL_FILE), or null: servers then use SQLite. */
export function pgAdminUrl() {
  if (adminUrl === undefined) {
    let u = process.env.LATCHKEY_TEST_PG_URL || '';
    const file = process.env.LATCHKEY_TEST_PG_URL_FILE;
    if (!u && file) {
      try {
        u = readFileSync(file, 'utf8').trim();
      } catch (e) {
        throw new Error(`LATCHKEY_TEST_PG_URL_FILE=${file}: ${e.message} (is the pg fixture running?)`);
      }
      if (!u) throw new Error(`LATCHKEY_TEST_PG_URL_FILE=${file} is empty`);
    }
    adminUrl = u || null;
  }
  return adminUrl;
}

/** The database the test servers use by default: 'postgres' with a PG URL configured, else 'sqlite'. */
export function dialect() {
  return pgAdminUrl() ? 'postgres' : 'sqlite';
}

export const isPostgresUrl = (u) => /^postgres(ql)?:\/\//.test(String(u));

// One -c per command: each runs in its own transaction (CREATE DATABASE cannot run in one).
const psqlArgs = (url, commands) => ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url,
  ...[commands].flat().flatMap((c) => ['-c', c])];
const psqlEnv = (readOnly) => {
  const env = { ...process.env, PGCONNECT_TIMEOUT: '10' };
  if (readOnly) env.PGOPTIONS = `${env.PGOPTIONS || ''} -c default_transaction_read_only=on`.trim();
  return env;
};

/**
 * Runs an SQL command (or an array of them) with psql (-X -q -A -t, ON_ERROR_STOP) against `url`;
 * returns stdout.
 * readOnly: the session is read-only (default_transaction_read_only), like sqlite3 -readonly.
 */
export function psql(url, command, { readOnly = false, timeoutMs = 30000 } = {}) {
  return execFileSync('psql', psqlArgs(url, command), {
    env: psqlEnv(readOnly), encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** psql() without blocking the event loop: -> Promise of stdout. */
export function psqlAsync(url, command, { readOnly = false, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile('psql', psqlArgs(url, command), { env: psqlEnv(readOnly), encoding: 'utf8', timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`psql ${command}: ${err.message} ${stderr || ''}`.trim()));
      else resolve(stdout);
    });
  });
}

const liveDatabases = new Set(); // created here and not dropped yet: dropped when the process exits
let exitHookInstalled = false;

function newDatabaseName(admin) {
  if (!admin) throw new Error('createTestDatabase: no PostgreSQL configured (LATCHKEY_TEST_PG_URL_FILE or LATCHKEY_TEST_PG_URL)');
  return `lk_${randomBytes(8).toString('hex')}`;
}

// Commits in a test database do not wait for the WAL flush: what other sessions see is the
// same, only a crash of PostgreSQL could lose the last commits, and none of these tests crash
// it (the outage test uses a cluster of its own). Every signup, login and logout commits, so
// this keeps the PostgreSQL run close to the SQLite one in time.
const createCommands = (name) => [`CREATE DATABASE ${name}`, `ALTER DATABASE ${name} SET synchronous_commit = off`];

function trackDatabase(admin, name) {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  let dropping;
  const sqlDrop = `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`;
  const db = {
    url: u.toString(),
    name,
    // Idempotent; runs in the background (the process does not exit before it is done), so
    // stopping a server does not wait for it. Await it to know it is gone.
    drop() {
      if (!dropping) {
        dropping = psqlAsync(admin, sqlDrop).then(() => { liveDatabases.delete(db); });
        dropping.catch((e) => process.stderr.write(`test database ${name}: ${e.message}\n`));
      }
      return dropping;
    },
    dropSync() {
      psql(admin, sqlDrop);
      liveDatabases.delete(db);
    },
  };
  liveDatabases.add(db);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const d of [...liveDatabases]) {
        try { d.dropSync(); } catch { /* the cluster may be gone already */ }
      }
    });
  }
  return db;
}

/**
 * A fresh, empty PostgreSQL database `lk_<random>` on the test cluster (or on `adminUrl`).
 * -> { url, name, drop() }: drop() (DROP DATABASE ... WITH (FORCE)) is idempotent and returns a
 * promise; whatever is not dropped by the time the process exits is dropped then.
 */
export function createTestDatabase({ adminUrl: admin = pgAdminUrl() } = {}) {
  const name = newDatabaseName(admin);
  psql(admin, createCommands(name));
  return trackDatabase(admin, name);
}

/** createTestDatabase() without blocking the event loop: -> Promise of { url, name, drop() }. */
export async function createTestDatabaseAsync({ adminUrl: admin = pgAdminUrl() } = {}) {
  const name = newDatabaseName(admin);
  await psqlAsync(admin, createCommands(name));
  return trackDatabase(admin, name);
}

// A database created ahead, as soon as this module loads under PostgreSQL: every test file
// starts a server, and the first one need not wait for CREATE DATABASE (about 0.5 s).
let aheadOfTime = pgAdminUrl() ? createTestDatabaseAsync() : null;
aheadOfTime?.catch(() => { /* reported by the server start that takes it */ });

/** A fresh database for a server: the one created ahead of time if still unused. */
function freshDatabase() {
  const db = aheadOfTime || createTestDatabaseAsync();
  aheadOfTime = null;
  return db;
}

// Which database each data dir's server used (for sql() and dbBytes()), and the databases
// created for caller-given data dirs: a restart on the same data dir finds its data again, as
// it does with SQLite's <data-dir>/latchkey.db. Those are dropped when the process exits.
const dataDirDatabase = new Map(); // resolved data dir -> database URL
const dataDirOwnDb = new Map(); // resolved data dir -> createTestDatabase() result

/** The database URL the (last) server on this data dir used: postgres://... or sqlite:<file>. */
export function databaseOf(dataDir) {
  return dataDirDatabase.get(path.resolve(dataDir)) || `sqlite:${path.join(dataDir, 'latchkey.db')}`;
}

/** The file of a sqlite: URL. */
export function sqliteFile(url) {
  return String(url).replace(/^sqlite:(\/\/(?=\/))?/, '');
}

/**
 * startServer({ args: [...extra flags], env: {...}, dataDir?, webRoot?, tls?, db? })
 *   -> { url, port, dataDir, webRoot, db, proc, stop(), logs(), exitStatus(), ca?, metricsUrl }
 * logs(): everything the server wrote to stdout and stderr so far.
 * The server binds port 0 and the port is read from its "latchkey listening on" log line (so
 * servers started at the same time can never be handed one port: a port picked free
 * beforehand could be taken by another server first, whose answers would then pass for this
 * one's); args must therefore leave the log level at info or lower.
 * Waits up to 15 s for that line and GET /healthz to answer 200.
 * webRoot (optional) overrides LATCHKEY_WEB_ROOT / web/dist for this server only.
 * tls (optional) { cert, key }: PEM files; the server gets --tls-cert/--tls-key, url is
 * https://127.0.0.1:<port>, and the health check trusts `cert` (returned as `ca`, its PEM).
 * db (optional): unset -> the run's dialect(): SQLite in the data dir, or under PostgreSQL a
 * fresh database (dropped on stop(); for a caller-given dataDir kept for restarts on it and
 * dropped at exit). A URL (postgres://..., sqlite:FILE) -> `--db URL`, shared with whoever
 * else uses it and never dropped here (multi-node). 'sqlite' -> the SQLite default in the data
 * dir whatever the dialect. The returned `db` is the URL in use.
 */
export async function startServer({ args = [], env = {}, dataDir, webRoot, tls, db } = {}) {
  const bin = latchkeyBin();
  webRoot = webRoot || process.env.LATCHKEY_WEB_ROOT || path.join(repoRoot, 'web', 'dist');
  const ownDir = !dataDir;
  dataDir = dataDir || mkdtempSync(path.join(tmpdir(), 'latchkey-test-'));
  const dirKey = path.resolve(dataDir);
  let ownDb = null; // dropped by stop()
  let dbArgs = [];
  const childEnv = { ...process.env, ...env };
  if (db === undefined && dialect() === 'postgres') {
    let created = dataDirOwnDb.get(dirKey);
    if (!created) {
      try {
        created = await freshDatabase();
      } catch (e) {
        if (ownDir) rmSync(dataDir, { recursive: true, force: true });
        throw e;
      }
      if (ownDir) ownDb = created;
      else dataDirOwnDb.set(dirKey, created);
    }
    db = created.url;
  }
  if (db === undefined || db === 'sqlite') {
    db = `sqlite:${path.join(dataDir, 'latchkey.db')}`;
    if (!('LATCHKEY_DB' in env)) delete childEnv.LATCHKEY_DB; // the server's own default
  } else {
    dbArgs = ['--db', db];
  }
  dataDirDatabase.set(dirKey, db);
  const cleanupFailedStart = () => {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    ownDb?.drop();
  };
  const givesKeyFile = args.some((a) => a === '--secret-file' || a.startsWith('--secret-file='))
    || Boolean(childEnv.LATCHKEY_SECRET_FILE);
  if (isPostgresUrl(db) && !givesKeyFile && !existsSync(path.join(dataDir, 'secret.key'))) {
    // With PostgreSQL the server never makes up a key (all nodes must share one): create the
    // data dir's <data-dir>/secret.key the way an operator would, so that single servers run
    // as they do on SQLite (where the server creates it on first start).
    try {
      // The assertion signing key of the algorithm the server is given (it refuses another).
      const algAt = args.indexOf('--assertion-alg');
      const alg = algAt >= 0 ? ['--assertion-alg', args[algAt + 1]] : [];
      execFileSync(bin, ['keys', 'rotate', '--data-dir', dataDir, ...alg], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 15000 });
    } catch (e) {
      cleanupFailedStart();
      throw e;
    }
  }
  let port = null;
  let output = '';
  const ca = tls ? readFileSync(tls.cert, 'utf8') : undefined;
  const tlsArgs = tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key] : [];
  // Servers run in parallel: each gets a metrics listener on a free port of its own (the
  // default 127.0.0.1:9464 would collide), read from its "metrics listening on" line.
  const givesMetrics = args.some((a) => a === '--metrics-listen' || a.startsWith('--metrics-listen='))
    || 'LATCHKEY_METRICS_LISTEN' in env;
  const metricsArgs = givesMetrics ? [] : ['--metrics-listen', '127.0.0.1:0'];
  const proc = spawn(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-root', webRoot, ...dbArgs, ...tlsArgs, ...metricsArgs, ...args],
    { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const listening = /latchkey listening on https?:\/\/[^\s]+:(\d+) /;
  const metricsListening = /metrics listening on (http:\/\/[^\s"]+:\d+)\/metrics/;
  let metricsUrl = null;
  const collect = (d) => {
    output += d;
    if (port === null) {
      const m = listening.exec(output);
      if (m) port = Number(m[1]);
    }
    if (metricsUrl === null) {
      const m = metricsListening.exec(output);
      if (m) metricsUrl = `${m[1]}/metrics`;
    }
  };
  proc.stdout.on('data', collect);
  proc.stderr.on('data', collect);
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  const scheme = tls ? 'https' : 'http';
  let url = null;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) {
      cleanupFailedStart();
      throw new Error(`latchkey exited early (${JSON.stringify(exited)}):\n${output}`);
    }
    if (port !== null) {
      url = `${scheme}://127.0.0.1:${port}`;
      try {
        const res = tls ? await httpsGet(`${url}/healthz`, { ca }) : await fetch(`${url}/healthz`);
        if (res.status === 200) break;
      } catch { /* not listening yet */ }
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      await new Promise((r) => { if (exited) r(); else proc.once('exit', r); });
      cleanupFailedStart();
      throw new Error(`latchkey did not become healthy in 15 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  async function stop() {
    if (!exited) {
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
      await done;
      clearTimeout(timer);
    }
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    ownDb?.drop();
  }
  // metricsUrl: http://127.0.0.1:<port>/metrics of this server (null with --metrics-listen off).
  return { url, port, dataDir, webRoot, db, proc, stop, logs: () => output, exitStatus: () => exited, ca, metricsUrl };
}
