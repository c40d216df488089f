// Per-IP throttling of IPv6 clients (issue 18): one host owns a whole /64 and can send from any
// address in it, so failed logins count per network (--throttle-ipv6-prefix, default 64), and
// an IPv4-mapped IPv6 address counts as its IPv4 address. The client addresses come through a
// trusted proxy (X-Forwarded-For), as in a real deployment.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, assertError, browser, startTestServer, uniq } from '../support/fixtures.mjs';
import { runLatchkey } from '../support/server.mjs';

let srv; // default prefix 64
let perAddress; // --throttle-ipv6-prefix 128
before(async () => {
  [srv, perAddress] = await Promise.all([
    startTestServer({ throttle: true, args: ['--trusted-proxy', '127.0.0.1'] }),
    startTestServer({ throttle: true, args: ['--trusted-proxy', '127.0.0.1', '--throttle-ipv6-prefix', '128'] }),
  ]);
});
after(async () => { await Promise.all([srv, perAddress].map((s) => s?.cleanup())); });

/** A failed login from `ip` to an account nobody has (so only the per-IP counter can lock). */
async function failFrom(server, jar, ip) {
  return api(server.url, jar, 'POST', '/api/auth/login', {
    json: { username: uniq('nobody'), password: 'not the password' },
    headers: { 'X-Forwarded-For': ip },
  });
}

test('failures from addresses of one /64 share a counter; another /64 has its own', async () => {
  const jar = await browser(srv.url);
  for (let i = 1; i <= 5; i += 1) {
    assert.equal((await failFrom(srv, jar, `2001:db8:a:1::${i}`)).status, 401, `failure ${i}`);
  }
  assertError(await failFrom(srv, jar, '2001:db8:a:1:ffff:ffff:ffff:ffff'), 429);
  assertError(await failFrom(srv, jar, '2001:db8:a:1::99'), 429);
  assert.equal((await failFrom(srv, jar, '2001:db8:a:2::1')).status, 401, 'the next /64 is another client');
});

test('an IPv4-mapped IPv6 address counts as its IPv4 address', async () => {
  const jar = await browser(srv.url);
  for (let i = 1; i <= 5; i += 1) {
    assert.equal((await failFrom(srv, jar, i % 2 ? '::ffff:198.51.100.7' : '198.51.100.7')).status, 401, `failure ${i}`);
  }
  assertError(await failFrom(srv, jar, '198.51.100.7'), 429);
  assertError(await failFrom(srv, jar, '::ffff:198.51.100.7'), 429);
  assert.equal((await failFrom(srv, jar, '198.51.100.8')).status, 401, 'IPv4 stays per address');
});

test('--throttle-ipv6-prefix 128 counts each address on its own', async () => {
  const jar = await browser(perAddress.url);
  for (let i = 1; i <= 5; i += 1) {
    assert.equal((await failFrom(perAddress, jar, '2001:db8:b:1::1')).status, 401, `failure ${i}`);
  }
  assertError(await failFrom(perAddress, jar, '2001:db8:b:1::1'), 429);
  assert.equal((await failFrom(perAddress, jar, '2001:db8:b:1::2')).status, 401);
});

test('a --throttle-ipv6-prefix out of 16-128 stops the start with exit 2 naming the flag', () => {
  for (const bad of ['8', '129', 'x']) {
    const r = runLatchkey(['serve', '--throttle-ipv6-prefix', bad, '--listen', '127.0.0.1:0']);
    assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
    assert.match(`${r.stdout}${r.stderr}`, /--throttle-ipv6-prefix/);
  }
});
