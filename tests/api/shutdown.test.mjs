// SIGTERM while requests are in flight: the server stops accepting, finishes what it has
// started (each in-flight login gets its 200 and its session is stored), then exits 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, browser, PASSWORD, signup, sql, startTestServer, uniq } from '../support/fixtures.mjs';

test('SIGTERM drains in-flight logins: every one answers 200 and the process exits 0', async () => {
  // bcrypt cost 12 (~200 ms per verify) keeps the logins in flight well past the signal.
  const srv = await startTestServer({ args: ['--password-hash', 'bcrypt'] });
  try {
    const username = uniq('drain');
    const jar = await browser(srv.url);
    const s = await signup(srv.url, jar, { username });
    assert.equal(s.status, 201);
    const jars = await Promise.all(Array.from({ length: 6 }, () => browser(srv.url)));
    const inflight = jars.map((j) =>
      api(srv.url, j, 'POST', '/api/auth/login', { json: { username, password: PASSWORD } }));
    await new Promise((r) => setTimeout(r, 50));
    const exited = new Promise((r) => srv.proc.once('exit', (code, signal) => r({ code, signal })));
    srv.proc.kill('SIGTERM');
    const results = await Promise.all(inflight);
    for (const [i, res] of results.entries()) assert.equal(res.status, 200, `login ${i}: ${res.text}`);
    const { code, signal } = await exited;
    assert.equal(code, 0, `exit code (signal ${signal})`);
    const rows = sql(srv.dataDir, 'SELECT count(*) AS n FROM sessions');
    assert.equal(rows[0].n, 7, 'signup session + 6 logins, all written before exit');
  } finally {
    await srv.cleanup();
  }
});
