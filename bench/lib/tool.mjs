// Small helpers of the benchmark suite (bench/run.sh), Node 20, no npm packages:
//
//   port                                  a free TCP port on 127.0.0.1
//   wait URL SECONDS PID                  until URL answers (any status); fails early if PID dies
//   csrf BASE                             GET BASE/: prints {"token","cookie"} as JSON, cookie
//                                         being every Set-Cookie as one Cookie header
//   expect STATUS URL [COOKIE]            GET URL (with Cookie) must answer STATUS
//   login-check BASE JSONFILE USER PASS   one POST /api/auth/login with the CSRF of JSONFILE
//                                         (from `csrf`) must answer 200
//   ceiling-sessions BASE N OUT           N signups on the ceiling peer: OUT gets one Cookie
//                                         header per line
//   express-users BASE N PREFIX PASS OUT  N signups on the Express peer (PREFIX0 ..): OUT gets
//                                         the session cookies of each as one Cookie header
//   record RECORDS RAW key=value...       parses the BENCH_RESULT line of the wrk output RAW,
//                                         appends it (with the keys) as one JSON line to
//                                         RECORDS, prints a summary; exit 1 when the run had
//                                         errors or non-2xx responses (the record says so)
//   rss RECORDS PID key=value...          appends the peak RSS (VmHWM) of PID
//   note RECORDS key=value...             appends any other fact (JSON values allowed)
//   get RECORDS FIELD key=value...        prints FIELD of the last record matching the keys
//   mixed-plan LOGIN_RPS                  prints "CONNS RATE" for session checks paced at
//                                         19x LOGIN_RPS
//   coverage RECORDS key=value...         distinct requests of the pool (cookies) that the
//                                         matching wrk records sent, together
//   next-offsets RECORDS key=value...     "o0,o1": where each thread of the last matching
//                                         record stopped, for the next pass to go on from
//   cpu NAME=PID...                       {"NAME": ticks}: user + system CPU ticks of each
//                                         process with its threads and child processes (an
//                                         nginx master and its workers), for `record`'s
//                                         cpu_before= / cpu_after= (CPU microseconds a request)
//   nginx-app DIR PORT                    DIR/nginx.conf: the trivial upstream of scenario 10
//   nginx-front DIR DOC LATCHKEY APP B C D
//                                         DIR/nginx.conf: the nginx block of DOC
//                                         (docs/INTEGRATION.md) on port B in front of Latchkey
//                                         and the upstream, plus a plain proxy on C and
//                                         `return 200` on D (scenario 10; see nginxFront)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

const [cmd, ...args] = process.argv.slice(2);

function fail(msg) {
  process.stderr.write(`bench/lib/tool.mjs ${cmd}: ${msg}\n`);
  process.exit(1);
}

function parseKv(list) {
  const out = {};
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i < 0) fail(`not key=value: ${kv}`);
    const key = kv.slice(0, i);
    const raw = kv.slice(i + 1);
    let value = raw;
    if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
    else if (/^[[{]/.test(raw) || raw === 'true' || raw === 'false' || raw === 'null') {
      try {
        value = JSON.parse(raw);
      } catch {
        value = raw;
      }
    }
    out[key] = value;
  }
  return out;
}

function append(file, obj) {
  fs.appendFileSync(file, JSON.stringify(obj) + '\n');
}

function readRecords(file) {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

// Cookie header from the Set-Cookie headers of a response: name=value of each.
function cookiesOf(res) {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0].trim())
    .filter((c) => !/=$/.test(c));
}

// A thread that began at s and got c responses sent pool entries s, s+1, ... (mod pool size).
function arcsOf(r) {
  return r.thread_starts.map((s, i) => [s, r.thread_responses[i]]);
}

function matching(records, want) {
  return readRecords(records).filter((r) =>
    Object.entries(want).every(([k, v]) => r[k] === v),
  );
}

function cover(n, arcs) {
  const seen = new Uint8Array(n);
  let covered = 0;
  for (const [start, count] of arcs) {
    for (let j = 0; j < Math.min(count, n); j++) {
      const k = (start + j) % n;
      if (!seen[k]) {
        seen[k] = 1;
        covered++;
      }
    }
  }
  return covered;
}

