// The built-in authenticating reverse proxy (issue 17 section 1; docs/INTEGRATION.md): requests
// under an --upstream prefix go through the same pipeline as /api/auth, then to a tiny echo
// upstream started here (tests/support/upstream.mjs), which records what it received.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { api, CookieJar } from '../support/http.mjs';
import { assertError, browser, signup, startTestServer, tempDir } from '../support/fixtures.mjs';
import { freePort, httpsGet, makeSelfSignedCert } from '../support/server.mjs';
import { rawExchange, startUpstream } from '../support/upstream.mjs';

const ISS = 'https://app.example.test'; // --public-url: the assertions' iss
let notes; // upstream of /api/notes
let other; // upstream of /api (a prefix above Latchkey's own /api/auth)
let srv; // --upstream /api/notes=notes --upstream /api=other --public-path /api/notes/public --public-url ISS
let trusted; // the same with --trusted-proxy 127.0.0.1
let jar; // a signed-up browser on srv
before(async () => {
  [notes, other] = await Promise.all([startUpstream(), startUpstream()]);
  const args = ['--upstream', `/api/notes=${notes.url}`, '--upstream', `/api=${other.url}`,
    '--public-path', '/api/notes/public', '--public-url', ISS];
  [srv, trusted] = await Promise.all([
    startTestServer({ args }),
    startTestServer({ args: [...args, '--trusted-proxy', '127.0.0.1'] }),
  ]);
  jar = await browser(srv.url);
  await signup(srv.url, jar);
});
after(async () => {
  await Promise.all([srv, trusted].map((s) => s?.cleanup()));
  await Promise.all([notes, other].map((u) => u?.close()));
});

/** The number of requests `up` has received so far, and a check that none came after it. */
function mark(up) {
  const n = up.requests.length;
  return { none: (why) => assert.equal(up.requests.length, n, `nothing reached the upstream: ${why}`) };
}

const header = (rec, name) => rec.headers[name.toLowerCase()];

test('prefix: path and query kept, longest prefix wins, on segment boundaries', async () => {
  let res = await api(srv.url, jar, 'GET', '/api/notes/1?sort=asc&x=%20y');
  assert.equal(res.status, 200, res.text);
  assert.equal(notes.last().url, '/api/notes/1?sort=asc&x=%20y');
  res = await api(srv.url, jar, 'GET', '/api/notes');
  assert.equal(notes.last().url, '/api/notes');
  res = await api(srv.url, jar, 'GET', '/api/notesx/1');
  assert.equal(res.status, 200);
  assert.equal(other.last().url, '/api/notesx/1', '/api/notesx is not under /api/notes');
  res = await api(srv.url, jar, 'GET', '/api/todo');
  assert.equal(other.last().url, '/api/todo');
});

test("Latchkey's own routes win over an upstream above them", async () => {
  const n = mark(other);
  const me = await api(srv.url, jar, 'GET', '/api/auth');
  assert.equal(me.status, 200);
  assert.ok(me.body.user.username);
  assert.equal((await api(srv.url, null, 'GET', '/api/auth/sessions')).status, 401);
  assert.equal((await api(srv.url, null, 'GET', '/healthz')).status, 200);
  // A path that normalises into /api/auth is Latchkey's, never the upstream's.
  await api(srv.url, jar, 'GET', '/api/x/../auth');
  await api(srv.url, jar, 'GET', '/api//auth/sessions');
  n.none('own routes');
});

test('no session: 401 unauthenticated; an ended one: 401 session_ended; nothing sent', async () => {
  const n = mark(notes);
  assertError(await api(srv.url, new CookieJar(), 'GET', '/api/notes/1'), 401, { code: 'unauthenticated' });
  const b = await browser(srv.url);
  await signup(srv.url, b);
  const stale = b.clone();
  assert.equal((await api(srv.url, b, 'POST', '/api/auth/logout')).status, 200);
  assertError(await api(srv.url, stale, 'GET', '/api/notes/1'), 401, { code: 'session_ended' });
  n.none('401');
});

