// Taking an account over through its address, and the undo link that gives it back: a later
// change keeps the earlier undo links, an undo ends every other usable token of the account
// (verification, recovery, the attacker's own undo links), PATCH /api/auth/user changes
// nothing when the address is refused. Mail through the file transport (tests/support/mailbox.mjs).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api } from '../support/http.mjs';
import { authStatus, browser, PASSWORD, startTestServer, uniq, withoutSession } from '../support/fixtures.mjs';
import { mailCount, mailDirOf, waitForMail } from '../support/mailbox.mjs';

let srv;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv?.cleanup();
});

const post = (jar, path, json) => api(srv.url, jar, 'POST', path, { json });
const patchAs = (jar, json) => api(srv.url, jar, 'PATCH', '/api/auth/user', { json });
// An address with the current password (a name alone needs none).
const patch = (jar, json) => patchAs(jar, 'email' in json ? { current_password: PASSWORD, ...json } : json);
const mails = () => mailDirOf(srv);

// A victim with a verified address V, and the attacker's jar (a session of the victim).
async function victim() {
  const jar = await browser(srv.url);
  const username = uniq('vic');
  const email = `${username}@victim.example`;
  assert.equal((await post(jar, '/api/auth/signup', { username, password: PASSWORD, email })).status, 201);
  const m = await waitForMail(mails(), { to: email, subject: /Confirm/ });
  assert.equal((await post(withoutSession(jar), '/api/auth/email/verify', { token: m.token })).status, 200);
  return { jar, username, email };
}

// The attacker changes the address to `to` and verifies it by code; returns the undo mail sent
// to the address it replaced (`from`).
async function takeOver(jar, from, to) {
  const count = await mailCount(mails());
  const changed = await patch(jar, { email: to });
  assert.equal(changed.status, 200, changed.text);
  const undo = await waitForMail(mails(), { to: from, subject: /changed/, after: count });
  const code = await waitForMail(mails(), { to, subject: /Confirm/, after: count });
  const verified = await post(jar, '/api/auth/email/verify', { code: code.code });
  assert.equal(verified.status, 200, verified.text);
  return undo;
}

// The fastest of `n` logins of `username` with `password`, each 401 invalid_credentials.
async function fastestFailedLogin(username, password, n = 6) {
  const jar = await browser(srv.url);
  let fastest = Infinity;
  for (let i = 0; i < n; i += 1) {
    const t0 = process.hrtime.bigint();
    const res = await post(jar, '/api/auth/login', { username, password });
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - t0) / 1e6);
    assert.equal(res.status, 401, res.text);
    assert.equal(res.body.code, 'invalid_credentials');
  }
  return fastest;
}

test('an undo makes the password unusable: the thief who set it cannot log in again; recovery to the restored address sets a new one', async () => {
  const { jar, username, email } = await victim();
  const a1 = `${username}@attacker1.example`;
  const undoV = await takeOver(jar, email, a1);
  // The thief recovers through his address and sets a password of his own.
  let count = await mailCount(mails());
  assert.equal((await post(await browser(srv.url), '/api/auth/recovery', { login: a1 })).status, 202);
  const rec = await waitForMail(mails(), { to: a1, subject: /Reset/, after: count });
  const stolen = 'the thief knows this one';
  assert.equal((await post(await browser(srv.url), '/api/auth/recovery/complete', { token: rec.token, new_password: stolen })).status, 200);
  // The owner undoes the change: told that the password must be set again.
  const undone = await post(await browser(srv.url), '/api/auth/email/undo', { token: undoV.token });
  assert.equal(undone.status, 200, undone.text);
  assert.equal(undone.body.password_reset_required, true);
  assert.equal(undone.body.user.email, email);
  // Neither the thief's password nor the owner's old one logs in: an ordinary 401, never a 500.
  for (const password of [stolen, PASSWORD, '!']) {
    const res = await post(await browser(srv.url), '/api/auth/login', { username, password });
    assert.equal(res.status, 401, `${password}: ${res.text}`);
    assert.equal(res.body.code, 'invalid_credentials');
  }
  // In the time of a wrong password (a dummy verification), not at once.
  const control = await victim();
  const wrong = await fastestFailedLogin(control.username, 'not the password');
  const unusable = await fastestFailedLogin(username, stolen);
  assert.ok(unusable >= 0.5 * wrong, `unusable ${unusable.toFixed(1)} ms >= 0.5 x wrong ${wrong.toFixed(1)} ms`);
  // The owner recovers through the restored address, then logs in with the new password.
  count = await mailCount(mails());
  assert.equal((await post(await browser(srv.url), '/api/auth/recovery', { login: email })).status, 202);
  const mine = await waitForMail(mails(), { to: email, subject: /Reset/, after: count });
  const owner = await browser(srv.url);
  const reset = await post(owner, '/api/auth/recovery/complete', { token: mine.token, new_password: 'the owner is back again' });
  assert.equal(reset.status, 200, reset.text);
  const login = await post(await browser(srv.url), '/api/auth/login', { username, password: 'the owner is back again' });
  assert.equal(login.status, 200, login.text);
});

test('a later change keeps the victim undo link: V→A1→A2, the undo mailed to V restores V', async () => {
  const { jar, username, email } = await victim();
  const a1 = `${username}@attacker1.example`;
  const undoV = await takeOver(jar, email, a1);
  await takeOver(jar, a1, `${username}@attacker2.example`);
  const undone = await post(await browser(srv.url), '/api/auth/email/undo', { token: undoV.token });
  assert.equal(undone.status, 200, undone.text);
  assert.equal(undone.body.user.email, email);
  assert.equal(undone.body.user.email_verified, true);
  assert.equal(await authStatus(srv.url, jar), 401);
});

