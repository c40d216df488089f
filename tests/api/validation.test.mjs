// Signup validation table (docs/API.md "Validation"): username, password, name, UTF-8,
// case-insensitive uniqueness. Every 400 is {error, field}.
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { api } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, assertJson, browser, q, sql, startTestServer, withoutSession, uniq,
} from '../support/fixtures.mjs';

let srv;
let base; // a browser with a csrf cookie + token; each case uses a copy without session
before(async () => {
  srv = await startTestServer();
  base = await browser(srv.url);
});
after(async () => { await srv?.cleanup(); });

const fresh = () => withoutSession(base);

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const rname = (n, alphabet = ALNUM) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
const PW = 'valid-password-1';
const EMOJI = '\u{1F600}'; // 1 code point, 2 UTF-16 units, 4 UTF-8 bytes

const OK = 201;
// [label, body factory, expected status, error field (for 400/409), login after success?]
const cases = [
  // username
  ['username 2 chars -> 400', () => ({ username: rname(2), password: PW }), 400, 'username'],
  ['username 1 char -> 400', () => ({ username: 'a', password: PW }), 400, 'username'],
  ['username empty -> 400', () => ({ username: '', password: PW }), 400, 'username'],
  ['username 3 chars OK', () => ({ username: rname(3), password: PW }), OK],
  ['username 32 chars OK', () => ({ username: rname(32), password: PW }), OK],
  ['username 32 chars with . _ - OK', () => ({ username: `a.b_c-${rname(26)}`, password: PW }), OK],
  ['username of only ._- OK', () => ({ username: `._-${rname(3, '._-')}`, password: PW }), OK],
  ['username 33 chars -> 400', () => ({ username: rname(33), password: PW }), 400, 'username'],
  ['username 100 chars -> 400', () => ({ username: rname(100), password: PW }), 400, 'username'],
  ['username with a space -> 400', () => ({ username: `al ice${rname(3)}`, password: PW }), 400, 'username'],
  ['username with leading space -> 400 (no trimming)', () => ({ username: ` ${rname(8)}`, password: PW }), 400, 'username'],
  ['username with trailing newline -> 400', () => ({ username: `${rname(8)}\n`, password: PW }), 400, 'username'],
  ['username with ! -> 400', () => ({ username: `alice!${rname(3)}`, password: PW }), 400, 'username'],
  ['username with @ -> 400', () => ({ username: `a@${rname(5)}`, password: PW }), 400, 'username'],
  ['username with / -> 400', () => ({ username: `al/${rname(5)}`, password: PW }), 400, 'username'],
  ['username with + -> 400', () => ({ username: `al+${rname(5)}`, password: PW }), 400, 'username'],
  ['username with non-ASCII letter -> 400', () => ({ username: `\u00e5lice${rname(3)}`, password: PW }), 400, 'username'],
  ['username with emoji -> 400', () => ({ username: `${EMOJI}${rname(4)}`, password: PW }), 400, 'username'],
  ['username with NUL -> 400', () => ({ username: `abc\u0000${rname(4)}`, password: PW }), 400, 'username'],
  ['username "a" + emoji (3 UTF-16 units) -> 400', () => ({ username: `a${EMOJI}`, password: PW }), 400, 'username'],
  ['username number -> 400', () => ({ username: 12345, password: PW }), 400, 'username'],
  ['username null -> 400', () => ({ username: null, password: PW }), 400, 'username'],
  ['username boolean -> 400', () => ({ username: true, password: PW }), 400, 'username'],
  ['username array -> 400', () => ({ username: ['alice'], password: PW }), 400, 'username'],
  ['username object -> 400', () => ({ username: { v: 'alice' }, password: PW }), 400, 'username'],
  ['username missing -> 400', () => ({ password: PW, name: 'x' }), 400, 'username'],
  // password (Unicode code points, 8..1024, no composition rules)
  ['password 7 chars -> 400', () => ({ username: uniq(), password: 'abcdefg' }), 400, 'password'],
  ['password empty -> 400', () => ({ username: uniq(), password: '' }), 400, 'password'],
  ['password 8 chars OK', () => ({ username: uniq(), password: 'abcdefgh' }), OK, undefined, true],
  // Not "12345678": that one is on the common-password list (tests/api/password_rules.test.mjs).
  ['password all digits OK (no composition rules)', () => ({ username: uniq(), password: '73920518' }), OK],
  ['password with spaces OK', () => ({ username: uniq(), password: ' pass word ' }), OK, undefined, true],
  ['password 1024 chars OK', () => ({ username: uniq(), password: rname(1024) }), OK, undefined, true],
  ['password 1025 chars -> 400', () => ({ username: uniq(), password: rname(1025) }), 400, 'password'],
  ['password 8 emoji OK (8 code points, 32 bytes)', () => ({ username: uniq(), password: EMOJI.repeat(8) }), OK, undefined, true],
  ['password 7 emoji -> 400 (7 code points, 14 UTF-16 units, 28 bytes)', () => ({ username: uniq(), password: EMOJI.repeat(7) }), 400, 'password'],
  ['password 4 emoji -> 400 (4 code points though 8 UTF-16 units, 16 bytes)', () => ({ username: uniq(), password: EMOJI.repeat(4) }), 400, 'password'],
  ['password 1024 emoji OK (4096 bytes)', () => ({ username: uniq(), password: EMOJI.repeat(1024) }), OK, undefined, true],
  ['password 1025 emoji -> 400', () => ({ username: uniq(), password: EMOJI.repeat(1025) }), 400, 'password'],
  ['password 1024 x "é" OK (2048 bytes)', () => ({ username: uniq(), password: '\u00e9'.repeat(1024) }), OK],
  ['password number -> 400', () => ({ username: uniq(), password: 12345678 }), 400, 'password'],
  ['password null -> 400', () => ({ username: uniq(), password: null }), 400, 'password'],
  ['password array -> 400', () => ({ username: uniq(), password: ['abcdefgh'] }), 400, 'password'],
  ['password object -> 400', () => ({ username: uniq(), password: {} }), 400, 'password'],
  ['password missing -> 400', () => ({ username: uniq(), name: 'x' }), 400, 'password'],
  // name (0..100 Unicode characters, no C0/DEL/C1)
  ['name empty OK', () => ({ username: uniq(), password: PW, name: '' }), OK],
  ['name 100 ASCII chars OK', () => ({ username: uniq(), password: PW, name: 'n'.repeat(100) }), OK],
  ['name 100 x "é" OK (200 bytes)', () => ({ username: uniq(), password: PW, name: '\u00e9'.repeat(100) }), OK],
  ['name 100 CJK chars OK (300 bytes)', () => ({ username: uniq(), password: PW, name: '\u674e'.repeat(100) }), OK],
  ['name 100 emoji OK (400 bytes)', () => ({ username: uniq(), password: PW, name: EMOJI.repeat(100) }), OK],
  ['name with punctuation, accents and emoji OK', () => ({ username: uniq(), password: PW, name: `O'Brien-Sm\u00eeth, Jr. ${EMOJI} \u674e` }), OK],
  ['name with NBSP U+00A0 (not C1) OK', () => ({ username: uniq(), password: PW, name: 'Jane\u00a0Doe' }), OK],
  ['name 101 ASCII chars -> 400', () => ({ username: uniq(), password: PW, name: 'n'.repeat(101) }), 400, 'name'],
  ['name 101 x "é" -> 400', () => ({ username: uniq(), password: PW, name: '\u00e9'.repeat(101) }), 400, 'name'],
  ['name 101 emoji -> 400', () => ({ username: uniq(), password: PW, name: EMOJI.repeat(101) }), 400, 'name'],
  ['name with U+0000 -> 400', () => ({ username: uniq(), password: PW, name: 'a\u0000b' }), 400, 'name'],
  ['name with U+0001 -> 400', () => ({ username: uniq(), password: PW, name: 'a\u0001b' }), 400, 'name'],
  ['name with TAB -> 400', () => ({ username: uniq(), password: PW, name: 'a\tb' }), 400, 'name'],
  ['name with \\n -> 400', () => ({ username: uniq(), password: PW, name: 'a\nb' }), 400, 'name'],
  ['name with \\r -> 400', () => ({ username: uniq(), password: PW, name: 'a\rb' }), 400, 'name'],
  ['name with U+001F -> 400', () => ({ username: uniq(), password: PW, name: 'a\u001fb' }), 400, 'name'],
  ['name with DEL U+007F -> 400', () => ({ username: uniq(), password: PW, name: 'a\u007fb' }), 400, 'name'],
  ['name with C1 U+0080 -> 400', () => ({ username: uniq(), password: PW, name: 'a\u0080b' }), 400, 'name'],
  ['name with C1 NEL U+0085 -> 400', () => ({ username: uniq(), password: PW, name: 'a\u0085b' }), 400, 'name'],
  ['name with C1 U+009F -> 400', () => ({ username: uniq(), password: PW, name: 'a\u009fb' }), 400, 'name'],
  ['name number -> 400', () => ({ username: uniq(), password: PW, name: 42 }), 400, 'name'],
  ['name boolean -> 400', () => ({ username: uniq(), password: PW, name: false }), 400, 'name'],
  ['name array -> 400', () => ({ username: uniq(), password: PW, name: ['x'] }), 400, 'name'],
  ['name object -> 400', () => ({ username: uniq(), password: PW, name: {} }), 400, 'name'],
];

