// examples/notes/run.sh, as a newcomer runs it: one command starts the backend and Latchkey (or
// nginx, Latchkey and the backend with --nginx) on the given ports, prints the URL, and Ctrl-C
// (SIGINT to its process group, as a terminal sends it) stops every one of them. In between,
// a signup and a note through the printed URL show that the pieces were wired to each other
// with the real issuer (the URL itself), not a test one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { api, CookieJar, getCsrf } from '../support/http.mjs';
import { signup, tempDir } from '../support/fixtures.mjs';
import { freePort, latchkeyBin } from '../support/server.mjs';
import { kExample } from './stack.mjs';

/** true when something accepts a connection on 127.0.0.1:port. */
function listening(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(true); });
    s.on('error', () => { s.destroy(); resolve(false); });
  });
}

/** Starts run.sh (args) in a process group of its own; resolves with its URL once it prints it. */
async function runScript(args, env) {
  const proc = spawn(path.join(kExample, 'run.sh'), args, {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let output = '';
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const onData = (d) => {
      output += d;
      const m = /open (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) resolve(m[1]);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => { output += d; });
    exited.then((e) => reject(new Error(`run.sh exited ${JSON.stringify(e)}:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    /** Ctrl-C; -> how run.sh exited, or 'still running' 15 s later. */
    interrupt: async () => {
      process.kill(-proc.pid, 'SIGINT');
      let timer;
      const late = new Promise((r) => { timer = setTimeout(() => r('still running'), 15000); });
      return Promise.race([exited, late]).finally(() => clearTimeout(timer));
    },
    kill: () => { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } },
  };
}

for (const mode of ['proxy', 'nginx']) {
  test(`run.sh${mode === 'nginx' ? ' --nginx' : ''}: starts everything, serves notes to a new user, and Ctrl-C stops it all`, async (t) => {
    const data = tempDir('latchkey-notes-run-');
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const ports = { PORT: await freePort(), BACKEND_PORT: await freePort(), LATCHKEY_PORT: await freePort() };
    const run = await runScript(mode === 'nginx' ? ['--nginx'] : [], {
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      NOTES_DATA: data, LATCHKEY_BIN: latchkeyBin(),
    });
    t.after(run.kill);
    assert.equal(run.url, `http://127.0.0.1:${ports.PORT}`);

    const jar = new CookieJar();
    await getCsrf(run.url, jar); // the notes page, rendered by Latchkey with its token
    await signup(run.url, jar);
    let res = await api(run.url, jar, 'POST', '/api/notes', { json: { text: 'hello' } });
    assert.equal(res.status, 201, `${res.text}\n${run.output()}`);
    res = await api(run.url, jar, 'GET', '/api/notes');
    assert.deepEqual(res.body.notes.map((n) => n.text), ['hello']);
    assert.equal((await api(run.url, new CookieJar(), 'GET', '/api/notes')).status, 401);

    const used = mode === 'nginx' ? Object.values(ports) : [ports.PORT, ports.BACKEND_PORT];
    for (const p of used) assert.equal(await listening(p), true, `port ${p} in use while running`);
    const exit = await run.interrupt();
    assert.ok(exit.code === 130 || exit.signal === 'SIGINT', JSON.stringify(exit));
    for (const p of used) assert.equal(await listening(p), false, `port ${p} free after Ctrl-C:\n${run.output()}`);
  });
}
