// docs/openapi.json against the running server: a walk through every documented operation
// (successes and the errors a client can cause), each answer checked against the document
// (status documented for the operation, JSON body valid against its schema, documented
// headers present), and then the reverse: every documented (operation, status) pair was seen,
// except the few this walk cannot cause (listed with the reason). tests/unit/openapi_test.cpp
// checks the same file against the router's route list.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, responseLog } from '../support/http.mjs';
import { runLatchkey } from '../support/server.mjs';
import { checkResponse, documentedOperations, operationOf } from '../support/openapi.mjs';
import { browser, PASSWORD, startTestServer, uniq, withoutSession } from '../support/fixtures.mjs';
import { mailCount, mailDirOf, waitForMail } from '../support/mailbox.mjs';

let srv;
let throttled;
before(async () => {
  // A trusted proxy (the test client) for forward auth's X-Forwarded-Method (403).
  srv = await startTestServer({ args: ['--trusted-proxy', '127.0.0.1'] });
  throttled = await startTestServer({ throttle: true, args: ['--signup-rate-limit', '1'] });
});
after(async () => {
  await srv?.cleanup();
  await throttled?.cleanup();
});

// Documented answers this walk does not cause, and why.
const NOT_CAUSED = new Map([
  ['503', 'needs the database down: tests/cluster and tests/pg cover outages'],
]);

const seen = new Set();
function check(res) {
  const found = operationOf(res.method, res.path);
  assert.ok(found, `${res.method} ${res.path} is a documented operation`);
  seen.add(`${found.method} ${found.template} ${res.status}`);
  assert.deepEqual(checkResponse(res), [], `${res.method} ${res.path} -> ${res.status} matches docs/openapi.json`);
  return res;
}

async function call(jar, method, path, opts) {
  return check(await api(srv.url, jar, method, path, opts));
}