const isValidUsername = (u) => typeof u === 'string' && /^[A-Za-z0-9._-]{3,32}$/.test(u);

test('signup validation table', async (t) => {
  for (const [label, make, status, field, loginAfter] of cases) {
    await t.test(label, async () => {
      const body = make();
      const jar = fresh();
      const res = await api(srv.url, jar, 'POST', '/api/auth/signup', { json: body });
      assert.ok(res.status < 500, `${label}: ${res.status}`);
      if (status === OK) {
        assert.equal(res.status, 201, `${label}: ${res.status} ${res.text}`);
        assertJson(res);
        assert.equal(res.body.user.username, body.username);
        assert.equal(res.body.user.name, body.name ?? '');
        if (loginAfter) {
          const l = await api(srv.url, fresh(), 'POST', '/api/auth/login', { json: { username: body.username, password: body.password } });
          assert.equal(l.status, 200, `${label}: login with the same password: ${l.status} ${l.text}`);
        }
      } else {
        assertError(res, status, { field });
        assert.equal(res.setCookies.filter((c) => c.startsWith('latchkey_session=')).length, 0, 'no session on failure');
        if (isValidUsername(body.username)) {
          const rows = sql(srv.dataDir, `SELECT id FROM users WHERE lower(username) = lower(${q(body.username)})`);
          assert.deepEqual(rows, [], `${label}: no user row was created`);
        }
      }
    });
  }
});

