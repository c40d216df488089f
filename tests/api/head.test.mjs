// HEAD is answered wherever GET is (RFC 9110 9.3.2): the same status and headers, Content-Length
// included, without content; a 405 lists HEAD beside GET in Allow (RFC 9110 15.5.6).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api } from '../support/http.mjs';
import { browser, signup, startTestServer } from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

test('every GET route of the API answers HEAD as GET, without content', async () => {
  const jar = await browser(srv.url);
  await signup(srv.url, jar);
  for (const path of ['/api/auth', '/api/auth/sessions', '/api/auth/events', '/healthz', '/readyz',
    '/.well-known/jwks.json', '/api/auth/verify']) {
    const get = await api(srv.url, jar, 'GET', path);
    const head = await api(srv.url, jar, 'HEAD', path);
    assert.equal(get.status, 200, `GET ${path}`);
    assert.equal(head.status, 200, `HEAD ${path}`);
    assert.equal(head.raw.length, 0, `HEAD ${path} has no content`);
    assert.equal(head.headers['content-type'], get.headers['content-type'], `HEAD ${path}`);
    if (path !== '/api/auth/events' && path !== '/api/auth/verify') { // those carry times and a fresh assertion
      assert.equal(head.headers['content-length'], get.headers['content-length'], `HEAD ${path} Content-Length`);
    }
  }
});

test('HEAD without a session is the 401 of GET; a 405 lists HEAD beside GET', async () => {
  const jar = await browser(srv.url);
  const head = await api(srv.url, jar, 'HEAD', '/api/auth');
  assert.equal(head.status, 401);
  assert.equal(head.raw.length, 0);
  const put = await api(srv.url, jar, 'PUT', '/api/auth/sessions', { json: {} });
  assert.equal(put.status, 405);
  assert.equal(put.headers.allow, 'GET, HEAD');
  const post = await api(srv.url, jar, 'PUT', '/api/auth/user', { json: {} });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'PATCH', 'no HEAD where there is no GET');
  const wellKnown = await api(srv.url, jar, 'POST', '/.well-known/jwks.json');
  assert.equal(wellKnown.headers.allow, 'GET, HEAD');
});
