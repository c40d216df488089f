// Prometheus metrics (docs/OPERATIONS.md): GET /metrics on the metrics listener only, in the
// text format; requests counted by route pattern, method and status; logins by outcome; the
// duration histogram; gauges present. Runs on SQLite and PostgreSQL like the whole API suite.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runLatchkey } from '../support/server.mjs';
import {
  api, browser, makeWebRoot, PASSWORD, signup, startTestServer, tempDir, uniq,
} from '../support/fixtures.mjs';
import { rmSync } from 'node:fs';

/** Scrapes `url` -> { text, contentType, values: Map('name{labels}' -> number) }. */
async function scrape(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}`);
  const text = await res.text();
  const values = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    assert.ok(cut > 0, `sample line: ${line}`);
    const value = Number(line.slice(cut + 1));
    assert.ok(!Number.isNaN(value), `sample value: ${line}`);
    values.set(line.slice(0, cut), value);
  }
  return { text, contentType: res.headers.get('content-type'), values };
}

const get = (s, key) => s.values.get(key) ?? 0;
const requests = (route, method, status) =>
  `latchkey_http_requests_total{route="${route}",method="${method}",status="${status}"}`;

let srv;
before(async () => { srv = await startTestServer({ throttle: true }); });
after(async () => { await srv?.cleanup(); });

test('the metrics listener is its own port; the main listener answers /metrics with 404', async () => {
  assert.ok(srv.metricsUrl, 'a "metrics listening on" line at startup');
  const metricsPort = Number(new URL(srv.metricsUrl).port);
  assert.notEqual(metricsPort, srv.port);
  const main = await fetch(`${srv.url}/metrics`);
  assert.equal(main.status, 404);
  await main.text();
  const s = await scrape(srv.metricsUrl);
  assert.equal(s.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  const other = await fetch(srv.metricsUrl.replace('/metrics', '/other'));
  assert.equal(other.status, 404, 'the metrics listener serves /metrics only');
  await other.text();
  for (const name of ['latchkey_http_requests_total counter', 'latchkey_http_request_duration_seconds histogram',
    'latchkey_logins_total counter', 'latchkey_open_connections gauge', 'latchkey_hashing_pool_queued_jobs gauge',
    'latchkey_hashing_pool_busy_threads gauge', 'latchkey_store_pool_queued_jobs gauge',
    'latchkey_db_pool_connections gauge', 'latchkey_db_pool_connections_in_use gauge', 'latchkey_db_pool_waiting gauge',
    'latchkey_sessions_live gauge', 'latchkey_session_cache_entries gauge',
    'process_resident_memory_bytes gauge', 'process_open_fds gauge', 'process_start_time_seconds gauge']) {
    assert.ok(s.text.includes(`# TYPE ${name}\n`), `# TYPE ${name}`);
  }
  assert.ok(get(s, 'process_resident_memory_bytes') > 1e6, 'RSS in bytes');
  assert.ok(get(s, 'process_open_fds') > 3);
  assert.ok(Math.abs(get(s, 'process_start_time_seconds') - Date.now() / 1000) < 600);
});