async function csrf(base) {
  const res = await fetch(`${base}/`);
  const html = await res.text();
  if (res.status !== 200) fail(`GET ${base}/ answered ${res.status}`);
  const m = html.match(/<meta name="csrf-token" content="([^"]+)"/);
  if (!m) fail(`no <meta name="csrf-token"> in GET ${base}/`);
  const cookies = cookiesOf(res);
  if (!cookies.length) fail(`GET ${base}/ set no cookie`);
  return { token: m[1], cookie: cookies.join('; ') };
}

async function expectStatus(status, url, cookie) {
  const res = await fetch(url, { headers: cookie ? { Cookie: cookie } : {} });
  const body = await res.text();
  if (res.status !== Number(status)) {
    fail(`GET ${url} answered ${res.status}, expected ${status}: ${body.slice(0, 200)}`);
  }
}

async function login(base, c, username, password) {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c.token, Cookie: c.cookie },
    body: JSON.stringify({ username, password, remember: true }),
  });
  const body = await res.text();
  if (res.status !== 200) fail(`login of ${username} answered ${res.status}: ${body.slice(0, 200)}`);
}

// Runs fn(i) for i in [0, n) with `width` in flight.
async function pool(n, width, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await fn(next++);
  });
  await Promise.all(workers);
}

// CPU ticks (utime + stime, /proc/PID/stat) of PID and of every live process below it.
function cpuTicks(pid) {
  const stats = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // The command name (field 2) may hold spaces: fields are counted after its ')'.
      const text = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* gone meanwhile */
    }
  }
  let total = 0;
  const todo = [Number(pid)];
  while (todo.length) {
    const p = todo.pop();
    total += stats.get(p)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === p) todo.push(child);
  }
  return total;
}

// Every path of an nginx run under DIR (nginx runs as one foreground process tree, started by
// the suite, loopback only). Debian's defaults otherwise (/etc/nginx/nginx.conf): a worker per
// core, 768 connections each, the access log on in the combined format, errors at `error`.
function nginxMain(dir, http) {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((n) => `${n}_temp_path ${path.join(dir, n)};`)
    .join('\n  ');
  return `daemon off;
worker_processes auto;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')};
events { worker_connections 768; }
http {
  ${temp}
  access_log ${path.join(dir, 'access.log')};
${http}
}
`;
}

// The upstream application of scenario 10: a fixed JSON body for any path.
const APP_BODY = '{"id":1,"text":"a note","done":false}';
function nginxApp(dir, port) {
  return nginxMain(dir, `  server {
    listen 127.0.0.1:${port};
    location / {
      default_type application/json;
      return 200 '${APP_BODY}';
    }
  }`);
}

// The nginx block of docs/INTEGRATION.md (between its nginx-begin/-end markers, as
// tests/api/nginx_forward_auth.test.mjs reads it) on port B, with what a deployment adds for
// keep-alive connections to Latchkey and to the application: an `upstream` block with
// `keepalive 64`, and after every proxy_pass `proxy_http_version 1.1` and an empty
// Connection header (without them nginx opens a connection per request and per auth
// subrequest), as the document's "Keep-alive" paragraph says. The block's `proxy_method HEAD`
// for the auth subrequest matters as much: nginx reads no body of an auth_request answer, so
// it closes a connection whose answer has one (GET /api/auth/verify answers {"user"}) and
// keeps it after a HEAD (by hand: ~3,600 new connections a second with GET, none with
// HEAD). On port C the
// same application location without auth_request (the same headers set, the same keep-alive
// pool); on port D `return 200`, nginx's own ceiling.
function nginxFront(dir, doc, latchkeyPort, appPort, portB, portC, portD) {
  const text = fs.readFileSync(doc, 'utf8');
  const m = text.match(/<!-- nginx-begin -->\s*```nginx\n([\s\S]*?)```\s*<!-- nginx-end -->/);
  if (!m) fail(`no nginx block between <!-- nginx-begin --> and <!-- nginx-end --> in ${doc}`);
  const count = (s) => m[1].split(s).length - 1;
  const verify = 'proxy_pass http://127.0.0.1:8080/api/auth/verify;';
  for (const [s, n] of [['listen 127.0.0.1:80;', 1], ['http://127.0.0.1:8080', 2], ['http://127.0.0.1:3000;', 1], [verify, 1], ['proxy_method HEAD;', 1]]) {
    if (count(s) !== n) fail(`${doc}'s nginx block has ${count(s)} of "${s}", expected ${n}: update nginxFront`);
  }
  const block = m[1]
    .replaceAll('listen 127.0.0.1:80;', `listen 127.0.0.1:${portB};`)
    .replaceAll('http://127.0.0.1:8080', 'http://latchkey')
    .replaceAll('http://127.0.0.1:3000;', 'http://app;')
    .replace(/^(\s*)(proxy_pass [^;]*;)$/gm, '$1$2\n$1proxy_http_version 1.1;\n$1proxy_set_header Connection "";');
  return nginxMain(dir, `  upstream latchkey {
    server 127.0.0.1:${latchkeyPort};
    keepalive 64;
  }
  upstream app {
    server 127.0.0.1:${appPort};
    keepalive 64;
  }

${block}
  server {
    listen 127.0.0.1:${portC};
    location /app/ {
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }

  server {
    listen 127.0.0.1:${portD};
    location / {
      default_type application/json;
      return 200 '{"status":"ok"}';
    }
  }`);
}