test('the attacker undo of a later change does not spend the victim undo link', async () => {
  const { jar, username, email } = await victim();
  const a1 = `${username}@attacker1.example`;
  const undoV = await takeOver(jar, email, a1);
  const undoA1 = await takeOver(jar, a1, `${username}@attacker2.example`);
  const own = await post(await browser(srv.url), '/api/auth/email/undo', { token: undoA1.token });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.body.user.email, a1);
  const undone = await post(await browser(srv.url), '/api/auth/email/undo', { token: undoV.token });
  assert.equal(undone.status, 200, undone.text);
  assert.equal(undone.body.user.email, email);
  // ...and the victim's undo spent the attacker's later links.
  const again = await post(await browser(srv.url), '/api/auth/email/undo', { token: undoA1.token });
  assert.equal(again.status, 400);
});

test('an undo ends the recovery token the attacker asked for at his address', async () => {
  const { jar, username, email } = await victim();
  const a1 = `${username}@attacker1.example`;
  const undoV = await takeOver(jar, email, a1);
  const count = await mailCount(mails());
  assert.equal((await post(await browser(srv.url), '/api/auth/recovery', { login: a1 })).status, 202);
  const rec = await waitForMail(mails(), { to: a1, subject: /Reset/, after: count });
  assert.equal((await post(await browser(srv.url), '/api/auth/email/undo', { token: undoV.token })).status, 200);
  const done = await post(await browser(srv.url), '/api/auth/recovery/complete', { token: rec.token, new_password: 'attacker owns this 123' });
  assert.equal(done.status, 400, done.text);
  assert.equal(done.body.code, 'invalid_token');
});

test('a change of address ends the recovery token mailed to the previous address', async () => {
  const { jar, username, email } = await victim();
  const count = await mailCount(mails());
  assert.equal((await post(await browser(srv.url), '/api/auth/recovery', { login: email })).status, 202);
  const rec = await waitForMail(mails(), { to: email, subject: /Reset/, after: count });
  assert.equal((await patch(jar, { email: `${username}@elsewhere.example` })).status, 200);
  const done = await post(await browser(srv.url), '/api/auth/recovery/complete', { token: rec.token, new_password: 'a brand new passphrase' });
  assert.equal(done.status, 400, done.text);
  assert.equal(done.body.code, 'invalid_token');
});

test('a password change ends a pending recovery token', async () => {
  const { jar, email } = await victim();
  const count = await mailCount(mails());
  assert.equal((await post(await browser(srv.url), '/api/auth/recovery', { login: email })).status, 202);
  const rec = await waitForMail(mails(), { to: email, subject: /Reset/, after: count });
  const changed = await post(jar, '/api/auth/password', { current_password: PASSWORD, new_password: 'another good passphrase' });
  assert.equal(changed.status, 200, changed.text);
  const done = await post(await browser(srv.url), '/api/auth/recovery/complete', { token: rec.token, new_password: 'a brand new passphrase' });
  assert.equal(done.status, 400, done.text);
});

test('a stolen session alone cannot add, change or remove the address: current_password is required', async () => {
  const { jar, username, email } = await victim();
  const count = await mailCount(mails());
  for (const to of [`${username}@attacker.example`, '']) {
    const missing = await patchAs(jar, { email: to });
    assert.equal(missing.status, 400, missing.text);
    assert.equal(missing.body.field, 'current_password');
    const wrong = await patchAs(jar, { email: to, current_password: 'not the password' });
    assert.equal(wrong.status, 401, wrong.text);
    assert.equal(wrong.body.code, 'invalid_credentials');
    assert.equal(wrong.body.field, 'current_password');
    const renamed = await patchAs(jar, { name: 'Renamed', email: to, current_password: 12 });
    assert.equal(renamed.status, 400, renamed.text);
    assert.equal(renamed.body.field, 'current_password');
  }
  const after = (await api(srv.url, jar, 'GET', '/api/auth')).body.user;
  assert.equal(after.email, email);
  assert.equal(after.email_verified, true);
  assert.notEqual(after.name, 'Renamed');
  assert.equal(await mailCount(mails()), count, 'no mail');
  // A name alone needs the session only.
  assert.equal((await patchAs(jar, { name: 'Renamed' })).status, 200);
  // An account without an address: adding one needs the password too.
  const bare = await browser(srv.url);
  const other = uniq('bare');
  assert.equal((await post(bare, '/api/auth/signup', { username: other, password: PASSWORD })).status, 201);
  assert.equal((await patchAs(bare, { email: `${other}@attacker.example` })).body.field, 'current_password');
  assert.equal((await patch(bare, { email: `${other}@owner.example` })).status, 200);
});

test('PATCH with a name and a refused address (429) changes neither', async () => {
  const { jar, username } = await victim();
  let last;
  for (let i = 0; i < 15; i += 1) {
    last = await patch(jar, { email: `${username}-${i}@elsewhere.example` });
    if (last.status === 429) break;
    assert.equal(last.status, 200, last.text);
  }
  assert.equal(last.status, 429, 'mails about addresses are limited per account');
  const before = (await api(srv.url, jar, 'GET', '/api/auth')).body.user;
  const both = await patch(jar, { name: 'Renamed While Throttled', email: `${username}-x@elsewhere.example` });
  assert.equal(both.status, 429, both.text);
  const after = (await api(srv.url, jar, 'GET', '/api/auth')).body.user;
  assert.equal(after.name, before.name);
  assert.equal(after.email, before.email);
  const bad = await patch(jar, { name: 'x'.repeat(1000), email: `${username}-y@elsewhere.example` });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.field, 'name');
});
