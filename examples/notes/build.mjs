#!/usr/bin/env node
/**
 * Builds the notes SPA into a web root for Latchkey's --web-root (default dist/; or the
 * directory given as the one argument):
 *   index.html              web/index.html, pointing at the hashed names below (Latchkey fills
 *                           its {{csrf_token}} per response)
 *   assets/notes.<hash>.js  jQuery, Underscore, Backbone, @latchkey/backbone-client (its UMD
 *                           build: window.LatchkeyBackbone) and web/src/*.js, in that order
 *   assets/notes.<hash>.css web/notes.css
 *   and .br and .gz beside both, which Latchkey serves by Accept-Encoding.
 * <hash> is 8 hex digits of the file's SHA-256, so Latchkey lets browsers keep it for a year
 * ("immutable") and a new build gets a new name (docs/API.md, "Serving your SPA").
 * Plain concatenation, no bundler: every file is a browser script that defines globals.
 *
 * Usage: node build.mjs [OUT_DIR]   (npm run build)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.join(here, 'node_modules'); // npm ci (or npm install) in this folder
const out = path.resolve(process.argv[2] || path.join(here, 'dist'));

const scripts = [
  path.join(modules, 'jquery', 'dist', 'jquery.min.js'),
  path.join(modules, 'underscore', 'underscore-umd-min.js'),
  path.join(modules, 'backbone', 'backbone-min.js'),
  // Installed from clients/backbone by path: its dist/ exists once Latchkey's `npm run build` ran.
  path.join(modules, '@latchkey', 'backbone-client', 'dist', 'latchkey-backbone-client.js'),
  ...['models.js', 'login_view.js', 'notes_view.js', 'app.js']
    .map((f) => path.join(here, 'web', 'src', f)),
];

/** Writes assets/<base>.<hash><ext> and its .br and .gz; returns the name written. */
function emit(base, ext, text) {
  const bytes = Buffer.from(text);
  const name = `${base}.${createHash('sha256').update(bytes).digest('hex').slice(0, 8)}${ext}`;
  const file = path.join(out, 'assets', name);
  writeFileSync(file, bytes);
  writeFileSync(`${file}.br`, brotliCompressSync(bytes)); // written after the file: never older
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  return name;
}

const missing = scripts.filter((f) => !existsSync(f));
if (missing.length) {
  process.stderr.write(`missing: ${missing.join(', ')}\n`
    + "(npm ci in examples/notes; npm run build at the repository's root)\n");
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });
// Source-map comments point at files that are not shipped.
const js = scripts
  .map((f) => readFileSync(f, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/m, ''))
  .join(';\n');
const jsName = emit('notes', '.js', js);
const cssName = emit('notes', '.css', readFileSync(path.join(here, 'web', 'notes.css'), 'utf8'));
const page = readFileSync(path.join(here, 'web', 'index.html'), 'utf8')
  .replace('/assets/notes.js', `/assets/${jsName}`)
  .replace('/assets/notes.css', `/assets/${cssName}`);
writeFileSync(path.join(out, 'index.html'), page);
