// --require-verified-email binds the session signup gives, not only login (docs/ARCHITECTURE.md
// "Restricted sessions"): until the address is verified the session may see itself, verify,
// resend, set its address, log out or delete the account; every other route, the reverse proxy
// and forward auth answer 403 email_unverified and never reach the application. The same
// session is unrestricted from the request after the verification.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api } from '../support/http.mjs';
import { assertError, browser, PASSWORD, startTestServer, uniq, withoutSession } from '../support/fixtures.mjs';
import { mailCount, mailDirOf, waitForMail } from '../support/mailbox.mjs';
import { startUpstream } from '../support/upstream.mjs';

let strict; // --require-verified-email --upstream /app=notes --public-path /app/public --trusted-proxy 127.0.0.1
let notes;
before(async () => {
  notes = await startUpstream();
  strict = await startTestServer({
    args: ['--require-verified-email', 'true', '--upstream', `/app=${notes.url}`, '--public-path', '/app/public',
      '--trusted-proxy', '127.0.0.1'],
  });
});
after(async () => {
  await strict?.cleanup();
  await notes?.close();
});

const post = (jar, path, json) => api(strict.url, jar, 'POST', path, { json });
const forwarded = (uri, method = 'GET') => ({ headers: { 'X-Forwarded-Method': method, 'X-Forwarded-Uri': uri } });

// A signed-up user whose address is not verified yet: {jar, username, email, user}.
async function unverifiedUser() {
  const jar = await browser(strict.url);
  const username = uniq('unv');
  const email = `${username}@example.org`;
  const res = await post(jar, '/api/auth/signup', { username, password: PASSWORD, email });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.user.email_verified, false);
  return { jar, username, email, user: res.body.user };
}

test('an unverified session sees itself and nothing else of the API', async () => {
  const { jar, user } = await unverifiedUser();
  const me = await api(strict.url, jar, 'GET', '/api/auth');
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.user.id, user.id);
  assert.equal(me.body.user.email_verified, false);
  assert.equal((await api(strict.url, jar, 'HEAD', '/api/auth')).status, 200);
  for (const [method, path, json] of [
    ['GET', '/api/auth/sessions'],
    ['GET', '/api/auth/events'],
    ['POST', '/api/auth/sessions/revoke_others', {}],
    ['DELETE', '/api/auth/sessions/AAAAAAAAAAAAAAAAAAAAAA'],
    ['POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'another long passphrase' }],
    ['PATCH', '/api/auth/user', { name: 'New Name' }],
    ['PATCH', '/api/auth/user', { name: 'New Name', email: 'x@example.org' }],
  ]) {
    assertError(await api(strict.url, jar, method, path, { json }), 403, { code: 'email_unverified' });
  }
  // Nothing was written by the refused PATCH with both fields.
  assert.equal((await api(strict.url, jar, 'GET', '/api/auth')).body.user.email, user.email);
});

test('an unverified session may set its address, resend, verify by code, and is then unrestricted', async () => {
  const { jar, username } = await unverifiedUser();
  const fixed = `${username}.fixed@example.org`;
  const patched = await api(strict.url, jar, 'PATCH', '/api/auth/user', { json: { email: fixed, current_password: PASSWORD } });
  assert.equal(patched.status, 200, patched.text);
  assert.equal(patched.body.user.email, fixed);
  await waitForMail(mailDirOf(strict), { to: fixed, subject: /Confirm/ });
  const sent = await mailCount(mailDirOf(strict));
  assert.equal((await post(jar, '/api/auth/email/resend', {})).status, 202);
  const mail = await waitForMail(mailDirOf(strict), { to: fixed, subject: /Confirm/, after: sent });
  assertError(await api(strict.url, jar, 'GET', '/api/auth/sessions'), 403, { code: 'email_unverified' });
  const verified = await post(jar, '/api/auth/email/verify', { code: mail.code });
  assert.equal(verified.status, 200, verified.text);
  // The same session, the very next request: the cached user was evicted by the verify write.
  const list = await api(strict.url, jar, 'GET', '/api/auth/sessions');
  assert.equal(list.status, 200, list.text);
  assert.equal((await api(strict.url, jar, 'GET', '/api/auth')).body.user.email_verified, true);
  assert.equal((await api(strict.url, jar, 'GET', '/app/private')).status, 200);
});

test('verified by the link on another device: the first session is unrestricted at once', async () => {
  const { jar, email } = await unverifiedUser();
  assertError(await api(strict.url, jar, 'GET', '/api/auth/events'), 403, { code: 'email_unverified' });
  const mail = await waitForMail(mailDirOf(strict), { to: email, subject: /Confirm/ });
  const other = await browser(strict.url);
  assert.equal((await post(other, '/api/auth/email/verify', { token: mail.token })).status, 200);
  assert.equal((await api(strict.url, jar, 'GET', '/api/auth/events')).status, 200);
});

