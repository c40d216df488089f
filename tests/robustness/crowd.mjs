// Abusive crowds for tests/robustness/load.test.mjs, run in a worker thread so that their
// event loop does not delay the valid client that the test times (node runs one loop per
// thread). workerData: { port, until (epoch ms) }; posts { keepalive, forged, slowloris,
// oversized } with counts by HTTP status.
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

/** Counts HTTP status lines in a raw response stream, by status class. */
export function statusCounter() {
  const counts = { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 };
  const byStatus = {};
  let carry = '';
  return {
    counts,
    byStatus,
    feed(chunk) {
      const text = carry + chunk.toString('latin1');
      const re = /HTTP\/1\.1 (\d{3}) /g;
      let m;
      let last = 0;
      while ((m = re.exec(text))) {
        counts[`${m[1][0]}xx`] += 1;
        byStatus[m[1]] = (byStatus[m[1]] || 0) + 1;
        last = re.lastIndex;
      }
      carry = text.slice(Math.max(last, text.length - 16));
    },
  };
}

/**
 * `n` keep-alive connections, each sending `request` every `everyMs` on the same socket until
 * `until`; reconnects when the server closes one (shed at the cap). Resolves with counts.
 */
export function keepAliveCrowd(port, n, request, everyMs, until) {
  const counter = statusCounter();
  let connects = 0;
  let resets = 0;
  const one = () => new Promise((resolve) => {
    if (Date.now() >= until) return resolve();
    connects += 1;
    const sock = connect(port, '127.0.0.1');
    let timer = null;
    const send = () => { if (!sock.destroyed && Date.now() < until) sock.write(request); };
    sock.on('connect', send);
    sock.on('data', (chunk) => {
      counter.feed(chunk);
      timer = setTimeout(send, everyMs);
    });
    sock.on('error', () => { resets += 1; });
    sock.on('close', () => {
      clearTimeout(timer);
      if (Date.now() < until) setTimeout(() => one().then(resolve), 50); else resolve();
    });
    setTimeout(() => sock.destroy(), Math.max(0, until - Date.now()) + 100);
  });
  return Promise.all(Array.from({ length: n }, one)).then(() => ({ connects, resets, ...counter }));
}

/** Slowloris: `n` connections that send a header line every second and never finish. */
export function slowloris(port, n, until) {
  let cut = 0;
  const one = () => new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write('GET /api/auth HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
    const drip = setInterval(() => { if (!sock.destroyed) sock.write(`X-Slow-${Date.now()}: 1\r\n`); }, 1000);
    const stop = setTimeout(() => sock.destroy(), Math.max(0, until - Date.now()));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(drip);
      clearTimeout(stop);
      if (Date.now() < until - 50) cut += 1;
      resolve();
    });
    sock.on('data', () => {});
  });
  return Promise.all(Array.from({ length: n }, one)).then(() => ({ cut }));
}

/** Oversized header blocks and bodies, one after another on fresh connections. */
export async function oversized(port, until) {
  const counter = statusCounter();
  const bigHeader = `GET /api/auth HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(16 * 1024)}\r\n\r\n`;
  const bigBody = 'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${1024 * 1024}\r\n\r\n${'{'.repeat(64 * 1024)}`;
  let sent = 0;
  while (Date.now() < until) {
    const payload = sent % 2 ? bigBody : bigHeader;
    sent += 1;
    await new Promise((resolve) => {
      const sock = connect(port, '127.0.0.1', () => sock.write(payload));
      sock.on('data', (chunk) => counter.feed(chunk));
      sock.on('error', () => {});
      sock.on('close', resolve);
      setTimeout(() => sock.destroy(), 3000);
    });
  }
  return { sent, ...counter };
}


if (parentPort && workerData) {
  const { port, until } = workerData;
  const forged = 'GET /api/auth HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: latchkey_session=' +
    `${'A'.repeat(43)}.${'B'.repeat(43)}\r\n\r\n`;
  const healthz = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
  const [keepalive, forgedCrowd, loris, big] = await Promise.all([
    keepAliveCrowd(port, 900, healthz, 250, until),
    keepAliveCrowd(port, 50, forged, 50, until),
    slowloris(port, 200, until),
    oversized(port, until),
  ]);
  const plain = (c) => ({ connects: c.connects, counts: c.counts, byStatus: c.byStatus });
  parentPort.postMessage({
    keepalive: plain(keepalive),
    forged: plain(forgedCrowd),
    slowloris: loris,
    oversized: { sent: big.sent, counts: big.counts, byStatus: big.byStatus },
  });
}
