// Configuration from a TOML file (`--config`, issue 8): flag > LATCHKEY_* env > file > default,
// `serve --print-config` (secrets masked), and invalid configurations refused with exit code 2
// and a message naming the key, before anything listens. Runs the real binary; every server
// here uses SQLite in its own data dir, whatever the run's database (the file names it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { after, test } from 'node:test';
import { freePort, latchkeyBin, runLatchkey } from '../support/server.mjs';
import { tempDir } from '../support/fixtures.mjs';

const webRoot = process.env.LATCHKEY_WEB_ROOT || path.resolve('web/dist');
const dirs = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

// The test's own environment without any LATCHKEY_* setting (the PostgreSQL lane sets some),
// plus `env`; metrics on a free port so that parallel servers never collide.
function cleanEnv(env = {}) {
  const out = {};
  // Settings go; the sanitizer lane's wrapper variables (scripts/sanitize.sh) stay: they are
  // the harness's, not the server's.
  const harness = /^LATCHKEY_(SANITIZE_EXEC|SANITIZER_LOGS)$/;
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LATCHKEY_') || harness.test(k)) out[k] = v;
  return { ...out, LATCHKEY_METRICS_LISTEN: '127.0.0.1:0', ...env };
}

// A config file in a fresh directory whose data dir is beside it; `lines` are TOML lines.
function configFile(lines, { withDataDir = true } = {}) {
  const dir = tempDir('latchkey-config-');
  dirs.push(dir);
  const file = path.join(dir, 'latchkey.toml');
  const base = withDataDir
    ? [`data-dir = ${JSON.stringify(path.join(dir, 'data'))}`, `web-root = ${JSON.stringify(webRoot)}`]
    : [];
  writeFileSync(file, `${[...base, ...lines].join('\n')}\n`);
  return { dir, file };
}

const run = (args, env = {}) => runLatchkey(args, { env: cleanEnv(env) });