test('every documented operation answers as documented, successes and errors', async () => {
  const a = await browser(srv.url);
  check(responseLog[responseLog.length - 1]); // GET / (the page that gave the CSRF token)
  const username = uniq('oa');
  const post = (path, json, jar = a, extra = {}) => call(jar, 'POST', path, { json, ...extra });

  // Liveness and readiness.
  await call(null, 'GET', '/healthz');
  await call(null, 'GET', '/readyz');
  // The assertion keys (tests/api/assertion.test.mjs verifies tokens against them).
  await call(null, 'GET', '/.well-known/jwks.json');
  await call(null, 'HEAD', '/.well-known/jwks.json');
  const asset = await call(null, 'GET', '/assets/app.js');
  await call(null, 'GET', '/assets/app.js', { headers: { 'If-None-Match': asset.headers.etag } });
  await call(null, 'GET', '/assets/no-such-file.js');

  // Without a session.
  await call(a, 'GET', '/api/auth');
  await call(a, 'GET', '/api/auth/verify');
  await call(a, 'HEAD', '/api/auth/verify');
  await call(a, 'GET', '/api/auth/sessions');
  await call(a, 'GET', '/api/auth/events');
  await call(a, 'PATCH', '/api/auth/user', { json: { name: 'x' } });
  await post('/api/auth/password', { current_password: PASSWORD, new_password: `${PASSWORD}!` });
  await post('/api/auth/sessions/revoke_others', undefined);
  await call(a, 'DELETE', '/api/auth/sessions/AAAAAAAAAAAAAAAAAAAAAA');
  await post('/api/auth/remove_account', { password: PASSWORD });

  // Signup: the body's errors, then success, then the taken name.
  await post('/api/auth/signup', { username, password: PASSWORD }, a, { csrf: null });
  await post('/api/auth/signup', { username: 'x', password: PASSWORD });
  await call(a, 'POST', '/api/auth/signup', { rawBody: 'username=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  await call(a, 'POST', '/api/auth/signup', { rawBody: JSON.stringify({ username, password: 'p'.repeat(20000) }), headers: { 'Content-Type': 'application/json' } });
  const created = await post('/api/auth/signup', { username, password: PASSWORD, name: 'Open API' });
  assert.equal(created.status, 201);
  await post('/api/auth/signup', { username: username.toUpperCase(), password: PASSWORD }, withoutSession(a));

  // With a session.
  await call(a, 'GET', '/api/auth');
  await call(a, 'PATCH', '/api/auth/user', { json: { name: 'Renamed' } });
  // Forward auth: a live session, and a state-changing original method without a CSRF token.
  await call(a, 'GET', '/api/auth/verify');
  await call(a, 'HEAD', '/api/auth/verify');
  const forged = { csrf: null, headers: { 'X-Forwarded-Method': 'POST', 'X-Forwarded-Uri': '/app/x' } };
  assert.equal((await call(a, 'GET', '/api/auth/verify', forged)).status, 403);
  assert.equal((await call(a, 'HEAD', '/api/auth/verify', forged)).status, 403);
  await call(a, 'PATCH', '/api/auth/user', { json: { name: 'bad\u0007name' } });
  await call(a, 'GET', '/api/auth/events');

  // Login: wrong password, malformed, success on a second device.
  const b = await browser(srv.url);
  await post('/api/auth/login', { username, password: 'wrong password!' }, b);
  await post('/api/auth/login', { username }, b);
  await post('/api/auth/login', { username, password: PASSWORD, remember: false }, b);

  // Sessions: list, revoke an unknown id, revoke the other device, revoke others.
  const list = await call(a, 'GET', '/api/auth/sessions');
  const other = list.body.sessions.find((s) => !s.current);
  await call(a, 'DELETE', '/api/auth/sessions/AAAAAAAAAAAAAAAAAAAAAA');
  await call(a, 'DELETE', `/api/auth/sessions/${other.id}`);
  await post('/api/auth/sessions/revoke_others', undefined);

  // Password change: wrong current, a common new one, success.
  await post('/api/auth/password', { current_password: 'wrong password!', new_password: 'another long one' });
  await post('/api/auth/password', { current_password: PASSWORD, new_password: 'password1' });
  const changed = await post('/api/auth/password', { current_password: PASSWORD, new_password: 'another long passphrase' });
  assert.equal(changed.status, 200);

  // Account removal: wrong password, then success; logout without and with a session.
  await post('/api/auth/remove_account', { password: 'wrong password!' });
  await post('/api/auth/logout', undefined, b);
  const removed = await post('/api/auth/remove_account', { password: 'another long passphrase' });
  assert.equal(removed.status, 200);
  // A disabled account: the right password gets 403 (after the password verified).
  const d = await browser(srv.url);
  const disabled = uniq('oad');
  await post('/api/auth/signup', { username: disabled, password: PASSWORD }, d);
  const off = runLatchkey(['user', 'disable', disabled, '--data-dir', srv.dataDir, '--db', srv.db]);
  assert.equal(off.status, 0, `user disable: ${off.stderr}`);
  assert.equal((await post('/api/auth/login', { username: disabled, password: PASSWORD }, withoutSession(d))).status, 403);
  const c = await browser(srv.url);
  await post('/api/auth/signup', { username: uniq('oa'), password: PASSWORD }, c);
  await post('/api/auth/logout', undefined, c);
});

test('every state-changing operation: the guards and the body errors are documented', async () => {
  const a = await browser(srv.url);
  await api(srv.url, a, 'POST', '/api/auth/signup', { json: { username: uniq('oag'), password: PASSWORD } });
  const me = (await api(srv.url, a, 'GET', '/api/auth')).body.user;
  const concrete = (template) => template.replace(/\{[^}]+\}/g, 'AAAAAAAAAAAAAAAAAAAAAA');
  for (const { method, template, op } of documentedOperations()) {
    const m = method.toUpperCase();
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(m) || !template.startsWith('/api/')) continue;
    const p = concrete(template);
    assert.equal(check(await api(srv.url, a, m, p, { csrf: null })).status, 403, `${m} ${p} without a CSRF token`);
    if (op.responses['409']?.$ref === '#/components/responses/UserMismatch') {
      const stale = { 'X-Latchkey-Expect-User': String(me.id + 1000000) };
      assert.equal(check(await api(srv.url, a, m, p, { json: {}, headers: stale })).status, 409, `${m} ${p} for another user`);
    }
    if (!op.requestBody) continue;
    const json = { 'Content-Type': 'application/json' };
    assert.equal(check(await api(srv.url, a, m, p, { rawBody: '{"name":', headers: json })).status, 400, `${m} ${p} malformed`);
    assert.equal(check(await api(srv.url, a, m, p, { rawBody: `{"name":"${'n'.repeat(17000)}"}`, headers: json })).status, 413, `${m} ${p} too large`);
    assert.equal(check(await api(srv.url, a, m, p, { rawBody: 'name=x', headers: { 'Content-Type': 'text/plain' } })).status, 415, `${m} ${p} not JSON`);
  }
});

