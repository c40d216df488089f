// /healthz, keep-alive connections, SIGTERM shutdown with exit code 0.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { api, CookieJar, getCsrf, request } from '../support/http.mjs';
import { assertCleanResponses, assertNoStoreEverywhere, startTestServer, uniq } from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

test('GET /healthz -> 200 {"status":"ok"} JSON', async () => {
  const res = await request(srv.url, 'GET', '/healthz');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] || '', /^application\/json\b/i);
  assert.deepEqual(res.body, { status: 'ok' });
});

test('keep-alive: several requests over one connection are all answered', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const sockets = new Set();
    agent.on('free', (s) => sockets.add(s));
    const a = await request(srv.url, 'GET', '/healthz', { agent });
    const b = await request(srv.url, 'GET', '/healthz', { agent });
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.reusedSocket, true, 'second request reused the connection');
    assert.notEqual((a.headers.connection || '').toLowerCase(), 'close', 'server keeps the connection open');
    // a whole flow over the same connection: page, signup, auth, 401, logout
    const jar = new CookieJar();
    const page = await api(srv.url, jar, 'GET', '/', { agent });
    assert.equal(page.status, 200);
    await getCsrf(srv.url, jar); // (own connection; token works on any)
    const s = await api(srv.url, jar, 'POST', '/api/auth/signup', { json: { username: uniq('ka'), password: 'keepalive-pw' }, agent });
    assert.equal(s.status, 201, s.text);
    const bad = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username: uniq('no'), password: 'keepalive-pw' }, agent });
    assert.equal(bad.status, 401);
    const me = await api(srv.url, jar, 'GET', '/api/auth', { agent });
    assert.equal(me.status, 200);
    const missing = await api(srv.url, jar, 'GET', '/assets/nope.js', { agent });
    assert.equal(missing.status, 404);
    const out = await api(srv.url, jar, 'POST', '/api/auth/logout', { agent });
    assert.equal(out.status, 200);
    for (const r of [s, bad, me, missing, out]) assert.equal(r.reusedSocket, true, `${r.method} ${r.path} reused the connection`);
    assert.equal(sockets.size, 1, 'one connection in total');
  } finally {
    agent.destroy();
  }
});

test('keep-alive on a raw socket: two requests written one after the other both get answers', async () => {
  const sock = net.connect(srv.port, '127.0.0.1');
  await new Promise((r, j) => { sock.once('connect', r); sock.once('error', j); });
  let buf = '';
  sock.on('data', (d) => { buf += d.toString('latin1'); });
  const waitFor = (n) => new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      const count = (buf.match(/\{"status":\s*"ok"\}/g) || []).length;
      if (count >= n) resolve();
      else if (Date.now() - t0 > 5000) reject(new Error(`only ${count} responses: ${buf}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
  try {
    sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(1);
    sock.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await waitFor(2);
    assert.equal((buf.match(/HTTP\/1\.1 200/g) || []).length, 2, buf);
  } finally {
    sock.destroy();
  }
});

test('SIGTERM: the server exits with code 0 (also with an idle keep-alive connection open)', async () => {
  const s = await startTestServer();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const r = await request(s.url, 'GET', '/healthz', { agent });
    assert.equal(r.status, 200);
    const t0 = Date.now();
    await s.cleanup();
    const ms = Date.now() - t0;
    assert.deepEqual(s.exitStatus(), { code: 0, signal: null }, `exit status after SIGTERM; logs:\n${s.logs()}`);
    assert.ok(ms < 5000, `stopped within 5 s (took ${ms} ms)`);
  } finally {
    agent.destroy();
    if (!s.exitStatus()) s.proc.kill('SIGKILL');
  }
});

test('SIGTERM right after start: exit code 0', async () => {
  const s = await startTestServer();
  await s.cleanup();
  assert.deepEqual(s.exitStatus(), { code: 0, signal: null }, s.logs());
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
