// The notes example behind Latchkey's own reverse proxy (--upstream /api/notes=backend): the
// journeys of journeys.mjs in headless Chromium, with Ed25519 (EdDSA) assertions.
import { after, before } from 'node:test';
import { defineJourneys } from './journeys.mjs';
import { startNotesStack } from './stack.mjs';

let stack;
before(async () => { stack = await startNotesStack({ mode: 'proxy' }); });
after(async () => { await stack?.stop(); });

defineJourneys(() => stack);
