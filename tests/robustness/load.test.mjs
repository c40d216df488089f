// Load and abuse, bounded in time, on loopback (issue 7): while 1,000 keep-alive connections,
// slowloris clients, oversized headers and bodies and a flood of invalid session cookies hit
// the server at once, a client with a valid session keeps checking it. The server must answer
// every one of those checks (their p99 is printed), hold no more connections than
// --max-connections (plus the few being shed), answer the abuse with 4xx, never 5xx, and keep
// its memory bounded.
//
// The abusers run in a worker thread (crowd.mjs); the valid client in the test's own thread.
// Figures go to stdout as one "ROBUSTNESS {json}" line per test (scripts/test.sh prints them).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { Worker } from 'node:worker_threads';
import { test } from 'node:test';
import { api, CookieJar } from '../support/http.mjs';
import { browser, sessionCookieOf, signup, sleep, startTestServer } from '../support/fixtures.mjs';
import { keepAliveCrowd } from './crowd.mjs';

const SECONDS = Number(process.env.LATCHKEY_LOAD_SECONDS || 8);

/** VmRSS and VmHWM of a process, in MiB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number((status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

/** Open sockets of a process (its file descriptors that are sockets). */
function socketsOf(pid) {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n += 1;
    } catch { /* closed meanwhile */ }
  }
  return n;
}

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

test('1,000 keep-alive connections, slowloris, oversized requests and forged cookies: valid checks keep answering', async () => {
  const maxConnections = 400;
  const srv = await startTestServer({ args: ['--max-connections', String(maxConnections)] });
  try {
    const port = Number(new URL(srv.url).port);
    const jar = await browser(srv.url);
    const cookie = `latchkey_session=${sessionCookieOf(await signup(srv.url, jar))}`;
    const pid = srv.proc.pid;
    const before = memoryOf(pid);
    const until = Date.now() + SECONDS * 1000;

    // Watch the server: sockets held and memory, every 200 ms.
    let maxSockets = 0;
    let maxRss = 0;
    const watch = setInterval(() => {
      try {
        maxSockets = Math.max(maxSockets, socketsOf(pid));
        maxRss = Math.max(maxRss, memoryOf(pid).rss);
      } catch { /* exited: the asserts below catch it */ }
    }, 200);

    const crowds = new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./crowd.mjs', import.meta.url), { workerData: { port, until } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });

    // The valid client: one request at a time, as a page would, on its own connections.
    const latencies = [];
    const failures = [];
    const checker = new CookieJar();
    while (Date.now() < until) {
      const t0 = process.hrtime.bigint();
      const res = await api(srv.url, checker, 'GET', '/api/auth', { headers: { Cookie: cookie }, timeoutMs: 10000 })
        .catch((e) => ({ status: 0, text: String(e) }));
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (res.status !== 200) failures.push(`${res.status} ${String(res.text).slice(0, 80)}`);
      await sleep(20);
    }
    const { keepalive: crowd, forged: forgedCrowd, slowloris: loris, oversized: big } = await crowds;
    clearInterval(watch);
    const after = memoryOf(pid);

    latencies.sort((a, b) => a - b);
    const figures = {
      test: 'load',
      seconds: SECONDS,
      max_connections: maxConnections,
      valid_checks: latencies.length,
      valid_failures: failures.length,
      valid_p50_ms: Number(percentile(latencies, 50).toFixed(2)),
      valid_p99_ms: Number(percentile(latencies, 99).toFixed(2)),
      keepalive: { connects: crowd.connects, by_status: crowd.byStatus },
      forged_cookies: { connects: forgedCrowd.connects, by_status: forgedCrowd.byStatus },
      slowloris_cut_early: loris.cut,
      oversized: { sent: big.sent, by_status: big.byStatus },
      max_server_sockets: maxSockets,
      rss_mib: { before: Number(before.rss.toFixed(1)), max: Number(maxRss.toFixed(1)), after: Number(after.rss.toFixed(1)), hwm: Number(after.hwm.toFixed(1)) },
    };
    console.log(`ROBUSTNESS ${JSON.stringify(figures)}`);

    assert.deepEqual(failures, [], 'every valid session check answered 200');
    // Not a speed target (those live in bench/): only that the client was not starved.
    assert.ok(latencies.length >= SECONDS * 2, `valid checks made: ${latencies.length}`);
    assert.ok(crowd.counts['2xx'] > 1000, `keep-alive crowd served: ${JSON.stringify(crowd.byStatus)}`);
    for (const [name, c] of [['keep-alive', crowd], ['forged', forgedCrowd], ['oversized', big]]) {
      const fives = Object.entries(c.byStatus).filter(([s]) => s !== '503' && s[0] === '5');
      assert.deepEqual(fives, [], `${name}: no 5xx but 503 (busy)`);
    }
    assert.ok(forgedCrowd.counts['4xx'] > 100 && forgedCrowd.counts['2xx'] === 0,
      `forged cookies all refused: ${JSON.stringify(forgedCrowd.byStatus)}`);
    assert.ok((big.byStatus['431'] || 0) > 0 && (big.byStatus['413'] || 0) > 0,
      `oversized header 431 and body 413: ${JSON.stringify(big.byStatus)}`);
    // The cap holds: the listener, database and log files aside, sockets stay near the cap
    // (shed connections are closed within a few milliseconds; under 1,000 reconnecting
    // clients on two cores a sample has caught up to 65 of them at once: 465 at a cap of 400,
    // and 504 with a sanitizer build beside it). Without the cap they would reach the crowd's
    // 1,000.
    assert.ok(maxSockets <= maxConnections + 200, `server sockets peaked at ${maxSockets}`);
    assert.ok(crowd.connects > 900, 'connections past the cap were shed and reconnected');
    assert.ok(maxRss < 256, `server RSS peaked at ${maxRss.toFixed(1)} MiB`);
    // Still healthy afterwards.
    assert.equal((await api(srv.url, new CookieJar(), 'GET', '/api/auth', { headers: { Cookie: cookie } })).status, 200);
  } finally {
    await srv.cleanup();
  }
});

