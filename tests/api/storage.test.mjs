// Storage rules (white-box, read-only sqlite3 or psql): token hashes, password hashes
// (argon2id parameters, bcrypt without truncation), algorithm switch across restarts,
// secret.key mode and absence from logs and DB.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, parseSetCookie, responseLog } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, authStatus, browser, dbBytes, dialect, jarWithSession, login, q, sessionCookieOf, signup, sql,
  assertUnknownLoginCostsAsMuch, startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

// Extra flags for every server here (verbose logging makes the log-leak checks stronger).
const LOG_ARGS = (process.env.LATCHKEY_TEST_LOG_ARGS ?? '--log-level debug').split(' ').filter(Boolean);

let argon; // default (argon2id)
let bcrypt; // --password-hash bcrypt
const allLogs = []; // functions returning a server's log output
const secrets = { passwords: new Set(), tokens: new Set() };
const dirs = [];

before(async () => {
  [argon, bcrypt] = await Promise.all([
    startTestServer({ args: [...LOG_ARGS] }),
    startTestServer({ args: ['--password-hash', 'bcrypt', ...LOG_ARGS] }),
  ]);
  allLogs.push(['argon2id server', argon.logs, argon.dataDir], ['bcrypt server', bcrypt.logs, bcrypt.dataDir]);
});
after(async () => {
  await Promise.all([argon?.cleanup(), bcrypt?.cleanup()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const hashOf = (dataDir, username) => {
  const rows = sql(dataDir, `SELECT password_hash FROM users WHERE username = ${q(username)}`);
  assert.equal(rows.length, 1, `one user row for ${username}`);
  return rows[0].password_hash;
};

/**
 * token_hash of a user's sessions as {t: 'blob'|'text', h: HEX of the stored bytes} (SQLite's
 * typeof() and hex(); PostgreSQL: bytea is a blob, any other type is text).
 */
function tokenHashRows(srv, userId) {
  if (dialect() === 'sqlite') {
    return sql(srv.dataDir, `SELECT typeof(token_hash) AS t, hex(token_hash) AS h FROM sessions WHERE user_id = ${Number(userId)}`);
  }
  const rows = sql(srv.dataDir, `SELECT pg_typeof(token_hash)::text AS t, token_hash::text AS v FROM sessions WHERE user_id = ${Number(userId)}`);
  return rows.map(({ t, v }) => (t === 'bytea'
    ? { t: 'blob', h: v.replace(/^\\x/, '').toUpperCase() }
    : { t: 'text', h: Buffer.from(v, 'utf8').toString('hex').toUpperCase() }));
}

// OWASP Password Storage Cheat Sheet argon2id configurations (all equivalent in strength).
const ARGON_MIN = [[47104, 1], [19456, 2], [12288, 3], [9216, 4], [7168, 5]];
function assertArgon2id(hash, label) {
  assert.match(hash, /^\$argon2id\$/, `${label}: argon2id PHC string: ${hash}`);
  const m = hash.match(/\$m=(\d+),t=(\d+),p=(\d+)\$/);
  assert.ok(m, `${label}: parameters present: ${hash}`);
  const [mem, t, p] = m.slice(1).map(Number);
  assert.ok(p >= 1);
  assert.ok(ARGON_MIN.some(([mm, tt]) => mem >= mm && t >= tt), `${label}: m=${mem},t=${t},p=${p} is at least m=19456,t=2,p=1 (or an OWASP equivalent)`);
  const parts = hash.split('$');
  assert.ok(parts.length >= 6, `${label}: $argon2id$v=..$params$salt$hash`);
  assert.ok(Buffer.from(parts[parts.length - 2], 'base64').length >= 16, `${label}: salt >= 16 bytes`);
  assert.ok(Buffer.from(parts[parts.length - 1], 'base64').length >= 32, `${label}: hash output >= 32 bytes`);
}
function assertBcrypt(hash, label) {
  assert.ok(/^\$2b\$/.test(hash) || /^\$bcrypt[-\w]*\$/.test(hash) || /^\$2[ay]\$/.test(hash),
    `${label}: a bcrypt form ($2b$ or a prefixed pre-hash form): ${hash}`);
  const c = hash.match(/\$2[aby]\$(\d\d)\$/);
  if (c) assert.ok(Number(c[1]) >= 10, `${label}: bcrypt cost >= 10: ${hash}`);
}

test('password_hash is argon2id with m=19456,t=2,p=1 or stronger, salted, not the password', async () => {
  const u1 = uniq('ar');
  const u2 = uniq('ar');
  const pw = 'same password for both';
  secrets.passwords.add(pw);
  await signup(argon.url, await browser(argon.url), { username: u1, password: pw });
  await signup(argon.url, await browser(argon.url), { username: u2, password: pw });
  const h1 = hashOf(argon.dataDir, u1);
  const h2 = hashOf(argon.dataDir, u2);
  assertArgon2id(h1, u1);
  assertArgon2id(h2, u2);
  assert.notEqual(h1, h2, 'same password, different salts');
  assert.ok(!h1.includes(pw));
});

test('sessions store a hash of the token, never the token itself', async () => {
  const username = uniq('tok');
  const jar = await browser(argon.url);
  const s = await signup(argon.url, jar, { username });
  const cookie = sessionCookieOf(s);
  const [token, mac] = cookie.split('.');
  secrets.tokens.add(token);
  const rows = tokenHashRows(argon, s.body.user.id);
  assert.equal(rows.length, 1);
  const { t, h } = rows[0];
  const stored = t === 'blob' ? Buffer.from(h, 'hex') : Buffer.from(h, 'hex').toString('utf8');
  const storedStr = typeof stored === 'string' ? stored : stored.toString('latin1');
  assert.notEqual(storedStr, token);
  assert.ok(!storedStr.includes(token), 'token_hash does not contain the token');
  assert.ok(!storedStr.includes(cookie), 'token_hash does not contain the cookie');
  assert.ok(!storedStr.includes(mac), 'token_hash does not contain the mac');
  const rawToken = Buffer.from(token, 'base64url');
  if (Buffer.isBuffer(stored)) assert.ok(!stored.includes(rawToken), 'token_hash does not contain the raw token bytes');
});

test('token_hash = SHA-256(token) (docs: "the server stores only SHA-256(token)")', async () => {
  const jar = await browser(argon.url);
  const s = await signup(argon.url, jar);
  const token = sessionCookieOf(s).split('.')[0];
  const rows = tokenHashRows(argon, s.body.user.id);
  const digests = [createHash('sha256').update(token).digest(), createHash('sha256').update(Buffer.from(token, 'base64url')).digest()];
  const forms = new Set();
  for (const d of digests) {
    forms.add(d.toString('hex').toUpperCase()); // blob, as hex()
    for (const s2 of [d.toString('hex'), d.toString('hex').toUpperCase(), d.toString('base64'), d.toString('base64url')]) {
      forms.add(Buffer.from(s2).toString('hex').toUpperCase()); // text, as hex()
    }
  }
  assert.ok(forms.has(rows[0].h), `token_hash (${rows[0].t}, hex ${rows[0].h}) is SHA-256 of the token in some encoding`);
});

test('the database files never contain a session token, a password or the secret key', async () => {
  const username = uniq('leak');
  const password = `leak-check-${uniq('p')}`;
  secrets.passwords.add(password);
  const jar = await browser(argon.url);
  const s = await signup(argon.url, jar, { username, password });
  await login(argon.url, await browser(argon.url), username, password);
  const token = sessionCookieOf(s).split('.')[0];
  secrets.tokens.add(token);
  const bytes = dbBytes(argon.dataDir);
  assert.ok(bytes.length > 0);
  assert.ok(!bytes.includes(Buffer.from(token)), 'token text not in DB');
  assert.ok(!bytes.includes(Buffer.from(token, 'base64url')), 'raw token bytes not in DB');
  assert.ok(!bytes.includes(Buffer.from(password)), 'password not in DB');
  const key = readFileSync(path.join(argon.dataDir, 'secret.key'));
  assert.ok(!bytes.includes(key), 'secret key not in DB');
});

test('secret.key exists with mode 0600', () => {
  for (const srv of [argon, bcrypt]) {
    const st = statSync(path.join(srv.dataDir, 'secret.key'));
    assert.ok(st.isFile());
    assert.ok(st.size >= 32, `secret.key holds at least 32 bytes (${st.size})`);
    assert.equal((st.mode & 0o777).toString(8), '600', 'mode 0600');
  }
});

test('bcrypt: stored hash is a bcrypt form; a 100-byte password logs in; one sharing its first 72 bytes does not', async () => {
  const username = uniq('bc');
  const pw100 = `${'A72-bytes-prefix-'.repeat(5).slice(0, 72)}${'tail-28-bytes-beyond-72!!'.padEnd(28, '#')}`;
  assert.equal(Buffer.byteLength(pw100), 100);
  const other = `${pw100.slice(0, 72)}${'X'.repeat(28)}`;
  assert.equal(other.slice(0, 72), pw100.slice(0, 72));
  secrets.passwords.add(pw100);
  await signup(bcrypt.url, await browser(bcrypt.url), { username, password: pw100 });
  assertBcrypt(hashOf(bcrypt.dataDir, username), username);
  await login(bcrypt.url, await browser(bcrypt.url), username, pw100);
  const bad = await api(bcrypt.url, await browser(bcrypt.url), 'POST', '/api/auth/login', { json: { username, password: other } });
  assert.equal(bad.status, 401, `no silent truncation at 72 bytes: ${bad.status} ${bad.text}`);
  const unknown = await api(bcrypt.url, await browser(bcrypt.url), 'POST', '/api/auth/login', { json: { username: uniq('nobody'), password: other } });
  assert.equal(unknown.status, 401);
  assert.equal(unknown.text, bad.text, 'same body for unknown user and wrong password under bcrypt too');
});

test('bcrypt: a password containing NUL is not truncated at the NUL (crypt() C-string pitfall)', async () => {
  const username = uniq('bcnul');
  const pw = 'abcdefgh\u0000ijklmnop';
  const res = await api(bcrypt.url, await browser(bcrypt.url), 'POST', '/api/auth/signup', { json: { username, password: pw } });
  assert.ok(res.status === 201 || res.status === 400, `${res.status} ${res.text}`);
  if (res.status === 400) { assert.equal(res.body?.field, 'password'); return; }
  const bad = await api(bcrypt.url, await browser(bcrypt.url), 'POST', '/api/auth/login', { json: { username, password: 'abcdefgh\u0000zzzzzzzz' } });
  assert.equal(bad.status, 401, `a different password with the same bytes before NUL must not log in: ${bad.status}`);
});

test('bcrypt: an unknown-user login is not much faster than a wrong-password login (dummy hash matches the algorithm)', async () => {
  const username = uniq('bct');
  await signup(bcrypt.url, await browser(bcrypt.url), { username, password: 'bcrypt-timing-pw' });
  await assertUnknownLoginCostsAsMuch(bcrypt.url, username);
});

test('switching --password-hash across restarts of one data dir: old users still log in, sessions persist', async () => {
  const dir = tempDir('latchkey-switch-');
  dirs.push(dir);
  const ua = uniq('argonuser');
  const ub = uniq('bcryptuser');
  const pa = 'argon-user-password';
  const pb = 'bcrypt-user-password';
  secrets.passwords.add(pa);
  secrets.passwords.add(pb);

  const s1 = await startTestServer({ dataDir: dir, args: [...LOG_ARGS] });
  allLogs.push(['restart 1 (argon2id)', s1.logs, dir]);
  let cookieA;
  let pageJar;
  try {
    pageJar = await browser(s1.url);
    cookieA = sessionCookieOf(await signup(s1.url, await browser(s1.url), { username: ua, password: pa }));
    secrets.tokens.add(cookieA.split('.')[0]);
  } finally { await s1.cleanup(); }
  assert.deepEqual(s1.exitStatus(), { code: 0, signal: null });
  const key1 = readFileSync(path.join(dir, 'secret.key'));
  assertArgon2id(hashOf(dir, ua), ua);

  const s2 = await startTestServer({ dataDir: dir, args: ['--password-hash', 'bcrypt', ...LOG_ARGS] });
  allLogs.push(['restart 2 (bcrypt)', s2.logs, dir]);
  try {
    assert.equal(await authStatus(s2.url, jarWithSession(cookieA)), 200, 'a session survives a restart of the same data dir');
    await login(s2.url, await browser(s2.url), ua, pa);
    // a page loaded before the restart keeps a working CSRF token (same key)
    await login(s2.url, pageJar, ua, pa);
    const wrong = await api(s2.url, await browser(s2.url), 'POST', '/api/auth/login', { json: { username: ua, password: 'argon-user-passworD' } });
    assert.equal(wrong.status, 401);
    await signup(s2.url, await browser(s2.url), { username: ub, password: pb });
  } finally { await s2.cleanup(); }
  assert.ok(readFileSync(path.join(dir, 'secret.key')).equals(key1), 'secret.key is reused, not regenerated');
  assertBcrypt(hashOf(dir, ub), ub);

  const s3 = await startTestServer({ dataDir: dir, args: [...LOG_ARGS] });
  allLogs.push(['restart 3 (argon2id)', s3.logs, dir]);
  try {
    await login(s3.url, await browser(s3.url), ub, pb);
    await login(s3.url, await browser(s3.url), ua, pa);
    const wrong = await api(s3.url, await browser(s3.url), 'POST', '/api/auth/login', { json: { username: ub, password: 'bcrypt-user-passworD' } });
    assert.equal(wrong.status, 401);
  } finally { await s3.cleanup(); }
  // Interpretation: existing hashes are only verified, never silently downgraded; whether they are
  // rehashed to the configured algorithm on login is up to the server, but they must be one of the two.
  const hb = hashOf(dir, ub);
  assert.ok(/^\$argon2id\$/.test(hb) || /^\$(2[aby]|bcrypt)/.test(hb), hb);
});

test('logs never contain the secret key, passwords or session tokens', () => {
  for (const r of responseLog) {
    for (const raw of r.setCookies) {
      const c = parseSetCookie(raw);
      if (c.name === 'latchkey_session' && c.value.includes('.')) secrets.tokens.add(c.value.split('.')[0]);
    }
  }
  assert.ok(secrets.tokens.size >= 5);
  const problems = [];
  for (const [label, logs, dataDir] of allLogs) {
    const out = logs();
    let key;
    try { key = readFileSync(path.join(dataDir, 'secret.key')); } catch { key = null; }
    if (key) {
      const text = key.toString('utf8').trim();
      const forms = [key.toString('hex'), key.toString('hex').toUpperCase(), key.toString('base64'), key.toString('base64url').replace(/=+$/, '')];
      if (text.length >= 16 && /^[\x20-\x7e]+$/.test(text)) forms.push(text);
      for (const line of text.split(/\s+/).filter((l) => l && !l.startsWith('#'))) {
        if (line.length >= 16) forms.push(line);
        const decoded = [];
        if (/^[0-9a-fA-F]+$/.test(line)) decoded.push(Buffer.from(line, 'hex'));
        if (/^[A-Za-z0-9+/_-]+=*$/.test(line)) decoded.push(Buffer.from(line, 'base64url'));
        for (const raw of decoded) {
          forms.push(raw.toString('hex'), raw.toString('base64'), raw.toString('base64url'));
          if (Buffer.from(out, 'latin1').includes(raw)) problems.push(`${label}: raw decoded secret key bytes in logs`);
        }
      }
      for (const f of forms) if (f.length >= 16 && out.includes(f)) problems.push(`${label}: secret key (${f.slice(0, 8)}...) in logs`);
      if (Buffer.from(out, 'utf8').includes(key)) problems.push(`${label}: raw secret key bytes in logs`);
    }
    for (const p of secrets.passwords) if (out.includes(p)) problems.push(`${label}: password ${p} in logs`);
    for (const t of secrets.tokens) if (out.includes(t)) problems.push(`${label}: session token in logs`);
  }
  assert.deepEqual(problems, []);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
