// A tiny HTTP upstream for the reverse-proxy tests (issue 17): it records every request it
// receives (method, url, headers as raw pairs, body bytes) and answers by path:
//   /.../status/<n>        status n with a JSON body
//   /.../slow/<ms>         answers after ms milliseconds
//   /.../big/<bytes>       a body of that many bytes (chunked, in 64 KiB writes)
//   /.../headers           sets hop-by-hop and security headers of its own
//   /.../plant             sets Latchkey's own cookies (which must never reach the browser)
//   /.../drip/<ms>         sends "first", then "last" ms milliseconds later (chunked)
//   anything else          200 {"echo": {method, url, bodyBytes}} with Set-Cookie: app=1
// -> { url, port, requests, last(), close() }
import http from 'node:http';
import net from 'node:net';

// closeIdleAfterMs: each connection is closed by the upstream that long after a response,
// while it still says keep-alive (as a server whose keep-alive timeout ran out).
export async function startUpstream({ closeIdleAfterMs } = {}) {
  const requests = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    let firstDataAt;
    req.on('data', (d) => { firstDataAt ??= Date.now(); chunks.push(d); });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const rec = {
        method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, bodyBytes: body.length, body,
        firstDataAt, endAt: Date.now(),
      };
      requests.push(rec);
      const parts = req.url.split('?')[0].split('/');
      const kind = parts.at(-2);
      const arg = parts.at(-1);
      if (kind === 'status') {
        res.writeHead(Number(arg), { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ from: 'upstream', status: Number(arg) }));
      } else if (kind === 'slow') {
        setTimeout(() => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('slow'); }, Number(arg));
      } else if (kind === 'big') {
        let left = Number(arg);
        res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
        const block = Buffer.alloc(65536, 0x61);
        const write = () => {
          while (left > 0) {
            const n = Math.min(left, block.length);
            left -= n;
            if (!res.write(block.subarray(0, n))) { res.once('drain', write); return; }
          }
          res.end();
        };
        write();
      } else if (arg === 'plant') {
        res.writeHead(200, { 'Set-Cookie': ['latchkey_session=planted; Path=/', 'latchkey_csrf=planted; Path=/', 'app=2; Path=/'] });
        res.end('planted');
      } else if (kind === 'drip') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('first');
        setTimeout(() => res.end('last'), Number(arg));
      } else if (arg === 'headers') {
        res.writeHead(200, {
          'Content-Type': 'text/html',
          'Content-Security-Policy': "default-src 'none'",
          'Keep-Alive': 'timeout=5',
          'X-App': 'kept',
          Connection: 'X-Internal',
          'X-Internal': 'dropped',
        });
        res.end('<p>app</p>');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Set-Cookie': 'app=1; Path=/' });
        res.end(JSON.stringify({ echo: { method: req.method, url: req.url, bodyBytes: body.length } }));
      }
    });
  });
  if (closeIdleAfterMs) {
    server.on('request', (req, res) => res.on('finish', () => setTimeout(() => req.socket.end(), closeIdleAfterMs)));
  }
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    requests,
    last: () => requests.at(-1),
    connections: () => sockets.size,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}

/**
 * Sends `raw` bytes on a new TCP connection to host:port and resolves with everything the
 * server sent back until it closed the connection or `ms` passed.
 */
export function rawExchange(port, raw, ms = 3000) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    const done = () => { sock.destroy(); resolve(Buffer.concat(chunks).toString('latin1')); };
    const timer = setTimeout(done, ms);
    sock.on('data', (d) => chunks.push(d));
    sock.on('close', () => { clearTimeout(timer); done(); });
    sock.on('error', () => {});
    sock.write(raw);
  });
}