test('public paths: no session needed, identity passed when there is one', async () => {
  let res = await api(srv.url, new CookieJar(), 'GET', '/api/notes/public/list');
  assert.equal(res.status, 200);
  assert.equal(header(notes.last(), 'X-Latchkey-User-Id'), undefined);
  res = await api(srv.url, jar, 'GET', '/api/notes/public/list');
  assert.equal(res.status, 200);
  assert.match(header(notes.last(), 'X-Latchkey-User-Id'), /^\d+$/);
  // Only under the public path, on a segment boundary.
  assertError(await api(srv.url, new CookieJar(), 'GET', '/api/notes/publicity'), 401, { code: 'unauthenticated' });
});

test('state-changing methods need the origin and CSRF checks of /api/auth, public or not', async () => {
  const n = mark(notes);
  assertError(await api(srv.url, jar, 'POST', '/api/notes', { json: { t: 1 }, csrf: null }), 403, { code: 'csrf_rejected' });
  assertError(await api(srv.url, jar, 'DELETE', '/api/notes/1', { csrf: 'forged' }), 403, { code: 'csrf_rejected' });
  assertError(await api(srv.url, jar, 'PUT', '/api/notes/1', { json: {}, headers: { Origin: 'https://evil.example' } }),
    403, { code: 'origin_rejected' });
  assertError(await api(srv.url, jar, 'PROPFIND', '/api/notes/1', { csrf: null }), 403, { code: 'csrf_rejected' });
  assertError(await api(srv.url, new CookieJar(), 'POST', '/api/notes/public/x', { json: {} }), 403, { code: 'csrf_rejected' });
  n.none('refused by the guards');
  const res = await api(srv.url, jar, 'POST', '/api/notes', { json: { text: 'hello' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(notes.last().method, 'POST');
  assert.equal(notes.last().body.toString(), '{"text":"hello"}');
  assert.equal(res.setCookies.some((c) => c.startsWith('app=1')), true, "the app's Set-Cookie passes");
});

test('identity: X-Latchkey-* from the client never reaches the upstream; the session id is the public one', async () => {
  const forged = {
    'X-Latchkey-User-Id': '1', 'x-latchkey-username': 'admin', 'X-LATCHKEY-SESSION-ID': 's',
    'X-Latchkey-Assertion': 'eyJforged', 'X-Latchkey-Anything': 'x',
  };
  const me = await api(srv.url, jar, 'GET', '/api/auth');
  const sessions = await api(srv.url, jar, 'GET', '/api/auth/sessions');
  const current = sessions.body.sessions.find((s) => s.current);
  await api(srv.url, jar, 'GET', '/api/notes/1', { headers: forged });
  const rec = notes.last();
  assert.equal(header(rec, 'X-Latchkey-User-Id'), String(me.body.user.id));
  assert.equal(header(rec, 'X-Latchkey-Username'), me.body.user.username);
  assert.equal(header(rec, 'X-Latchkey-Session-Id'), current.id);
  assert.notEqual(header(rec, 'X-Latchkey-Assertion'), 'eyJforged', "the client's assertion never passes");
  assert.match(header(rec, 'X-Latchkey-Assertion'), /^[\w-]+\.[\w-]+\.[\w-]+$/, "Latchkey's own");
  assert.equal(header(rec, 'X-Latchkey-Anything'), undefined);
  const latchkeyNames = rec.rawHeaders.filter((_, i) => i % 2 === 0).filter((h) => /^x-latchkey-/i.test(h));
  assert.deepEqual(latchkeyNames.sort(),
    ['X-Latchkey-Assertion', 'X-Latchkey-Session-Id', 'X-Latchkey-User-Id', 'X-Latchkey-Username'].sort());
  // Without a session on a public path: every forged one is gone, none is set.
  await api(srv.url, new CookieJar(), 'GET', '/api/notes/public/x', { headers: forged });
  assert.equal(notes.last().rawHeaders.some((h) => /^x-latchkey-/i.test(h)), false);
});

test('identity: the upstream receives an X-Latchkey-Assertion that verifies against the JWKS (npm jose), aud = its prefix', async () => {
  const me = (await api(srv.url, jar, 'GET', '/api/auth')).body.user;
  const current = (await api(srv.url, jar, 'GET', '/api/auth/sessions')).body.sessions.find((s) => s.current);
  const jwksRes = await fetch(`${srv.url}/.well-known/jwks.json`);
  assert.equal(jwksRes.status, 200);
  const keys = createLocalJWKSet(await jwksRes.json());
  const verify = (token, audience) => jwtVerify(token, keys, { issuer: ISS, audience, algorithms: ['EdDSA', 'ES256'] });
  const forged = { 'X-Latchkey-Assertion': 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.' };
  for (const [up, path, aud] of [[notes, '/api/notes/1', '/api/notes'], [other, '/api/todo', '/api']]) {
    const res = await api(srv.url, jar, 'GET', path, { headers: forged });
    assert.equal(res.status, 200, res.text);
    const token = header(up.last(), 'X-Latchkey-Assertion');
    assert.ok(token && token !== forged['X-Latchkey-Assertion'], 'a client-sent assertion never reaches the upstream');
    const { payload, protectedHeader } = await verify(token, aud);
    assert.equal(protectedHeader.typ, 'JWT');
    assert.equal(payload.iss, ISS);
    assert.equal(payload.aud, aud);
    assert.equal(payload.sub, String(me.id));
    assert.equal(payload.sid, current.id);
    assert.equal(payload.username, me.username);
    assert.ok(payload.exp > payload.iat && payload.exp - payload.iat <= 60, `exp ${payload.exp} - iat ${payload.iat} <= 60`);
    // Meant for this upstream only: another prefix's audience refuses it.
    await assert.rejects(verify(token, aud === '/api' ? '/api/notes' : '/api'), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  }
  // A public path without a session: no assertion, and the client's is dropped.
  await api(srv.url, new CookieJar(), 'GET', '/api/notes/public/x', { headers: forged });
  assert.equal(header(notes.last(), 'X-Latchkey-Assertion'), undefined);
});

test("cookies: Latchkey's session and CSRF cookies and X-CSRF-Token stay; the app's pass", async () => {
  const j = jar.clone();
  j.cookies.set('theme', 'dark');
  await api(srv.url, j, 'POST', '/api/notes', { json: {} });
  const rec = notes.last();
  // theme (ours) and app (the upstream's own Set-Cookie, kept by the jar) pass; Latchkey's stay.
  assert.deepEqual(header(rec, 'Cookie').split('; ').sort(), ['app=1', 'theme=dark']);
  assert.equal(header(rec, 'X-CSRF-Token'), undefined);
  assert.equal(rec.rawHeaders.join('\n').includes(jar.get('latchkey_session')), false, 'the session token never leaves');
});

test("the upstream cannot set Latchkey's cookies (no session fixation); its own cookies pass", async () => {
  const res = await api(srv.url, jar.clone(), 'GET', '/api/notes/plant');
  assert.equal(res.status, 200);
  assert.deepEqual(res.setCookies.map((c) => c.split('=')[0]), ['app']);
});

test('X-Forwarded-*: replaced for a client, appended to for a trusted proxy', async () => {
  const spoof = { 'X-Forwarded-For': '198.51.100.1', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'evil.example', Forwarded: 'for=1.2.3.4' };
  await api(srv.url, jar, 'GET', '/api/notes/public/f', { headers: spoof });
  let rec = notes.last();
  assert.equal(header(rec, 'X-Forwarded-For'), '127.0.0.1');
  assert.equal(header(rec, 'X-Forwarded-Proto'), 'http');
  assert.equal(header(rec, 'X-Forwarded-Host'), new URL(srv.url).host);
  assert.equal(header(rec, 'Forwarded'), undefined);
  assert.equal(header(rec, 'Host'), `127.0.0.1:${notes.port}`);
  await api(trusted.url, null, 'GET', '/api/notes/public/f', { headers: spoof });
  rec = notes.last();
  assert.equal(header(rec, 'X-Forwarded-For'), '198.51.100.1, 127.0.0.1');
  assert.equal(header(rec, 'X-Forwarded-Proto'), 'https');
  assert.equal(header(rec, 'X-Forwarded-Host'), 'evil.example');
});

test('hop-by-hop headers dropped both ways; security headers added where the upstream set none', async () => {
  await api(srv.url, jar, 'GET', '/api/notes/public/h', {
    headers: { Connection: 'keep-alive, X-Hop', 'X-Hop': 'secret', 'Keep-Alive': 'timeout=1', TE: 'trailers', Upgrade: 'h2c', 'X-Kept': 'k' },
  });
  const rec = notes.last();
  for (const h of ['X-Hop', 'Keep-Alive', 'TE', 'Upgrade']) assert.equal(header(rec, h), undefined, h);
  assert.equal(header(rec, 'X-Kept'), 'k');
  const res = await api(srv.url, jar, 'GET', '/api/notes/public/headers');
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-app'], 'kept');
  assert.equal(res.headers['x-internal'], undefined);
  assert.equal(res.headers['keep-alive'], undefined);
  assert.equal(res.headers['content-security-policy'], "default-src 'none'", "the upstream's own CSP is kept");
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.equal(res.headers['x-frame-options'], 'DENY');
  assert.match(res.headers['x-request-id'], /^[A-Za-z0-9_-]{8,}$/);
});

test("an upstream's 5xx passes as it came", async () => {
  for (const status of [500, 502, 503]) {
    const res = await api(srv.url, jar, 'GET', `/api/notes/status/${status}`);
    assert.equal(res.status, status);
    assert.deepEqual(res.body, { from: 'upstream', status });
  }
});

test('HEAD: the upstream answers the headers only', async () => {
  const res = await api(srv.url, jar, 'HEAD', '/api/notes/big/100000');
  assert.equal(res.status, 200);
  assert.equal(res.raw.length, 0);
  assert.equal(notes.last().method, 'HEAD');
});

test('path confusion: decided on the normalised path, and that path is sent', async () => {
  const anon = new CookieJar();
  const n = mark(notes);
  // Out of the public path by dot segments, plain or encoded: a session is needed.
  for (const p of ['/api/notes/public/../secret', '/api/notes/public/%2e%2e/secret',
    '/api/notes/public/.%2E/secret', '/api/notes/public/./../secret']) {
    assertError(await api(srv.url, anon, 'GET', p), 401, { code: 'unauthenticated' });
  }
  // Refused outright: encoded separators and servlet-style dot segments, climbs above the root.
  for (const p of ['/api/notes/public%2F..%2Fsecret', '/api/notes/public/..%5Csecret', '/api/notes/public/..;/secret',
    '/api/notes/public/%00', '/api/notes/%zz']) {
    assertError(await api(srv.url, anon, 'GET', p), 400, { code: 'malformed_request' });
  }
  n.none('confused paths');
  // Repeated slashes and encoded unreserved characters: the normal form goes upstream.
  await api(srv.url, anon, 'GET', '//api//notes///public/%7Ex/%61');
  assert.equal(notes.last().url, '/api/notes/public/~x/a');
  await api(srv.url, jar, 'GET', '/api/todo/../notes/public/../9');
  assert.equal(notes.last().url, '/api/notes/9', 'another upstream reached only as its own path');
  // Case is kept: /API/notes is no upstream's (Latchkey answers; nothing forwarded).
  const m = mark(notes);
  const upper = await api(srv.url, jar, 'GET', '/API/notes/1');
  assert.equal(upper.body?.echo, undefined, 'not answered by the upstream');
  m.none('/API is not /api');
});

test('request smuggling: CL+TE refused 400 before anything is sent; obs-fold and bare LF never smuggle', async () => {
  const port = new URL(srv.url).port;
  const n = mark(notes);
  const clte = await rawExchange(port, 'POST /api/notes/public/a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n'
    + 'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /api/notes/public/smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(clte, /^HTTP\/1\.1 400 /);
  const tecl = await rawExchange(port, 'POST /api/notes/public/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n'
    + 'Content-Length: 4\r\n\r\n0\r\n\r\nGET /api/notes/public/smuggled HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(tecl, /^HTTP\/1\.1 400 /);
  n.none('CL+TE');
  await rawExchange(port, 'GET /api/notes/public/fold HTTP/1.1\r\nHost: x\r\nX-Fold: a\r\n GET /api/notes/public/smuggled HTTP/1.1\r\n\r\n', 1500);
  await rawExchange(port, 'GET /api/notes/public/lf HTTP/1.1\nHost: x\nX-A: 1\n\nGET /api/notes/public/smuggled HTTP/1.1\n\n', 1500);
  for (const rec of notes.requests) {
    assert.ok(!rec.url.includes('smuggled'), `no smuggled request: ${rec.url}`);
    for (const v of rec.rawHeaders) assert.ok(!/[\r\n]/.test(v), `no CR/LF in a header sent upstream: ${JSON.stringify(v)}`);
  }
});

test('bodies: streamed both ways beyond the 16 KiB of /api/auth, in one piece', async () => {
  const body = Buffer.alloc(3 * 1024 * 1024, 0x62);
  const up = await api(srv.url, jar, 'PUT', '/api/notes/blob', { rawBody: body, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(up.status, 200, up.text.slice(0, 200));
  assert.equal(notes.last().bodyBytes, body.length);
  assert.ok(notes.last().body.equals(body));
  const down = await api(srv.url, jar, 'GET', '/api/notes/big/20000000');
  assert.equal(down.status, 200);
  assert.equal(down.raw.length, 20000000);
});

test('streaming: each side sees the first bytes before the other side has sent the last', async () => {
  // Upstream -> client: "first" arrives while the upstream still holds "last" back for 1 s.
  const down = await new Promise((resolve, reject) => {
    const t0 = Date.now();
    const u = new URL(srv.url);
    const req = http.get({ host: u.hostname, port: u.port, path: '/api/notes/drip/1000', headers: { Cookie: jar.header() }, agent: false }, (res) => {
      let firstAt;
      let text = '';
      res.on('data', (d) => { firstAt ??= Date.now() - t0; text += d; });
      res.on('end', () => resolve({ status: res.statusCode, firstAt, endAt: Date.now() - t0, text }));
    });
    req.on('error', reject);
  });
  assert.equal(down.status, 200);
  assert.equal(down.text, 'firstlast');
  assert.ok(down.firstAt < 700 && down.endAt >= 950, `first bytes at ${down.firstAt} ms, end at ${down.endAt} ms`);
  // Client -> upstream: a chunked body whose second half is sent 1 s after the first.
  const u = new URL(srv.url);
  const t0 = Date.now();
  await new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, method: 'POST', path: '/api/notes/upload', agent: false,
      headers: { Cookie: jar.header(), 'X-CSRF-Token': jar.csrfToken, 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' },
    }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.write('a'.repeat(20000));
    setTimeout(() => req.end('b'.repeat(20000)), 1000);
  });
  const rec = notes.last();
  assert.equal(rec.url, '/api/notes/upload');
  assert.equal(rec.bodyBytes, 40000);
  assert.ok(rec.firstDataAt - t0 < 700, `the upstream had the first half ${rec.firstDataAt - t0} ms in, before the second was sent`);
  assert.ok(rec.endAt - t0 >= 950);
});

test('Expect: 100-continue: the body is asked for once the request is let through, and refused without', async () => {
  const send = (cookie, token) => new Promise((resolve, reject) => {
    const body = Buffer.alloc(100000, 0x63);
    const u = new URL(srv.url);
    const headers = { 'Content-Length': String(body.length), Expect: '100-continue', Cookie: cookie };
    if (token) headers['X-CSRF-Token'] = token;
    const req = http.request({ host: u.hostname, port: u.port, method: 'POST', path: '/api/notes/expect', headers, agent: false });
    let continued = false;
    req.on('continue', () => { continued = true; req.end(body); });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => { if (!continued) req.destroy(); resolve({ status: res.statusCode, continued }); });
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
  });
  const ok = await send(jar.header(), jar.csrfToken);
  assert.deepEqual(ok, { status: 200, continued: true });
  assert.equal(notes.last().bodyBytes, 100000);
  const refused = await send(jar.header(), undefined);
  assert.deepEqual(refused, { status: 403, continued: false }, 'refused before the body is sent');
});

test('metrics per upstream and one request-log line with the upstream status and time', async () => {
  const res = await api(srv.url, jar, 'GET', '/api/notes/status/201');
  const text = await (await fetch(srv.metricsUrl)).text();
  assert.match(text, /latchkey_upstream_responses_total\{upstream="\/api\/notes",class="2xx"\} [1-9]/);
  assert.match(text, /latchkey_upstream_responses_total\{upstream="\/api\/notes",class="5xx"\} [1-9]/);
  assert.match(text, /latchkey_upstream_pool_connections\{upstream="\/api\/notes",state="idle"\} \d/);
  assert.match(text, /latchkey_upstream_connections_opened_total\{upstream="\/api\/notes"\} [1-9]/);
  assert.match(text, /latchkey_http_request_duration_seconds_count\{route="upstream \/api\/notes"/);
  const id = res.headers['x-request-id'];
  let line;
  for (let i = 0; i < 50 && !line; i += 1) { // the log writer batches lines (base/batched_log_sink.h)
    line = srv.logs().split('\n').find((l) => l.includes(id));
    if (!line) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(line, `a log line for ${id}`);
  assert.match(line, /route="upstream \/api\/notes" status=201 .*upstream_status=201 upstream_ms=\d+\.\d{3}/);
});

test('keep-alive: connections to the upstream are reused', async () => {
  const before = (await (await fetch(srv.metricsUrl)).text()).match(/latchkey_upstream_connections_reused_total\{upstream="\/api\/notes"\} (\d+)/);
  for (let i = 0; i < 5; i += 1) assert.equal((await api(srv.url, jar, 'GET', '/api/notes/k')).status, 200);
  const after = (await (await fetch(srv.metricsUrl)).text()).match(/latchkey_upstream_connections_reused_total\{upstream="\/api\/notes"\} (\d+)/);
  assert.ok(Number(after[1]) >= Number(before[1]) + 4, `reused ${before[1]} -> ${after[1]}`);
});

// Behind an upstream that half-closes (FIN) each connection 100 ms after its answer and still
// reads, as one whose keep-alive timeout ran out: each request, sent `pauseMs` after the last,
// must find a new connection. The peek before reuse is what keeps a request from being written
// into the closed connection, where this upstream would receive and handle it and its answer
// would be lost (a retried GET would reach the application twice; a POST is never retried).
// Skipping the peek for connections idle under a second, one syscall of five a proxied GET,
// failed the GET case.
for (const [method, pauseMs] of [['POST', 500], ['GET', 300]]) {
  test(`an idle connection the upstream closed is not reused: each ${method} reaches it once`, async () => {
    const brief = await startUpstream({ closeIdleAfterMs: 100 });
    const s = await startTestServer({ args: ['--upstream', `/brief=${brief.url}`, '--threads', '1'] });
    try {
      const b = await browser(s.url);
      await signup(s.url, b);
      for (let i = 0; i < 3; i += 1) {
        const json = method === 'POST' ? { i } : undefined;
        const res = await api(s.url, b, method, `/brief/x-${i}`, { json });
        assert.equal(res.status, 200, `${method} ${i} after the upstream closed the idle connection: ${res.text}`);
        await new Promise((r) => setTimeout(r, pauseMs));
      }
      const seen = brief.requests.filter((r) => r.method === method).map((r) => r.url);
      assert.deepEqual(seen, ['/brief/x-0', '/brief/x-1', '/brief/x-2']);
    } finally {
      await s.cleanup();
      await brief.close();
    }
  });
}

test('the upstream down: 502 upstream_unavailable, counted; too slow: 504 upstream_timeout', async () => {
  const slow = await startUpstream();
  const dead = await freePort();
  const s = await startTestServer({
    args: ['--upstream', `/down=http://127.0.0.1:${dead}`, '--upstream', `/slow=${slow.url}`, '--upstream-timeout', '1s',
      '--max-upstream-body', '1000', '--public-path', '/down', '--public-path', '/slow'],
  });
  try {
    assertError(await api(s.url, null, 'GET', '/down/x'), 502, { code: 'upstream_unavailable' });
    const t0 = Date.now();
    assertError(await api(s.url, null, 'GET', '/slow/slow/3000'), 504, { code: 'upstream_timeout' });
    assert.ok(Date.now() - t0 < 2900, `504 after the 1 s timeout, not the upstream's 3 s (${Date.now() - t0} ms)`);
    const text = await (await fetch(s.metricsUrl)).text();
    assert.match(text, /latchkey_upstream_errors_total\{upstream="\/down",kind="connect"\} 1/);
    assert.match(text, /latchkey_upstream_errors_total\{upstream="\/slow",kind="timeout"\} 1/);
    // --max-upstream-body: 413 beyond it, by Content-Length or as a chunked body grows.
    const b = await browser(s.url);
    assertError(await api(s.url, b, 'POST', '/slow/x', { rawBody: Buffer.alloc(2000, 0x61) }), 413, { code: 'payload_too_large' });
    const chunked = await rawExchange(new URL(s.url).port, `POST /slow/x HTTP/1.1\r\nHost: ${new URL(s.url).host}\r\n`
      + `Cookie: ${b.header()}\r\nX-CSRF-Token: ${b.csrfToken}\r\nTransfer-Encoding: chunked\r\n\r\n`
      + `800\r\n${'a'.repeat(2048)}\r\n0\r\n\r\n`);
    assert.match(chunked, /^HTTP\/1\.1 413 /);
    assert.equal(slow.requests.filter((r) => r.bodyBytes > 1000).length, 0, 'no body over the limit reached the upstream');
    assert.equal((await api(s.url, b, 'POST', '/slow/x', { rawBody: Buffer.alloc(900, 0x61) })).status, 200);
  } finally {
    await s.cleanup();
    await slow.close();
  }
});

test('over TLS: X-Forwarded-Proto https towards the upstream, HSTS added to its answer', async () => {
  const certDir = tempDir('latchkey-upcert-');
  const cert = makeSelfSignedCert(certDir);
  const s = await startTestServer({ tls: cert, args: ['--upstream', `/api/notes=${notes.url}`, '--public-path', '/api/notes/public'] });
  try {
    const res = await httpsGet(`${s.url}/api/notes/public/tls?x=1`, { ca: cert.certPem, headers: { 'X-Forwarded-Proto': 'http' } });
    assert.equal(res.status, 200, res.text);
    assert.equal(notes.last().url, '/api/notes/public/tls?x=1');
    assert.equal(header(notes.last(), 'X-Forwarded-Proto'), 'https', "the connection's, not the client's");
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    const closed = await httpsGet(`${s.url}/api/notes/closed`, { ca: cert.certPem });
    assert.equal(closed.status, 401);
  } finally {
    await s.cleanup();
    rmSync(certDir, { recursive: true, force: true });
  }
});
