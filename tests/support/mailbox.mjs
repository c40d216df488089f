// The mail a test server delivered through its file transport (`--mail file:<dir>`, by default
// <data-dir>/mail): each message one .eml file, parsed with mailparser. Links carry their
// one-time token in the fragment (`#token=`); codes are "1234 5678".
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { waitFor } from './fixtures.mjs';

/** Every delivered message in `dir`, oldest first: {file, to, subject, text, html, token, code}. */
export async function readMailbox(dir) {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml') && !f.startsWith('.')).sort();
  const out = [];
  for (const file of files) {
    const parsed = await simpleParser(readFileSync(join(dir, file)));
    const text = parsed.text || '';
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] || null;
    const code = /\b(\d{4} \d{4})\b/.exec(text)?.[1] || null;
    out.push({ file, to: parsed.to?.text || '', subject: parsed.subject || '', text, html: parsed.html || '', token, code });
  }
  return out;
}

/**
 * Waits (the courier sends within about a second) for a message to `to` whose subject matches
 * `subject`, and newer than the `after` first messages; returns it.
 */
export async function waitForMail(dir, { to, subject, after = 0, timeoutMs = 10000 }) {
  let found = null;
  await waitFor(async () => {
    const all = await readMailbox(dir);
    found = all.slice(after).reverse().find((m) => m.to.includes(to) && (!subject || subject.test(m.subject)));
    return Boolean(found);
  }, { timeoutMs, intervalMs: 100 });
  assert.ok(found, `a mail to ${to} matching ${subject} within ${timeoutMs} ms`);
  return found;
}

/** How many messages `dir` holds now. */
export async function mailCount(dir) {
  return (await readMailbox(dir)).length;
}

/** The mail directory of a test server started with the default transport. */
export function mailDirOf(srv) {
  return join(srv.dataDir, 'mail');
}
