// New-password rules (NIST SP 800-63B 5.1.1.2, OWASP ASVS 2.1.7) and bad-input rules
// (docs/API.md "Validation"): common passwords and the username refused on signup and password
// change; duplicate JSON keys; NUL, CR or LF in any string field; the --common-passwords file.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, CookieJar } from '../support/http.mjs';
import { startServer } from '../support/server.mjs';
import {
  assertCleanResponses, assertError, assertNoStoreEverywhere, browser, commonPasswords, login, makeWebRoot,
  PASSWORD, q, signup, sql, startTestServer, withoutSession, tempDir, uniq,
} from '../support/fixtures.mjs';

let srv;
let base;
before(async () => {
  srv = await startTestServer();
  base = await browser(srv.url);
});
after(async () => { await srv?.cleanup(); });

const fresh = () => withoutSession(base);
const userRows = (username) => sql(srv.dataDir, `SELECT id FROM users WHERE lower(username) = lower(${q(username)})`);
const raw = (jar, method, p, body) => api(srv.url, jar, method, p, { rawBody: body, headers: { 'Content-Type': 'application/json' } });

test('the list: at least 10,000 lowercase passwords of 8+ characters, "password1" among them', () => {
  const list = commonPasswords();
  assert.ok(list.length >= 10000, `${list.length} entries`);
  assert.ok(list.includes('password1'));
  assert.ok(list.every((p) => p === p.toLowerCase() && [...p].length >= 8 && !/[\0\r\n]/.test(p)));
  assert.ok(!list.includes(PASSWORD.toLowerCase()), 'the suites\' default password is not on the list');
});

test('signup with a common password (any case) -> 400 field password, no user', async () => {
  const list = commonPasswords();
  for (const password of ['password1', 'PASSWORD1', 'Password1', 'iloveyou', list[list.length - 1], list[5000]]) {
    const username = uniq('cp');
    const res = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { json: { username, password } });
    assertError(res, 400, { field: 'password' });
    assert.match(res.body.error, /too common/i, res.text);
    assert.deepEqual(userRows(username), [], `${password}: no user row`);
  }
  const ok = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { json: { username: uniq('cp'), password: 'password1 is not enough' } });
  assert.equal(ok.status, 201, 'a listed password inside a longer one is fine');
});

test('signup with the username as password (any case) -> 400 field password', async () => {
  const username = uniq('Same');
  for (const password of [username, username.toUpperCase(), username.toLowerCase()]) {
    const res = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { json: { username, password } });
    assertError(res, 400, { field: 'password' });
    assert.match(res.body.error, /username/i, res.text);
  }
  assert.deepEqual(userRows(username), []);
  const ok = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { json: { username, password: `${username}!x` } });
  assert.equal(ok.status, 201, `containing the username is allowed: ${ok.text}`);
});

test('password change to a common password or the username -> 400 field new_password; nothing changes', async () => {
  const username = uniq('chg');
  const jar = await browser(srv.url);
  await signup(srv.url, jar, { username });
  const cookie = jar.get('latchkey_session');
  for (const newPassword of ['password1', 'QWERTYUIOP', username.toUpperCase()]) {
    const res = await api(srv.url, jar, 'POST', '/api/auth/password', { json: { current_password: PASSWORD, new_password: newPassword } });
    assertError(res, 400, { field: 'new_password' });
    assert.equal(jar.get('latchkey_session'), cookie, 'session not rotated');
  }
  await login(srv.url, await browser(srv.url), username, PASSWORD);
  const none = await api(srv.url, fresh(), 'POST', '/api/auth/password', { json: { current_password: PASSWORD, new_password: 'password1' } });
  assertError(none, 401);
});

test('duplicate keys in a body -> 400 naming the top-level key', async () => {
  const cases = [
    ['/api/auth/signup', `{"username":"${uniq('d1')}","username":"${uniq('d2')}","password":"${PASSWORD}"}`, 'username'],
    ['/api/auth/signup', `{"username":"${uniq('d3')}","password":"${PASSWORD}","password":"other password"}`, 'password'],
    ['/api/auth/signup', `{"username":"${uniq('d4')}","password":"${PASSWORD}","name":"a","name":"a"}`, 'name'],
    ['/api/auth/signup', `{"username":"${uniq('d5')}","password":"${PASSWORD}","remember":true,"remember":false}`, 'remember'],
    ['/api/auth/signup', `{"username":"${uniq('d6')}","password":"${PASSWORD}","u\\u0073ername":"x"}`, 'username'],
    ['/api/auth/signup', `{"username":"${uniq('d7')}","password":"${PASSWORD}","extra":{"k":1,"k":2}}`, 'extra'],
    ['/api/auth/login', `{"username":"a","username":"b","password":"${PASSWORD}"}`, 'username'],
  ];
  for (const [p, body, field] of cases) {
    const res = await raw(fresh(), 'POST', p, body);
    assertError(res, 400, { field });
    assert.match(res.body.error, /key/i, res.text);
  }
  const jar = await browser(srv.url);
  await signup(srv.url, jar);
  const patch = await raw(jar, 'PATCH', '/api/auth/user', '{"name":"a","name":"b"}');
  assertError(patch, 400, { field: 'name' });
  const change = await raw(jar, 'POST', '/api/auth/password', `{"current_password":"${PASSWORD}","new_password":"x1x2x3x4x5","new_password":"y1y2y3y4y5"}`);
  assertError(change, 400, { field: 'new_password' });
  const same = await raw(jar, 'POST', '/api/auth/remove_account', `{"password":"${PASSWORD}","password":"${PASSWORD}"}`);
  assertError(same, 400, { field: 'password' });
  const sibling = await raw(fresh(), 'POST', '/api/auth/signup', `{"username":"${uniq('ds')}","password":"${PASSWORD}","a":{"k":1},"b":{"k":1}}`);
  assert.equal(sibling.status, 201, `the same key in two objects is fine: ${sibling.text}`);
});

