// Request bodies: Content-Type (415), size limit 16 KiB (413), JSON object (400),
// JSON error bodies, and no 5xx for any of it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, request } from '../support/http.mjs';
import {
  assertCleanResponses, assertNoStoreEverywhere, assertError, browser, PASSWORD, startTestServer, withoutSession, uniq,
} from '../support/fixtures.mjs';

let srv;
let base;
before(async () => {
  srv = await startTestServer();
  base = await browser(srv.url);
});
after(async () => { await srv?.cleanup(); });

const fresh = () => withoutSession(base);
const ENDPOINTS = ['/api/auth/signup', '/api/auth/login'];
const validJson = () => JSON.stringify({ username: uniq('bd'), password: PASSWORD });
const send = (path, rawBody, contentType, extra = {}) => api(srv.url, fresh(), 'POST', path, {
  rawBody, headers: { 'Content-Type': contentType, ...extra },
});

/** A valid signup body padded with JSON whitespace to exactly n bytes. */
function paddedBody(n) {
  const core = `{"username":"${uniq('pad')}","password":"${PASSWORD}"`;
  const pad = n - core.length - 1;
  assert.ok(pad >= 0);
  const body = `${core}${' '.repeat(pad)}}`;
  assert.equal(Buffer.byteLength(body), n);
  return body;
}

test('Content-Type other than application/json -> 415 JSON', async () => {
  const types = [
    ['text/plain', 'text/plain'],
    ['text/plain;charset=UTF-8', 'text/plain;charset=UTF-8'],
    ['form-urlencoded', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=xyz'],
    ['text/json', 'text/json'],
    ['application/jsonx', 'application/jsonx'],
    ['application/xml', 'application/xml'],
    ['missing', undefined],
    ['empty', ''],
  ];
  for (const p of ENDPOINTS) {
    for (const [label, ct] of types) {
      const res = await send(p, validJson(), ct);
      assert.ok(res.status < 500, `${p} ${label}: ${res.status}`);
      assertError(res, 415);
    }
  }
});

test('application/json with a charset parameter is accepted', async () => {
  for (const ct of ['application/json; charset=utf-8', 'application/json;charset=UTF-8']) {
    const res = await send('/api/auth/signup', validJson(), ct);
    assert.equal(res.status, 201, `${ct}: ${res.status} ${res.text}`);
  }
});

test('body size: exactly 16 KiB accepted, 16 KiB + 1 byte -> 413', async () => {
  const okRes = await send('/api/auth/signup', paddedBody(16384), 'application/json');
  assert.equal(okRes.status, 201, `16384 bytes: ${okRes.status} ${okRes.text}`);
  for (const p of ENDPOINTS) {
    const res = await send(p, paddedBody(16385), 'application/json');
    assert.ok(res.status < 500, `${p}: ${res.status}`);
    assertError(res, 413);
  }
  const big = await send('/api/auth/signup', paddedBody(65536), 'application/json');
  assertError(big, 413);
});

test('body size: a chunked body over 16 KiB -> 413, a small chunked body works', async () => {
  const small = await send('/api/auth/signup', validJson(), 'application/json', { 'Content-Length': undefined, 'Transfer-Encoding': 'chunked' });
  assert.equal(small.status, 201, `small chunked: ${small.status} ${small.text}`);
  const res = await send('/api/auth/signup', paddedBody(20000), 'application/json', { 'Content-Length': undefined, 'Transfer-Encoding': 'chunked' });
  assert.ok(res.status < 500, `${res.status}`);
  assertError(res, 413);
});

test('a 1 MiB body is refused (413 or connection closed) and the server stays up', async () => {
  let res;
  try {
    res = await send('/api/auth/signup', paddedBody(1 << 20), 'application/json');
  } catch (e) {
    res = null; // the server may close the connection without reading the body
    assert.match(String(e.code || e.message), /ECONNRESET|EPIPE|socket hang up/i, String(e));
  }
  if (res) assertError(res, 413);
  const h = await request(srv.url, 'GET', '/healthz');
  assert.equal(h.status, 200);
});

test('malformed JSON -> 400 JSON', async () => {
  const bodies = [
    ['empty body', ''],
    ['truncated object', '{"username":'],
    ['missing value', '{"username":}'],
    ['single quotes', "{'username':'abc'}"],
    ['trailing comma', `{"username":"${uniq()}","password":"${PASSWORD}",}`],
    ['trailing garbage', `{"username":"${uniq()}","password":"${PASSWORD}"}x`],
    ['two objects', `{"username":"${uniq()}","password":"${PASSWORD}"}{}`],
    ['unquoted key', '{username:"abc"}'],
    ['bare word', 'nul'],
    ['NaN', '{"username":NaN}'],
    ['comment', '{/* c */"username":"abc"}'],
    ['control char inside a string', `{"username":"${uniq()}","password":"pass\u0001word-1"}`],
    ['bad escape', '{"username":"\\x41bc","password":"abcdefgh"}'],
    ['deeply nested arrays (8000 levels)', `{"username":${'['.repeat(8000)}${']'.repeat(8000)}}`],
    ['deeply nested objects (2600 levels)', `{"username":${'{"a":'.repeat(2600)}1${'}'.repeat(2600)}}`],
  ];
  for (const p of ENDPOINTS) {
    for (const [label, body] of bodies) {
      const res = await send(p, body, 'application/json');
      assert.ok(res.status < 500, `${p} ${label}: ${res.status}`);
      assert.equal(res.status, 400, `${p} ${label}: ${res.status} ${res.text.slice(0, 200)}`);
      assertError(res, 400);
    }
  }
  const h = await request(srv.url, 'GET', '/healthz');
  assert.equal(h.status, 200, 'server survived');
});

test('JSON that is not an object -> 400 JSON', async () => {
  const bodies = [
    ['array', '[]'],
    ['array of the right object', `[{"username":"${uniq()}","password":"${PASSWORD}"}]`],
    ['number', '42'],
    ['string', '"hello"'],
    ['null', 'null'],
    ['true', 'true'],
  ];
  for (const p of ENDPOINTS) {
    for (const [label, body] of bodies) {
      const res = await send(p, body, 'application/json');
      assert.ok(res.status < 500, `${p} ${label}: ${res.status}`);
      assertError(res, 400);
    }
  }
});

test('error bodies are JSON objects with an "error" string even for 404/405 on the API', async () => {
  const res = await api(srv.url, null, 'GET', '/api/definitely/not/here');
  assertError(res, 404);
  const h = await api(srv.url, null, 'GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(h.body, { status: 'ok' });
  assert.match(h.headers['content-type'] || '', /^application\/json/i);
});

test('no response in this file exposed a hash/token field or a 5xx', () => {
  assertCleanResponses();
});

test('every API response in this file was JSON with Cache-Control: no-store', () => {
  assertNoStoreEverywhere();
});