test('invalid UTF-8 / lone surrogates in any string -> 400 naming the field', async (t) => {
  const enc = (s) => Buffer.from(s, 'utf8');
  const mk = (field, bad) => {
    const parts = { username: enc(JSON.stringify(uniq())), password: enc(JSON.stringify(PW)), name: enc('"ok"') };
    parts[field] = Buffer.concat([enc('"ab'), bad, enc('cdefghij"')]);
    return Buffer.concat([enc('{"username":'), parts.username, enc(',"password":'), parts.password, enc(',"name":'), parts.name, enc('}')]);
  };
  const bads = [
    ['byte 0xFF', Buffer.from([0xff])],
    ['lone continuation byte 0x80', Buffer.from([0x80])],
    ['truncated 2-byte sequence', Buffer.from([0xc3])],
    ['overlong "/" (C0 AF)', Buffer.from([0xc0, 0xaf])],
    ['UTF-8 encoded surrogate (ED A0 80)', Buffer.from([0xed, 0xa0, 0x80])],
    ['code point above U+10FFFF (F4 90 80 80)', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
    ['JSON escape of a lone high surrogate', enc('\\ud800')],
    ['JSON escape of a lone low surrogate', enc('\\udc00')],
  ];
  for (const field of ['username', 'password', 'name']) {
    for (const [label, bad] of bads) {
      await t.test(`${field}: ${label}`, async () => {
        const res = await api(srv.url, fresh(), 'POST', '/api/auth/signup', {
          rawBody: mk(field, bad), headers: { 'Content-Type': 'application/json' },
        });
        assert.ok(res.status < 500, `${res.status}`);
        assertError(res, 400, { field });
      });
    }
  }
});

test('a valid surrogate pair escape is accepted as one character', async () => {
  const username = uniq('sp');
  const raw = `{"username":"${username}","password":"${'\\ud83d\\ude00'.repeat(8)}","name":"\\ud83d\\ude00"}`;
  const res = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { rawBody: raw, headers: { 'Content-Type': 'application/json' } });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.user.name, EMOJI);
  const l = await api(srv.url, fresh(), 'POST', '/api/auth/login', { json: { username, password: EMOJI.repeat(8) } });
  assert.equal(l.status, 200, 'escaped and raw UTF-8 forms of the same password are equal');
});

test('username uniqueness is case-insensitive: 409 {error, field:"username"}', async () => {
  const suffix = randomBytes(4).toString('hex');
  const first = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { json: { username: `Alice${suffix}`, password: PW } });
  assert.equal(first.status, 201, first.text);
  for (const u of [`alice${suffix}`, `ALICE${suffix}`, `Alice${suffix}`, `aLiCe${suffix.toUpperCase()}`]) {
    const res = await api(srv.url, fresh(), 'POST', '/api/auth/signup', { json: { username: u, password: PW } });
    assertError(res, 409, { field: 'username' });
    assert.equal(res.setCookies.filter((c) => c.startsWith('latchkey_session=')).length, 0);
  }
  const rows = sql(srv.dataDir, `SELECT username FROM users WHERE lower(username) = lower(${q(`alice${suffix}`)})`);
  assert.deepEqual(rows, [{ username: `Alice${suffix}` }], 'exactly one row, original case kept');
});

test('concurrent signups of the same username: exactly one 201, the rest 409', async () => {
  const username = uniq('race');
  const results = await Promise.all(Array.from({ length: 4 }, (_, i) => api(srv.url, fresh(), 'POST', '/api/auth/signup', {
    json: { username: i % 2 ? username.toUpperCase() : username, password: PW },
  })));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [201, 409, 409, 409], `statuses: ${statuses} ${results.map((r) => r.text)}`);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
