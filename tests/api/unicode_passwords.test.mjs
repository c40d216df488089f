// Unicode passwords (docs/SECURITY.md "Unicode passwords", issue 18): every path that sets or
// checks a password prepares it per RFC 8265 (OpaqueString: NFC, non-ASCII spaces to U+0020,
// no case or compatibility folding), so a password set as NFC logs in where a browser sends
// NFD and the reverse; a hash made before (of the raw bytes) still verifies, once, and is
// replaced by a hash of the prepared form. Runs on SQLite and (api_tests_postgres) PostgreSQL.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runLatchkey } from '../support/server.mjs';
import {
  api, assertError, assertUnknownLoginCostsAsMuch, browser, makeWebRoot, q, signup, sql,
  startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

// "Señor José über Ångström" as a Mac or Windows keyboard sends it (NFC) and as text pasted
// from some macOS sources arrives (NFD).
const NFC = 'Se\u00f1or Jos\u00e9 \u00fcber \u00c5ngstr\u00f6m';
const NFD = NFC.normalize('NFD');

let srv;
let work; // the CLI's working directory and web root (its common-password list)
before(async () => {
  assert.notEqual(NFC, NFD, 'the two encodings differ');
  srv = await startTestServer();
  work = tempDir('latchkey-unicode-');
  makeWebRoot(work);
});
after(async () => {
  await srv?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

const hashOf = (username) => sql(srv.dataDir, `SELECT password_hash FROM users WHERE username = ${q(username)}`)[0].password_hash;
const loginStatus = async (username, password) => (await api(srv.url, await browser(srv.url), 'POST', '/api/auth/login', { json: { username, password } })).status;

/** `latchkey <args>` beside the running server, on its database. */
function cli(args, input) {
  return runLatchkey([...args, '--data-dir', srv.dataDir, '--db', srv.db], { cwd: work, input, timeoutMs: 30000 });
}

/** A user whose hash was made before passwords were prepared: of `raw` exactly, imported. */
function importLegacyUser(username, raw) {
  const tool = process.env.LATCHKEY_HASH_TOOL || path.resolve('build/latchkey_hash_tool');
  const hash = execFileSync(tool, { input: Buffer.from(raw, 'utf8'), encoding: 'utf8' }).trim();
  assert.match(hash, /^\$argon2id\$/);
  const line = JSON.stringify({ username, name: '', password_hash: hash, created_at: '2025-01-01T00:00:00Z' });
  const r = cli(['import'], `${line}\n`);
  assert.equal(r.status, 0, r.output);
  assert.equal(hashOf(username), hash);
  return hash;
}

test('a password set as NFC logs in typed as NFD, and one set as NFD logs in typed as NFC', async () => {
  const a = uniq('nfc');
  await signup(srv.url, await browser(srv.url), { username: a, password: NFC });
  assert.equal(await loginStatus(a, NFD), 200, 'set NFC, typed NFD');
  assert.equal(await loginStatus(a, NFC), 200);
  const b = uniq('nfd');
  await signup(srv.url, await browser(srv.url), { username: b, password: NFD });
  assert.equal(await loginStatus(b, NFC), 200, 'set NFD, typed NFC');
  assert.equal(await loginStatus(b, NFD), 200);
  assert.equal(await loginStatus(b, NFC.toLowerCase()), 401, 'case is not folded');
});

test('non-ASCII spaces count as spaces; compatibility characters stay distinct', async () => {
  const u = uniq('sp');
  await signup(srv.url, await browser(srv.url), { username: u, password: 'correct\u00a0horse\u3000battery' });
  assert.equal(await loginStatus(u, 'correct horse battery'), 200);
  assert.equal(await loginStatus(u, 'correct\u2003horse\u202fbattery'), 200);
  assert.equal(await loginStatus(u, 'correcthorsebattery'), 401, 'mapped, not removed');
  const f = uniq('fi');
  await signup(srv.url, await browser(srv.url), { username: f, password: '\ufb01nancial plan' });
  assert.equal(await loginStatus(f, 'financial plan'), 401, 'U+FB01 is not folded to "fi" (NFC, not NFKC)');
  assert.equal(await loginStatus(f, '\ufb01nancial plan'), 200);
});

test('password change and account removal take the current password in either form', async () => {
  const jar = await browser(srv.url);
  const u = uniq('chg');
  await signup(srv.url, jar, { username: u, password: NFC });
  const next = 'nouveau mot de passe tr\u00e8s s\u00fbr';
  const changed = await api(srv.url, jar, 'POST', '/api/auth/password', { json: { current_password: NFD, new_password: next.normalize('NFD') } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(await loginStatus(u, next), 200, 'the new password, set as NFD, logs in typed as NFC');
  const removed = await api(srv.url, jar, 'POST', '/api/auth/remove_account', { json: { password: next.normalize('NFD') } });
  assert.equal(removed.status, 200, removed.text);
  assert.deepEqual(sql(srv.dataDir, `SELECT id FROM users WHERE username = ${q(u)}`), []);
});

test('characters RFC 8264 refuses and lengths counted after NFC: 400 validation_failed naming the field', async () => {
  const cases = [
    ['TAB', 'correct\thorse'],
    ['zero width space', 'correct\u200bhorse'],
    ['soft hyphen', 'correct\u00adhorse'],
    ['private use', 'correct\ue000horse'],
    ['unassigned U+0378', 'correct\u0378horse'],
    ['emoji with VARIATION SELECTOR-16', 'I \u2764\ufe0f my password'],
    ['8 code points only before NFC (7 after)', 'e\u0301e\u0301e\u0301e\u0301abc'],
  ];
  const jar = await browser(srv.url);
  const u = uniq('chk');
  await signup(srv.url, jar, { username: u, password: NFC });
  for (const [label, password] of cases) {
    const s = await api(srv.url, await browser(srv.url), 'POST', '/api/auth/signup', { json: { username: uniq('bad'), password } });
    assertError(s, 400, { field: 'password', code: 'validation_failed' });
    assert.ok(!s.body.error.includes(password), `${label}: the message never quotes the password`);
    const c = await api(srv.url, jar, 'POST', '/api/auth/password', { json: { current_password: NFC, new_password: password } });
    assertError(c, 400, { field: 'new_password', code: 'validation_failed' });
  }
  assert.equal(await loginStatus(u, NFC), 200, 'no refused change took effect');
});

test('invalid UTF-8 in a password: 400 validation_failed naming the field, on every endpoint', async () => {
  // The JSON text of `json` with `field` holding "pass", the byte 0xFF, "word".
  const withInvalidUtf8 = (json, field) => {
    const [head, tail] = JSON.stringify({ ...json, [field]: '@' }).split('"@"');
    return Buffer.concat([Buffer.from(`${head}"pass`), Buffer.from([0xff]), Buffer.from(`word"${tail}`)]);
  };
  const jar = await browser(srv.url);
  await signup(srv.url, jar, { username: uniq('utf'), password: NFC });
  const cases = [
    ['/api/auth/signup', { username: uniq('utf'), password: '' }, 'password'],
    ['/api/auth/login', { username: 'someone', password: '' }, 'password'],
    ['/api/auth/password', { current_password: '', new_password: 'another password' }, 'current_password'],
    ['/api/auth/password', { current_password: NFC, new_password: '' }, 'new_password'],
    ['/api/auth/remove_account', { password: '' }, 'password'],
  ];
  for (const [route, json, field] of cases) {
    const rawBody = withInvalidUtf8(json, field);
    const res = await api(srv.url, jar, 'POST', route, { rawBody, headers: { 'Content-Type': 'application/json' } });
    assertError(res, 400, { field, code: 'validation_failed' });
  }
});

test('a hash made before (of the raw NFD bytes) verifies and is replaced by a hash of the NFC form', async () => {
  const u = uniq('old');
  const before = importLegacyUser(u, NFD);
  // Until that user logs in once as before, only the bytes that were hashed match.
  assert.equal(await loginStatus(u, NFC), 401);
  assert.equal(hashOf(u), before, 'a failed login rehashes nothing');
  assert.equal(await loginStatus(u, NFD), 200, 'the raw form verifies');
  const after = hashOf(u);
  assert.notEqual(after, before, 'rehashed on that login');
  assert.match(after, /^\$argon2id\$/);
  assert.equal(await loginStatus(u, NFC), 200, 'now the NFC form logs in too');
  assert.equal(await loginStatus(u, NFD), 200);
  assert.equal(hashOf(u), after, 'one rehash, then none');
});

test('a hash made before of a password now refused (a TAB) still logs in and is left alone', async () => {
  const u = uniq('tab');
  const before = importLegacyUser(u, 'correct\thorse battery');
  assert.equal(await loginStatus(u, 'correct\thorse battery'), 200);
  assert.equal(await loginStatus(u, 'correct horse battery'), 401);
  assert.equal(hashOf(u), before);
});

test('latchkey user add and set-password prepare the password as signup does', async () => {
  const u = uniq('cli');
  const added = cli(['user', 'add', u, '--password-stdin', '--web-root', work], `${NFD}\n`);
  assert.equal(added.status, 0, added.output);
  const hash = hashOf(u);
  assert.equal(await loginStatus(u, NFC), 200, 'added as NFD, typed as NFC');
  const set = cli(['user', 'set-password', u, '--password-stdin', '--web-root', work], 'pass\u2003phrase\u00a0one\n');
  assert.equal(set.status, 0, set.output);
  assert.notEqual(hashOf(u), hash);
  assert.equal(await loginStatus(u, 'pass phrase one'), 200, 'non-ASCII spaces set, ASCII spaces typed');
  const refused = cli(['user', 'set-password', u, '--password-stdin', '--web-root', work], 'pass\tphrase one\n');
  assert.equal(refused.status, 1, refused.output);
  assert.match(refused.stderr, /control/);
  assert.equal(await loginStatus(u, 'pass phrase one'), 200, 'the refused password changed nothing');
});

test('timing: with an NFD password, an unknown user costs what a wrong password does', async () => {
  // A wrong NFD password costs two verifications (the NFC form, then the raw bytes); the
  // unknown user's dummy must cost two as well, or the answer time tells the user exists.
  const u = uniq('time');
  await signup(srv.url, await browser(srv.url), { username: u, password: NFC });
  // One missing dummy verification shows as about 0.5.
  await assertUnknownLoginCostsAsMuch(srv.url, u, { password: `${NFD}!`, ratio: 0.75 });
});
