// Starts a real `latchkey serve` on a free loopback port with a fresh data dir,
// for black-box API and browser tests. Stops it (SIGTERM, then SIGKILL) on stop().
//
// Environment: LATCHKEY_BIN (default build/latchkey), LATCHKEY_WEB_ROOT (default web/dist).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/**
 * startServer({ args: [...extra flags], env: {...}, dataDir?, webRoot? })
 *   -> { url, port, dataDir, webRoot, proc, stop(), logs(), exitStatus() }
 * Waits up to 15 s for GET /healthz to answer 200.
 * webRoot (optional) overrides LATCHKEY_WEB_ROOT / web/dist for this server only.
 */
export async function startServer({ args = [], env = {}, dataDir, webRoot } = {}) {
  const bin = process.env.LATCHKEY_BIN || path.join(repoRoot, 'build', 'latchkey');
  webRoot = webRoot || process.env.LATCHKEY_WEB_ROOT || path.join(repoRoot, 'web', 'dist');
  const ownDir = !dataDir;
  dataDir = dataDir || mkdtempSync(path.join(tmpdir(), 'latchkey-test-'));
  const port = await freePort();
  let output = '';
  const proc = spawn(
    bin,
    ['serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web-root', webRoot, ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout.on('data', (d) => { output += d; });
  proc.stderr.on('data', (d) => { output += d; });
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    if (exited) {
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`latchkey exited early (${JSON.stringify(exited)}):\n${output}`);
    }
    try {
      const res = await fetch(`${url}/healthz`);
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
  return { url, port, dataDir, webRoot, proc, stop, logs: () => output, exitStatus: () => exited };
}
