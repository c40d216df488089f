// The user journeys of the notes example (issue 17 section 5), declared once and run against
// each way of putting it behind Latchkey (proxy_journeys.test.mjs, forward_auth_journeys.test.mjs).
// Everything is waited on by condition (a screen, the list's aria-busy, an exact list of notes),
// never by sleeping; selectors are data-testid only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { kTimeout, uniqueUsername, withApp, withDevices } from '../browser/helpers.mjs';
import { request } from '../support/http.mjs';

const kPassword = 'notes example passphrase';
const kEndedNotice = 'Your session has ended. Please log in again.';
const kServiceDown = 'The notes service is not answering right now. Your notes are safe: try again in a moment.';

/** Signs up (or logs in: `form` 'login') from the login page and waits for the notes screen. */
async function enter(page, username, form = 'signup') {
  if (new URL(page.url()).pathname !== '/login') await page.goto('/');
  await page.getByTestId('login-page').waitFor();
  await page.getByTestId(`${form}-username`).fill(username);
  await page.getByTestId(`${form}-password`).fill(kPassword);
  await page.getByTestId(`${form}-submit`).click();
  await page.getByTestId('notes-page').waitFor();
  assert.equal(await page.getByTestId('header-user').textContent(), username);
}

async function addNote(page, text) {
  await page.getByTestId('note-text').fill(text);
  await page.getByTestId('note-submit').click();
}

/** Waits until the list has loaded and shows exactly `texts`, newest first. */
async function expectNotes(page, texts) {
  await page.locator('[data-testid="note-list"][aria-busy="false"]').waitFor({ state: 'attached' });
  const items = page.getByTestId('note-item-text');
  const deadline = Date.now() + kTimeout;
  let shown;
  while (JSON.stringify(shown = await items.allTextContents()) !== JSON.stringify(texts)) {
    if (Date.now() > deadline) assert.deepEqual(shown, texts, 'the notes on the page');
    await new Promise((r) => setTimeout(r, 25)); // polling the condition, not a delay to sync on
  }
  assert.equal(await page.getByTestId('notes-empty').isVisible(), texts.length === 0, '"No notes yet" iff none');
}

