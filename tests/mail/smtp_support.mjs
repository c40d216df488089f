// A real SMTP server on loopback for the mail tests (npm smtp-server), each message parsed
// with npm mailparser. `starttls: false` takes STARTTLS out of the EHLO answer.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { readFileSync } from 'node:fs';

import { runLatchkey } from '../support/server.mjs';
import { waitFor } from '../support/fixtures.mjs';

/**
 * startSmtp({ port = 0, starttls = true, tls: { cert, key } })
 * auth: { username, password } that AUTH must give (then AUTH is required).
 * -> { port, received: [{ mail, secure, from, to }], logins: [{ username, secure }], close() }
 * mail: mailparser's ParsedMail; secure: the session was encrypted (STARTTLS) when the data
 * came; from/to: the SMTP envelope.
 */
export async function startSmtp({ port = 0, starttls = true, tls, auth } = {}) {
  const received = [];
  const logins = [];
  const server = new SMTPServer({
    authOptional: !auth,
    ...(auth ? {
      onAuth(a, session, cb) {
        logins.push({ username: a.username, secure: Boolean(session.secure) });
        if (a.username === auth.username && a.password === auth.password) return cb(null, { user: a.username });
        return cb(Object.assign(new Error('bad credentials'), { responseCode: 535 }));
      },
    } : {}),
    logger: false,
    disabledCommands: starttls ? [] : ['STARTTLS'],
    ...(tls ? { key: readFileSync(tls.key), cert: readFileSync(tls.cert) } : {}),
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            mail,
            secure: Boolean(session.secure),
            from: session.envelope.mailFrom && session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: server.server.address().port,
    received,
    logins,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** `latchkey mail <args>` against a server's database (its data dir, or --db). */
export function mailCli(srv, args, extra = []) {
  const db = srv.db ? ['--db', srv.db] : [];
  return runLatchkey(['mail', ...args, '--data-dir', srv.dataDir, ...db, ...extra]);
}

/** The outbox as `latchkey mail list --json` shows it. */
export function outbox(srv, extra = []) {
  const r = mailCli(srv, ['list', '--json', '--limit', '1000'], extra);
  if (r.status !== 0) throw new Error(`mail list: ${r.output}`);
  return JSON.parse(r.stdout);
}

/** Queues the test message to `address`; -> its outbox id. */
export function queueTest(srv, address, extra = []) {
  const r = mailCli(srv, ['test', address], extra);
  if (r.status !== 0) throw new Error(`mail test: ${r.output}`);
  return Number(/mail (\d+) queued/.exec(r.stdout)[1]);
}

/** Waits until `received` holds `n` messages (the sender polls once a second). */
export async function waitForMail(received, n, timeoutMs = 15000) {
  await waitFor(() => received.length >= n, { timeoutMs });
}
