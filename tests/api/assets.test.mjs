// The built client (web/dist, as `npm run build` makes it) served as a production server
// serves it: the page never cached and pointing at content-hashed names; those immutable for
// a year; br / gzip / identity by Accept-Encoding with Vary; 304 on If-None-Match; and the
// first load's bytes on the wire.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { request } from '../support/http.mjs';
import { assertCleanResponses, startTestServer, tempDir } from '../support/fixtures.mjs';

const kWebRoot = path.resolve(process.env.LATCHKEY_WEB_ROOT || 'web/dist');
const kImmutable = 'public, max-age=31536000, immutable';
const kBrowser = 'gzip, deflate, br, zstd'; // Chromium's Accept-Encoding

let srv;
let dataDir;
let page;
let hashed; // ['/assets/app.<hash>.js', '/assets/app.<hash>.css']
before(async () => {
  assert.ok(existsSync(path.join(kWebRoot, 'index.html')), `${kWebRoot} is built (npm run build)`);
  dataDir = tempDir('latchkey-assets-');
  srv = await startTestServer({ dataDir, webRoot: kWebRoot });
  page = await request(srv.url, 'GET', '/', { headers: { 'Accept-Encoding': kBrowser } });
  hashed = [...page.text.matchAll(/"(\/assets\/app\.[0-9a-f]{8}\.(?:js|css))"/g)].map((m) => m[1]);
});
after(async () => {
  await srv?.cleanup();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function onDisk(urlPath) {
  return readFileSync(path.join(kWebRoot, urlPath));
}

test('the page: no-store, a CSRF meta filled in, and the bundle and style sheet by hashed name', () => {
  assert.equal(page.status, 200);
  assert.match(page.headers['content-type'], /^text\/html/);
  assert.equal(page.headers['cache-control'], 'no-store');
  assert.match(page.text, /<meta name="csrf-token" content="[A-Za-z0-9_-]{64}">/);
  assert.equal(hashed.length, 2, `two hashed assets referenced: ${page.text}`);
  assert.ok(!/"\/assets\/app\.(js|css)"/.test(page.text), 'no unhashed reference left');
  for (const p of hashed) assert.ok(existsSync(path.join(kWebRoot, p)), `${p} exists`);
});

test('hashed assets: immutable for a year, their name is their content hash', async () => {
  for (const p of hashed) {
    const res = await request(srv.url, 'GET', p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers['cache-control'], kImmutable, p);
    assert.ok(res.raw.equals(onDisk(p)), `${p}: the file's bytes`);
    const hash = p.match(/\.([0-9a-f]{8})\.[a-z]+$/)[1];
    assert.equal(createHash('sha256').update(res.raw).digest('hex').slice(0, 8), hash, p);
  }
  const css = await request(srv.url, 'GET', hashed.find((p) => p.endsWith('.css')));
  assert.match(css.headers['content-type'], /^text\/css/);
});

test('an unhashed asset is revalidated (no-cache), not immutable', async () => {
  const res = await request(srv.url, 'GET', '/assets/common-passwords.txt');
  assert.equal(res.status, 200);
  assert.equal(res.headers['cache-control'], 'no-cache');
  assert.ok(res.headers.etag);
});

test('br, gzip or identity by Accept-Encoding, with Vary and Content-Encoding', async () => {
  const decode = { br: zlib.brotliDecompressSync, gzip: zlib.gunzipSync, identity: (b) => b };
  const cases = [
    [kBrowser, 'br'],
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['identity', 'identity'],
    [undefined, 'identity'],
  ];
  for (const p of [...hashed, '/assets/common-passwords.txt']) {
    const identity = onDisk(p);
    const etags = new Set();
    for (const [accept, coding] of cases) {
      const headers = accept === undefined ? {} : { 'Accept-Encoding': accept };
      const res = await request(srv.url, 'GET', p, { headers });
      const label = `${p} with Accept-Encoding ${accept}`;
      assert.equal(res.status, 200, label);
      assert.equal(res.headers.vary, 'Accept-Encoding', label);
      assert.equal(res.headers['content-encoding'], coding === 'identity' ? undefined : coding, label);
      assert.equal(Number(res.headers['content-length']), res.raw.length, label);
      assert.ok(decode[coding](res.raw).equals(identity), `${label}: decodes to the file`);
      if (coding !== 'identity') assert.ok(res.raw.length < identity.length, `${label}: smaller`);
      etags.add(`${coding} ${res.headers.etag}`);
      const head = await request(srv.url, 'HEAD', p, { headers });
      assert.equal(head.headers['content-length'], res.headers['content-length'], `HEAD ${label}`);
      assert.equal(head.headers['content-encoding'], res.headers['content-encoding'], `HEAD ${label}`);
      assert.equal(head.raw.length, 0, `HEAD ${label}`);
    }
    const byCoding = new Map([...etags].map((e) => e.split(' ')));
    assert.equal(new Set(byCoding.values()).size, 3, `${p}: one ETag per coding ${[...etags]}`);
  }
});

test('If-None-Match: 304 without a body for the current tag, 200 for another', async () => {
  for (const p of hashed) {
    const first = await request(srv.url, 'GET', p, { headers: { 'Accept-Encoding': 'br' } });
    const again = await request(srv.url, 'GET', p, {
      headers: { 'Accept-Encoding': 'br', 'If-None-Match': first.headers.etag },
    });
    assert.equal(again.status, 304, p);
    assert.equal(again.raw.length, 0, p);
    assert.equal(again.headers['content-length'], undefined, `${p}: a 304 has no Content-Length`);
    assert.equal(again.headers.etag, first.headers.etag, p);
    assert.equal(again.headers['cache-control'], kImmutable, p);
    assert.equal(again.headers.vary, 'Accept-Encoding', p);

    const weak = await request(srv.url, 'GET', p, { headers: { 'If-None-Match': `"x", W/${first.headers.etag}` } });
    assert.equal(weak.status, 304, `${p}: weak comparison, in a list`);
    const other = await request(srv.url, 'GET', p, { headers: { 'If-None-Match': '"0000"' } });
    assert.equal(other.status, 200, p);
    assert.ok(other.raw.equals(onDisk(p)), p);
  }
});

test('the variants are not served under their own names', async () => {
  for (const p of hashed) {
    for (const suffix of ['.br', '.gz']) {
      assert.ok(existsSync(path.join(kWebRoot, p + suffix)), `${p}${suffix} built`);
      const res = await request(srv.url, 'GET', p + suffix);
      assert.equal(res.status, 404, p + suffix);
    }
  }
});

test('first load on the wire: page + bundle + style sheet in br is under a quarter of identity', async (t) => {
  const sizes = {};
  for (const [label, accept] of [['identity', 'identity'], ['gzip', 'gzip'], ['br', kBrowser]]) {
    let total = 0;
    for (const p of ['/', ...hashed]) {
      const res = await request(srv.url, 'GET', p, { headers: { 'Accept-Encoding': accept } });
      assert.equal(res.status, 200, p);
      total += res.raw.length;
    }
    sizes[label] = total;
  }
  t.diagnostic(`first load, content bytes: identity ${sizes.identity}, gzip ${sizes.gzip}, br ${sizes.br}`);
  assert.ok(sizes.br < sizes.identity / 4, JSON.stringify(sizes));
  assert.ok(sizes.br < sizes.gzip, JSON.stringify(sizes));
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});
