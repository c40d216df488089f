// Two Latchkey nodes on one PostgreSQL database share one outbox: each message is sent
// exactly once (claims with FOR UPDATE SKIP LOCKED), whichever node takes it.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { createTestDatabase, startTestServer, tempDir, waitFor } from '../support/fixtures.mjs';
import { runLatchkey } from '../support/server.mjs';
import { outbox, queueTest, startSmtp, waitForMail } from './smtp_support.mjs';

const NO_PG = !(process.env.LATCHKEY_TEST_PG_URL_FILE || process.env.LATCHKEY_TEST_PG_URL)
  && 'needs the PostgreSQL test cluster (ctest -L postgres)';

test('two nodes on PostgreSQL sharing one outbox send each message exactly once', { skip: NO_PG }, async () => {
  const keyDir = tempDir('latchkey-mailkeys-');
  const secretFile = path.join(keyDir, 'secret.key');
  const made = runLatchkey(['keys', 'rotate', '--secret-file', secretFile]);
  assert.equal(made.status, 0, made.output);
  const db = createTestDatabase();
  const smtp = await startSmtp({ starttls: false });
  const nodes = [];
  try {
    const args = ['--secret-file', secretFile, '--public-url', 'https://auth.example.test',
      '--mail', `smtp://127.0.0.1:${smtp.port}?tls=none`];
    nodes.push(await startTestServer({ db: db.url, args }));
    nodes.push(await startTestServer({ db: db.url, args }));
    const count = 30;
    const addresses = Array.from({ length: count }, (_, i) => `n${i}@example.test`);
    for (const a of addresses) queueTest(nodes[0], a, ['--secret-file', secretFile]);
    await waitForMail(smtp.received, count, 30000);
    const allSent = await waitFor(() => outbox(nodes[1], ['--secret-file', secretFile]).filter((r) => r.state === 'sent').length === count, { timeoutMs: 10000 });
    assert.ok(allSent, 'every row marked sent');
    assert.equal(smtp.received.length, count, 'no message twice');
    assert.deepEqual(smtp.received.map((r) => r.to[0]).sort(), [...addresses].sort());
    assert.equal(new Set(smtp.received.map((r) => r.mail.messageId)).size, count);
  } finally {
    for (const n of nodes) await n.cleanup();
    await smtp.close();
    await db.drop();
    rmSync(keyDir, { recursive: true, force: true });
  }
});