test('the reverse proxy: 403 email_unverified off the public paths, the upstream never asked; public paths as anonymous', async () => {
  const { jar } = await unverifiedUser();
  const before = notes.requests.length;
  assertError(await api(strict.url, jar, 'GET', '/app/private'), 403, { code: 'email_unverified' });
  assertError(await api(strict.url, jar, 'POST', '/app/private', { json: {} }), 403, { code: 'email_unverified' });
  assert.equal(notes.requests.length, before, 'the upstream saw nothing');
  const open = await api(strict.url, jar, 'GET', '/app/public/page');
  assert.equal(open.status, 200, open.text);
  const seen = notes.last();
  assert.equal(seen.headers['x-latchkey-user-id'], undefined, 'no identity for a restricted session');
  assert.equal(seen.headers['x-latchkey-assertion'], undefined);
});

test('forward auth: 403 email_unverified with X-Latchkey-Error-Code; a public path answers no user', async () => {
  const { jar } = await unverifiedUser();
  const refused = await api(strict.url, jar, 'GET', '/api/auth/verify', forwarded('/app/private'));
  assertError(refused, 403, { code: 'email_unverified' });
  assert.equal(refused.headers['x-latchkey-error-code'], 'email_unverified');
  assert.equal(refused.headers['x-latchkey-user-id'], undefined);
  const open = await api(strict.url, jar, 'GET', '/api/auth/verify', forwarded('/app/public/x'));
  assert.equal(open.status, 200, open.text);
  assert.deepEqual(open.body, { user: null });
  assert.equal(open.headers['x-latchkey-user-id'], undefined);
});

test('an unverified session may log out, and delete its account', async () => {
  const first = await unverifiedUser();
  assert.equal((await post(first.jar, '/api/auth/logout', {})).status, 200);
  assertError(await api(strict.url, first.jar, 'GET', '/api/auth'), 401, {});
  const second = await unverifiedUser();
  const gone = await post(second.jar, '/api/auth/remove_account', { password: PASSWORD });
  assert.equal(gone.status, 200, gone.text);
  const login = await post(withoutSession(second.jar), '/api/auth/login', { username: second.username, password: PASSWORD });
  assert.equal(login.status, 401);
});

test('resend without a session: one 202 for every login, a mail only for an account with an unverified address', async () => {
  const lost = await unverifiedUser(); // its signup mail "lost"
  const done = await unverifiedUser();
  const mail = await waitForMail(mailDirOf(strict), { to: done.email, subject: /Confirm/ });
  assert.equal((await post(withoutSession(done.jar), '/api/auth/email/verify', { token: mail.token })).status, 200);
  const login = await post(withoutSession(lost.jar), '/api/auth/login', { username: lost.username, password: PASSWORD });
  assertError(login, 403, { code: 'email_unverified' });
  const stranger = await browser(strict.url);
  const sent = await mailCount(mailDirOf(strict));
  const answers = [];
  for (const name of [uniq('ghost'), done.username, lost.email, lost.username]) {
    const res = await post(stranger, '/api/auth/email/resend', { login: name });
    answers.push([res.status, res.text]);
  }
  assert.ok(answers.every(([s, t]) => s === 202 && t === answers[0][1]), JSON.stringify(answers));
  const again = await waitForMail(mailDirOf(strict), { to: lost.email, subject: /Confirm/, after: sent });
  assert.equal((await post(stranger, '/api/auth/email/verify', { token: again.token })).status, 200);
  assert.equal((await post(withoutSession(lost.jar), '/api/auth/login', { username: lost.username, password: PASSWORD })).status, 200);
  // Only that one mail went out for the four requests.
  assert.equal((await mailCount(mailDirOf(strict))) - sent, 1);
  // No session and no login: 401 as before; a login of the wrong type: 400 field login.
  assertError(await post(stranger, '/api/auth/email/resend', {}), 401, { code: 'unauthenticated' });
  assertError(await post(stranger, '/api/auth/email/resend', { login: 7 }), 400, { field: 'login' });
});

test('resend without a session: 429 per login alike for known and unknown; an unknown login costs about as much', async () => {
  const { username } = await unverifiedUser();
  for (const name of [username, uniq('ghost')]) {
    const jar = await browser(strict.url);
    for (let i = 0; i < 5; i += 1) assert.equal((await post(jar, '/api/auth/email/resend', { login: name })).status, 202);
    const limited = await post(jar, '/api/auth/email/resend', { login: name });
    assertError(limited, 429, { code: 'rate_limited' });
    assert.ok(Number(limited.headers['retry-after']) > 0);
  }
  const time = async (name) => {
    const t0 = process.hrtime.bigint();
    assert.equal((await post(await browser(strict.url), '/api/auth/email/resend', { login: name })).status, 202);
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const known = [];
  const unknown = [];
  for (let i = 0; i < 5; i += 1) {
    known.push(await time((await unverifiedUser()).username));
    unknown.push(await time(uniq('ghost')));
  }
  const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
  const k = median(known);
  const u = median(unknown);
  assert.ok(u + 2 >= 0.5 * k && u <= 2 * k + 5, `unknown median ${u.toFixed(2)} ms vs known ${k.toFixed(2)} ms`);
});
