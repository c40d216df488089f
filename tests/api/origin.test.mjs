// Origin check on state-changing /api requests, before the CSRF check: a cross-origin request
// is refused even with a valid token; the server's own origin (from Host) and --allowed-origin
// origins pass; Origin: null is refused; without Origin, a Sec-Fetch-Site other than same-origin
// or none is refused.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api } from '../support/http.mjs';
import {
  assertCleanResponses, assertError, assertNoStoreEverywhere, authStatus, browser, makeWebRoot, PASSWORD, q, sql,
  startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';
import { runLatchkey } from '../support/server.mjs';
import { rmSync } from 'node:fs';

const REFUSED = { error: 'Cross-origin request refused', code: 'origin_rejected' };

let srv; // --allowed-origin https://app.example.com --allowed-origin http://localhost:5173
let envSrv; // LATCHKEY_ALLOWED_ORIGIN=https://a.example,https://b.example:8443
before(async () => {
  [srv, envSrv] = await Promise.all([
    startTestServer({ args: ['--allowed-origin', 'https://app.example.com', '--allowed-origin', 'http://localhost:5173'] }),
    startTestServer({ env: { LATCHKEY_ALLOWED_ORIGIN: 'https://a.example,https://b.example:8443' } }),
  ]);
});
after(async () => {
  await Promise.all([srv?.cleanup(), envSrv?.cleanup()]);
  assertNoStoreEverywhere();
  assertCleanResponses();
});

const own = () => `http://127.0.0.1:${srv.port}`;

function assertRefused(res, label) {
  assertError(res, 403);
  assert.deepEqual(res.body, REFUSED, label);
}

function userExists(dataDir, username) {
  return sql(dataDir, `SELECT count(*) AS n FROM users WHERE username = ${q(username)}`)[0].n > 0;
}

/** Signup with a valid CSRF token and the given extra headers. */
async function signupWith(server, headers) {
  const jar = await browser(server.url);
  const username = uniq('or');
  const res = await api(server.url, jar, 'POST', '/api/auth/signup', { json: { username, password: PASSWORD }, headers });
  return { jar, username, res };
}

test('a cross-origin POST with a valid CSRF token is refused with 403 and changes nothing', async () => {
  const { jar, username, res } = await signupWith(srv, { Origin: 'http://evil.example' });
  assertRefused(res, 'cross-origin signup');
  assert.equal(res.setCookies.filter((c) => c.startsWith('latchkey_session=')).length, 0, 'no session cookie');
  assert.equal(userExists(srv.dataDir, username), false, 'no user row');
  assert.equal(await authStatus(srv.url, jar), 401);
});

test('same-origin (Origin = scheme://Host) passes and the request proceeds', async () => {
  const { jar, res } = await signupWith(srv, { Origin: own() });
  assert.equal(res.status, 201, res.text);
  assert.equal(await authStatus(srv.url, jar), 200);
  const out = await api(srv.url, jar, 'POST', '/api/auth/logout', { headers: { Origin: own(), 'Sec-Fetch-Site': 'same-origin' } });
  assert.equal(out.status, 200, out.text);
});

test('the own origin follows the Host header: Host localhost:<port> with Origin http://localhost:<port> passes', async () => {
  const host = `localhost:${srv.port}`;
  const { res } = await signupWith(srv, { Host: host, Origin: `http://${host}` });
  assert.equal(res.status, 201, res.text);
  const other = await signupWith(srv, { Origin: `http://localhost:${srv.port}` }); // Host is 127.0.0.1:<port>
  assertRefused(other.res, 'same server, other host name than Host');
});

test('origins that differ only in scheme or port are cross-origin', async () => {
  for (const origin of [`https://127.0.0.1:${srv.port}`, `http://127.0.0.1:${srv.port + 1}`, 'http://127.0.0.1']) {
    const { res } = await signupWith(srv, { Origin: origin });
    assertRefused(res, origin);
  }
});

test('--allowed-origin origins pass (repeatable); the same host with another scheme does not', async () => {
  for (const origin of ['https://app.example.com', 'https://APP.example.com:443', 'http://localhost:5173']) {
    const { res } = await signupWith(srv, { Origin: origin });
    assert.equal(res.status, 201, `${origin}: ${res.text}`);
  }
  for (const origin of ['http://app.example.com', 'https://app.example.com:8443', 'https://evil.app.example.com']) {
    const { res } = await signupWith(srv, { Origin: origin });
    assertRefused(res, origin);
  }
});

test('LATCHKEY_ALLOWED_ORIGIN takes a comma-separated list', async () => {
  for (const origin of ['https://a.example', 'https://b.example:8443']) {
    const { res } = await signupWith(envSrv, { Origin: origin });
    assert.equal(res.status, 201, `${origin}: ${res.text}`);
  }
  const { res } = await signupWith(envSrv, { Origin: 'https://b.example' });
  assertRefused(res, 'https://b.example (port differs)');
});

test('Origin: null and malformed origins are refused', async () => {
  for (const origin of ['null', '', 'http://127.0.0.1:1/path', own().replace('http://', 'ftp://'), 'file://']) {
    const { res } = await signupWith(srv, { Origin: origin });
    assertRefused(res, `Origin: "${origin}"`);
  }
});

test('without Origin: Sec-Fetch-Site other than same-origin or none is refused; those and absent pass', async () => {
  for (const site of ['cross-site', 'same-site', 'Same-Site', 'bogus']) {
    const { res } = await signupWith(srv, { 'Sec-Fetch-Site': site });
    assertRefused(res, `Sec-Fetch-Site: ${site}`);
  }
  for (const site of ['same-origin', 'none', undefined]) {
    const ok = await signupWith(srv, site === undefined ? {} : { 'Sec-Fetch-Site': site });
    assert.equal(ok.res.status, 201, `Sec-Fetch-Site: ${site}: ${ok.res.text}`);
  }
});

test('the origin check runs before the CSRF check and routing, for every state-changing method', async () => {
  const jar = await browser(srv.url);
  for (const [method, path] of [['POST', '/api/auth/login'], ['PATCH', '/api/auth/user'], ['DELETE', '/api/auth/sessions/x'],
    ['PUT', '/api/nowhere'], ['POST', '/api']]) {
    const noToken = await api(srv.url, jar, method, path, { csrf: null, headers: { Origin: 'http://evil.example' } });
    assertRefused(noToken, `${method} ${path} without token`);
  }
  // Same origin and no token: the CSRF check still answers.
  const csrf = await api(srv.url, jar, 'POST', '/api/auth/login', { csrf: null, json: {}, headers: { Origin: own() } });
  assertError(csrf, 403, { error: 'Missing or invalid CSRF token', code: 'csrf_rejected' });
});

test('safe methods and non-API paths are not origin-checked', async () => {
  const jar = await browser(srv.url);
  const me = await api(srv.url, jar, 'GET', '/api/auth', { headers: { Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' } });
  assertError(me, 401);
  const page = await api(srv.url, jar, 'GET', '/', { headers: { Origin: 'http://evil.example' } });
  assert.equal(page.status, 200);
  const post = await api(srv.url, jar, 'POST', '/account', { headers: { Origin: 'http://evil.example' } });
  assertError(post, 405);
});

test('an invalid --allowed-origin is refused at startup (exit 2, names the flag)', () => {
  const dataDir = tempDir();
  const webRoot = makeWebRoot();
  try {
    for (const bad of ['app.example.com', 'https://app.example.com/', 'null', 'ftp://x.example', 'https://a.example:99999']) {
      const r = runLatchkey(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-root', webRoot, '--allowed-origin', bad]);
      assert.equal(r.status, 2, `${bad}: ${r.output}`);
      assert.match(r.output, /--allowed-origin/, bad);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
  }
});
