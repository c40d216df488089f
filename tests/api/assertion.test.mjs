// Identity for upstreams (issue 17 section 3): GET /.well-known/jwks.json publishes the public
// keys of the assertion key file, and an X-Latchkey-Assertion signed with that file's keys (by
// the same assertion::AssertionIssuer the server builds, through tests/tools/assertion_tool)
// verifies with an independent JOSE implementation (npm jose) against the published JWKS:
// EdDSA and ES256, before and after `latchkey keys rotate`; a tampered token never does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { calculateJwkThumbprint, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { latchkeyBin, runLatchkey } from '../support/server.mjs';
import { startTestServer, tempDir } from '../support/fixtures.mjs';

const tool = process.env.LATCHKEY_ASSERTION_TOOL || path.resolve('build/latchkey_assertion_tool');
const ISS = 'https://app.example.test';

/** An assertion signed with the current key of `keyFile` (iss ISS, sub 42, sid, username ada). */
function issue(keyFile, aud = '/api/notes') {
  return execFileSync(tool, [keyFile, ISS, aud, '42', 'c2lkLXB1YmxpYy1pZC0x', 'ada'], { encoding: 'utf8' }).trim();
}

async function jwks(srv) {
  const res = await fetch(`${srv.url}/.well-known/jwks.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'public, max-age=300');
  assert.match(res.headers.get('content-type'), /^application\/json/);
  return res.json();
}

async function verify(token, set, aud = '/api/notes') {
  return jwtVerify(token, createLocalJWKSet(set), { issuer: ISS, audience: aud, algorithms: ['EdDSA', 'ES256'] });
}

for (const alg of ['EdDSA', 'ES256']) {
  test(`${alg}: the JWKS verifies an assertion (npm jose), with its claims; tampering is refused`, async () => {
    const srv = await startTestServer({ args: ['--assertion-alg', alg] });
    try {
      const keyFile = path.join(srv.dataDir, 'assertion.key');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'created owner-only beside secret.key');
      const set = await jwks(srv);
      assert.equal(set.keys.length, 1);
      const [jwk] = set.keys;
      assert.equal(jwk.alg, alg);
      assert.equal(jwk.use, 'sig');
      assert.deepEqual([jwk.kty, jwk.crv], alg === 'EdDSA' ? ['OKP', 'Ed25519'] : ['EC', 'P-256']);
      assert.equal(jwk.d, undefined, 'never the private key');
      assert.equal(jwk.kid, await calculateJwkThumbprint(jwk, 'sha256'), 'kid is the RFC 7638 thumbprint');

      const token = issue(keyFile);
      const header = decodeProtectedHeader(token);
      assert.deepEqual(header, { alg, kid: jwk.kid, typ: 'JWT' });
      const { payload } = await verify(token, set);
      assert.equal(payload.iss, ISS);
      assert.equal(payload.aud, '/api/notes');
      assert.equal(payload.sub, '42');
      assert.equal(payload.sid, 'c2lkLXB1YmxpYy1pZC0x');
      assert.equal(payload.username, 'ada');
      assert.ok(payload.exp > payload.iat && payload.exp - payload.iat <= 60, `exp ${payload.exp} - iat ${payload.iat} <= 60`);
      assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 30);

      // Tampered claims (another user), a forged signature, another audience: refused.
      const [h, p, s] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ ...payload, sub: '1', username: 'root' })).toString('base64url');
      await assert.rejects(verify(`${h}.${forged}.${s}`, set), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
      const sig = Buffer.from(s, 'base64url');
      sig[5] ^= 1;
      await assert.rejects(verify(`${h}.${p}.${sig.toString('base64url')}`, set), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
      await assert.rejects(verify(token, set, '/api/other'), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
      // alg "none" and a key Latchkey does not publish: refused.
      const none = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${p}.`;
      await assert.rejects(verify(none, set));
      const other = tempDir('latchkey-other-key-');
      try {
        runLatchkey(['keys', 'rotate', '--data-dir', other]);
        await assert.rejects(verify(issue(path.join(other, 'assertion.key')), set), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
      } finally {
        rmSync(other, { recursive: true, force: true });
      }

      // The private key: in the file only, never in the server's log or the JWKS.
      const privateKey = readFileSync(keyFile, 'utf8').trim().split('\n').pop().split(' ')[2];
      assert.ok(privateKey.length > 40);
      assert.ok(!srv.logs().includes(privateKey.slice(-32)), 'the log never shows the private key');
      assert.ok(srv.logs().includes(jwk.kid), 'the log names the signing key by its kid');

      const head = await fetch(`${srv.url}/.well-known/jwks.json`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('cache-control'), 'public, max-age=300');
      assert.equal(await head.text(), '');
    } finally {
      await srv.cleanup();
    }
  });
}