test('every read that documents user_mismatch refuses a stale page (409) and a malformed id (400)', async () => {
  const a = await browser(srv.url);
  await api(srv.url, a, 'POST', '/api/auth/signup', { json: { username: uniq('oar'), password: PASSWORD } });
  const me = (await api(srv.url, a, 'GET', '/api/auth')).body.user;
  let reads = 0;
  for (const { method, template, op } of documentedOperations()) {
    if (method !== 'get' || op.responses['409']?.$ref !== '#/components/responses/UserMismatch') continue;
    reads += 1;
    const stale = { 'X-Latchkey-Expect-User': String(me.id + 1000000) };
    assert.equal(check(await api(srv.url, a, 'GET', template, { headers: stale })).status, 409, `GET ${template} for another user`);
    assert.equal(check(await api(srv.url, a, 'GET', template, { headers: { 'X-Latchkey-Expect-User': 'x' } })).status, 400, `GET ${template} malformed id`);
  }
  assert.ok(reads >= 3, `reads documenting user_mismatch: ${reads}`);
});

test('throttled answers (429 + Retry-After) are documented', async () => {
  const t = await browser(throttled.url);
  const username = uniq('oat');
  assert.equal(check(await api(throttled.url, t, 'POST', '/api/auth/signup', { json: { username, password: PASSWORD } })).status, 201);
  const again = await api(throttled.url, withoutSession(t), 'POST', '/api/auth/signup', { json: { username: uniq('oat'), password: PASSWORD } });
  assert.equal(check(again).status, 429);
  let res;
  for (let i = 0; i < 12; i += 1) {
    res = await api(throttled.url, withoutSession(t), 'POST', '/api/auth/login', { json: { username, password: 'wrong password!' } });
    if (res.status === 429) break;
  }
  assert.equal(check(res).status, 429, 'failed logins end in 429');
  // The lock's first delay is 1 s, which a slow run (sanitizers, a loaded machine) can outlast
  // between two requests. A wrong password while unlocked (401) is one more failure and doubles
  // the lock, so retrying with one reaches 429 within a few attempts, and never changes the
  // password or removes the account.
  const untilThrottled = async (p, json) => {
    let r;
    for (let i = 0; i < 8; i += 1) {
      r = await api(throttled.url, t, 'POST', p, { json });
      if (r.status === 429) break;
      assert.equal(check(r).status, 401, `${p} with a wrong password while unlocked`);
      assert.equal(r.body.code, 'invalid_credentials');
    }
    assert.equal(check(r).status, 429, `${p} ends in 429`);
  };
  await untilThrottled('/api/auth/password', { current_password: 'wrong password!', new_password: 'another long passphrase' });
  await untilThrottled('/api/auth/remove_account', { password: 'wrong password!' });
});

