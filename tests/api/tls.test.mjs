// Built-in TLS (--tls-cert/--tls-key) with a self-signed certificate made here: cookies are
// Secure and "__Host-" prefixed, HSTS is sent, the whole auth flow works over HTTPS, TLS
// below 1.2 and weak suites are refused, --redirect-http answers 308 to HTTPS, and bad TLS
// configurations are refused at startup.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import tls from 'node:tls';
import { api, CookieJar, findSetCookie, isDeletion, request } from '../support/http.mjs';
import {
  assertCleanResponses, assertError, assertNoStoreEverywhere, authStatus, browser, login, makeWebRoot, PASSWORD, signup,
  startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';
import { freePort, makeSelfSignedCert, runLatchkey } from '../support/server.mjs';

const HSTS = 'max-age=31536000; includeSubDomains';

let certDir;
let cert;
let srv; // TLS, with --redirect-http 127.0.0.1:<redirectPort>
let redirectPort;
before(async () => {
  certDir = tempDir('latchkey-cert-');
  cert = makeSelfSignedCert(certDir);
  redirectPort = await freePort();
  srv = await startTestServer({ tls: cert, args: ['--redirect-http', `127.0.0.1:${redirectPort}`] });
});
after(async () => {
  await srv?.cleanup();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
  assertNoStoreEverywhere();
  assertCleanResponses();
});

/** Asserts a __Host- cookie per RFC 6265bis 4.1.3.2: Secure, Path=/, no Domain; plus HttpOnly, SameSite=Lax. */
function assertHostCookie(c, label) {
  assert.ok(c, `${label}: cookie set`);
  assert.ok(c.name.startsWith('__Host-'), `${label}: __Host- prefix: ${c.raw}`);
  assert.equal(c.attrs.secure, true, `${label}: Secure: ${c.raw}`);
  assert.equal(c.attrs.path, '/', `${label}: Path=/: ${c.raw}`);
  assert.equal(c.attrs.domain, undefined, `${label}: no Domain: ${c.raw}`);
  assert.equal(c.attrs.httponly, true, `${label}: HttpOnly: ${c.raw}`);
  assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', `${label}: SameSite=Lax: ${c.raw}`);
}

test('the server presents the configured certificate (verifies against it as the only CA)', async () => {
  const res = await request(srv.url, 'GET', '/healthz', { ca: cert.certPem });
  assert.equal(res.status, 200);
  assert.equal(res.headers['strict-transport-security'], HSTS);
  assert.ok(srv.url.startsWith('https://'), srv.url);
});

test('GET / over TLS sets __Host-latchkey_csrf (Secure) and never the plain name', async () => {
  const res = await api(srv.url, new CookieJar(), 'GET', '/');
  assert.equal(res.status, 200);
  assertHostCookie(findSetCookie(res, '__Host-latchkey_csrf'), 'csrf cookie');
  assert.equal(findSetCookie(res, 'latchkey_csrf'), undefined, `no plain csrf cookie: ${res.setCookies}`);
  assert.equal(res.headers['strict-transport-security'], HSTS);
});

test('signup, me, logout, login and logout again work over TLS with __Host- Secure session cookies', async () => {
  const jar = await browser(srv.url);
  const username = uniq('tls');
  const s = await signup(srv.url, jar, { username });
  assertHostCookie(findSetCookie(s, '__Host-latchkey_session'), 'session cookie (signup)');
  assert.equal(findSetCookie(s, 'latchkey_session'), undefined, 'no plain session cookie');
  assert.equal(s.headers['strict-transport-security'], HSTS);
  assert.equal(await authStatus(srv.url, jar), 200);

  const out = await api(srv.url, jar, 'POST', '/api/auth/logout');
  assert.equal(out.status, 200, out.text);
  const cleared = findSetCookie(out, '__Host-latchkey_session');
  assert.ok(cleared && isDeletion(cleared), `logout clears the __Host- cookie: ${out.setCookies}`);
  assert.equal(cleared.attrs.secure, true, 'the deletion is Secure too (else the browser ignores it)');
  assert.equal(await authStatus(srv.url, jar), 401);

  const l = await login(srv.url, jar, username, PASSWORD, { remember: false });
  const c = findSetCookie(l, '__Host-latchkey_session');
  assertHostCookie(c, 'session cookie (login)');
  assert.equal(c.attrs['max-age'], undefined, 'remember:false: browser-session cookie');
  assert.equal(await authStatus(srv.url, jar), 200);
});

test('over TLS, cookies under the plain names are ignored (a network attacker could have set them)', async () => {
  const jar = await browser(srv.url);
  await signup(srv.url, jar);
  const tossed = new CookieJar([['latchkey_session', jar.get('__Host-latchkey_session')]]);
  assert.equal(await authStatus(srv.url, tossed), 401, 'a valid session value under the plain name is no session');

  // CSRF binding under the plain name: the token does not verify over TLS.
  const plainCsrf = new CookieJar([['latchkey_csrf', jar.get('__Host-latchkey_csrf')]]);
  plainCsrf.csrfToken = jar.csrfToken;
  const res = await api(srv.url, plainCsrf, 'POST', '/api/auth/login', { json: { username: uniq('x'), password: PASSWORD } });
  assertError(res, 403, { error: 'Missing or invalid CSRF token', code: 'csrf_rejected' });
});

function handshake(options) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: srv.port, rejectUnauthorized: false, ...options }, () => {
      const result = { ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.end();
      resolve(result);
    });
    socket.on('error', (e) => resolve({ ok: false, code: e.code, message: e.message }));
  });
}

