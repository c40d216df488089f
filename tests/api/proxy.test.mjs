// Behind a reverse proxy (--trusted-proxy CIDR): only when the peer is a listed proxy are
// X-Forwarded-For (the right-most address that is not itself a trusted proxy becomes the
// client IP, shown in the session list) and X-Forwarded-Proto: https (cookies Secure and
// __Host-, HSTS, https own origin) believed. The test client's peer address is 127.0.0.1.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { api, CookieJar, findSetCookie, parseCsrfMeta } from '../support/http.mjs';
import {
  assertCleanResponses, assertError, assertNoStoreEverywhere, authStatus, browser, makeWebRoot, PASSWORD,
  signup, startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';
import { runLatchkey } from '../support/server.mjs';

const HSTS = 'max-age=31536000; includeSubDomains';

let trusted; // --trusted-proxy 127.0.0.0/8 --trusted-proxy 10.0.0.0/8
let untrusted; // --trusted-proxy 10.0.0.0/8 (the test client is not a proxy)
let none; // no proxy configured
let fromEnv; // LATCHKEY_TRUSTED_PROXY=192.0.2.0/24,127.0.0.1
before(async () => {
  [trusted, untrusted, none, fromEnv] = await Promise.all([
    startTestServer({ args: ['--trusted-proxy', '127.0.0.0/8', '--trusted-proxy', '10.0.0.0/8'] }),
    startTestServer({ args: ['--trusted-proxy', '10.0.0.0/8'] }),
    startTestServer(),
    startTestServer({ env: { LATCHKEY_TRUSTED_PROXY: '192.0.2.0/24,127.0.0.1' } }),
  ]);
});
after(async () => {
  await Promise.all([trusted, untrusted, none, fromEnv].map((s) => s?.cleanup()));
  assertNoStoreEverywhere();
  assertCleanResponses();
});

/** Signs up through `server` with extra headers on every request; returns the session's recorded ip. */
async function ipAfterSignup(server, headers) {
  const jar = new CookieJar();
  const page = await api(server.url, jar, 'GET', '/', { headers });
  assert.equal(page.status, 200);
  jar.csrfToken = parseCsrfMeta(page.text);
  const res = await api(server.url, jar, 'POST', '/api/auth/signup', { json: { username: uniq('px'), password: PASSWORD }, headers });
  assert.equal(res.status, 201, res.text);
  const list = await api(server.url, jar, 'GET', '/api/auth/sessions', { headers });
  assert.equal(list.status, 200, list.text);
  const mine = list.body.sessions.filter((s) => s.current);
  assert.equal(mine.length, 1);
  return mine[0].ip;
}

test('trusted peer: X-Forwarded-For gives the client IP, right-most untrusted entry wins', async () => {
  const cases = [
    ['203.0.113.9', '203.0.113.9'],
    ['198.51.100.7, 203.0.113.9', '203.0.113.9'], // the left entry was written by the client: ignored
    ['203.0.113.9, 10.1.2.3', '203.0.113.9'], // 10.1.2.3 is a trusted proxy in the chain
    ['203.0.113.9, 127.0.0.5', '203.0.113.9'],
    ['2001:db8::7', '2001:db8::7'],
    ['[2001:db8::8]:4711', '2001:db8::8'],
    ['not-an-ip', '127.0.0.1'], // unusable: the proxy itself
  ];
  for (const [xff, expected] of cases) {
    assert.equal(await ipAfterSignup(trusted, { 'X-Forwarded-For': xff }), expected, `X-Forwarded-For: ${xff}`);
  }
  assert.equal(await ipAfterSignup(trusted, {}), '127.0.0.1', 'no header: the peer');
});

test('untrusted peer (or no --trusted-proxy): X-Forwarded-For is ignored', async () => {
  for (const server of [untrusted, none]) {
    assert.equal(await ipAfterSignup(server, { 'X-Forwarded-For': '203.0.113.9' }), '127.0.0.1');
  }
});

test('LATCHKEY_TRUSTED_PROXY takes a comma-separated list', async () => {
  assert.equal(await ipAfterSignup(fromEnv, { 'X-Forwarded-For': '203.0.113.10, 192.0.2.44' }), '203.0.113.10');
});

test('trusted peer with X-Forwarded-Proto: https: __Host- Secure cookies, HSTS, and the session works', async () => {
  const headers = { 'X-Forwarded-Proto': 'https' };
  const jar = new CookieJar();
  const page = await api(trusted.url, jar, 'GET', '/', { headers });
  const csrf = findSetCookie(page, '__Host-latchkey_csrf');
  assert.ok(csrf, `__Host-latchkey_csrf: ${page.setCookies}`);
  assert.equal(csrf.attrs.secure, true);
  assert.equal(page.headers['strict-transport-security'], HSTS);
  jar.csrfToken = parseCsrfMeta(page.text);
  const s = await api(trusted.url, jar, 'POST', '/api/auth/signup', { json: { username: uniq('ps'), password: PASSWORD }, headers });
  assert.equal(s.status, 201, s.text);
  const session = findSetCookie(s, '__Host-latchkey_session');
  assert.ok(session && session.attrs.secure === true, `Secure __Host- session cookie: ${s.setCookies}`);
  const me = await api(trusted.url, jar, 'GET', '/api/auth', { headers });
  assert.equal(me.status, 200, me.text);
  // The same cookies without the proxy's https claim are plain-HTTP requests: other names.
  assert.equal(await authStatus(trusted.url, jar), 401);
});

test('X-Forwarded-Proto from an untrusted peer is ignored: plain cookie names, no Secure, no HSTS', async () => {
  for (const server of [untrusted, none]) {
    const res = await api(server.url, new CookieJar(), 'GET', '/', { headers: { 'X-Forwarded-Proto': 'https' } });
    assert.equal(res.status, 200);
    const c = findSetCookie(res, 'latchkey_csrf');
    assert.ok(c, `plain csrf cookie: ${res.setCookies}`);
    assert.equal(c.attrs.secure, undefined, 'not Secure');
    assert.equal(findSetCookie(res, '__Host-latchkey_csrf'), undefined);
    assert.equal(res.headers['strict-transport-security'], undefined);
  }
});

test('origin check behind the proxy: with X-Forwarded-Proto https the own origin is https://Host', async () => {
  const headers = { 'X-Forwarded-Proto': 'https' };
  const jar = new CookieJar();
  const page = await api(trusted.url, jar, 'GET', '/', { headers });
  jar.csrfToken = parseCsrfMeta(page.text);
  const host = `127.0.0.1:${trusted.port}`;
  const bad = await api(trusted.url, jar, 'POST', '/api/auth/signup', {
    json: { username: uniq('po'), password: PASSWORD }, headers: { ...headers, Origin: `http://${host}` },
  });
  assertError(bad, 403, { error: 'Cross-origin request refused', code: 'origin_rejected' });
  const ok = await api(trusted.url, jar, 'POST', '/api/auth/signup', {
    json: { username: uniq('po'), password: PASSWORD }, headers: { ...headers, Origin: `https://${host}` },
  });
  assert.equal(ok.status, 201, ok.text);
  // Without a trusted proxy the https claim is ignored: an https Origin is cross-origin.
  const jar2 = await browser(untrusted.url);
  const refused = await api(untrusted.url, jar2, 'POST', '/api/auth/signup', {
    json: { username: uniq('po'), password: PASSWORD }, headers: { ...headers, Origin: `https://127.0.0.1:${untrusted.port}` },
  });
  assertError(refused, 403, { error: 'Cross-origin request refused', code: 'origin_rejected' });
  await signup(untrusted.url, jar2, {}); // same browser, no Origin: fine
});

test('an invalid --trusted-proxy is refused at startup (exit 2, names the flag)', () => {
  const dataDir = tempDir();
  const webRoot = makeWebRoot();
  try {
    for (const bad of ['10.0.0.1/8', '10.0.0.0/33', 'fd00::1/8', 'localhost', '10.0.0']) {
      const r = runLatchkey(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-root', webRoot, '--trusted-proxy', bad]);
      assert.equal(r.status, 2, `${bad}: ${r.output}`);
      assert.match(r.output, /--trusted-proxy/, bad);
    }
    const env = runLatchkey(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-root', webRoot],
      { env: { LATCHKEY_TRUSTED_PROXY: '127.0.0.1,nonsense' } });
    assert.equal(env.status, 2, env.output);
    assert.match(env.output, /LATCHKEY_TRUSTED_PROXY.*nonsense/, 'names the variable it came from');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
  }
});