test('keys rotate: a new key signs, the old one stays published and its assertions still verify', async () => {
  const dataDir = tempDir('latchkey-assertion-rotate-');
  let srv = await startTestServer({ dataDir });
  const keyFile = path.join(dataDir, 'assertion.key');
  let before;
  let oldToken;
  try {
    before = await jwks(srv);
    oldToken = issue(keyFile);
    await verify(oldToken, before);
  } finally {
    await srv.cleanup(); // the data dir is the test's: kept
  }
  const out = execFileSync(latchkeyBin(), ['keys', 'rotate', '--data-dir', dataDir, '--assertion-alg', 'ES256'], { encoding: 'utf8' });
  assert.match(out, /added assertion key [A-Za-z0-9_-]{43} \(ES256\) to .*assertion\.key \(2 keys, 0 retired dropped\)/);
  const list = execFileSync(latchkeyBin(), ['keys', 'list', '--data-dir', dataDir], { encoding: 'utf8' });
  assert.match(list, new RegExp(`^assertion 1 EdDSA ${before.keys[0].kid} \\(published\\)$`, 'm'));
  assert.match(list, /^assertion 2 ES256 [A-Za-z0-9_-]{43} \(newest: signs\)$/m);
  assert.ok(!list.includes(readFileSync(keyFile, 'utf8').trim().split('\n').pop().split(' ')[2]), 'list never prints a key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);

  srv = await startTestServer({ dataDir, args: ['--assertion-alg', 'ES256'] });
  try {
    const after = await jwks(srv);
    assert.deepEqual(after.keys.map((k) => k.alg), ['ES256', 'EdDSA'], 'newest first, the old one kept');
    assert.equal(after.keys[1].kid, before.keys[0].kid);
    await verify(oldToken, after); // signed before the rotation, still valid: still verifies
    const newToken = issue(keyFile);
    assert.equal(decodeProtectedHeader(newToken).kid, after.keys[0].kid);
    await verify(newToken, after);
    await assert.rejects(verify(newToken, before), { code: 'ERR_JWKS_NO_MATCHING_KEY' }, 'a verifier must fetch the new set');
  } finally {
    await srv.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('bad assertion settings stop the start with exit 2 naming the flag; an unsafe key file with 1', async () => {
  const dir = tempDir('latchkey-assertion-flags-');
  try {
    await badSettings(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

async function badSettings(dir) {
  for (const [args, re] of [
    [['--assertion-lifetime', '61s'], /--assertion-lifetime must be at most 60s/],
    [['--assertion-lifetime', '0s'], /--assertion-lifetime must be a duration of at least 1s/],
    [['--assertion-alg', 'RS256'], /--assertion-alg/],
    [['--public-url', 'https://app.example.com/auth'], /--public-url must be scheme:\/\/host\[:port\]/],
    [['--public-url', 'app.example.com'], /--public-url must be/],
  ]) {
    const r = runLatchkey(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0', '--metrics-listen', 'off', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.output}`);
    assert.match(r.output, re);
  }
  // A data dir whose signing key is EdDSA, started with ES256: told to rotate first.
  const srv = await startTestServer({ dataDir: dir });
  await srv.cleanup();
  const mismatch = runLatchkey(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0', '--metrics-listen', 'off', '--assertion-alg', 'ES256']);
  assert.equal(mismatch.status, 2, mismatch.output);
  assert.match(mismatch.output, /keys rotate --assertion-alg ES256/);
  chmodSync(path.join(dir, 'assertion.key'), 0o644);
  const unsafe = runLatchkey(['serve', '--data-dir', dir, '--listen', '127.0.0.1:0', '--metrics-listen', 'off']);
  assert.equal(unsafe.status, 1, unsafe.output);
  assert.match(unsafe.output, /assertion key file .*readable by group or others; chmod 600 it/);
  const printed = runLatchkey(['serve', '--data-dir', dir, '--print-config', '--public-url', 'HTTPS://App.Example.com:443']);
  assert.equal(printed.status, 0, printed.output);
  assert.match(printed.stdout, /^public-url = "HTTPS:\/\/App.Example.com:443" {2}# flag --public-url$/m);
}
