// --web-root pointing at an application's own built client (tests/api/fixtures/spa: its
// index.html template and assets): the page is the app's, with {{csrf_token}} filled per
// response as in Latchkey's own page, for / and every pushState deep link; the token it
// carries passes Latchkey's CSRF check; /api misses stay JSON 404, never the page.
// The fixture ships no common-password list: --common-passwords names Latchkey's, as
// docs/INTEGRATION.md "Serving your SPA" says.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { api, CookieJar, parseCsrfMeta, request } from '../support/http.mjs';
import {
  assertCleanResponses, commonPasswords, signup, startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';

const kFixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'spa');
const kToken = /^[A-Za-z0-9_-]{64}$/;

let srv;
let dir;
before(async () => {
  dir = tempDir('latchkey-spa-');
  const webRoot = path.join(dir, 'web');
  cpSync(kFixture, webRoot, { recursive: true });
  const list = path.join(dir, 'common-passwords.txt');
  writeFileSync(list, `${commonPasswords().join('\n')}\n`);
  srv = await startTestServer({ dataDir: path.join(dir, 'data'), webRoot, args: ['--common-passwords', list] });
});
after(async () => {
  await srv?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The page's two token places (meta and data-csrf), asserting they hold the same token. */
function tokensOf(html) {
  const meta = parseCsrfMeta(html);
  const attr = html.match(/data-csrf="([^"]*)"/)?.[1];
  assert.match(meta || '', kToken, html);
  assert.equal(attr, meta, 'every {{csrf_token}} holds the same token');
  return meta;
}

test("GET / renders the app's template: its own markup, the token filled, no-store, a CSRF cookie", async () => {
  const res = await request(srv.url, 'GET', '/');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.match(res.text, /<title>Notes \(fixture app\)<\/title>/);
  assert.ok(!res.text.includes('{{'), 'no mustache tag left (the comment is dropped)');
  tokensOf(res.text);
  assert.ok(res.setCookies.some((c) => /^latchkey_csrf=/.test(c)), res.setCookies.join('\n'));
  const template = readFileSync(path.join(kFixture, 'index.html'), 'utf8');
  const rest = template.replace(/\{\{! [^}]*\}\}/, '').split('{{csrf_token}}');
  assert.equal(rest.length, 3);
  for (const part of rest) assert.ok(res.text.includes(part.trim()), 'the rest of the template as written');
});

test('each page response gets a token of its own', async () => {
  const a = tokensOf((await request(srv.url, 'GET', '/')).text);
  const b = tokensOf((await request(srv.url, 'GET', '/')).text);
  assert.notEqual(a, b);
});

test('deep links (pushState routes) render the same page with a token; HEAD has no body', async () => {
  for (const p of ['/notes', '/notes/42/edit', '/notes/', '/settings?tab=profile', '/n%C3%B6tes']) {
    const res = await request(srv.url, 'GET', p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers['cache-control'], 'no-store', p);
    assert.match(res.text, /Notes \(fixture app\)/, p);
    tokensOf(res.text);
  }
  const head = await request(srv.url, 'HEAD', '/notes/42');
  assert.equal(head.status, 200);
  assert.equal(head.raw.length, 0);
});

test("the page's token passes the CSRF check of a signup; without it, 403", async () => {
  for (const start of ['/', '/notes/7']) {
    const jar = new CookieJar();
    const page = await api(srv.url, jar, 'GET', start);
    jar.csrfToken = tokensOf(page.text);
    await signup(srv.url, jar, { username: uniq('spa') });
    const me = await api(srv.url, jar, 'GET', '/api/auth');
    assert.equal(me.status, 200, me.text);
    const refused = await api(srv.url, jar, 'POST', '/api/auth/logout', { csrf: null });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body?.code, 'csrf_rejected');
  }
});

test("API misses are JSON 404 (never the app's page); other methods on a page path are 405", async () => {
  for (const p of ['/api', '/api/', '/api/notes', '/api/notes/42', '/api/auth/nope']) {
    const res = await request(srv.url, 'GET', p);
    assert.equal(res.status, 404, p);
    assert.match(res.headers['content-type'], /^application\/json/, p);
    assert.equal(res.headers['cache-control'], 'no-store', p);
    assert.equal(res.body?.code, 'not_found', `${p}: ${res.text}`);
    assert.ok(!res.text.includes('fixture app'), p);
  }
  const put = await request(srv.url, 'PUT', '/notes/1', { headers: { 'Content-Length': '0' } });
  assert.equal(put.status, 405);
  assert.match(put.headers.allow, /GET, HEAD/);
});

test("the app's assets are served from its web root", async () => {
  for (const [p, type] of [['/assets/notes.js', /^text\/javascript/], ['/assets/notes.css', /^text\/css/]]) {
    const res = await request(srv.url, 'GET', p);
    assert.equal(res.status, 200, p);
    assert.match(res.headers['content-type'], type, p);
    assert.equal(res.headers['cache-control'], 'no-cache', `${p}: not content-hashed, so revalidated`);
    assert.ok(res.raw.equals(readFileSync(path.join(kFixture, p))), p);
  }
  assert.equal((await request(srv.url, 'GET', '/assets/missing.js')).status, 404);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});
