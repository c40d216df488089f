// The admin commands (`latchkey user ...`, `latchkey session ...`): their answers and exit
// codes on a fresh database, and their effect on a RUNNING server: a session the CLI revokes,
// a user it disables, deletes or gives a new password is refused by the server at the first
// request after the command returned (it waits until the server applied the change: see
// operator_confirm.test.mjs), although the server had the session in its cache. A disabled
// user's login with the right password is 403, with a wrong one the ordinary 401; enabled
// again, it logs in. Runs on SQLite and (api_tests_postgres) PostgreSQL.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runLatchkey } from '../support/server.mjs';
import {
  api, assertError, authStatus, browser, createTestDatabase, dialect, listSessions, login, makeWebRoot, PASSWORD,
  pgRows, signup, sql, startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

const NEW_PASSWORD = 'a brand new passphrase';
const cleanups = [];
let srv; // the running server the CLI acts beside
let work; // the commands' working directory and web root

/** `latchkey <args>` against database `db` (URL) with data dir `dataDir`. */
function cli(args, { db, dataDir, input } = {}) {
  const dbArgs = ['--data-dir', dataDir, '--db', db];
  const pwArgs = args[0] === 'user' && (args[1] === 'add' || args[1] === 'set-password')
    ? ['--web-root', work]
    : [];
  return runLatchkey([...args, ...dbArgs, ...pwArgs], { cwd: work, input, timeoutMs: 30000 });
}
const onServer = (args, input) => cli(args, { db: srv.db, dataDir: srv.dataDir, input });

/** The first GET /api/auth with jar after the command returned: 401, as every later one. */
async function assertRefusedAtOnce(jar, what) {
  assert.equal(await authStatus(srv.url, jar), 401, `${what}: refused by the first request after the command`);
}

/** A signed-up user whose session the server has served (and so cached) twice. */
async function liveUser() {
  const username = uniq('adm');
  const jar = await browser(srv.url);
  await signup(srv.url, jar, { username });
  assert.equal(await authStatus(srv.url, jar), 200);
  assert.equal(await authStatus(srv.url, jar), 200);
  return { username, jar };
}

before(async () => {
  work = tempDir('latchkey-admin-');
  makeWebRoot(work);
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  srv = await startTestServer();
});
after(async () => {
  await srv?.cleanup();
  for (const c of cleanups.reverse()) await c();
});

/** A fresh empty database: { db, dataDir }. */
function freshDatabase() {
  const dataDir = tempDir('latchkey-admin-db-');
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  if (dialect() === 'postgres') {
    const d = createTestDatabase();
    cleanups.push(() => d.drop());
    return { db: d.url, dataDir };
  }
  return { db: `sqlite:${path.join(dataDir, 'latchkey.db')}`, dataDir };
}

test('user add/list/show/disable/enable/delete on a fresh database: answers and exit codes', () => {
  const fresh = freshDatabase();
  const run = (args, input) => cli(args, { ...fresh, input });

  const added = run(['user', 'add', 'Alice.Admin', '--name', 'Alice Ädmin', '--password-stdin'], `${PASSWORD}\n`);
  assert.equal(added.status, 0, added.output);
  const id = Number(added.stdout.trim());
  assert.ok(Number.isInteger(id) && id > 0, `prints the id: ${added.stdout}`);
  assert.ok(!added.output.includes(PASSWORD), 'the password is never printed');

  const taken = run(['user', 'add', 'alice.admin', '--password-stdin'], `${PASSWORD}\n`);
  assert.equal(taken.status, 1, taken.output);
  assert.match(taken.stderr, /already taken/);
  const common = run(['user', 'add', 'bob-admin', '--password-stdin'], 'password\n');
  assert.equal(common.status, 1, common.output);
  assert.match(common.stderr, /too common/);
  const short = run(['user', 'add', 'bob-admin', '--password-stdin'], 'short\n');
  assert.equal(short.status, 1, short.output);
  const badName = run(['user', 'add', 'x', '--password-stdin'], `${PASSWORD}\n`);
  assert.equal(badName.status, 1, badName.output);
  // No terminal and no --password-stdin: usage (a password is never a flag value).
  const noTty = run(['user', 'add', 'bob-admin']);
  assert.equal(noTty.status, 2, noTty.output);
  assert.match(noTty.stderr, /--password-stdin/);
  const asFlag = run(['user', 'add', 'bob-admin', '--password', PASSWORD]);
  assert.equal(asFlag.status, 2, 'there is no --password flag');

  const list = run(['user', 'list', '--json']);
  assert.equal(list.status, 0, list.output);
  const users = JSON.parse(list.stdout);
  assert.deepEqual(users.map((u) => u.username), ['Alice.Admin']);
  assert.equal(users[0].id, id);
  assert.equal(users[0].name, 'Alice Ädmin');
  assert.equal(users[0].disabled, false);
  assert.equal(users[0].disabled_at, null);
  assert.equal(users[0].sessions, 0);
  assert.match(users[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(!list.stdout.includes('argon2'), 'no password hash in the listing');
  const table = run(['user', 'list']);
  assert.equal(table.status, 0, table.output);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^ID\s+USERNAME\s+NAME\s+CREATED\s+DISABLED\s+SESSIONS$/);
  assert.equal(lines[0].indexOf('USERNAME'), lines[1].indexOf('Alice.Admin'), 'aligned columns');

  for (const ref of ['alice.admin', String(id)]) {
    const show = run(['user', 'show', ref, '--json']);
    assert.equal(show.status, 0, show.output);
    assert.equal(JSON.parse(show.stdout).id, id);
  }
  const missing = run(['user', 'show', 'nobody-here']);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1, 'one line on stderr');

  assert.equal(run(['user', 'disable', 'alice.admin']).status, 0);
  const disabled = JSON.parse(run(['user', 'show', 'alice.admin', '--json']).stdout);
  assert.equal(disabled.disabled, true);
  assert.match(disabled.disabled_at, /Z$/);
  assert.match(run(['user', 'disable', 'alice.admin']).stdout, /already/);
  assert.equal(run(['user', 'enable', 'alice.admin']).status, 0);
  assert.equal(JSON.parse(run(['user', 'show', 'alice.admin', '--json']).stdout).disabled, false);
  assert.equal(run(['user', 'disable', 'nobody-here']).status, 1);

  // delete: refused without --yes when stdin is not a terminal; nothing deleted.
  const unconfirmed = run(['user', 'delete', 'alice.admin']);
  assert.equal(unconfirmed.status, 2, unconfirmed.output);
  assert.equal(JSON.parse(run(['user', 'list', '--json']).stdout).length, 1);
  assert.equal(run(['user', 'delete', 'alice.admin', '--yes']).status, 0);
  assert.deepEqual(JSON.parse(run(['user', 'list', '--json']).stdout), []);
  assert.equal(run(['user', 'delete', 'alice.admin', '--yes']).status, 1);

  // session: bad usage is 2, an unknown id 1.
  assert.equal(run(['session', 'revoke']).status, 2);
  assert.equal(run(['session', 'revoke', 'abc', '--user', 'x']).status, 2);
  assert.equal(run(['session', 'revoke', 'no-such-session-id']).status, 1);
  assert.deepEqual(JSON.parse(run(['session', 'list', '--json']).stdout), []);

  // Every operator action is an audit event.
  const query = "SELECT type FROM auth_events WHERE user_agent = 'latchkey-cli' ORDER BY id";
  const events = dialect() === 'postgres' ? pgRows(fresh.db, query) : sql(fresh.dataDir, query);
  assert.deepEqual(events.map((e) => e.type), ['user_added', 'user_disabled', 'user_enabled', 'user_deleted']);
});

test('--help on each command', () => {
  for (const cmd of [['user'], ['user', 'add'], ['user', 'list'], ['user', 'show'], ['user', 'set-password'],
    ['user', 'disable'], ['user', 'enable'], ['user', 'delete'], ['session'], ['session', 'list'], ['session', 'revoke']]) {
    const r = runLatchkey([...cmd, '--help'], { cwd: work });
    assert.equal(r.status, 0, `${cmd.join(' ')} --help: ${r.output}`);
    assert.match(r.stdout, /Usage:/, cmd.join(' '));
  }
});

test('session list shows public ids, never tokens; session revoke <id> ends that session on the running server', async () => {
  const { username, jar } = await liveUser();
  const other = await browser(srv.url);
  await login(srv.url, other, username);
  assert.equal(await authStatus(srv.url, other), 200);

  const listed = onServer(['session', 'list', '--user', username, '--json']);
  assert.equal(listed.status, 0, listed.output);
  const rows = JSON.parse(listed.stdout);
  assert.equal(rows.length, 2);
  const apiIds = (await listSessions(srv.url, jar)).map((s) => s.id).sort();
  assert.deepEqual(rows.map((r) => r.id).sort(), apiIds, 'the ids the API shows');
  for (const r of rows) {
    assert.equal(r.username, username);
    assert.deepEqual(Object.keys(r).sort(),
      ['created_at', 'expires_at', 'id', 'ip', 'last_seen_at', 'persistent', 'user_agent', 'user_id', 'username']);
  }
  const cookie = jar.get('latchkey_session');
  const tokenHashes = sql(srv.dataDir, 'SELECT token_hash FROM sessions').map((r) => r.token_hash);
  for (const secret of [cookie, ...tokenHashes].filter(Boolean)) {
    assert.ok(!listed.stdout.includes(secret), 'no token or token hash');
  }
  const table = onServer(['session', 'list']);
  assert.equal(table.status, 0);
  assert.match(table.stdout.split('\n')[0], /^ID\s+USER\s+CREATED\s+LAST SEEN\s+EXPIRES\s+IP\s+USER AGENT$/);

  const current = (await listSessions(srv.url, jar)).find((s) => s.current).id;
  const revoked = onServer(['session', 'revoke', current]);
  assert.equal(revoked.status, 0, revoked.output);
  assert.match(revoked.stdout, /; applied by 1 running server in \d+ ms\n$/);
  await assertRefusedAtOnce(jar, 'session revoke <id>');
  assert.equal(await authStatus(srv.url, other), 200, 'the other session lives on');
});

test('session revoke --user ends every session of the user on the running server when it returns', async () => {
  const { username, jar } = await liveUser();
  const other = await browser(srv.url);
  await login(srv.url, other, username);
  const r = onServer(['session', 'revoke', '--user', username]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.stdout, /revoked 2 /);
  await assertRefusedAtOnce(jar, 'session revoke --user');
  await assertRefusedAtOnce(other, 'session revoke --user, the other session');
});

test('user disable: sessions end when it returns; login 403 with the right password, 401 with a wrong one; enable restores', async () => {
  const { username, jar } = await liveUser();
  const r = onServer(['user', 'disable', username]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.stdout, /disabled; its sessions ended; applied by 1 running server in \d+ ms\n$/);
  await assertRefusedAtOnce(jar, 'user disable');

  const b = await browser(srv.url);
  const right = await api(srv.url, b, 'POST', '/api/auth/login', { json: { username, password: PASSWORD } });
  assertError(right, 403, { error: 'This account is disabled', code: 'account_disabled' });
  assert.ok(!right.setCookies.some((c) => c.startsWith('latchkey_session=') && !/Max-Age=0/i.test(c)), 'no session cookie');
  const wrong = await api(srv.url, b, 'POST', '/api/auth/login', { json: { username, password: 'not the password' } });
  assertError(wrong, 401, { error: 'Invalid username or password', code: 'invalid_credentials' });
  assert.equal(sql(srv.dataDir, `SELECT COUNT(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = '${username}'`)[0].n, 0);
  const events = sql(srv.dataDir, `SELECT type FROM auth_events WHERE username = '${username}' ORDER BY id`).map((e) => e.type);
  assert.ok(events.includes('user_disabled') && events.includes('login_disabled'), events.join(','));

  assert.equal(onServer(['user', 'enable', username]).status, 0);
  await login(srv.url, b, username);
  assert.equal(await authStatus(srv.url, b), 200);
});

test('user set-password (stdin) ends every session when it returns; the new password logs in, the old one not', async () => {
  const { username, jar } = await liveUser();
  const r = onServer(['user', 'set-password', username, '--password-stdin'], `${NEW_PASSWORD}\n`);
  assert.equal(r.status, 0, r.output);
  await assertRefusedAtOnce(jar, 'user set-password');
  const b = await browser(srv.url);
  const old = await api(srv.url, b, 'POST', '/api/auth/login', { json: { username, password: PASSWORD } });
  assertError(old, 401);
  await login(srv.url, b, username, NEW_PASSWORD);
  const same = onServer(['user', 'set-password', username, '--password-stdin'], `${username}\n`);
  assert.equal(same.status, 1, 'the username as password is refused, as at signup');
});

test('user delete --yes: the running server refuses the session when it returns', async () => {
  const { username, jar } = await liveUser();
  const r = onServer(['user', 'delete', username, '--yes']);
  assert.equal(r.status, 0, r.output);
  await assertRefusedAtOnce(jar, 'user delete');
  assert.equal(onServer(['user', 'show', username]).status, 1);
});
