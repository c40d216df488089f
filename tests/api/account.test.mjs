// Account management: POST /api/auth/password (rotation, other devices revoked),
// POST /api/auth/remove_account with the password, PATCH /api/auth/user {name},
// and "remember" on login/signup (persistent vs browser-session cookie).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, findSetCookie, isDeletion } from '../support/http.mjs';
import {
  assertCleanResponses, assertError, assertJson, assertNoStoreEverywhere, authStatus, browser, currentSession, jarWithSession, listSessions,
  login, PASSWORD, q, rfc3339Sec, sessionCookieOf, sessionRows, signup, sql, startTestServer, uniq,
} from '../support/fixtures.mjs';

let srv; // --cookie-max-age 3h (so Max-Age=10800 is told apart from every default)
before(async () => { srv = await startTestServer({ args: ['--cookie-max-age', '3h'] }); });
after(async () => { await srv?.cleanup(); });

const CSRF_ERROR = { error: 'Missing or invalid CSRF token', code: 'csrf_rejected' };
const MAX_AGE = '10800';
const secrets = [];

const userRow = (id) => sql(srv.dataDir, `SELECT id, username, name, password_hash FROM users WHERE id = ${Number(id)}`)[0];
const loginStatus = async (username, password) => (await api(srv.url, await browser(srv.url), 'POST', '/api/auth/login', { json: { username, password } })).status;

/** A user with devices A (signup) and B (login), plus another user X. */
async function setup(password = PASSWORD) {
  const username = uniq('acc');
  const a = await browser(srv.url);
  const b = await browser(srv.url);
  const x = await browser(srv.url);
  const s = await signup(srv.url, a, { username, password, name: 'Account Owner' });
  await login(srv.url, b, username, password);
  await signup(srv.url, x);
  return { username, user: s.body.user, a, b, x };
}

function assertSessionCookie(res, { persistent }) {
  const c = findSetCookie(res, 'latchkey_session');
  assert.ok(c && c.value, `Set-Cookie: latchkey_session: ${res.setCookies}`);
  assert.ok(!isDeletion(c), c.raw);
  assert.equal(c.attrs.httponly, true, c.raw);
  assert.equal(String(c.attrs.samesite).toLowerCase(), 'lax', c.raw);
  assert.equal(c.attrs.path, '/', c.raw);
  if (persistent) {
    assert.equal(c.attrs['max-age'], MAX_AGE, `persistent cookie: Max-Age = --cookie-max-age (10800): ${c.raw}`);
  } else {
    assert.equal(c.attrs['max-age'], undefined, `browser-session cookie: no Max-Age: ${c.raw}`);
    assert.equal(c.attrs.expires, undefined, `browser-session cookie: no Expires: ${c.raw}`);
  }
  return c;
}

// ---- POST /api/auth/password ----

test('password change with a wrong current password: 401 field current_password; nothing changes', async () => {
  const { username, user, a, b } = await setup();
  const hash0 = userRow(user.id).password_hash;
  const aCookie = a.get('latchkey_session');
  const res = await api(srv.url, a, 'POST', '/api/auth/password', { json: { current_password: 'not the password', new_password: 'a brand new password' } });
  assertError(res, 401, { field: 'current_password' });
  assert.equal(sessionCookieOf(res), undefined, 'no new session cookie');
  assert.equal(a.get('latchkey_session'), aCookie);
  assert.equal(await authStatus(srv.url, a), 200, 'A still logged in');
  assert.equal(await authStatus(srv.url, b), 200, 'B still logged in');
  assert.equal(userRow(user.id).password_hash, hash0, 'hash unchanged');
  assert.equal(await loginStatus(username, PASSWORD), 200, 'old password still logs in');
  assert.equal(await loginStatus(username, 'a brand new password'), 401, 'new password does not');
});

