// Forward auth through Debian's nginx (issue 17 section 2): the nginx `server` block of
// docs/INTEGRATION.md, read from the document itself (between its nginx-begin/-end markers)
// with the ports replaced, in front of a Latchkey and an echo application, all on loopback.
// nginx runs in the foreground as one process, with every path in a temporary directory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { api, CookieJar, getCsrf } from '../support/http.mjs';
import { signup, startTestServer, tempDir } from '../support/fixtures.mjs';
import { freePort } from '../support/server.mjs';
import { startUpstream } from '../support/upstream.mjs';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

/** The nginx server block of docs/INTEGRATION.md with our ports in place of its examples. */
function documentedServerBlock({ nginxPort, latchkeyPort, appPort }) {
  const doc = readFileSync(path.resolve('docs/INTEGRATION.md'), 'utf8');
  const m = doc.match(/<!-- nginx-begin -->\s*```nginx\n([\s\S]*?)```\s*<!-- nginx-end -->/);
  assert.ok(m, 'docs/INTEGRATION.md has the nginx block between its markers');
  return m[1]
    .replaceAll('listen 127.0.0.1:80;', `listen 127.0.0.1:${nginxPort};`)
    .replaceAll('127.0.0.1:8080', `127.0.0.1:${latchkeyPort}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${appPort}`);
}

function waitForPort(port, ms = 10000) {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(); });
      s.on('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

const ISS = 'https://app.example.test'; // --public-url: iss and aud of forward auth's assertion
let app;
let lk;
let nginx;
let dir;
let base;
before(async () => {
  if (!NGINX) return;
  app = await startUpstream();
  lk = await startTestServer({ args: ['--trusted-proxy', '127.0.0.1', '--public-path', '/app/public', '--public-url', ISS] });
  dir = tempDir('latchkey-nginx-');
  mkdirSync(path.join(dir, 'logs'));
  const nginxPort = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  const temp = (name) => `${name}_temp_path ${path.join(dir, name)};`;
  writeFileSync(conf, `daemon off;
master_process off;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'logs', 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
${documentedServerBlock({ nginxPort, latchkeyPort: new URL(lk.url).port, appPort: app.port })}
}
`);
  nginx = spawn(NGINX, ['-p', dir, '-c', conf, '-e', path.join(dir, 'logs', 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  nginx.stdout.on('data', (d) => { output += d; });
  nginx.stderr.on('data', (d) => { output += d; });
  try {
    await waitForPort(nginxPort);
  } catch (e) {
    throw new Error(`${e.message}: ${output}`);
  }
  base = `http://127.0.0.1:${nginxPort}`;
});
after(async () => {
  if (nginx && nginx.exitCode === null) {
    nginx.kill('SIGTERM');
    await new Promise((r) => nginx.once('exit', r));
  }
  await lk?.cleanup();
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const header = (rec, name) => rec.headers[name.toLowerCase()];

test('nginx auth_request: the documented configuration lets only Latchkey decide and name the caller', { skip: NGINX ? false : 'nginx is not installed (scripts/install-deps.sh --test installs it)' }, async () => {
  const jar = new CookieJar();
  await getCsrf(base, jar); // Latchkey's page through nginx: the CSRF cookie and token
  const before = app.requests.length;
  let refused = await api(base, jar, 'GET', '/app/notes');
  assert.equal(refused.status, 401, 'no session: 401');
  assert.deepEqual(refused.body, { error: 'Not logged in', code: 'unauthenticated' }, 'JSON with Latchkey\'s code');
  assert.equal((await api(base, jar, 'POST', '/app/notes', { json: {} })).status, 401);
  assert.equal(app.requests.length, before, 'nothing reached the application');

  await signup(base, jar);
  const me = (await api(base, jar, 'GET', '/api/auth')).body.user;
  const cookies = `app_pref=dark; ${jar.header()}; app_cart=3`;
  let res = await api(base, jar, 'GET', '/app/notes?x=1', { headers: { Cookie: cookies, 'X-Latchkey-User-Id': '1', 'X-Latchkey-Username': 'admin', 'X-Latchkey-Assertion': 'forged' } });
  assert.equal(res.status, 200, res.text);
  let rec = app.last();
  assert.equal(rec.url, '/app/notes?x=1');
  assert.ok(jar.has('latchkey_session') && jar.has('latchkey_csrf'));
  assert.equal(header(rec, 'Cookie').replace(/;\s*$/, ''), 'app_pref=dark; app_cart=3', 'the application\'s cookies, never Latchkey\'s');
  assert.equal(header(rec, 'X-Latchkey-User-Id'), String(me.id), 'the identity is Latchkey\'s, not the client\'s');
  assert.equal(header(rec, 'X-Latchkey-Username'), me.username);
  assert.match(header(rec, 'X-Latchkey-Session-Id'), /^[A-Za-z0-9_-]+$/);
  // The assertion, passed by auth_request_set: Latchkey's (verifies), never the client's.
  const keys = createLocalJWKSet((await api(base, null, 'GET', '/.well-known/jwks.json')).body);
  const { payload } = await jwtVerify(header(rec, 'X-Latchkey-Assertion'), keys, { issuer: ISS, audience: ISS, algorithms: ['EdDSA', 'ES256'] });
  assert.equal(payload.sub, String(me.id));
  assert.equal(payload.username, me.username);
  assert.equal(payload.sid, header(rec, 'X-Latchkey-Session-Id'));

  // State-changing: the CSRF token is checked by Latchkey on the forwarded headers.
  const n = app.requests.length;
  refused = await api(base, jar, 'POST', '/app/notes', { json: { t: 1 }, csrf: null });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.code, 'csrf_rejected');
  assert.equal((await api(base, jar, 'DELETE', '/app/notes/1', { csrf: 'forged' })).status, 403);
  assert.equal((await api(base, jar, 'PUT', '/app/notes/1', { json: {}, headers: { Origin: 'https://evil.example' } })).status, 403);
  assert.equal(app.requests.length, n, 'refused requests never reached the application');
  res = await api(base, jar, 'POST', '/app/notes', { json: { text: 'hi' } });
  assert.equal(res.status, 200, res.text);
  rec = app.last();
  assert.equal(rec.body.toString(), '{"text":"hi"}');
  assert.equal(header(rec, 'X-CSRF-Token'), undefined);

  // Public paths: no session needed, and a forged identity never passes.
  const anon = new CookieJar();
  res = await api(base, anon, 'GET', '/app/public/list', { headers: { 'X-Latchkey-User-Id': '1', 'X-Latchkey-Assertion': 'forged' } });
  assert.equal(res.status, 200);
  assert.equal(header(app.last(), 'X-Latchkey-User-Id'), undefined);
  assert.equal(header(app.last(), 'X-Latchkey-Assertion'), undefined);
  assert.equal((await api(base, anon, 'GET', '/app/public/../private')).status, 401, 'normalised by nginx, then not public');

  // Logout ends it.
  const stale = jar.clone();
  assert.equal((await api(base, jar, 'POST', '/api/auth/logout')).status, 200);
  refused = await api(base, stale, 'GET', '/app/notes');
  assert.equal(refused.status, 401);
  assert.equal(refused.body.code, 'session_ended');
});
