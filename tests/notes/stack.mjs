// The notes example (examples/notes) as its browser tests run it, every server on 127.0.0.1 and
// stopped by stop(): the SPA built into a temporary web root, the Python backend, Latchkey
// (tests/support/server.mjs, port 0), and in the forward-auth mode nginx in front, started by the
// example's own nginx/nginx.sh with its own server block. One Chromium per stack; the pages
// are opened with tests/browser/helpers.mjs (which records console errors and CSP reports).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { commonPasswords, startTestServer, tempDir } from '../support/fixtures.mjs';
import { freePort } from '../support/server.mjs';

export const kExample = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'notes');
export const kPython = '/usr/bin/python3'; // Debian's, with python3-jwt (scripts/install-deps.sh --example)
// The assertions' iss (Latchkey's --public-url) and, behind forward auth, their aud. An
// identifier here: Latchkey listens on a port only known once it runs, and the backend must
// be told the issuer before. run.sh uses the real URL.
export const kIssuer = 'http://notes.example.test';
const kChromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Builds the SPA (examples/notes/build.mjs) into `dir`; returns dir. */
export function buildApp(dir) {
  execFileSync(process.execPath, [path.join(kExample, 'build.mjs'), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port (fails after ms). */
export function waitForPort(port, ms = 10000) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(); });
      s.on('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Spawns `cmd args`, keeping its output; -> { proc, output(), exited: Promise<{code, signal}> }. */
function launch(cmd, args) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  return { proc, output: () => out, exited };
}

async function terminate(child) {
  if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGTERM');
  await child.exited;
}

/**
 * The backend (examples/notes/backend/notes_backend.py) on 127.0.0.1:port, ready once it says
 * so. -> { port, stop(), start() (again, same port and database), logs() }.
 */
export async function startBackend({ port, db, jwksUrl, issuer, audience }) {
  let child = null;
  let logs = '';
  async function start() {
    child = launch(kPython, [path.join(kExample, 'backend', 'notes_backend.py'), '--port', String(port),
      '--db', db, '--jwks-url', jwksUrl, '--issuer', issuer, '--audience', audience]);
    const ready = new Promise((resolve, reject) => {
      child.proc.stdout.on('data', () => { if (/listening on/.test(child.output())) resolve(); });
      child.exited.then((e) => reject(new Error(`backend exited (${JSON.stringify(e)}): ${child.output()}`)));
    });
    await ready;
  }
  async function stop() {
    if (!child) return;
    await terminate(child);
    logs += child.output();
    child = null;
  }
  await start();
  return { port, start, stop, logs: () => logs + (child ? child.output() : '') };
}

/** nginx in front (examples/notes/nginx/nginx.sh), ready once it listens. -> { port, stop(), logs() } */
export async function startNginx({ dir, port, latchkeyPort, backendPort }) {
  const child = launch(path.join(kExample, 'nginx', 'nginx.sh'), [dir, port, latchkeyPort, backendPort].map(String));
  try {
    await Promise.race([waitForPort(port), child.exited.then((e) => { throw new Error(`nginx exited ${JSON.stringify(e)}`); })]);
  } catch (e) {
    await terminate(child);
    throw new Error(`${e.message}: ${child.output()}`);
  }
  return { port, stop: () => terminate(child), logs: child.output };
}

/**
 * The whole example. mode 'proxy': the browser talks to Latchkey, which proxies /api/notes to
 * the backend (aud /api/notes). mode 'nginx': the browser talks to nginx, which asks Latchkey
 * (forward auth, aud = --public-url) and proxies /api/notes itself. `latchkeyArgs` are added
 * to Latchkey's (e.g. --assertion-alg ES256).
 * -> { mode, url (what the browser opens), latchkey (its server), backend, nginx?, browser,
 *      notesDb (the backend's SQLite file), server: {url} (for openApp/withApp of
 *      tests/browser/helpers.mjs), logs(), stop() }
 */
export async function startNotesStack({ mode, latchkeyArgs = [] }) {
  const dir = tempDir(`latchkey-notes-${mode}-`);
  const parts = {};
  const stop = async () => {
    await parts.browser?.close();
    await parts.nginx?.stop();
    await parts.backend?.stop();
    await parts.latchkey?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const webRoot = buildApp(path.join(dir, 'web'));
    const list = path.join(dir, 'common-passwords.txt');
    writeFileSync(list, `${commonPasswords().join('\n')}\n`);
    const backendPort = await freePort();
    const upstream = mode === 'proxy' ? ['--upstream', `/api/notes=http://127.0.0.1:${backendPort}`] : ['--trusted-proxy', '127.0.0.1'];
    parts.latchkey = await startTestServer({
      dataDir: path.join(dir, 'latchkey'), webRoot,
      args: ['--common-passwords', list, '--public-url', kIssuer, ...upstream, ...latchkeyArgs],
    });
    parts.backend = await startBackend({
      port: backendPort, db: path.join(dir, 'notes.db'), jwksUrl: `${parts.latchkey.url}/.well-known/jwks.json`,
      issuer: kIssuer, audience: mode === 'proxy' ? '/api/notes' : kIssuer,
    });
    let url = parts.latchkey.url;
    if (mode === 'nginx') {
      mkdirSync(path.join(dir, 'nginx'));
      const port = await freePort();
      parts.nginx = await startNginx({ dir: path.join(dir, 'nginx'), port, latchkeyPort: parts.latchkey.port, backendPort });
      url = `http://127.0.0.1:${port}`;
    }
    parts.browser = await chromium.launch({ executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium', args: kChromiumArgs });
    return {
      ...parts,
      mode,
      url,
      notesDb: path.join(dir, 'notes.db'),
      server: { url },
      logs: () => [parts.latchkey.logs(), parts.backend.logs(), parts.nginx?.logs() || ''].join('\n'),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