test('password change with a bad new password: 400 field new_password (length in code points); wrong types name the field; nothing changes', async () => {
  const { username, user, a, b } = await setup();
  const hash0 = userRow(user.id).password_hash;
  const cases = [
    ['7 chars', { current_password: PASSWORD, new_password: 'short77' }, 400, 'new_password'],
    ['7 code points in 28 bytes', { current_password: PASSWORD, new_password: '\u{1F600}'.repeat(7) }, 400, 'new_password'],
    ['1025 chars', { current_password: PASSWORD, new_password: 'p'.repeat(1025) }, 400, 'new_password'],
    ['empty', { current_password: PASSWORD, new_password: '' }, 400, 'new_password'],
    ['new_password a number', { current_password: PASSWORD, new_password: 12345678 }, 400, 'new_password'],
    ['current_password a number', { current_password: 12345678, new_password: 'a fine new password' }, 400, 'current_password'],
    ['current_password an array', { current_password: [PASSWORD], new_password: 'a fine new password' }, 400, 'current_password'],
  ];
  for (const [label, json, status, field] of cases) {
    const res = await api(srv.url, a, 'POST', '/api/auth/password', { json });
    assert.ok(res.status < 500, `${label}: ${res.status}`);
    assertError(res, status, { field });
    assert.equal(sessionCookieOf(res), undefined, `${label}: no cookie`);
  }
  assert.equal(userRow(user.id).password_hash, hash0, 'hash unchanged');
  assert.equal(await authStatus(srv.url, a), 200);
  assert.equal(await authStatus(srv.url, b), 200);
  assert.equal(await loginStatus(username, PASSWORD), 200);
});

test('password change needs a session (401) and a CSRF token (403)', async () => {
  const { user, a } = await setup();
  const hash0 = userRow(user.id).password_hash;
  const json = { current_password: PASSWORD, new_password: 'another good password' };
  assertError(await api(srv.url, await browser(srv.url), 'POST', '/api/auth/password', { json }), 401);
  for (const csrf of [null, 'nope']) {
    const res = await api(srv.url, a, 'POST', '/api/auth/password', { json, csrf });
    assertError(res, 403);
    assert.deepEqual(res.body, CSRF_ERROR);
  }
  assert.equal(userRow(user.id).password_hash, hash0);
});

test('password change: 200 {user} with a NEW session cookie for A; A\'s old cookie and device B are logged out; old password 401, new 200', async () => {
  const { username, user, a, b, x } = await setup();
  const newPassword = 'n\u00e9w p\u00e4ssw\u00f6rd \u{1F511}';
  secrets.push(newPassword);
  const hash0 = userRow(user.id).password_hash;
  const oldA = a.get('latchkey_session');
  const oldB = b.get('latchkey_session');
  const res = await api(srv.url, a, 'POST', '/api/auth/password', { json: { current_password: PASSWORD, new_password: newPassword } });
  assert.equal(res.status, 200, res.text);
  assertJson(res);
  assert.deepEqual(res.body, { user }, 'body is {user}');
  const c = assertSessionCookie(res, { persistent: true });
  assert.notEqual(c.value, oldA, 'a new session cookie');
  assert.notEqual(c.value.split('.')[0], oldA.split('.')[0], 'a new token');
  assert.equal(await authStatus(srv.url, jarWithSession(c.value)), 200, 'the new cookie works');
  assert.equal(await authStatus(srv.url, a), 200, 'A (jar updated) stays logged in');
  assertError(await api(srv.url, jarWithSession(oldA), 'GET', '/api/auth'), 401);
  assertError(await api(srv.url, b, 'GET', '/api/auth'), 401);
  assert.equal(await authStatus(srv.url, jarWithSession(oldB)), 401);
  assert.equal(await authStatus(srv.url, x), 200, 'other users untouched');
  assert.notEqual(userRow(user.id).password_hash, hash0, 'hash changed');
  const rows = sessionRows(srv.dataDir, user.id);
  assert.equal(rows.length, 1, `only the rotated session remains: ${JSON.stringify(rows.map((r) => r.id))}`);
  const list = await listSessions(srv.url, a);
  assert.deepEqual(list.map((s) => [s.id, s.current]), [[rows[0].id, true]], 'A sees only its own (rotated) session');
  assert.equal(await loginStatus(username, PASSWORD), 401, 'old password no longer logs in');
  assert.equal(await loginStatus(username, newPassword), 200, 'new password logs in');
  // the page token keeps working after the rotation
  assert.equal((await api(srv.url, a, 'PATCH', '/api/auth/user', { json: { name: 'After Rotation' } })).status, 200);
});