switch (cmd) {
  case 'port': {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => console.log(port));
    });
    break;
  }
  case 'wait': {
    const [url, seconds, pid] = args;
    const deadline = Date.now() + Number(seconds) * 1000;
    for (;;) {
      try {
        await fetch(url, { signal: AbortSignal.timeout(1000) });
        break;
      } catch {
        /* not up yet */
      }
      if (pid) {
        try {
          process.kill(Number(pid), 0);
        } catch {
          fail(`process ${pid} exited before ${url} answered`);
        }
      }
      if (Date.now() > deadline) fail(`${url} did not answer within ${seconds} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    break;
  }
  case 'csrf':
    console.log(JSON.stringify(await csrf(args[0])));
    break;
  case 'expect':
    await expectStatus(args[0], args[1], args[2]);
    break;
  case 'login-check': {
    const [base, file, user, pass] = args;
    await login(base, JSON.parse(fs.readFileSync(file, 'utf8')), user, pass);
    break;
  }
  case 'ceiling-sessions': {
    // node:http with keep-alive: fetch costs about 0.7 ms of CPU a request here.
    const [base, n, out] = args;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const signup = () =>
      new Promise((resolve, reject) => {
        const req = http.request(`${base}/api/auth/signup`, { method: 'POST', agent }, (res) => {
          res.resume();
          res.on('end', () => {
            const c = (res.headers['set-cookie'] || [])
              .map((x) => x.split(';')[0].trim())
              .filter((x) => x.startsWith('auth_token='));
            if (res.statusCode !== 200 || c.length !== 1) reject(new Error(`signup: ${res.statusCode}`));
            else resolve(c[0]);
          });
        });
        req.on('error', reject);
        req.end();
      });
    const lines = [];
    await pool(Number(n), 8, async () => lines.push(await signup()));
    agent.destroy();
    fs.writeFileSync(out, lines.join('\n') + '\n');
    await expectStatus(200, `${base}/api/auth`, lines[0]);
    break;
  }
  case 'express-users': {
    const [base, n, prefix, pass, out] = args;
    const c = await csrf(base);
    const lines = [];
    await pool(Number(n), 4, async (i) => {
      const res = await fetch(`${base}/api/auth/signup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c.token, Cookie: c.cookie },
        body: JSON.stringify({ username: `${prefix}${i}`, password: pass, name: `Bench ${i}` }),
      });
      const body = await res.text();
      if (res.status !== 200) fail(`signup of ${prefix}${i} answered ${res.status}: ${body}`);
      lines.push(cookiesOf(res).join('; '));
    });
    fs.writeFileSync(out, lines.join('\n') + '\n');
    await expectStatus(200, `${base}/api/auth`, lines[0]);
    break;
  }
  case 'record': {
    const [records, raw, ...kv] = args;
    const meta = parseKv(kv);
    const text = fs.existsSync(raw) ? fs.readFileSync(raw, 'utf8') : '';
    const line = text.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    let rec;
    if (!line) {
      rec = { ...meta, raw, ok: false, problem: 'wrk printed no BENCH_RESULT line (see raw output)' };
    } else {
      const r = JSON.parse(line.slice('BENCH_RESULT '.length));
      const socket = r.errors_connect + r.errors_read + r.errors_write + r.errors_timeout;
      const problems = [];
      if (r.requests === 0) problems.push('no request completed');
      if (r.non2xx > 0) problems.push(`${r.non2xx} non-2xx responses (first: ${r.first_bad})`);
      if (socket > 0) {
        problems.push(
          `socket errors: connect ${r.errors_connect}, read ${r.errors_read}, ` +
            `write ${r.errors_write}, timeout ${r.errors_timeout}`,
        );
      }
      rec = { ...meta, raw, ...r, socket_errors: socket, ok: problems.length === 0 };
      if (problems.length) rec.problem = problems.join('; ');
      if (r.pool_size > 1) rec.distinct = cover(r.pool_size, arcsOf(r));
      // CPU microseconds a request of each watched process (`cpu` before and after the run).
      const { cpu_before: before, cpu_after: after } = meta;
      if (before && after && r.requests > 0) {
        delete rec.cpu_before;
        delete rec.cpu_after;
        const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
        rec.cpu_us = {};
        for (const name of Object.keys(after)) {
          rec.cpu_us[name] = Math.round((((after[name] - (before[name] ?? 0)) * 1e6) / hz / r.requests) * 10) / 10;
        }
      }
    }
    // The load average when the run ended: other processes sharing the cores.
    rec.loadavg = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    append(records, rec);
    const tag = `${rec.server}/${rec.case}`;
    if (rec.requests !== undefined) {
      console.log(
        `  ${tag}: ${rec.rps.toFixed(1)} req/s, p50 ${(rec.p50_us / 1000).toFixed(2)} ms, ` +
          `p99 ${(rec.p99_us / 1000).toFixed(2)} ms, non-2xx ${rec.non2xx}, ` +
          `socket errors ${rec.socket_errors}` +
          (rec.distinct !== undefined ? `, distinct sessions ${rec.distinct}` : '') +
          (rec.cpu_us
            ? `, CPU us/request ${Object.entries(rec.cpu_us).map(([k, v]) => `${k} ${v}`).join(', ')}`
            : '') +
          `, load ${rec.loadavg}`,
      );
    }
    if (!rec.ok) {
      process.stderr.write(`  ${tag}: FAILED: ${rec.problem}\n`);
      process.exit(1);
    }
    break;
  }
  case 'cpu': {
    const out = {};
    for (const [name, pid] of Object.entries(parseKv(args))) out[name] = cpuTicks(pid);
    console.log(JSON.stringify(out));
    break;
  }
  case 'nginx-app': {
    const [dir, port] = args;
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxApp(dir, port));
    break;
  }
  case 'nginx-front': {
    const [dir, doc, latchkey, app, b, c, d] = args;
    fs.writeFileSync(path.join(dir, 'nginx.conf'), nginxFront(dir, doc, latchkey, app, b, c, d));
    break;
  }
  case 'rss': {
    const [records, pid, ...kv] = args;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm')) || [])[1]);
    const rec = { kind: 'rss', ...parseKv(kv), vmhwm_kb: kb('VmHWM'), vmrss_kb: kb('VmRSS') };
    append(records, rec);
    console.log(`  peak RSS (VmHWM) ${(rec.vmhwm_kb / 1024).toFixed(1)} MiB`);
    break;
  }
  case 'note':
    append(args[0], { kind: 'note', ...parseKv(args.slice(1)) });
    break;
  case 'get': {
    const [records, field, ...kv] = args;
    const want = parseKv(kv);
    const hit = matching(records, want).pop();
    if (!hit || hit[field] === undefined) process.exit(1);
    console.log(typeof hit[field] === 'object' ? JSON.stringify(hit[field]) : hit[field]);
    break;
  }
  case 'mixed-plan': {
    // Session checks paced (common.lua, BENCH_RATE) at 19x the login rate, with enough
    // connections that one is free at each send time even at 20 ms latency (at least 8).
    const login = Number(args[0]);
    if (!(login > 0)) fail(`bad login rate ${args[0]}`);
    const target = 19 * login;
    let conns = Math.max(8, Math.ceil(target * 0.02));
    conns = Math.min(64, conns + (conns % 2));
    console.log(`${conns} ${target.toFixed(1)}`);
    break;
  }
  case 'coverage': {
    const hits = matching(args[0], parseKv(args.slice(1))).filter((r) => r.thread_starts);
    if (!hits.length) fail('no matching record');
    console.log(cover(hits[0].pool_size, hits.flatMap(arcsOf)));
    break;
  }
  case 'next-offsets': {
    const hit = matching(args[0], parseKv(args.slice(1)))
      .filter((r) => r.thread_starts)
      .pop();
    if (!hit) fail('no matching record');
    console.log(arcsOf(hit).map(([s, c]) => (s + c) % hit.pool_size).join(','));
    break;
  }
  default:
    fail('unknown command');
}
