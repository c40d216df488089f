// Key rotation (ASVS 6.4.2): `latchkey keys rotate` adds a newest key; new cookies and CSRF
// tokens are signed with it, and cookies and tokens signed with the old key still verify.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startServer } from '../support/server.mjs';
import { api, browser, makeWebRoot, signup, tempDir, uniq } from '../support/fixtures.mjs';

const bin = process.env.LATCHKEY_BIN || path.resolve('build/latchkey');
const keyLines = (dir) => readFileSync(path.join(dir, 'secret.key'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));

test('after keys rotate: the old cookie and CSRF token verify, new ones use the new key', async () => {
  const dataDir = tempDir('latchkey-keys-');
  const webRoot = makeWebRoot();
  try {
    let srv = await startServer({ dataDir, webRoot, args: ['--login-free-failures', '100'] });
    const jar = await browser(srv.url);
    const oldToken = jar.csrfToken;
    await signup(srv.url, jar, { username: uniq('kr') });
    await srv.stop();
    assert.equal(keyLines(dataDir).length, 1);

    const out = execFileSync(bin, ['keys', 'rotate', '--data-dir', dataDir], { encoding: 'utf8' });
    assert.match(out, /2 keys/);
    assert.equal(keyLines(dataDir).length, 2);
    const list = execFileSync(bin, ['keys', 'list', '--data-dir', dataDir], { encoding: 'utf8' });
    assert.match(list, /^1 [0-9a-f]{16} \(verifies\)\n2 [0-9a-f]{16} \(newest: signs\)\n/);
    // The assertion signing keys rotate alongside (tests/api/assertion.test.mjs).
    assert.match(list, /\nassertion 1 EdDSA [A-Za-z0-9_-]{43} \(published\)\nassertion 2 EdDSA [A-Za-z0-9_-]{43} \(newest: signs\)\n$/);
    for (const line of keyLines(dataDir)) assert.ok(!list.includes(line), 'list never prints a key');

    srv = await startServer({ dataDir, webRoot });
    try {
      assert.equal((await api(srv.url, jar, 'GET', '/api/auth')).status, 200, 'old cookie verifies');
      jar.csrfToken = oldToken;
      const res = await api(srv.url, jar, 'POST', '/api/auth/logout');
      assert.equal(res.status, 200, 'old CSRF token verifies');
    } finally {
      await srv.stop();
    }
    // Retire the old key: only the new one is left; the old cookie no longer verifies.
    const lines = keyLines(dataDir);
    execFileSync('sh', ['-c', `printf '%s\\n' '${lines[1]}' > '${path.join(dataDir, 'secret.key')}'`]);
    srv = await startServer({ dataDir, webRoot });
    try {
      jar.csrfToken = oldToken;  // same browser binding as before: only the key has changed
      assert.equal((await api(srv.url, jar, 'POST', '/api/auth/logout')).status, 403, 'retired key: token refused');
    } finally {
      await srv.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(webRoot, { recursive: true, force: true });
  }
});