// ---- POST /api/auth/remove_account {"password"} ----

test('remove_account without the password or with a wrong one: 401 field password; account intact', async () => {
  const { username, user, a, b } = await setup();
  for (const [label, json] of [['empty object', {}], ['wrong password', { password: 'not the password' }], ['empty password', { password: '' }],
    ['password in another case', { password: PASSWORD.toUpperCase() }]]) {
    const res = await api(srv.url, a, 'POST', '/api/auth/remove_account', { json });
    assertError(res, 401, { field: 'password' });
    const cleared = findSetCookie(res, 'latchkey_session');
    assert.ok(!cleared || !isDeletion(cleared), `${label}: cookie not cleared`);
  }
  const typed = await api(srv.url, a, 'POST', '/api/auth/remove_account', { json: { password: 12345678 } });
  assertError(typed, 400, { field: 'password' });
  const noCsrf = await api(srv.url, a, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD }, csrf: null });
  assertError(noCsrf, 403);
  assert.ok(userRow(user.id), 'user row still there');
  assert.equal(await authStatus(srv.url, a), 200);
  assert.equal(await authStatus(srv.url, b), 200);
  assert.equal(sessionRows(srv.dataDir, user.id).length, 2);
  assert.equal(await loginStatus(username, PASSWORD), 200);
});

test('remove_account with the password: 200 {"success":true}, cookie cleared, user and sessions gone', async () => {
  const { username, user, a, b, x } = await setup();
  const res = await api(srv.url, a, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.body, { success: true });
  const c = findSetCookie(res, 'latchkey_session');
  assert.ok(c && isDeletion(c), `cookie cleared: ${res.setCookies}`);
  assert.equal(await authStatus(srv.url, a), 401);
  assert.equal(await authStatus(srv.url, b), 401);
  assert.equal(await authStatus(srv.url, x), 200);
  assert.equal(userRow(user.id), undefined);
  assert.equal(sessionRows(srv.dataDir, user.id).length, 0);
  assert.equal(await loginStatus(username, PASSWORD), 401);
});

// ---- PATCH /api/auth/user {"name"} ----

test('PATCH /api/auth/user {name}: 200 {user} with the new name; GET /api/auth (on every device) shows it', async () => {
  const { username, user, a, b } = await setup();
  for (const name of ['Zoë Ünïcødé \u{1F600}', 'x'.repeat(100), '\u00e9'.repeat(100), '\u{1F600}'.repeat(100), '', 'Final Name']) {
    const res = await api(srv.url, a, 'PATCH', '/api/auth/user', { json: { name } });
    assert.equal(res.status, 200, `${JSON.stringify(name).slice(0, 30)}: ${res.status} ${res.text}`);
    assertJson(res);
    const want = { id: user.id, username, name, email: null, email_verified: false };
    assert.deepEqual(res.body, { user: want });
    assert.deepEqual((await api(srv.url, a, 'GET', '/api/auth')).body, { user: want });
    assert.equal((await api(srv.url, b, 'GET', '/api/auth')).body?.user?.name, name, 'the other device sees it too');
    assert.equal(userRow(user.id).name, name, 'stored');
  }
  // the username is not changed by PATCH, even if sent
  const res = await api(srv.url, a, 'PATCH', '/api/auth/user', { json: { name: 'N2', username: 'hijacked' } });
  assert.ok(res.status === 200 || res.status === 400, `${res.status} ${res.text}`);
  assert.equal((await api(srv.url, a, 'GET', '/api/auth')).body.user.username, username);
});