/** A request made by the page itself (its cookies, its origin); the CSRF header only if `csrf`. */
function pageFetch(page, method, path, { body, headers = {}, csrf = true } = {}) {
  return page.evaluate(async (a) => {
    const h = { ...a.headers };
    if (a.body !== undefined) h['Content-Type'] = 'application/json';
    if (a.csrf) h['X-CSRF-Token'] = document.querySelector('meta[name="csrf-token"]').content;
    const res = await fetch(a.path, { method: a.method, headers: h, body: a.body === undefined ? undefined : JSON.stringify(a.body) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }, { method, path, body, headers, csrf });
}

/** The Cookie header of a browser context, for requests made from here as that browser. */
async function cookieHeader(context) {
  return (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
}

/** The backend's rows, straight from its SQLite file. */
function noteRows(db) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, 'SELECT user_id, text FROM notes ORDER BY id'], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : [];
}

/** Drops the console errors `pattern` expects from the page's problems; fails if none came. */
function expectConsoleErrors(app, pattern) {
  const expected = app.problems.filter((p) => pattern.test(p));
  assert.ok(expected.length > 0, `the page logged ${pattern}`);
  app.problems.splice(0, app.problems.length, ...app.problems.filter((p) => !pattern.test(p)));
}

/** Declares the journeys on the stack `getStack()` returns (tests/notes/stack.mjs). */
export function defineJourneys(getStack) {
  test('sign up, add notes, reload: they are still there; delete one; another user sees none of them', async () => {
    const stack = getStack();
    await withApp(stack, async ({ page }) => {
      await enter(page, uniqueUsername('alice'));
      await expectNotes(page, []);
      await addNote(page, 'buy milk');
      await expectNotes(page, ['buy milk']);
      assert.equal(await page.getByTestId('note-text').inputValue(), '', 'the box is emptied');
      await addNote(page, 'call <b>Bob</b>');
      await expectNotes(page, ['call <b>Bob</b>', 'buy milk']); // shown as text, never as markup
      await page.reload();
      await expectNotes(page, ['call <b>Bob</b>', 'buy milk']);
      await page.locator('[data-testid="note-item"]', { hasText: 'buy milk' }).getByTestId('note-delete').click();
      await expectNotes(page, ['call <b>Bob</b>']);
      await addNote(page, ' ');
      await page.getByTestId('note-error').waitFor();
      assert.equal(await page.getByTestId('note-error').textContent(), 'Write something first', "the backend's 400");

      await withApp(stack, async ({ page: other }) => {
        await enter(other, uniqueUsername('bob'));
        await expectNotes(other, []);
        assert.deepEqual((await pageFetch(other, 'GET', '/api/notes')).body, { notes: [] });
        await addNote(other, 'bob only');
        await expectNotes(other, ['bob only']);
      });
      await page.reload();
      await expectNotes(page, ['call <b>Bob</b>']);
    });
  });

  test('logout shows the login page and the notes API answers 401; a session ended elsewhere does too', async () => {
    const stack = getStack();
    await withApp(stack, async ({ page, context }) => {
      const carol = uniqueUsername('carol');
      await enter(page, carol);
      await addNote(page, 'private');
      await expectNotes(page, ['private']);
      const before = await cookieHeader(context);
      await page.getByTestId('logout').click();
      await page.getByTestId('login-page').waitFor();
      assert.equal(new URL(page.url()).pathname, '/login');
      assert.equal(await page.getByTestId('header-user').isVisible(), false);
      assert.equal(await page.getByTestId('login-notice').isVisible(), false, 'no "ended" notice after a logout');
      const after = await pageFetch(page, 'GET', '/api/notes');
      assert.deepEqual([after.status, after.body.code], [401, 'unauthenticated']);
      const old = await request(stack.url, 'GET', '/api/notes', { headers: { Cookie: before } });
      assert.equal(old.status, 401, 'the cookie from before the logout is dead too');
      assert.equal(old.body.code, 'session_ended');

      // Back in; then the session ends behind the page's back (another tab logs out): the
      // page's next request gets 401 and the SPA shows the login page, saying why.
      await enter(page, carol, 'login');
      await expectNotes(page, ['private']);
      const token = await page.evaluate(() => document.querySelector('meta[name="csrf-token"]').content);
      const out = await request(stack.url, 'POST', '/api/auth/logout', {
        headers: { Cookie: await cookieHeader(context), 'X-CSRF-Token': token, 'Content-Length': '0' },
      });
      assert.equal(out.status, 200, out.text);
      await addNote(page, 'too late');
      await page.getByTestId('login-page').waitFor();
      assert.equal(await page.getByTestId('login-notice').textContent(), kEndedNotice);
      assert.equal(await page.getByTestId('note-item').count(), 0, 'no note left on the page');
    });
  });

  test('a note sent without the CSRF header is refused (403) and never stored; DELETE too', async () => {
    const stack = getStack();
    await withApp(stack, async ({ page }) => {
      await enter(page, uniqueUsername('dave'));
      const refused = await pageFetch(page, 'POST', '/api/notes', { body: { text: 'no token' }, csrf: false });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.code, 'csrf_rejected');
      const forged = await pageFetch(page, 'POST', '/api/notes', { body: { text: 'bad token' }, csrf: false, headers: { 'X-CSRF-Token': 'x'.repeat(64) } });
      assert.equal(forged.status, 403);
      const sent = await pageFetch(page, 'POST', '/api/notes', { body: { text: 'with token' } });
      assert.equal(sent.status, 201, 'the same request with the token passes');
      const del = await pageFetch(page, 'DELETE', `/api/notes/${sent.body.note.id}`, { csrf: false });
      assert.equal(del.status, 403);
      await page.reload();
      await expectNotes(page, ['with token']);
    });
  });

  test('identity headers forged by the page are ignored: the note goes to the real user', async () => {
    const stack = getStack();
    await withDevices(stack, [{}, {}], async ([alice, bob]) => {
      const aliceName = uniqueUsername('alice');
      const bobName = uniqueUsername('bob');
      await enter(alice.page, aliceName);
      await enter(bob.page, bobName);
      const aliceId = String((await pageFetch(alice.page, 'GET', '/api/auth')).body.user.id);
      const bobId = String((await pageFetch(bob.page, 'GET', '/api/auth')).body.user.id);
      // A genuine assertion naming Bob (forward auth's: aud = --public-url), as if Alice had
      // captured one. Straight to the backend it passes where that audience is the backend's
      // (nginx mode), so there only nginx replacing the header protects Bob.
      const verify = await request(stack.latchkey.url, 'GET', '/api/auth/verify', { headers: { Cookie: await cookieHeader(bob.context) } });
      const bobAssertion = verify.headers['x-latchkey-assertion'];
      assert.ok(bobAssertion, verify.text);
      const direct = await request(`http://127.0.0.1:${stack.backend.port}`, 'GET', '/api/notes', { headers: { 'X-Latchkey-Assertion': bobAssertion } });
      assert.equal(direct.status, stack.mode === 'nginx' ? 200 : 401, direct.text);

      const res = await pageFetch(alice.page, 'POST', '/api/notes', {
        body: { text: 'from alice' },
        headers: { 'X-Latchkey-User-Id': bobId, 'X-Latchkey-Username': bobName, 'X-Latchkey-Assertion': bobAssertion },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      await alice.page.reload();
      await expectNotes(alice.page, ['from alice']);
      await bob.page.reload();
      await expectNotes(bob.page, []);
      assert.deepEqual(noteRows(stack.notesDb).filter((r) => r.text === 'from alice'), [{ user_id: aliceId, text: 'from alice' }]);
    });
  });

  test('the backend stopped: the SPA says the notes service is not answering, and recovers when it is back', async () => {
    const stack = getStack();
    await withApp(stack, async (app) => {
      const { page } = app;
      await enter(page, uniqueUsername('erin'));
      await addNote(page, 'before');
      await expectNotes(page, ['before']);
      await stack.backend.stop();
      try {
        await addNote(page, 'while down');
        await page.getByTestId('notes-error').waitFor();
        assert.equal(await page.getByTestId('notes-error-text').textContent(), kServiceDown);
        assert.equal(await page.getByTestId('note-text').inputValue(), 'while down', 'what was written is kept');
        const down = await pageFetch(page, 'GET', '/api/notes');
        assert.deepEqual([down.status, down.body.code], [502, 'upstream_unavailable']);
        await page.getByTestId('notes-retry').click();
        await page.locator('[data-testid="note-list"][aria-busy="false"]').waitFor({ state: 'attached' });
        assert.equal(await page.getByTestId('notes-error').isVisible(), true, 'still down: the message stays');
      } finally {
        await stack.backend.start();
      }
      await page.getByTestId('notes-retry').click();
      await page.getByTestId('notes-error').waitFor({ state: 'hidden' });
      await expectNotes(page, ['before']);
      await page.getByTestId('note-submit').click(); // the kept text
      await expectNotes(page, ['while down', 'before']);
      expectConsoleErrors(app, /status of 502/);
    });
  });
}