test('1,000 concurrent keep-alive connections under the default cap are all held and served', async () => {
  const srv = await startTestServer();
  try {
    const port = Number(new URL(srv.url).port);
    const pid = srv.proc.pid;
    const until = Date.now() + 4000;
    let maxSockets = 0;
    const watch = setInterval(() => {
      try { maxSockets = Math.max(maxSockets, socketsOf(pid)); } catch { /* asserted below */ }
    }, 200);
    const crowd = await keepAliveCrowd(port, 1000, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 300, until);
    clearInterval(watch);
    const figures = { test: 'keepalive-1000', connects: crowd.connects, resets: crowd.resets, by_status: crowd.byStatus, max_server_sockets: maxSockets };
    console.log(`ROBUSTNESS ${JSON.stringify(figures)}`);
    assert.equal(crowd.connects, 1000, 'no connection was closed by the server and reopened');
    assert.equal(crowd.resets, 0);
    assert.deepEqual(Object.keys(crowd.byStatus), ['200']);
    assert.ok(crowd.counts['2xx'] >= 5000, `each connection answered several times: ${crowd.counts['2xx']}`);
    assert.ok(maxSockets >= 1000, `server held ${maxSockets} sockets at once`);
  } finally {
    await srv.cleanup();
  }
});

/** Connects, reads whatever the server sends until it closes (at most limitMs). */
function firstWords(port, limitMs = 5000) {
  return new Promise((resolve) => {
    let text = '';
    const sock = connect(port, '127.0.0.1');
    sock.on('data', (chunk) => { text += chunk.toString('latin1'); });
    sock.on('error', () => {});
    sock.on('close', () => resolve(text));
    setTimeout(() => sock.destroy(), limitMs);
  });
}

test('at the cap with every connection busy, a new connection gets 503 with Retry-After', async () => {
  // bcrypt cost 12 (~200 ms a hash) on two hashing threads: three signups keep all three
  // connections busy for two hashes' time; probes retry until one finds them all busy.
  const srv = await startTestServer({ args: ['--max-connections', '3', '--password-hash', 'bcrypt'] });
  try {
    const port = Number(new URL(srv.url).port);
    const jars = [await browser(srv.url), await browser(srv.url), await browser(srv.url)];
    // The page loads' connections must be gone first: one still finishing its write counts as
    // busy, and with it and two signups busy the third signup would itself be refused.
    await sleep(300);
    let pending = jars.length;
    const busy = jars.map((jar) => signup(srv.url, jar).finally(() => { pending -= 1; }));
    // Probing at once could take a place before a signup's request is read (a connection
    // that has not sent its request yet counts as idle and can be shed): let them be read.
    await sleep(150);
    let refused = '';
    let probes = 0;
    while (pending === jars.length && !refused.startsWith('HTTP/1.1 503')) {
      probes += 1;
      refused = await firstWords(port, 100);  // admitted (not all busy yet): given up at once
    }
    await Promise.all(busy);
    console.log(`ROBUSTNESS ${JSON.stringify({ test: 'busy-cap', probes, refused: refused.split('\r\n')[0] })}`);
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /\r\nRetry-After: 1\r\n/i);
    assert.match(refused, /\{"error":"Server busy: too many connections"/);
    // Once they have answered, connections are served again.
    assert.equal((await api(srv.url, new CookieJar(), 'GET', '/api/auth')).status, 401);
  } finally {
    await srv.cleanup();
  }
});
