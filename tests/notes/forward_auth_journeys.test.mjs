// The notes example behind nginx with forward auth (examples/notes/nginx/notes.conf: auth_request
// to Latchkey's /api/auth/verify, then nginx proxies /api/notes to the backend; Latchkey still
// serves the page): the journeys of journeys.mjs in headless Chromium, with ES256 assertions.
import { after, before } from 'node:test';
import { defineJourneys } from './journeys.mjs';
import { startNotesStack } from './stack.mjs';

let stack;
before(async () => { stack = await startNotesStack({ mode: 'nginx', latchkeyArgs: ['--assertion-alg', 'ES256'] }); });
after(async () => { await stack?.stop(); });

defineJourneys(() => stack);
