// Session cookie: signup response, cookie attributes and format, GET /api/auth,
// tampering, secrets per data dir, server-side expiry.
import assert from 'node:assert/strict';
import { createHmac, createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, CookieJar, findSetCookie, getCsrf, parseSetCookie } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, assertJson, browser, dialect, jarWithSession, sessionCookieOf, signup, sql,
  startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

let srv; // --cookie-max-age 2h --session-lifetime 5h
let other; // a second server with its own data dir (different secret)
const dirs = [];

before(async () => {
  [srv, other] = await Promise.all([
    startTestServer({ args: ['--cookie-max-age', '2h', '--session-lifetime', '5h'] }),
    startTestServer(),
  ]);
});

after(async () => {
  await Promise.all([srv?.cleanup(), other?.cleanup()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const B64URL = /^[A-Za-z0-9_-]+$/;
const b64urlBytes = (s) => Buffer.from(s, 'base64url');
const flip = (s, i) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

/** Possible decodings of the newest key in <dataDir>/secret.key (docs: HMAC with the newest key of the keyring). */
function secretKeyCandidates(dataDir) {
  const file = readFileSync(path.join(dataDir, 'secret.key'));
  const lines = file.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const newest = lines[lines.length - 1] || '';
  const keys = [file, Buffer.from(newest, 'utf8')];
  if (/^[0-9a-fA-F]+$/.test(newest)) keys.push(Buffer.from(newest, 'hex'));
  if (/^[A-Za-z0-9+/_-]+=*$/.test(newest)) keys.push(Buffer.from(newest, 'base64'), Buffer.from(newest, 'base64url'));
  return keys;
}

function assertUser(user, { username, name }) {
  assert.deepEqual(Object.keys(user).sort(), ['email', 'email_verified', 'id', 'name', 'username'], `user has exactly id, username, name, email, email_verified: ${JSON.stringify(user)}`);
  assert.ok(Number.isInteger(user.id) && user.id > 0, `id is a positive integer: ${user.id}`);
  assert.equal(user.username, username);
  assert.equal(user.name, name);
}

test('signup: 201 {user:{id,username,name}} as JSON with no-store, and a session cookie', async () => {
  const jar = await browser(srv.url);
  const username = uniq('sig');
  const res = await api(srv.url, jar, 'POST', '/api/auth/signup', {
    json: { username, password: 'a fine password', name: 'Signup Person' },
  });
  assert.equal(res.status, 201, res.text);
  assertJson(res);
  assert.match(res.headers['cache-control'] || '', /no-store/i);
  assert.deepEqual(Object.keys(res.body), ['user'], `body is {user}: ${res.text}`);
  assertUser(res.body.user, { username, name: 'Signup Person' });
  assert.ok(sessionCookieOf(res), 'Set-Cookie: latchkey_session');
  assert.ok(!/hash|token|password|secret/i.test(JSON.stringify(Object.keys(res.body.user))), 'no secret fields');
});

test('signup without name: name defaults to ""', async () => {
  const jar = await browser(srv.url);
  const username = uniq('noname');
  const res = await api(srv.url, jar, 'POST', '/api/auth/signup', { json: { username, password: 'a fine password' } });
  assert.equal(res.status, 201, res.text);
  assertUser(res.body.user, { username, name: '' });
});

test('session cookie attributes: HttpOnly; SameSite=Lax; Path=/; Max-Age=7200 (--cookie-max-age 2h); no Secure over HTTP', async () => {
  const jar = await browser(srv.url);
  const res = await signup(srv.url, jar);
  const c = findSetCookie(res, 'latchkey_session');
  assert.ok(c, 'latchkey_session set');
  assert.equal(c.attrs.httponly, true, `HttpOnly: ${c.raw}`);
  assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', `SameSite=Lax: ${c.raw}`);
  assert.equal(c.attrs.path, '/', `Path=/: ${c.raw}`);
  assert.equal(c.attrs['max-age'], '7200', `Max-Age=7200: ${c.raw}`);
  assert.equal(c.attrs.secure, undefined, `no Secure on plain HTTP: ${c.raw}`);
  if (typeof c.attrs.expires === 'string') {
    const delta = (Date.parse(c.attrs.expires) - Date.now()) / 1000;
    assert.ok(delta > 7000 && delta < 7400, `Expires (if any) matches Max-Age: ${c.raw}`);
  }
});

test('csrf cookie attributes: HttpOnly; SameSite=Lax; Path=/; Max-Age=7200; no Secure; 32 random bytes base64url', async () => {
  const jar = new CookieJar();
  const res = await api(srv.url, jar, 'GET', '/');
  assert.equal(res.status, 200);
  const c = findSetCookie(res, 'latchkey_csrf');
  assert.ok(c, `latchkey_csrf set by the page render: ${res.setCookies}`);
  assert.equal(c.attrs.httponly, true, c.raw);
  assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', c.raw);
  assert.equal(c.attrs.path, '/', c.raw);
  assert.equal(c.attrs['max-age'], '7200', c.raw);
  assert.equal(c.attrs.secure, undefined, c.raw);
  assert.match(c.value, B64URL);
  assert.equal(c.value.length, 43, `32 bytes base64url without padding is 43 chars: ${c.value}`);
  assert.equal(b64urlBytes(c.value).length, 32);
});

test('session cookie value is <token>.<mac>, base64url without padding; token >= 128 bits (32 bytes per docs); tokens unique', async () => {
  const values = [];
  for (let i = 0; i < 4; i += 1) {
    const jar = await browser(srv.url);
    values.push(sessionCookieOf(await signup(srv.url, jar)));
  }
  for (const v of values) {
    const parts = v.split('.');
    assert.equal(parts.length, 2, `token.mac: ${v}`);
    const [token, mac] = parts;
    assert.match(token, B64URL, `token base64url without padding: ${v}`);
    assert.match(mac, B64URL, `mac base64url without padding: ${v}`);
    assert.ok(b64urlBytes(token).length >= 16, `token >= 128 bits: ${token}`);
    assert.equal(token.length, 43, `token = 32 bytes (43 chars): ${token}`);
    assert.equal(mac.length, 43, `mac = HMAC-SHA256 (32 bytes, 43 chars): ${mac}`);
  }
  assert.equal(new Set(values.map((v) => v.split('.')[0])).size, values.length, 'tokens are unique');
});

test('white-box: mac = HMAC-SHA256(newest secret key, "session" || 0x00 || token)', async () => {
  const jar = await browser(srv.url);
  const [token, mac] = sessionCookieOf(await signup(srv.url, jar)).split('.');
  const keys = secretKeyCandidates(srv.dataDir);
  const hmac = (k, m) => createHmac('sha256', k).update(m).digest('base64url');
  const ok = keys.some((k) => hmac(k, Buffer.concat([Buffer.from('session\0'), Buffer.from(token)])) === mac);
  // Diagnose which construction the server uses instead (for the failure message only).
  const alts = [
    ['"session:" + token', (k) => hmac(k, `session:${token}`)],
    ['"session" || 0x00 || raw token bytes', (k) => hmac(k, Buffer.concat([Buffer.from('session\0'), b64urlBytes(token)]))],
    ['token alone', (k) => hmac(k, token)],
  ];
  const alt = alts.find(([, f]) => keys.some((k) => f(k) === mac));
  assert.ok(ok, `mac verifies with HMAC-SHA256(secret.key, "session" || 0x00 || token)${alt ? ` (the server computes HMAC(key, ${alt[0]}) instead)` : ''}`);
  // a MAC made for another purpose (csrf) over the same token does not match (domain separation)
  assert.ok(!keys.some((k) => hmac(k, Buffer.concat([Buffer.from('csrf\0'), Buffer.from(token)])) === mac));
});

test('GET /api/auth: 200 with the session cookie, returns the same user', async () => {
  const jar = await browser(srv.url);
  const username = uniq('me');
  const s = await api(srv.url, jar, 'POST', '/api/auth/signup', { json: { username, password: 'passw0rd-me', name: 'Mé Ñame' } });
  assert.equal(s.status, 201, s.text);
  const res = await api(srv.url, jar, 'GET', '/api/auth');
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.match(res.headers['cache-control'] || '', /no-store/i);
  assert.deepEqual(res.body, { user: s.body.user });
  assertUser(res.body.user, { username, name: 'Mé Ñame' });
});

test('GET /api/auth: 401 {"error":"Not logged in","code":"unauthenticated"} without a cookie (JSON, no-store)', async () => {
  const res = await api(srv.url, new CookieJar(), 'GET', '/api/auth');
  assertError(res, 401);
  assert.deepEqual(res.body, { error: 'Not logged in', code: 'unauthenticated' });
  const withCsrfOnly = await api(srv.url, await browser(srv.url), 'GET', '/api/auth');
  assertError(withCsrfOnly, 401);
  assert.deepEqual(withCsrfOnly.body, { error: 'Not logged in', code: 'unauthenticated' });
});

test('tampered, unsigned or malformed session cookies -> 401 (treated as no cookie)', async () => {
  const jarA = await browser(srv.url);
  const jarB = await browser(srv.url);
  const a = sessionCookieOf(await signup(srv.url, jarA));
  const b = sessionCookieOf(await signup(srv.url, jarB));
  const [ta, ma] = a.split('.');
  const [tb, mb] = b.split('.');
  const cases = [
    ['flip first char of token', `${flip(ta, 0)}.${ma}`],
    ['flip middle char of token', `${flip(ta, 20)}.${ma}`],
    ['flip first char of mac', `${ta}.${flip(ma, 0)}`],
    ['flip middle char of mac', `${ta}.${flip(ma, 20)}`],
    ['drop the mac (token only)', ta],
    ['token with empty mac', `${ta}.`],
    ['mac only', `.${ma}`],
    ['token A with mac of token B (signed for another token)', `${ta}.${mb}`],
    ['token B with mac of token A', `${tb}.${ma}`],
    ['mac truncated by one char', `${ta}.${ma.slice(0, -1)}`],
    ['mac with one extra char', `${ta}.${ma}A`],
    ['extra segment', `${ta}.${ma}.x`],
    ['mac and token swapped', `${ma}.${ta}`],
    ['mac in hex instead of base64url', `${ta}.${b64urlBytes(ma).toString('hex')}`],
    ['mac with base64 padding', `${ta}.${ma}=`],
    ['token with base64 padding', `${ta}=.${ma}`],
    ['garbage', 'not-a-session'],
    ['empty value', ''],
    ['only a dot', '.'],
    ['very long value', `${'A'.repeat(3000)}.${ma}`],
  ];
  const failures = [];
  for (const [label, value] of cases) {
    const res = await api(srv.url, jarWithSession(value), 'GET', '/api/auth');
    if (res.status !== 401 || res.body?.code !== 'unauthenticated') failures.push(`${label}: ${res.status} ${res.text.slice(0, 120)}`);
    assert.ok(res.status < 500, `${label}: ${res.status}`);
  }
  assert.deepEqual(failures, [], 'every tampered cookie gets 401 unauthenticated (never session_ended: its signature fails)');
  // The genuine cookies still work.
  assert.equal((await api(srv.url, jarWithSession(a), 'GET', '/api/auth')).status, 200);
  assert.equal((await api(srv.url, jarWithSession(b), 'GET', '/api/auth')).status, 200);
});

test('a tampered session cookie does not block login or signup (treated as no cookie)', async () => {
  const jar = await browser(srv.url);
  const username = uniq('tl');
  const s = await signup(srv.url, jar, { username, password: 'tamper-login-pw' });
  const good = sessionCookieOf(s);
  jar.set('latchkey_session', `${flip(good.split('.')[0], 3)}.${good.split('.')[1]}`);
  const res = await api(srv.url, jar, 'POST', '/api/auth/login', { json: { username, password: 'tamper-login-pw' } });
  assert.equal(res.status, 200, res.text);
  assert.equal(await api(srv.url, jar, 'GET', '/api/auth').then((r) => r.status), 200);
  const jar2 = await browser(srv.url);
  jar2.set('latchkey_session', 'garbage.value');
  const s2 = await api(srv.url, jar2, 'POST', '/api/auth/signup', { json: { username: uniq('tg'), password: 'whatever-pw' } });
  assert.equal(s2.status, 201, s2.text);
});

test('a cookie from one server does not verify on another server with a different secret', async () => {
  const jar = await browser(srv.url);
  const value = sessionCookieOf(await signup(srv.url, jar));
  assert.equal((await api(srv.url, jarWithSession(value), 'GET', '/api/auth')).status, 200);
  const res = await api(other.url, jarWithSession(value), 'GET', '/api/auth');
  assertError(res, 401);
  const keyA = readFileSync(path.join(srv.dataDir, 'secret.key'));
  const keyB = readFileSync(path.join(other.dataDir, 'secret.key'));
  assert.ok(!keyA.equals(keyB), 'each data dir gets its own random secret key');
});

test('same DB but a different secret key: the session row exists yet the cookie is rejected', async () => {
  const dirA = tempDir('latchkey-a-');
  const dirB = tempDir('latchkey-b-');
  const dirC = tempDir('latchkey-c-');
  dirs.push(dirA, dirB, dirC);
  const a = await startTestServer({ dataDir: dirA });
  let value;
  try {
    const jar = await browser(a.url);
    value = sessionCookieOf(await signup(a.url, jar));
  } finally {
    await a.cleanup();
  }
  for (const f of readdirSync(dirA)) {
    if (!statSync(path.join(dirA, f)).isFile()) continue;
    if (f.startsWith('latchkey.db')) copyFileSync(path.join(dirA, f), path.join(dirB, f));
    copyFileSync(path.join(dirA, f), path.join(dirC, f));
  }
  // SQLite: B and C got copies of A's database file above. PostgreSQL: they use A's database.
  const sameDb = dialect() === 'postgres' ? { db: a.db } : {};
  const [b, c] = await Promise.all([startTestServer({ dataDir: dirB, ...sameDb }), startTestServer({ dataDir: dirC, ...sameDb })]);
  try {
    const control = await api(c.url, jarWithSession(value), 'GET', '/api/auth');
    assert.equal(control.status, 200, `control: same DB and same secret key accepts the cookie: ${control.text}`);
    const res = await api(b.url, jarWithSession(value), 'GET', '/api/auth');
    assertError(res, 401);
  } finally {
    await Promise.all([b.cleanup(), c.cleanup()]);
  }
});

test('white-box: the session row expires --session-lifetime (5h = 18000 s) after creation, not --cookie-max-age (2h)', async () => {
  const jar = await browser(srv.url);
  const res = await signup(srv.url, jar);
  const rows = sql(srv.dataDir, `SELECT created_at, expires_at FROM sessions WHERE user_id = ${Number(res.body.user.id)}`);
  assert.equal(rows.length, 1);
  const toSec = (v) => {
    if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
    if (/^\d+(\.\d+)?$/.test(String(v))) return toSec(Number(v));
    const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${String(v).replace(' ', 'T')}Z`);
    assert.ok(Number.isFinite(t), `parseable time: ${v}`);
    return t / 1000;
  };
  const lifetime = toSec(rows[0].expires_at) - toSec(rows[0].created_at);
  assert.ok(Math.abs(lifetime - 18000) <= 2, `expires_at - created_at = ${lifetime} s, expected 18000 (${JSON.stringify(rows[0])})`);
  // the cookie itself still carries --cookie-max-age
  assert.equal(findSetCookie(res, 'latchkey_session').attrs['max-age'], '7200');
});

test('white-box: CSRF token = base64url(nonce16 || HMAC-SHA256(key, "csrf" || 0x00 || cookie || nonce)), 64 chars', async () => {
  const jar = new CookieJar();
  const token = await getCsrf(srv.url, jar);
  assert.match(token, /^[A-Za-z0-9_-]{64}$/);
  const raw = b64urlBytes(token);
  assert.equal(raw.length, 48);
  const nonce = raw.subarray(0, 16);
  const mac = raw.subarray(16);
  const cookie = jar.get('latchkey_csrf');
  const keys = secretKeyCandidates(srv.dataDir);
  const macs = (m) => keys.some((k) => createHmac('sha256', k).update(m).digest().equals(mac));
  const ok = macs(Buffer.concat([Buffer.from('csrf\0'), Buffer.from(cookie), nonce]));
  const alts = [
    ['"csrf:" + cookie + nonce', Buffer.concat([Buffer.from(`csrf:${cookie}`), nonce])],
    ['"csrf" || 0x00 || nonce || cookie', Buffer.concat([Buffer.from('csrf\0'), nonce, Buffer.from(cookie)])],
    ['"csrf" || 0x00 || raw cookie bytes || nonce', Buffer.concat([Buffer.from('csrf\0'), b64urlBytes(cookie), nonce])],
    ['"csrf" || 0x00 || nonce || raw cookie bytes', Buffer.concat([Buffer.from('csrf\0'), nonce, b64urlBytes(cookie)])],
  ];
  const alt = alts.find(([, m]) => macs(m));
  assert.ok(ok, `CSRF token verifies against the documented construction HMAC(key, "csrf" || 0x00 || cookie || nonce)${alt ? ` (the server MACs ${alt[0]} instead)` : ''}`);
  // and it does not embed the cookie or a plain hash of it
  assert.ok(!token.includes(cookie));
  assert.ok(!raw.includes(createHash('sha256').update(cookie).digest()));
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
