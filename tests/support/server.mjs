// Starts a real `latchkey serve` on a free loopback port with a fresh data dir,
// for black-box API and browser tests. Stops it (SIGTERM, then SIGKILL) on stop().
//
// Environment: LATCHKEY_BIN (default build/latchkey), LATCHKEY_WEB_ROOT (default web/dist).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
 * Runs `latchkey ...args` to completion (for configurations that must be refused at startup).
 * -> { status, output } (exit status; stdout and stderr together).
 */
export function runLatchkey(args, { env = {}, timeoutMs = 15000 } = {}) {
  const r = spawnSync(latchkeyBin(), args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, output: `${r.stdout || ''}${r.stderr || ''}` };
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

/**
 * startServer({ args: [...extra flags], env: {...}, dataDir?, webRoot?, tls? })
 *   -> { url, port, dataDir, webRoot, proc, stop(), logs(), exitStatus(), ca? }
 * Waits up to 15 s for GET /healthz to answer 200.
 * webRoot (optional) overrides LATCHKEY_WEB_ROOT / web/dist for this server only.
 * tls (optional) { cert, key }: PEM files; the server gets --tls-cert/--tls-key, url is
 * https://127.0.0.1:<port>, and the health check trusts `cert` (returned as `ca`, its PEM).
 */
export async function startServer({ args = [], env = {}, dataDir, webRoot, tls } = {}) {
  const bin = latchkeyBin();
  webRoot = webRoot || process.env.LATCHKEY_WEB_ROOT || path.join(repoRoot, 'web', 'dist');
  const ownDir = !dataDir;
  dataDir = dataDir || mkdtempSync(path.join(tmpdir(), 'latchkey-test-'));
  const port = await freePort();
  let output = '';
  const ca = tls ? readFileSync(tls.cert, 'utf8') : undefined;
  const tlsArgs = tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key] : [];
  const proc = spawn(
    bin,
    ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web-root', webRoot, ...tlsArgs, ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) {
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`latchkey exited early (${JSON.stringify(exited)}):\n${output}`);
    }
    try {
      const res = tls ? await httpsGet(`${url}/healthz`, { ca }) : await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
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
  }
  return { url, port, dataDir, webRoot, proc, stop, logs: () => output, exitStatus: () => exited, ca };
}
