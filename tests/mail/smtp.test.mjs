// Mail through a real SMTP server on loopback (npm smtp-server, parsed with mailparser):
// plain SMTP with ?tls=none, STARTTLS with a certificate the test makes, STARTTLS required
// but not offered (not sent, retried), the server down (retried, delivered once it is up,
// nothing lost), a derived --public-url refused with SMTP, and the file: transport.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';

import { sql, startTestServer, tempDir, waitFor } from '../support/fixtures.mjs';
import { freePort, makeSelfSignedCert, runLatchkey } from '../support/server.mjs';
import { outbox, queueTest, startSmtp, waitForMail } from './smtp_support.mjs';

const PUBLIC = 'https://auth.example.test';
const FAST_RETRY = ['--mail-retry-base', '1s', '--mail-retry-max', '1s'];

async function withServer(args, fn) {
  const srv = await startTestServer({ args: ['--public-url', PUBLIC, '--mail-from', 'Latchkey <no-reply@example.test>', ...args] });
  try {
    await fn(srv);
  } finally {
    await srv.cleanup();
  }
}

test('smtp:// with ?tls=none: delivered once, proper MIME, marked sent with its Message-ID', async () => {
  const smtp = await startSmtp({ starttls: false });
  try {
    await withServer(['--mail', `smtp://127.0.0.1:${smtp.port}?tls=none`], async (srv) => {
      const id = queueTest(srv, 'ann@example.test');
      await waitForMail(smtp.received, 1);
      const { mail, from, to, secure } = smtp.received[0];
      assert.equal(from, 'no-reply@example.test');
      assert.deepEqual(to, ['ann@example.test']);
      assert.equal(secure, false);
      assert.equal(mail.subject, 'Latchkey test message');
      assert.equal(mail.from.value[0].address, 'no-reply@example.test');
      assert.equal(mail.from.value[0].name, 'Latchkey');
      assert.match(mail.text, /https:\/\/auth\.example\.test/);
      assert.match(mail.html, /<a href="https:\/\/auth\.example\.test">/);
      assert.match(mail.messageId, /^<[A-Za-z0-9_-]{22}@example\.test>$/);
      assert.ok(Math.abs(mail.date.getTime() - Date.now()) < 60000, 'a Date header of now');
      assert.equal(mail.headers.get('auto-submitted'), 'auto-generated');
      const row = await waitFor(() => outbox(srv).find((r) => r.id === id && r.state === 'sent'), { timeoutMs: 5000 });
      assert.ok(row, 'marked sent');
      assert.equal(row.message_id, mail.messageId);
      assert.equal(row.has_content, false, 'payload scrubbed once sent');
      assert.equal(smtp.received.length, 1, 'exactly once');
      const metrics = await (await fetch(srv.metricsUrl)).text();
      assert.match(metrics, /^latchkey_mail_sent_total 1$/m);
      assert.match(metrics, /^latchkey_mail_queued 0$/m);
    });
  } finally {
    await smtp.close();
  }
});