test('TLS 1.2 and 1.3 only; TLS 1.2 with a non-AEAD suite is refused; the server picks the suite', async () => {
  for (const version of ['TLSv1', 'TLSv1.1']) {
    const r = await handshake({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' });
    assert.equal(r.ok, false, `${version} refused: ${JSON.stringify(r)}`);
    assert.equal(r.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', `${version}: the server refused the version: ${r.message}`);
  }
  const v12 = await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  assert.deepEqual([v12.ok, v12.protocol], [true, 'TLSv1.2'], JSON.stringify(v12));
  assert.match(v12.cipher, /^ECDHE-.*(GCM|CHACHA20)/, `forward-secret AEAD suite: ${v12.cipher}`);
  const v13 = await handshake({ minVersion: 'TLSv1.3' });
  assert.deepEqual([v13.ok, v13.protocol], [true, 'TLSv1.3'], JSON.stringify(v13));
  const cbc = await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:AES256-SHA256' });
  assert.equal(cbc.ok, false, `CBC/RSA-kx suites refused: ${JSON.stringify(cbc)}`);
  // Server preference: offered weakest-first, the server still picks its own first choice.
  const pref = await handshake({
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256',
  });
  assert.equal(pref.cipher, 'ECDHE-RSA-AES128-GCM-SHA256', `server cipher order: ${JSON.stringify(pref)}`);
});

test('plain HTTP to the TLS port gets no answer in the clear', async () => {
  const plainUrl = srv.url.replace('https://', 'http://');
  let res;
  try {
    res = await request(plainUrl, 'GET', '/healthz', { timeoutMs: 5000 });
  } catch {
    res = undefined; // connection closed by the TLS layer
  }
  assert.ok(!res || res.status !== 200, `no plain-HTTP 200 on the TLS port: ${res?.status}`);
});

test('--redirect-http: every request gets 308 to https://<host>:<TLS port><path and query>', async () => {
  const base = `http://127.0.0.1:${redirectPort}`;
  const cases = [
    ['GET', '/', {}, `https://127.0.0.1:${srv.port}/`],
    ['GET', '/account?tab=x', {}, `https://127.0.0.1:${srv.port}/account?tab=x`],
    ['HEAD', '/login', {}, `https://127.0.0.1:${srv.port}/login`],
    ['POST', '/api/auth/login', { body: '{"username":"a","password":"b"}', headers: { 'Content-Type': 'application/json' } },
      `https://127.0.0.1:${srv.port}/api/auth/login`],
    ['GET', '/x', { headers: { Host: 'Example.COM:80' } }, `https://example.com:${srv.port}/x`],
  ];
  for (const [method, p, opts, location] of cases) {
    const res = await request(base, method, p, opts);
    assert.equal(res.status, 308, `${method} ${p}: ${res.status} ${res.text}`);
    assert.equal(res.headers.location, location, `${method} ${p}`);
    assert.equal(res.setCookies.length, 0, 'no cookie on plain HTTP');
    assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS on plain HTTP');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
  }
  const badHost = await request(base, 'GET', '/', { headers: { Host: 'evil.example/x' } });
  assert.equal(badHost.status, 400, `an unusable Host is not redirected: ${badHost.status} ${badHost.headers.location}`);
  // And the redirect target serves the page.
  const page = await request(srv.url, 'GET', '/account?tab=x');
  assert.equal(page.status, 200);
});

test('bad TLS configurations are refused at startup with exit 2 naming the flag', () => {
  const dataDir = tempDir();
  const webRoot = makeWebRoot();
  const garbage = path.join(certDir, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate\n');
  const other = makeSelfSignedCert(tempDir('latchkey-cert2-'));
  const base = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-root', webRoot];
  const cases = [
    [['--tls-cert', cert.cert], /--tls-cert and --tls-key/],
    [['--tls-key', cert.key], /--tls-cert and --tls-key/],
    [['--tls-cert', path.join(certDir, 'missing.pem'), '--tls-key', cert.key], /--tls-cert.*cannot load TLS certificate/],
    [['--tls-cert', garbage, '--tls-key', cert.key], /--tls-cert.*cannot load TLS certificate/],
    [['--tls-cert', cert.cert, '--tls-key', garbage], /--tls-key.*cannot load TLS key/],
    [['--tls-cert', cert.cert, '--tls-key', other.key], /mismatch|does not match/],
    [['--redirect-http', '127.0.0.1:8080'], /--redirect-http needs --tls-cert/],
    [['--tls-cert', cert.cert, '--tls-key', cert.key, '--redirect-http', 'nonsense'], /--redirect-http must be host:port/],
  ];
  try {
    for (const [args, message] of cases) {
      const r = runLatchkey([...base, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.output}`);
      assert.match(r.output, message, args.join(' '));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
    rmSync(path.dirname(other.cert), { recursive: true, force: true });
  }
});