test('logins ok/failed/throttled, session checks and a 404 move the counters exactly', async () => {
  const jar = await browser(srv.url);
  const username = uniq('m');
  await signup(srv.url, jar, { username });
  const before = await scrape(srv.metricsUrl);

  for (let i = 0; i < 3; i += 1) assert.equal((await api(srv.url, jar, 'GET', '/api/auth')).status, 200);
  const fresh = await browser(srv.url);
  assert.equal((await api(srv.url, fresh, 'POST', '/api/auth/login', { json: { username, password: PASSWORD } })).status, 200);
  // Five free failures per client IP, then 429 (--login-free-failures defaults to 5). On a
  // loaded machine a failure may take longer than the 1 s delay it earns, so fail until the
  // first 429 and count what was answered.
  let failed = 0;
  let throttled = 0;
  while (throttled === 0 && failed < 20) {
    const r = await api(srv.url, fresh, 'POST', '/api/auth/login', { json: { username, password: 'not the password' } });
    assert.ok(r.status === 401 || r.status === 429, `a failed login: ${r.status}`);
    if (r.status === 401) failed += 1;
    else throttled += 1;
  }
  assert.ok(failed >= 5 && throttled === 1, `5 or more failures, then 429: ${failed} x 401`);
  assert.equal((await api(srv.url, jar, 'GET', '/api/no-such-thing')).status, 404);
  assert.equal((await api(srv.url, jar, 'DELETE', '/api/auth/sessions/not-a-session')).status, 404);

  const afterScrape = await scrape(srv.metricsUrl);
  const delta = (key) => get(afterScrape, key) - get(before, key);
  assert.equal(delta('latchkey_logins_total{outcome="ok"}'), 1);
  assert.equal(delta('latchkey_logins_total{outcome="failed"}'), failed);
  assert.equal(delta('latchkey_logins_total{outcome="throttled"}'), 1);
  assert.equal(delta('latchkey_logins_total{outcome="refused"}'), 0);
  assert.equal(delta(requests('/api/auth', 'GET', 200)), 3);
  assert.equal(delta(requests('/api/auth/login', 'POST', 401)), failed);
  assert.equal(delta(requests('other', 'GET', 404)), 1, 'unmatched API path: route "other"');
  assert.equal(delta(requests('/api/auth/sessions/{id}', 'DELETE', 404)), 1, 'the pattern, not the raw path');
  assert.ok(!afterScrape.text.includes('not-a-session'), 'raw paths never become labels');
  assert.equal(delta('latchkey_http_request_duration_seconds_count{route="/api/auth"}'), 3);
  assert.equal(delta('latchkey_http_request_duration_seconds_bucket{route="/api/auth",le="+Inf"}'), 3);
  assert.ok(delta('latchkey_http_request_duration_seconds_sum{route="/api/auth"}') > 0);
  assert.ok(get(afterScrape, 'latchkey_open_connections') >= 0);
  assert.ok(get(afterScrape, 'latchkey_db_pool_connections') >= 1);
  // Between requests nothing but the touch batcher or the sweeper may hold a connection.
  const inUse = get(afterScrape, 'latchkey_db_pool_connections_in_use');
  assert.ok(inUse >= 0 && inUse <= 1, `leases at rest: ${inUse}`);
  assert.ok(get(afterScrape, 'latchkey_db_pool_waiting') <= get(afterScrape, 'latchkey_store_pool_busy_threads'));
});

test('live sessions: signups and logins add, logout and revocation remove', async () => {
  // A server of its own: the one above has throttled this client's logins.
  const own = await startTestServer();
  try {
    const live = async () => get(await scrape(own.metricsUrl), 'latchkey_sessions_live');
    assert.equal(await live(), 0, 'a fresh database has none');
    const a = await browser(own.url);
    const username = uniq('ml');
    await signup(own.url, a, { username });
    const b = await browser(own.url);
    assert.equal((await api(own.url, b, 'POST', '/api/auth/login', { json: { username, password: PASSWORD } })).status, 200);
    assert.equal(await live(), 2, 'two devices: two live sessions');
    assert.equal((await api(own.url, b, 'POST', '/api/auth/logout')).status, 200);
    assert.equal(await live(), 1, 'logout ends one');
    assert.equal((await api(own.url, a, 'POST', '/api/auth/remove_account', { json: { password: PASSWORD } })).status, 200);
    assert.equal(await live(), 0, 'account removal ends the rest');
  } finally {
    await own.cleanup();
  }
});

test('--metrics-listen off: no metrics listener; a bad value is refused naming the flag', async () => {
  const off = await startTestServer({ args: ['--metrics-listen', 'off'] });
  try {
    assert.equal(off.metricsUrl, null);
    assert.ok(!/metrics listening/.test(off.logs()));
    assert.equal((await fetch(`${off.url}/metrics`)).status, 404);
  } finally {
    await off.cleanup();
  }
  const dataDir = tempDir();
  const webRoot = makeWebRoot();
  try {
    for (const bad of ['nonsense', '127.0.0.1:99999', ':9464']) {
      const r = runLatchkey(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--web-root', webRoot, '--metrics-listen', bad]);
      assert.equal(r.status, 2, `${bad}: ${r.output}`);
      assert.match(r.output, /--metrics-listen/, bad);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
  }
});