test('PATCH /api/auth/user: invalid names -> 400 field name; name unchanged', async () => {
  const { user, a } = await setup();
  const cases = [
    ['101 chars', 'x'.repeat(101)],
    ['101 code points (astral)', '\u{1F600}'.repeat(101)],
    ['C0 control (BEL)', 'a\u0007b'],
    ['newline', 'a\nb'],
    ['tab', 'a\tb'],
    ['NUL', 'a\u0000b'],
    ['DEL', 'a\u007fb'],
    ['C1 control (NEL)', 'a\u0085b'],
    ['a number', 42],
    ['an object', { first: 'x' }],
    ['a boolean', true],
  ];
  for (const [label, name] of cases) {
    const res = await api(srv.url, a, 'PATCH', '/api/auth/user', { json: { name } });
    assert.ok(res.status < 500, `${label}: ${res.status}`);
    assertError(res, 400, { field: 'name' });
  }
  // docs: any string must be valid UTF-8 (else 400 naming the field)
  const badUtf8 = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}')]);
  const res = await api(srv.url, a, 'PATCH', '/api/auth/user', { rawBody: badUtf8, headers: { 'Content-Type': 'application/json' } });
  assertError(res, 400, { field: 'name' });
  assert.equal(userRow(user.id).name, 'Account Owner');
  assert.equal((await api(srv.url, a, 'GET', '/api/auth')).body.user.name, 'Account Owner');
});

test('PATCH /api/auth/user: 401 without a session, 403 without CSRF, 415 without JSON Content-Type', async () => {
  const { user, a } = await setup();
  assertError(await api(srv.url, await browser(srv.url), 'PATCH', '/api/auth/user', { json: { name: 'Anon' } }), 401);
  for (const csrf of [null, 'nope']) {
    const res = await api(srv.url, a, 'PATCH', '/api/auth/user', { json: { name: 'No Token' }, csrf });
    assertError(res, 403);
    assert.deepEqual(res.body, CSRF_ERROR);
  }
  assertError(await api(srv.url, a, 'PATCH', '/api/auth/user', { rawBody: '{"name":"Plain"}', headers: { 'Content-Type': 'text/plain' } }), 415);
  assert.equal(userRow(user.id).name, 'Account Owner');
});

// ---- remember ----

test('remember on login: false -> cookie without Max-Age/Expires; true or absent -> Max-Age = --cookie-max-age; "yes" -> 400 field remember', async () => {
  const username = uniq('rem');
  await signup(srv.url, await browser(srv.url), { username });
  const jar = await browser(srv.url);
  const off = assertSessionCookie(await login(srv.url, jar, username, PASSWORD, { remember: false }), { persistent: false });
  assert.equal(await authStatus(srv.url, jarWithSession(off.value)), 200, 'the browser-session cookie works');
  const meOff = await currentSession(srv.url, jar);
  assert.equal(rfc3339Sec(meOff.expires_at) - rfc3339Sec(meOff.last_seen_at), 7200, `remember:false uses the short idle timeout (2h): ${JSON.stringify(meOff)}`);
  const on = assertSessionCookie(await login(srv.url, jar, username, PASSWORD, { remember: true }), { persistent: true });
  const meOn = await currentSession(srv.url, jar);
  assert.equal(rfc3339Sec(meOn.expires_at) - rfc3339Sec(meOn.last_seen_at), 14 * 86400, `remember:true uses the long idle timeout (14d): ${JSON.stringify(meOn)}`);
  const dflt = assertSessionCookie(await login(srv.url, jar, username), { persistent: true });
  assert.notEqual(on.value, dflt.value);
  for (const remember of ['yes', 1, 'true', [true], {}]) {
    const bad = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/login', { json: { username, password: PASSWORD, remember } });
    assertError(bad, 400, { field: 'remember' });
    assert.equal(sessionCookieOf(bad), undefined, `no session for remember=${JSON.stringify(remember)}`);
  }
});

test('remember on signup: false -> browser-session cookie; true or absent -> Max-Age; "yes" -> 400 field remember and no account', async () => {
  assertSessionCookie(await signup(srv.url, await browser(srv.url), { remember: false }), { persistent: false });
  assertSessionCookie(await signup(srv.url, await browser(srv.url), { remember: true }), { persistent: true });
  assertSessionCookie(await signup(srv.url, await browser(srv.url)), { persistent: true });
  const username = uniq('remy');
  const bad = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/signup', { json: { username, password: PASSWORD, remember: 'yes' } });
  assertError(bad, 400, { field: 'remember' });
  assert.equal(sessionCookieOf(bad), undefined);
  assert.deepEqual(sql(srv.dataDir, `SELECT id FROM users WHERE username = ${q(username)}`), [], 'no account created');
});

test('no response in this file exposed a hash/token field, a password or a 5xx', () => {
  assertCleanResponses([PASSWORD, ...secrets]);
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
