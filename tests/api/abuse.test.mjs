// Hostile clients: a session cookie sent twice (cookie tossing, RFC 6265bis 8.6) counts as no
// session; slowloris-style clients that trickle headers or never finish a body are cut off
// by the header and body read timeouts (10 s each) while others are still served.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { api, CookieJar } from '../support/http.mjs';
import { browser, sessionCookieOf, signup, startTestServer } from '../support/fixtures.mjs';

let srv;
before(async () => { srv = await startTestServer(); });
after(async () => { await srv?.cleanup(); });

test('a session cookie name sent twice is treated as no session', async () => {
  const jar = await browser(srv.url);
  const value = sessionCookieOf(await signup(srv.url, jar));
  const me = (cookie) => api(srv.url, new CookieJar(), 'GET', '/api/auth', { headers: { Cookie: cookie } });
  assert.equal((await me(`latchkey_session=${value}`)).status, 200, 'control: once');
  assert.equal((await me(`latchkey_session=${value}; latchkey_session=${value}`)).status, 401, 'same value twice');
  assert.equal((await me(`latchkey_session=forged; latchkey_session=${value}`)).status, 401, 'forged first');
  assert.equal((await me(`latchkey_session=${value}; latchkey_session=forged`)).status, 401, 'forged last');
});

/** Opens a raw connection, sends `first`, then `drip` every `everyMs`; resolves with ms until the server closes. */
function holdOpen(port, first, drip, everyMs, limitMs) {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = connect(port, '127.0.0.1', () => sock.write(first));
    const timer = drip ? setInterval(() => { if (!sock.destroyed) sock.write(drip); }, everyMs) : null;
    const done = () => {
      if (timer) clearInterval(timer);
      clearTimeout(limit);
      resolve(Date.now() - started);
    };
    const limit = setTimeout(() => { sock.destroy(); done(); }, limitMs);
    sock.on('data', () => {});
    sock.on('error', () => {});
    sock.on('close', done);
  });
}

test('slowloris: trickled headers and an unfinished body are cut off; others still served', async () => {
  const port = Number(new URL(srv.url).port);
  const trickle = holdOpen(port, 'GET /api/auth HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n', 1000, 20000);
  const stalledBody = holdOpen(port,
    'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"user',
    null, 0, 20000);
  // Meanwhile the server answers everyone else.
  const jar = await browser(srv.url);
  for (let i = 0; i < 5; i += 1) {
    assert.equal((await api(srv.url, jar, 'GET', '/api/auth')).status, 401);
    await new Promise((r) => setTimeout(r, 500));
  }
  const [headerMs, bodyMs] = await Promise.all([trickle, stalledBody]);
  assert.ok(headerMs >= 8000 && headerMs < 15000, `trickled headers cut after ${headerMs} ms`);
  assert.ok(bodyMs < 15000, `stalled body cut after ${bodyMs} ms`);
});
