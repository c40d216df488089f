// Static assets: MIME types, 404s, and path traversal probes that must never reach
// secret.key. The web root lives INSIDE the data dir (<data>/web), so "../../secret.key"
// from /assets/ points at the real key file.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, request } from '../support/http.mjs';
import {
  APP_CSS, APP_JS, assertCleanResponses, assertNoStoreEverywhere, dialect, makeWebRoot, startTestServer, tempDir,
} from '../support/fixtures.mjs';

let srv;
let dataDir;
before(async () => {
  dataDir = tempDir('latchkey-static-');
  const webRoot = makeWebRoot(path.join(dataDir, 'web'));
  srv = await startTestServer({ dataDir, webRoot });
});
after(async () => {
  await srv?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('GET /assets/app.js -> 200 with a JavaScript MIME type and the file bytes', async () => {
  const res = await request(srv.url, 'GET', '/assets/app.js');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] || '', /^(text|application)\/javascript\b/i);
  assert.equal(res.text, APP_JS);
  const head = await request(srv.url, 'HEAD', '/assets/app.js');
  assert.equal(head.status, 200);
  assert.match(head.headers['content-type'] || '', /^(text|application)\/javascript\b/i);
  assert.equal(head.raw.length, 0);
});

test('GET /assets/app.css -> 200 text/css', async () => {
  const res = await request(srv.url, 'GET', '/assets/app.css');
  assert.equal(res.status, 200);
  assert.match(res.headers['content-type'] || '', /^text\/css\b/i);
  assert.equal(res.text, APP_CSS);
});

test('a query string on an asset URL is ignored (cache busting)', async () => {
  const res = await request(srv.url, 'GET', '/assets/app.js?v=123');
  assert.equal(res.status, 200);
  assert.equal(res.text, APP_JS);
});

test('oversized request lines and headers are refused without crashing the server', async () => {
  const probes = [
    ['GET', `/assets/${'a'.repeat(20000)}.js`, {}],
    ['GET', `/${'deep/'.repeat(4000)}`, {}],
    ['GET', '/api/auth', { Cookie: `latchkey_session=${'A'.repeat(20000)}.x` }],
    ['GET', '/', { 'X-Filler': 'x'.repeat(64 * 1024) }],
  ];
  for (const [m, p, headers] of probes) {
    try {
      const res = await request(srv.url, m, p, { headers });
      assert.ok(res.status < 500, `${m} ${p.slice(0, 40)}...: ${res.status}`);
    } catch (e) {
      assert.match(String(e.code || e.message), /ECONNRESET|EPIPE|socket hang up/i, String(e));
    }
  }
  assert.equal((await request(srv.url, 'GET', '/healthz')).status, 200, 'server still up');
});

test('missing assets and the assets directory itself -> 404 (no page, no listing)', async () => {
  for (const p of ['/assets/missing.js', '/assets/', '/assets/sub/none.css', '/assets/app.js/', '/assets/app.js.map']) {
    const res = await request(srv.url, 'GET', p);
    assert.ok([403, 404].includes(res.status), `${p}: ${res.status}`);
    assert.ok(!res.text.includes('latchkey-test-index'), `${p} is not the page`);
    assert.ok(!res.text.includes('app.css'), `${p} lists no directory`);
  }
});

function keyForms() {
  const key = readFileSync(path.join(dataDir, 'secret.key'));
  const text = key.toString('utf8').trim();
  const forms = [key.toString('hex'), key.toString('base64'), key.toString('base64url')];
  if (text.length >= 16) forms.push(text);
  for (const line of text.split(/\s+/).filter((l) => l.length >= 16 && !l.startsWith('#'))) {
    forms.push(line);
    if (/^[A-Za-z0-9+/_-]+=*$/.test(line)) {
      const raw = Buffer.from(line, 'base64url');
      forms.push(raw.toString('hex'), raw.toString('base64'));
    }
  }
  return { key, forms };
}

function traversalPaths() {
  const dots = ['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '%252e%252e', '%c0%ae%c0%ae', '..%00'];
  const seps = ['/', '%2f', '%2F', '%5c', '\\', '%252f'];
  const targets = ['secret.key', 'latchkey.db', 'web/index.html'];
  const out = new Set();
  for (const d of dots) {
    for (const s of seps) {
      for (let depth = 1; depth <= 3; depth += 1) {
        for (const t of targets) out.add(`/assets/${`${d}${s}`.repeat(depth)}${t}`);
      }
    }
  }
  // absolute paths smuggled after /assets/ (std::filesystem "root / abs" replaces the root)
  const abs = path.join(dataDir, 'secret.key');
  out.add(`/assets/${abs}`); // -> /assets//tmp/.../secret.key
  out.add(`/assets/${abs.replaceAll('/', '%2f')}`);
  out.add(`/assets/${encodeURIComponent(abs)}`);
  out.add('/assets//etc/passwd');
  out.add('/assets/%2fetc%2fpasswd');
  out.add('/assets/../../../../../../../../etc/passwd');
  out.add('/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd');
  out.add('/assets/./../../secret.key');
  out.add('/assets/app.js/../../../secret.key');
  out.add('/assets/..;/..;/secret.key');
  out.add('/assets/....//....//secret.key');
  out.add('/assets/~/../../secret.key');
  return [...out];
}

test('path traversal under /assets/ never returns the secret key, DB or system files (404 or 400)', async () => {
  const { key, forms } = keyForms();
  // SQLite: the DB file's header ("SQLite format 3\0"). PostgreSQL keeps no file in the data dir;
  // the probes for latchkey.db must still get 404/400.
  const db = dialect() === 'sqlite' ? readFileSync(path.join(dataDir, 'latchkey.db')).subarray(0, 16) : null;
  const failures = [];
  const paths = traversalPaths();
  for (const p of paths) {
    let res;
    try {
      res = await request(srv.url, 'GET', p);
    } catch (e) {
      failures.push(`${p}: request error ${e.message}`);
      continue;
    }
    const leaked = res.raw.includes(key) || forms.some((f) => res.text.includes(f)) || (db && res.raw.includes(db))
      || /root:x?:0:0/.test(res.text);
    if (leaked) failures.push(`${p}: LEAKED a protected file (status ${res.status})`);
    else if (![400, 403, 404].includes(res.status)) failures.push(`${p}: status ${res.status} (expected 404 or 400)`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${paths.length} traversal probes misbehaved`);
  assert.equal((await request(srv.url, 'GET', '/healthz')).status, 200);
});

test('page routes never serve files from the web root or data dir verbatim', async () => {
  const { key, forms } = keyForms();
  for (const p of ['/secret.key', '/latchkey.db', '/../secret.key', '/%2e%2e/secret.key', '/web/index.html', '/index.html/../../secret.key']) {
    const res = await request(srv.url, 'GET', p);
    assert.ok(res.status < 500, `${p}: ${res.status}`);
    assert.ok(!res.raw.includes(key) && !forms.some((f) => res.text.includes(f)), `${p} leaks the key`);
    assert.ok(!res.text.includes('SQLite format 3'), `${p} leaks the DB`);
    assert.ok(!res.text.includes('{{csrf_token}}'), `${p} serves the un-rendered template`);
  }
});

test('API 404s for /api/ traversal do not reach the page or files', async () => {
  const res = await api(srv.url, null, 'GET', '/api/../secret.key');
  assert.ok(res.status < 500);
  const { key } = keyForms();
  assert.ok(!res.raw.includes(key));
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