function portOpen(port) {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

// `latchkey serve ...args` until its "listening on" line: -> { port, stop(), logs() }.
async function serve(args, env = {}) {
  const proc = spawn(latchkeyBin(), ['serve', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exited = null;
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  proc.on('exit', (code) => { exited = code; });
  const deadline = Date.now() + 15000;
  let port = null;
  while (port === null) {
    const m = /latchkey listening on http:\/\/127\.0\.0\.1:(\d+) /.exec(output);
    if (m) port = Number(m[1]);
    else if (exited !== null) throw new Error(`latchkey exited (${exited}):\n${output}`);
    else if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`not listening:\n${output}`); }
    else await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    logs: () => output,
    stop: () => new Promise((r) => { if (exited !== null) r(); else { proc.once('exit', r); proc.kill('SIGTERM'); } }),
  };
}

test('a server started with only --config serves on the configured port', async () => {
  const port = await freePort();
  const { dir, file } = configFile([`listen = "127.0.0.1:${port}"`, 'session-idle-timeout = "14d"', 'max-connections = 100']);
  const srv = await serve(['--config', file]);
  try {
    assert.equal(srv.port, port);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    assert.ok(existsSync(path.join(dir, 'data', 'latchkey.db')), 'the data dir of the file is used');
  } finally {
    await srv.stop();
  }
});

test('LATCHKEY_CONFIG names the file too', async () => {
  const port = await freePort();
  const { file } = configFile([`listen = "127.0.0.1:${port}"`]);
  const srv = await serve([], { LATCHKEY_CONFIG: file });
  try {
    assert.equal(srv.port, port);
  } finally {
    await srv.stop();
  }
});

test('the environment beats the file, and a flag beats both', async () => {
  const [filePort, envPort] = [await freePort(), await freePort()];
  const { file } = configFile([`listen = "127.0.0.1:${filePort}"`]);
  let srv = await serve(['--config', file], { LATCHKEY_LISTEN: `127.0.0.1:${envPort}` });
  try {
    assert.equal(srv.port, envPort, 'LATCHKEY_LISTEN beats listen in the file');
  } finally {
    await srv.stop();
  }
  srv = await serve(['--config', file, '--listen', '127.0.0.1:0'], { LATCHKEY_LISTEN: `127.0.0.1:${envPort}` });
  try {
    assert.notEqual(srv.port, envPort, '--listen beats LATCHKEY_LISTEN');
    assert.notEqual(srv.port, filePort);
  } finally {
    await srv.stop();
  }
});

test('--print-config: every key, where it came from, exit 0 without listening', async () => {
  const port = await freePort();
  const { file } = configFile([
    `listen = "127.0.0.1:${port}"`,
    'max-connections = 50',
    'signup-rate-limit = 7',
    'allowed-origin = ["https://a.example", "https://b.example"]',
  ]);
  const r = run(['serve', '--config', file, '--print-config', '--signup-rate-limit', '9'],
    { LATCHKEY_MAX_CONNECTIONS: '60' });
  assert.equal(r.status, 0, r.output);
  const out = r.stdout;
  assert.match(out, new RegExp(`^listen = "127\\.0\\.0\\.1:${port}"  # file ${file.replace(/[.]/g, '\\.')}:3$`, 'm'));
  assert.match(out, /^max-connections = 60 {2}# env LATCHKEY_MAX_CONNECTIONS$/m);
  assert.match(out, /^signup-rate-limit = 9 {2}# flag --signup-rate-limit$/m);
  assert.match(out, /^allowed-origin = \[ "https:\/\/a\.example", "https:\/\/b\.example" \] {2}# file /m);
  assert.match(out, /^session-lifetime = "30d" {2}# default$/m);
  assert.match(out, /^password-hash = "argon2id" {2}# default$/m);
  // Every flag of `serve` with an environment variable is a key (help lists "(Env:LATCHKEY_X)").
  const help = run(['serve', '--help']).stdout;
  const keys = [...help.matchAll(/--([a-z0-9-]+)[^\n]*?\(Env:LATCHKEY_/g)].map((m) => m[1]).filter((k) => k !== 'config');
  assert.ok(keys.length >= 25, `keys from --help: ${keys}`);
  for (const key of keys) assert.match(out, new RegExp(`^${key} = `, 'm'), `${key} printed`);
  assert.doesNotMatch(r.output, /listening on/);
  assert.equal(await portOpen(port), false, 'nothing listens on the configured port');

  // What it prints is a config file that gives the same configuration.
  const again = configFile([], { withDataDir: false });
  writeFileSync(again.file, out);
  const r2 = run(['serve', '--config', again.file, '--print-config']);
  assert.equal(r2.status, 0, r2.output);
  assert.match(r2.stdout, /^max-connections = 60 {2}# file /m);
  assert.match(r2.stdout, /^signup-rate-limit = 9 {2}# file /m);
});

test('--print-config masks the database password; a failed start never logs it', () => {
  const { file } = configFile(['db = "postgres://app:hunter2-S3cret@127.0.0.1:1/latchkey?connect_timeout=2"']);
  const r = run(['serve', '--config', file, '--print-config']);
  assert.equal(r.status, 0, r.output);
  assert.match(r.stdout, /^db = "postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/latchkey\?connect_timeout=2" {2}# file /m);
  assert.doesNotMatch(r.output, /hunter2/);
  const start = run(['serve', '--config', file, '--listen', '127.0.0.1:0']);
  assert.notEqual(start.status, 0);
  assert.doesNotMatch(start.output, /hunter2/);
});

test('migrate reads --config', () => {
  const { dir, file } = configFile([]);
  const r = run(['migrate', '--config', file]);
  assert.equal(r.status, 0, r.output);
  assert.ok(existsSync(path.join(dir, 'data', 'latchkey.db')));
});

test('one file serves every command: keys rotate takes data-dir from the serve file', () => {
  const { dir, file } = configFile(['listen = "127.0.0.1:8080"', 'max-connections = 100']);
  const r = run(['keys', 'rotate', '--config', file]);
  assert.equal(r.status, 0, r.output);
  assert.ok(existsSync(path.join(dir, 'data', 'secret.key')));
  const list = run(['keys', 'list', '--config', file]);
  assert.equal(list.status, 0, list.output);
  assert.match(list.stdout, /^1 [0-9a-f]{16} \(newest: signs\)$/m);
});

// Each invalid configuration: exit 2, a message naming the key (and the file and line), and
// no listener ever opened.
const invalid = [
  { label: 'TOML syntax', lines: ['listen = = 1'], expect: [/invalid configuration/, /latchkey\.toml:3:\d+: TOML syntax error/] },
  { label: 'unknown key', lines: ['max-conections = 10'], expect: [/latchkey\.toml:3: unknown key 'max-conections' \(did you mean 'max-connections'\?\)/] },
  { label: 'table', lines: ['[server]', 'listen = "a:1"'], expect: [/table \[server\]/] },
  { label: 'string for a number', lines: ['max-connections = "many"'], expect: [/latchkey\.toml:3: max-connections must be an integer, got a TOML string/] },
  { label: 'number for a string', lines: ['listen = 8080'], expect: [/listen must be a string/] },
  { label: 'invalid value', lines: ['', 'listen = "nowhere"'], expect: [/listen \(\S+latchkey\.toml:4\) must be host:port, got 'nowhere'/] },
  { label: 'invalid duration', lines: ['session-idle-timeout = "soon"'], expect: [/session-idle-timeout \(\S+latchkey\.toml:3\) must be a duration/] },
  { label: 'failed check', lines: ['password-hash = "md5"'], expect: [/password-hash \(\S+latchkey\.toml:3\)/] },
  { label: 'invalid value from env', lines: [], env: { LATCHKEY_MAX_CONNECTIONS: '0' }, expect: [/LATCHKEY_MAX_CONNECTIONS must be 1-1000000/] },
  { label: 'invalid value from flag', lines: [], args: ['--max-connections', '0'], expect: [/--max-connections must be 1-1000000/] },
];
for (const c of invalid) {
  test(`invalid configuration (${c.label}): exit 2 naming the key, nothing listens`, async () => {
    const port = await freePort();
    const { file } = configFile(c.lines);
    // The listen key goes last on the command line side so that the file's own lines keep
    // their numbers; a flag would beat a bad listen in the file, so it is given by env.
    const env = { LATCHKEY_LISTEN: c.lines.some((l) => l.startsWith('listen')) ? undefined : `127.0.0.1:${port}`, ...c.env };
    if (env.LATCHKEY_LISTEN === undefined) delete env.LATCHKEY_LISTEN;
    const r = run(['serve', '--config', file, ...(c.args || [])], env);
    assert.equal(r.status, 2, r.output);
    for (const re of c.expect) assert.match(r.output, re);
    assert.doesNotMatch(r.output, /listening on/);
    assert.equal(await portOpen(port), false);
  });
}

test('a missing or unreadable config file: exit 2 naming it', () => {
  const dir = tempDir('latchkey-config-');
  dirs.push(dir);
  const missing = path.join(dir, 'absent.toml');
  let r = run(['serve', '--config', missing]);
  assert.equal(r.status, 2, r.output);
  assert.match(r.output, new RegExp(`cannot read config file ${missing.replace(/[.]/g, '\\.')}: No such file`));
  r = run(['serve'], { LATCHKEY_CONFIG: dir });
  assert.equal(r.status, 2, r.output);
  assert.match(r.output, /it is a directory/);
  r = run(['migrate', '--config', missing]);
  assert.equal(r.status, 2, r.output);
});
