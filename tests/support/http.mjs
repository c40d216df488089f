// A small HTTP client for black-box API tests: one CookieJar per "browser",
// raw request paths (no URL normalisation, so traversal probes reach the server
// verbatim), and a record of every response for whole-file assertions.
import http from 'node:http';
import https from 'node:https';

/** Parse one Set-Cookie header: { name, value, attrs: {lowercased name: value|true}, raw } */
export function parseSetCookie(raw) {
  const parts = raw.split(';');
  const first = parts.shift();
  const eq = first.indexOf('=');
  const name = (eq < 0 ? first : first.slice(0, eq)).trim();
  const value = eq < 0 ? '' : first.slice(eq + 1).trim();
  const attrs = {};
  for (const p of parts) {
    const i = p.indexOf('=');
    const k = (i < 0 ? p : p.slice(0, i)).trim().toLowerCase();
    if (!k) continue;
    attrs[k] = i < 0 ? true : p.slice(i + 1).trim();
  }
  return { name, value, attrs, raw };
}

/** True when a parsed Set-Cookie deletes the cookie (Max-Age <= 0 or Expires in the past). */
export function isDeletion(c) {
  if (c.attrs['max-age'] !== undefined && c.attrs['max-age'] !== true) {
    const n = Number(c.attrs['max-age']);
    if (Number.isFinite(n) && n <= 0) return true;
    if (Number.isFinite(n)) return false; // Max-Age wins over Expires (RFC 6265 5.3)
  }
  if (typeof c.attrs.expires === 'string') {
    const t = Date.parse(c.attrs.expires);
    if (Number.isFinite(t) && t <= Date.now()) return true;
  }
  return false;
}

/** Find the Set-Cookie for `name` in a response (last one wins), parsed; or undefined. */
export function findSetCookie(res, name) {
  const all = res.setCookies.map(parseSetCookie).filter((c) => c.name === name);
  return all[all.length - 1];
}

export class CookieJar {
  constructor(entries) {
    this.cookies = new Map(entries || []);
    this.csrfToken = undefined; // last token from getCsrf()
  }
  get(name) { return this.cookies.get(name); }
  set(name, value) { this.cookies.set(name, value); }
  delete(name) { this.cookies.delete(name); }
  has(name) { return this.cookies.has(name); }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  /** Apply Set-Cookie header values (array of strings). */
  update(setCookies) {
    for (const raw of setCookies || []) {
      const c = parseSetCookie(raw);
      if (!c.name) continue;
      if (isDeletion(c)) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }
  clone() {
    const j = new CookieJar(this.cookies);
    j.csrfToken = this.csrfToken;
    return j;
  }
}

/** Every response seen by this process (one test file = one process under node --test). */
export const responseLog = [];

/**
 * Low-level request. path is sent verbatim. Returns {status, headers, body, text, raw, setCookies, reusedSocket}.
 * An https: base uses node:https; the test servers' certificates are self-signed, so the
 * certificate is verified only when `ca` (PEM) is given.
 */
export function request(base, method, path, { headers = {}, body, agent = false, timeoutMs = 15000, ca } = {}) {
  const u = new URL(base);
  const secure = u.protocol === 'https:';
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = (secure ? https : http).request({
      host: u.hostname,
      port: u.port,
      method,
      path,
      headers,
      agent,
      ...(secure ? { ca, rejectUnauthorized: Boolean(ca) } : {}),
    }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        let parsed = null;
        try { parsed = text.length ? JSON.parse(text) : null; } catch { parsed = null; }
        const out = {
          method,
          path,
          status: res.statusCode,
          headers: res.headers,
          body: parsed,
          text,
          raw,
          setCookies: res.headers['set-cookie'] || [],
          reusedSocket: req.reusedSocket,
        };
        responseLog.push(out);
        resolve(out);
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${path}`)));
    req.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    if (body !== undefined && body !== null) req.end(body);
    else req.end();
  });
}

/**
 * api(base, jar, method, path, { json, csrf, headers, rawBody, agent, timeoutMs })
 *  - json: serialised with Content-Type: application/json
 *  - rawBody: string/Buffer sent as is (no Content-Type unless given in headers)
 *  - csrf: undefined -> jar.csrfToken if any; null/false -> no header; string -> that header value
 *  - headers: extra headers (override the above)
 *  - timeoutMs: the request fails after this long (default 15 s)
 * Cookies of `jar` are sent and Set-Cookie responses applied to it (jar may be null).
 */
export async function api(base, jar, method, path, { json, csrf, headers = {}, rawBody, agent, timeoutMs } = {}) {
  const h = {};
  let body;
  if (json !== undefined) {
    body = Buffer.from(JSON.stringify(json), 'utf8');
    h['Content-Type'] = 'application/json';
  } else if (rawBody !== undefined) {
    body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
  }
  if (body !== undefined) h['Content-Length'] = String(body.length);
  else if (method !== 'GET' && method !== 'HEAD') h['Content-Length'] = '0';
  const token = csrf === undefined ? jar?.csrfToken : csrf;
  if (typeof token === 'string') h['X-CSRF-Token'] = token;
  if (jar && jar.cookies.size) h.Cookie = jar.header();
  for (const [k, v] of Object.entries(headers)) {
    for (const existing of Object.keys(h)) if (existing.toLowerCase() === k.toLowerCase()) delete h[existing];
    if (v !== undefined && v !== null) h[k] = v;
  }
  const res = await request(base, method, path, { headers: h, body, agent, timeoutMs });
  if (jar) jar.update(res.setCookies);
  return res;
}

/** Extract the CSRF token from a rendered page (skips un-rendered {{...}} placeholders). */
export function parseCsrfMeta(html) {
  const metas = html.match(/<meta\b[^>]*>/gi) || [];
  for (const m of metas) {
    if (!/name\s*=\s*["']csrf-token["']/i.test(m)) continue;
    const c = m.match(/content\s*=\s*["']([^"']*)["']/i);
    if (c && !c[1].includes('{{')) return c[1];
  }
  return undefined;
}

/** GET a page (default /) with the jar, keep its csrf cookie, store and return the meta token. */
export async function getCsrf(base, jar, path = '/') {
  const res = await api(base, jar, 'GET', path);
  if (res.status !== 200) throw new Error(`GET ${path} -> ${res.status}: ${res.text.slice(0, 300)}`);
  const token = parseCsrfMeta(res.text);
  if (!token) throw new Error(`GET ${path}: no csrf-token meta in page: ${res.text.slice(0, 300)}`);
  jar.csrfToken = token;
  return token;
}
