// The reverse proxy's configuration (issue 17, "Bad input"): malformed --upstream and friends
// stop the start with exit 2 naming the flag, before anything listens; the same settings from
// LATCHKEY_* variables and a --config file work as flags do.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { api } from '../support/http.mjs';
import { runLatchkey } from '../support/server.mjs';
import { browser, signup, startTestServer, tempDir } from '../support/fixtures.mjs';
import { startUpstream } from '../support/upstream.mjs';

const webRoot = process.env.LATCHKEY_WEB_ROOT || path.resolve('web/dist');
const dirs = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function refuse(args, env, flag) {
  const dir = tempDir('latchkey-upcfg-');
  dirs.push(dir);
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LATCHKEY_')));
  const r = runLatchkey(['serve', '--listen', '127.0.0.1:0', '--metrics-listen', 'off', '--data-dir', dir,
    '--web-root', webRoot, ...args], { env: { ...clean, ...env } });
  assert.equal(r.status, 2, `exit 2 for ${JSON.stringify(args)} ${JSON.stringify(env)}:\n${r.output}`);
  assert.ok(r.output.includes(flag), `the message names ${flag}:\n${r.output}`);
  assert.ok(!/listening/.test(r.output), 'nothing listens');
}

test('malformed --upstream values: exit 2 naming the flag', () => {
  for (const value of ['/api/notes', 'api/notes=http://127.0.0.1:3000', '/api/notes=https://127.0.0.1:3000',
    '/api/notes=http://127.0.0.1', '/api/notes=http://127.0.0.1:3000/x', '/api/notes=127.0.0.1:3000',
    '/api/notes/=http://127.0.0.1:3000', '/api/../x=http://127.0.0.1:3000', '/api/notes=http://127.0.0.1:70000']) {
    refuse(['--upstream', value], {}, '--upstream');
  }
});

test("an upstream prefix equal to or inside Latchkey's own routes: exit 2", () => {
  for (const prefix of ['/api/auth', '/api/auth/verify', '/healthz', '/readyz', '/assets', '/assets/x', '/.well-known']) {
    refuse(['--upstream', `${prefix}=http://127.0.0.1:3000`], {}, '--upstream');
  }
  refuse(['--upstream', '/a=http://127.0.0.1:1', '--upstream', '/a=http://127.0.0.1:2'], {}, '--upstream');
});

test('the other proxy flags: exit 2 naming the flag, from the command line or the environment', () => {
  refuse(['--public-path', 'public'], {}, '--public-path');
  refuse(['--public-path', '/a/../b'], {}, '--public-path');
  refuse(['--public-url', 'app.example.com'], {}, '--public-url');
  refuse(['--public-url', 'https://app.example.com/path'], {}, '--public-url');
  refuse(['--upstream-timeout', 'soon'], {}, '--upstream-timeout');
  refuse(['--upstream-connect-timeout', '0s'], {}, '--upstream-connect-timeout');
  refuse(['--max-upstream-body', 'lots'], {}, '--max-upstream-body');
  refuse(['--max-upstream-body', '-1'], {}, '--max-upstream-body');
  refuse([], { LATCHKEY_UPSTREAM: '/api/notes' }, 'LATCHKEY_UPSTREAM');
  refuse([], { LATCHKEY_UPSTREAM: '/healthz=http://127.0.0.1:1' }, 'LATCHKEY_UPSTREAM');
});

test('LATCHKEY_UPSTREAM (comma-separated) and a --config file configure the proxy as flags do', async () => {
  const [a, b] = await Promise.all([startUpstream(), startUpstream()]);
  const dir = tempDir('latchkey-upcfg-');
  dirs.push(dir);
  const file = path.join(dir, 'latchkey.toml');
  writeFileSync(file, `upstream = ["/b=${b.url}"]\npublic-path = ["/b/open"]\nupstream-timeout = "5s"\n`);
  const srv = await startTestServer({
    args: ['--config', file],
    env: { LATCHKEY_UPSTREAM: `/a=${a.url},/a/deeper=${a.url}`, LATCHKEY_PUBLIC_PATH: '/a/open' },
  });
  try {
    assert.equal((await api(srv.url, null, 'GET', '/a/open/x')).status, 200);
    assert.equal(a.last().url, '/a/open/x');
    assert.equal((await api(srv.url, null, 'GET', '/a/closed')).status, 401);
    // The environment wins over the file: /b is not an upstream then (Latchkey's page answers).
    const jar = await browser(srv.url);
    await signup(srv.url, jar);
    assert.equal((await api(srv.url, jar, 'GET', '/a/deeper/1')).status, 200);
    assert.equal(b.requests.length, 0);
  } finally {
    await srv.cleanup();
  }
  const fromFile = await startTestServer({ args: ['--config', file] });
  try {
    assert.equal((await api(fromFile.url, null, 'GET', '/b/open/1')).status, 200);
    assert.equal(b.last().url, '/b/open/1');
    assert.equal((await api(fromFile.url, null, 'GET', '/b/closed')).status, 401);
  } finally {
    await fromFile.cleanup();
    await Promise.all([a.close(), b.close()]);
  }
});
