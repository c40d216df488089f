// Security headers on every response, whatever produced it (page, API, asset, 404, the
// connection layer's 413/431): Content-Security-Policy, X-Content-Type-Options,
// Referrer-Policy, X-Frame-Options; Cache-Control: no-store on /api; HSTS over TLS only.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, CookieJar } from '../support/http.mjs';
import { browser, startTestServer, tempDir } from '../support/fixtures.mjs';
import { makeSelfSignedCert } from '../support/server.mjs';
import { rmSync } from 'node:fs';

const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
  + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const HSTS = 'max-age=31536000; includeSubDomains';

let plain;
let secure;
let certDir;
before(async () => {
  certDir = tempDir('latchkey-cert-');
  const tls = makeSelfSignedCert(certDir);
  [plain, secure] = await Promise.all([startTestServer(), startTestServer({ tls })]);
});
after(async () => {
  await Promise.all([plain?.cleanup(), secure?.cleanup()]);
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

/** One request of each kind the brief names, plus a few more producers of responses. */
async function responses(base) {
  const jar = await browser(base);
  const out = {};
  out['GET /'] = await api(base, new CookieJar(), 'GET', '/');
  out['HEAD /account'] = await api(base, new CookieJar(), 'HEAD', '/account');
  out['GET /api/auth (401)'] = await api(base, jar, 'GET', '/api/auth');
  out['GET /assets/app.js'] = await api(base, null, 'GET', '/assets/app.js');
  out['GET /assets/missing.js (404)'] = await api(base, null, 'GET', '/assets/missing.js');
  out['GET /api/nowhere (404)'] = await api(base, jar, 'GET', '/api/nowhere');
  out['POST /api/auth/login, no token (403)'] = await api(base, null, 'POST', '/api/auth/login', { json: {} });
  out['PUT / (405)'] = await api(base, null, 'PUT', '/');
  out['GET /healthz'] = await api(base, null, 'GET', '/healthz');
  out['POST 17 KiB body (413)'] = await api(base, jar, 'POST', '/api/auth/login', {
    rawBody: JSON.stringify({ username: 'x', password: 'p'.repeat(17 * 1024) }),
    headers: { 'Content-Type': 'application/json' },
  });
  out['GET / with 9 KiB header (431)'] = await api(base, null, 'GET', '/', { headers: { 'X-Padding': 'a'.repeat(9 * 1024) } });
  return out;
}

function assertHeaderSet(res, label, { tls }) {
  const h = res.headers;
  assert.equal(h['content-security-policy'], CSP, `${label}: Content-Security-Policy`);
  assert.doesNotMatch(h['content-security-policy'] || '', /unsafe-/, `${label}: no unsafe-* source`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${label}: X-Content-Type-Options`);
  assert.equal(h['referrer-policy'], 'same-origin', `${label}: Referrer-Policy`);
  assert.equal(h['x-frame-options'], 'DENY', `${label}: X-Frame-Options`);
  if (tls) assert.equal(h['strict-transport-security'], HSTS, `${label}: HSTS over TLS`);
  else assert.equal(h['strict-transport-security'], undefined, `${label}: no HSTS over plain HTTP`);
  if (res.path.startsWith('/api/')) assert.match(h['cache-control'] || '', /no-store/, `${label}: Cache-Control no-store`);
}

test('plain HTTP: every response carries CSP, nosniff, Referrer-Policy, X-Frame-Options, and no HSTS', async () => {
  const all = await responses(plain.url);
  const statuses = Object.fromEntries(Object.entries(all).map(([k, r]) => [k, r.status]));
  assert.deepEqual(statuses, {
    'GET /': 200,
    'HEAD /account': 200,
    'GET /api/auth (401)': 401,
    'GET /assets/app.js': 200,
    'GET /assets/missing.js (404)': 404,
    'GET /api/nowhere (404)': 404,
    'POST /api/auth/login, no token (403)': 403,
    'PUT / (405)': 405,
    'GET /healthz': 200,
    'POST 17 KiB body (413)': 413,
    'GET / with 9 KiB header (431)': 431,
  });
  for (const [label, res] of Object.entries(all)) assertHeaderSet(res, label, { tls: false });
});

test('TLS: the same responses carry the same headers and Strict-Transport-Security', async () => {
  const all = await responses(secure.url);
  for (const [label, res] of Object.entries(all)) {
    assert.ok(res.status < 500, `${label}: ${res.status}`);
    assertHeaderSet(res, label, { tls: true });
  }
  assert.equal(all['POST 17 KiB body (413)'].status, 413);
  assert.equal(all['GET / with 9 KiB header (431)'].status, 431);
});

test('the header is sent once: no duplicated security header on a page or an API answer', async () => {
  for (const path of ['/', '/api/auth']) {
    const res = await api(plain.url, new CookieJar(), 'GET', path);
    for (const name of ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options']) {
      assert.equal(typeof res.headers[name], 'string', `${path}: ${name} once`);
      assert.ok(!res.headers[name].includes(', '), `${path}: ${name} not merged from duplicates: ${res.headers[name]}`);
    }
  }
});