test('NUL, CR or LF in any string field -> 400 naming the field', async () => {
  const bads = [['NUL', '\u0000'], ['CR', '\r'], ['LF', '\n'], ['CRLF', '\r\n']];
  for (const [label, bad] of bads) {
    const signupCases = [
      ['username', { username: `${uniq('n')}${bad}`, password: PASSWORD }],
      ['password', { username: uniq('n'), password: `${PASSWORD}${bad}x` }],
      ['name', { username: uniq('n'), password: PASSWORD, name: `Jane${bad}Doe` }],
    ];
    for (const [field, json] of signupCases) {
      const res = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { json });
      assertError(res, 400, { field });
    }
    for (const [field, json] of [['username', { username: `alice${bad}`, password: PASSWORD }], ['password', { username: 'alice', password: `${PASSWORD}${bad}` }]]) {
      const res = await api(srv.url, fresh(), 'POST', '/api/auth/login', { json });
      assertError(res, 400, { field });
    }
    const jar = await browser(srv.url);
    const { body } = await signup(srv.url, jar);
    const account = [
      ['POST', '/api/auth/password', { current_password: `${PASSWORD}${bad}`, new_password: 'a fine new password' }, 'current_password'],
      ['POST', '/api/auth/password', { current_password: PASSWORD, new_password: `a fine${bad}new password` }, 'new_password'],
      ['PATCH', '/api/auth/user', { name: `x${bad}y` }, 'name'],
      ['POST', '/api/auth/remove_account', { password: `${PASSWORD}${bad}` }, 'password'],
    ];
    for (const [method, p, json, field] of account) {
      const res = await api(srv.url, jar, method, p, { json });
      assertError(res, 400, { field });
      assert.ok(res.status !== 200, `${label} ${p}`);
    }
    await login(srv.url, await browser(srv.url), body.user.username, PASSWORD);
  }
});

test('printable characters and spaces stay allowed in passwords; a TAB is refused since RFC 8265 preparation', async () => {
  const username = uniq('tab');
  const password = ' spaces here \u00e9\u2603 ok ';
  const jar = await browser(srv.url);
  await signup(srv.url, jar, { username, password });
  await login(srv.url, await browser(srv.url), username, password);
  // A control character (Cc) is outside the PRECIS FreeformClass (RFC 8264 section 4.3); a
  // TAB password set before still logs in (tests/api/unicode_passwords.test.mjs).
  const res = await api(srv.url, withoutSession(base), 'POST', '/api/auth/signup', { json: { username: uniq('tab'), password: 'tab\there ok' } });
  assertError(res, 400, { field: 'password', code: 'validation_failed' });
});

async function startExpectingExit(opts) {
  try {
    const s = await startServer(opts);
    await s.stop();
    assert.fail('the server started');
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    return String(e.message);
  }
}

test('startup: a missing or empty list file is an error naming it (exit 1); the flag and env choose the file', async () => {
  const dir = tempDir('latchkey-cp-');
  try {
    const web = path.join(dir, 'web');
    mkdirSync(path.join(web, 'assets'), { recursive: true });
    writeFileSync(path.join(web, 'index.html'), '<html><meta name="csrf-token" content="{{csrf_token}}"></html>');
    const defaultFile = path.join(web, 'assets', 'common-passwords.txt');
    let out = await startExpectingExit({ webRoot: web, dataDir: path.join(dir, 'd1') });
    assert.match(out, /"code":1/, out);
    assert.ok(out.includes(defaultFile), `names ${defaultFile}: ${out}`);

    writeFileSync(defaultFile, '\n\n');
    out = await startExpectingExit({ webRoot: web, dataDir: path.join(dir, 'd2') });
    assert.match(out, /"code":1/, out);
    assert.ok(out.includes(defaultFile), out);

    const custom = path.join(dir, 'custom.txt');
    writeFileSync(custom, 'Custom-List-Password\nanother-listed-one\n');
    const missing = path.join(dir, 'nope.txt');
    out = await startExpectingExit({ webRoot: makeWebRoot(path.join(dir, 'web2')), dataDir: path.join(dir, 'd3'), args: ['--common-passwords', missing] });
    assert.ok(out.includes(missing), `the flag wins over the web root's file: ${out}`);

    for (const opts of [{ args: ['--common-passwords', custom] }, { env: { LATCHKEY_COMMON_PASSWORDS: custom } }]) {
      const s = await startServer({ ...opts, webRoot: web, dataDir: tempDir('latchkey-cp-d-') });
      try {
        assert.match(s.logs(), /2 passwords/, s.logs());
        const b = await browser(s.url);
        const j = new CookieJar([['latchkey_csrf', b.get('latchkey_csrf')]]);
        j.csrfToken = b.csrfToken;
        const refused = await api(s.url, j, 'POST', '/api/auth/signup', { json: { username: uniq('cu'), password: 'custom-list-password' } });
        assertError(refused, 400, { field: 'password' });
        const allowed = await api(s.url, j, 'POST', '/api/auth/signup', { json: { username: uniq('cu'), password: 'password1' } });
        assert.equal(allowed.status, 201, `only the given list counts: ${allowed.text}`);
      } finally {
        await s.stop();
        rmSync(s.dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the server logs how many passwords it loaded', () => {
  assert.match(srv.logs(), new RegExp(`${commonPasswords().length} passwords`), srv.logs());
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