test('smtp:// with STARTTLS and a test certificate: sent encrypted, the certificate verified', async () => {
  const dir = tempDir('latchkey-smtp-tls-');
  const tls = makeSelfSignedCert(dir);
  const smtp = await startSmtp({ tls });
  try {
    await withServer(['--mail', `smtp://127.0.0.1:${smtp.port}`, '--mail-ca-file', tls.cert], async (srv) => {
      queueTest(srv, 'tls@example.test');
      await waitForMail(smtp.received, 1);
      assert.equal(smtp.received[0].secure, true, 'STARTTLS before the data');
      assert.deepEqual(smtp.received[0].to, ['tls@example.test']);
    });
  } finally {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AUTH after STARTTLS with the password of --mail-password-file, which no log line shows', async () => {
  const dir = tempDir('latchkey-smtp-auth-');
  const tls = makeSelfSignedCert(dir);
  const password = 'smtp-pass-7f3a9c';
  const passwordFile = path.join(dir, 'smtp-password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const smtp = await startSmtp({ tls, auth: { username: 'mailer', password } });
  try {
    await withServer(['--mail', `smtp://mailer@127.0.0.1:${smtp.port}`, '--mail-ca-file', tls.cert,
      '--mail-password-file', passwordFile], async (srv) => {
      queueTest(srv, 'auth@example.test');
      await waitForMail(smtp.received, 1);
      assert.deepEqual(smtp.logins, [{ username: 'mailer', secure: true }], 'AUTH once, inside TLS');
      assert.ok(!srv.logs().includes(password), 'the password is never logged');
    });
  } finally {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('AUTH refused (535, a wrong password) is temporary: retried, and delivered once the server takes it', async () => {
  const dir = tempDir('latchkey-smtp-535-');
  const passwordFile = path.join(dir, 'smtp-password');
  writeFileSync(passwordFile, 'not-yet-right\n', { mode: 0o600 });
  const auth = { username: 'mailer', password: 'right' };
  const smtp = await startSmtp({ starttls: false, auth });
  try {
    await withServer(['--mail', `smtp://mailer@127.0.0.1:${smtp.port}?tls=none`,
      '--mail-password-file', passwordFile, ...FAST_RETRY], async (srv) => {
      const id = queueTest(srv, 'later@example.test');
      const row = await waitFor(() => outbox(srv).find((r) => r.id === id && r.attempts >= 2), { timeoutMs: 15000 });
      assert.ok(row, `retried: ${JSON.stringify(outbox(srv))}`);
      assert.equal(row.state, 'queued', 'a refused AUTH gives nothing up');
      assert.match(row.last_error, /535/);
      assert.equal(smtp.received.length, 0);
      auth.password = 'not-yet-right'; // the operator fixes the server side
      await waitForMail(smtp.received, 1);
      const sent = await waitFor(() => outbox(srv).find((r) => r.id === id && r.state === 'sent'), { timeoutMs: 5000 });
      assert.ok(sent, 'marked sent');
    });
  } finally {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a shutdown during a send does not wait for a silent SMTP server; the message stays queued', async () => {
  const sockets = [];
  const silent = createServer((socket) => sockets.push(socket)); // accepts, never greets
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const dataDir = tempDir('latchkey-mail-stop-');
  try {
    const srv = await startTestServer({ dataDir, args: ['--public-url', PUBLIC, '--mail', `smtp://127.0.0.1:${silent.address().port}?tls=none`] });
    try {
      const id = queueTest(srv, 'slow@example.test');
      assert.ok(await waitFor(() => sockets.length > 0, { timeoutMs: 10000 }), 'the sender connected');
      const started = performance.now();
      await srv.stop();
      const ms = performance.now() - started;
      assert.ok(ms < 5000, `stopped in ${Math.round(ms)} ms, not after the 60 s SMTP timeout`);
      assert.deepEqual(srv.exitStatus(), { code: 0, signal: null }, srv.logs());
      const row = outbox({ dataDir }).find((r) => r.id === id);
      assert.equal(row.state, 'queued', 'not lost: sent by the next start');
      assert.equal(row.has_content, true);
    } finally {
      await srv.cleanup();
    }
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('STARTTLS required but not offered: nothing sent in plain text, the message retried', async () => {
  const smtp = await startSmtp({ starttls: false });
  try {
    await withServer(['--mail', `smtp://127.0.0.1:${smtp.port}`, ...FAST_RETRY], async (srv) => {
      const id = queueTest(srv, 'plain@example.test');
      const row = await waitFor(() => outbox(srv).find((r) => r.id === id && r.attempts >= 2), { timeoutMs: 15000 });
      assert.ok(row, `retried: ${JSON.stringify(outbox(srv))}`);
      assert.equal(row.state, 'queued');
      assert.notEqual(row.last_error, '');
      assert.equal(smtp.received.length, 0, 'never sent without TLS');
      const metrics = await (await fetch(srv.metricsUrl)).text();
      assert.match(metrics, /^latchkey_mail_retries_total [1-9]\d*$/m);
      assert.match(metrics, /^latchkey_mail_queued 1$/m);
    });
  } finally {
    await smtp.close();
  }
});

test('the SMTP server down: retried, and delivered once when it comes up (nothing lost)', async () => {
  const port = await freePort();
  await withServer(['--mail', `smtp://127.0.0.1:${port}?tls=none`, ...FAST_RETRY], async (srv) => {
    const ids = [queueTest(srv, 'one@example.test'), queueTest(srv, 'two@example.test')];
    const failed = await waitFor(() => outbox(srv).filter((r) => ids.includes(r.id) && r.attempts >= 1 && r.last_error).length === 2, { timeoutMs: 10000 });
    assert.ok(failed, `both attempted and failed: ${JSON.stringify(outbox(srv))}`);
    const smtp = await startSmtp({ port, starttls: false });
    try {
      await waitForMail(smtp.received, 2);
      const sent = await waitFor(() => outbox(srv).filter((r) => ids.includes(r.id) && r.state === 'sent').length === 2, { timeoutMs: 5000 });
      assert.ok(sent, 'both marked sent');
      assert.deepEqual(smtp.received.map((r) => r.to[0]).sort(), ['one@example.test', 'two@example.test']);
    } finally {
      await smtp.close();
    }
  });
});

test('a permanent refusal (550) gives up at once: failed, audited, counted, and `mail retry` sends it again', async () => {
  // A server that refuses every recipient with 550, then accepts once the test says so.
  let refuse = true;
  const smtp = await startSmtp({ starttls: false });
  const original = smtp;
  const { SMTPServer } = await import('smtp-server');
  const refusing = new SMTPServer({
    authOptional: true, logger: false, disabledCommands: ['STARTTLS'],
    onRcptTo(address, session, cb) { cb(refuse ? Object.assign(new Error('no such user'), { responseCode: 550 }) : null); },
    onData(stream, session, cb) { stream.resume(); stream.on('end', () => { original.received.push({ to: session.envelope.rcptTo.map((r) => r.address) }); cb(); }); },
  });
  await new Promise((r) => refusing.listen(0, '127.0.0.1', r));
  const port = refusing.server.address().port;
  try {
    await withServer(['--mail', `smtp://127.0.0.1:${port}?tls=none`], async (srv) => {
      const id = queueTest(srv, 'gone@example.test');
      const row = await waitFor(() => outbox(srv).find((r) => r.id === id && r.state === 'failed'), { timeoutMs: 10000 });
      assert.ok(row, 'given up');
      assert.equal(row.attempts, 1, 'a 5yz reply is not retried');
      assert.match(row.last_error, /550/);
      const metrics = await (await fetch(srv.metricsUrl)).text();
      assert.match(metrics, /^latchkey_mail_given_up_total 1$/m);
      assert.match(metrics, /^latchkey_mail_failed 1$/m);
      const events = sql(srv.dataDir, "SELECT user_agent FROM auth_events WHERE type = 'mail_given_up'");
      assert.deepEqual(events, [{ user_agent: 'latchkey-courier test' }], 'audited');
      refuse = false;
      const retried = runLatchkey(['mail', 'retry', String(id), '--data-dir', srv.dataDir]);
      assert.equal(retried.status, 0, retried.output);
      await waitForMail(smtp.received, 1);
      const sentRow = await waitFor(() => outbox(srv).find((r) => r.id === id && r.state === 'sent'), { timeoutMs: 5000 });
      assert.ok(sentRow, 'sent after the retry');
      const late = runLatchkey(['mail', 'retry', String(id), '--data-dir', srv.dataDir]);
      assert.equal(late.status, 1);
      assert.match(late.output, /sent already/);
      assert.equal(runLatchkey(['mail', 'retry', '999999', '--data-dir', srv.dataDir]).status, 1);
    });
  } finally {
    await new Promise((r) => refusing.close(r));
    await smtp.close();
  }
});

test('an SMTP transport refuses a derived --public-url, and bad mail flags exit 2 naming the flag', () => {
  const dir = tempDir('latchkey-mailcfg-');
  try {
    const base = ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir];
    const cases = [
      [['--mail', 'smtp://127.0.0.1:2525'], '--public-url'],
      [['--mail', 'smtp://ann:pw@127.0.0.1:2525', '--public-url', PUBLIC], '--mail'],
      [['--mail', 'gopher://x', '--public-url', PUBLIC], '--mail'],
      [['--mail', 'smtp://ann@127.0.0.1:2525', '--public-url', PUBLIC], '--mail-password-file'],
      [['--mail-from', 'not an address'], '--mail-from'],
      [['--mail-max-attempts', '0'], '--mail-max-attempts'],
      [['--mail-retry-base', 'soon'], '--mail-retry-base'],
    ];
    const broken = path.join(dir, 'templates');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'test.subject.mustache'), 'only a subject');
    cases.push([['--mail-templates', broken], '--mail-templates']);
    cases.push([['--mail-password-file', path.join(dir, 'none'), '--mail', 'smtp://u@127.0.0.1:2525', '--public-url', PUBLIC], '--mail-password-file']);
    const open = path.join(dir, 'open-password');
    writeFileSync(open, 'pw\n', { mode: 0o644 });
    cases.push([['--mail-password-file', open, '--mail', 'smtp://u@127.0.0.1:2525', '--public-url', PUBLIC], '--mail-password-file']);
    const owned = path.join(dir, 'owned-password');
    writeFileSync(owned, 'pw\n', { mode: 0o600 });
    cases.push([['--mail-password-file', owned, '--mail', 'smtp://u@mail.example.org:2525?tls=none', '--public-url', PUBLIC], '--mail']);
    for (const [args, flag] of cases) {
      const r = runLatchkey([...base, ...args]);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.output}`);
      assert.ok(r.output.includes(flag), `${args.join(' ')} names ${flag}: ${r.output}`);
      assert.ok(!r.output.includes(':pw@'), 'a password in --mail is never echoed');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file: transport (the default): one .eml per message under <data-dir>/mail, logged at startup', async () => {
  const srv = await startTestServer({ args: ['--public-url', PUBLIC] });
  try {
    assert.match(srv.logs(), new RegExp(`mail via file:${srv.dataDir.replaceAll('/', '\\/')}/mail`));
    queueTest(srv, 'Ann.Example@Example.test');
    const dir = path.join(srv.dataDir, 'mail');
    const files = await waitFor(() => {
      try {
        const f = readdirSync(dir).filter((n) => n.endsWith('.eml'));
        return f.length ? f : null;
      } catch {
        return null;
      }
    }, { timeoutMs: 10000 });
    assert.ok(files, 'an .eml file appears');
    assert.match(files[0], /^\d{13}-\d+\.eml$/);
    assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.tmp-')), [], 'no temporary file left');
    const mail = await simpleParser(readFileSync(path.join(dir, files[0])));
    assert.equal(mail.to.value[0].address, 'Ann.Example@Example.test');
    assert.match(mail.text, /auth\.example\.test/);
    assert.ok(!srv.logs().includes('Ann.Example'), 'the log names the recipient domain at most');
  } finally {
    await srv.cleanup();
  }
});