test('email and recovery operations answer as documented', async () => {
  const a = await browser(srv.url);
  const post = (path, json, jar = a) => call(jar, 'POST', path, { json });
  const username = uniq('oae');
  const email = `${username}@example.org`;
  let res;
  await post('/api/auth/email/resend', undefined); // 401: no session
  await post('/api/auth/email/verify', { code: '1234 5678' }); // 401: a code needs a session
  assert.equal((await post('/api/auth/signup', { username, password: PASSWORD, email })).status, 201);
  const mail = await waitForMail(mailDirOf(srv), { to: email, subject: /Confirm/ });
  await post('/api/auth/email/verify', {}); // 400: neither token nor code
  await post('/api/auth/email/verify', { token: 'x'.repeat(43) }); // 400 invalid_token
  assert.equal((await post('/api/auth/email/verify', { token: mail.token })).status, 200);
  await post('/api/auth/email/resend', undefined); // 400: nothing left to verify
  // A change of the verified address: the undo link to the old one.
  let count = await mailCount(mailDirOf(srv));
  await call(a, 'PATCH', '/api/auth/user', { json: { email: `${username}@new.example` } }); // 400 current_password
  await call(a, 'PATCH', '/api/auth/user', { json: { email: `${username}@new.example`, current_password: 'not it at all' } }); // 401
  await call(a, 'PATCH', '/api/auth/user', { json: { email: `${username}@new.example`, current_password: PASSWORD } });
  const undo = await waitForMail(mailDirOf(srv), { to: email, subject: /changed/, after: count });
  assert.equal((await post('/api/auth/email/resend', undefined)).status, 202);
  await post('/api/auth/email/undo', { token: 'x'.repeat(43) }); // 400
  assert.equal((await post('/api/auth/email/undo', { token: undo.token }, await browser(srv.url))).status, 200);
  // Recovery: a bad login, accepted requests, the link.
  await post('/api/auth/recovery', { login: '' });
  count = await mailCount(mailDirOf(srv));
  assert.equal((await post('/api/auth/recovery', { login: email })).status, 202);
  const rec = await waitForMail(mailDirOf(srv), { to: email, subject: /Reset/, after: count });
  const c = await browser(srv.url);
  await post('/api/auth/login', { username, password: PASSWORD }, c);
  await post('/api/auth/recovery/complete', { token: rec.token, new_password: 'password1' }, c); // 400
  assert.equal((await post('/api/auth/recovery/complete', { token: rec.token, new_password: 'a recovered passphrase' }, c)).status, 200);
  for (let i = 0; i < 8; i += 1) {
    res = await post('/api/auth/recovery', { login: email });
    if (res.status === 429) break;
  }
  assert.equal(res.status, 429);
  // Mails about addresses: 10 an hour per account, then 429.
  const b = c; // signed in by the recovery
  for (let i = 0; i < 12; i += 1) {
    res = await call(b, 'PATCH', '/api/auth/user', { json: { email: `${username}+${i}@example.org`, current_password: 'a recovered passphrase' } });
    if (res.status === 429) break;
  }
  assert.equal(res.status, 429);
  assert.equal((await post('/api/auth/email/resend', undefined, b)).status, 429);
  // Wrong codes: 429 once the account's budget is spent.
  for (let i = 0; i < 12; i += 1) {
    res = await post('/api/auth/email/verify', { code: '0000 0000' }, b);
    if (res.status === 429) break;
  }
  assert.equal(res.status, 429);
  // Wrong links from one address: 429 on the throttled server.
  const t = await browser(throttled.url);
  for (let i = 0; i < 12; i += 1) {
    res = check(await api(throttled.url, t, 'POST', '/api/auth/recovery/complete', { json: { token: 'y'.repeat(43), new_password: 'whatever passphrase' } }));
    if (res.status === 429) break;
  }
  assert.equal(res.status, 429);
});

test('the reverse: every documented answer was seen', () => {
  const missing = [];
  for (const { method, template, op } of documentedOperations()) {
    if (op['x-latchkey-listener']) continue; // served by another listener: tests/api/metrics.test.mjs
    for (const status of Object.keys(op.responses)) {
      if (NOT_CAUSED.has(status)) continue;
      if (!seen.has(`${method} ${template} ${status}`)) missing.push(`${method} ${template} ${status}`);
    }
  }
  assert.deepEqual(missing, [], 'documented answers never caused by the walk (cause them, or list why not)');
});
