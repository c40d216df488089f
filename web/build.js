#!/usr/bin/env node
/**
 * Builds the browser client into web/dist (the server's web root):
 *   - web/dist/index.html        web/src/index.html (the server fills {{csrf_token}}) pointing
 *                                at the hashed names below
 *   - web/dist/assets/app.<hash>.js   ONE bundle: require.js + libraries + our modules (the
 *                                client package clients/backbone among them); it boots itself
 *   - web/dist/assets/app.<hash>.css  bootstrap.min.css + web/src/css/app.css
 *   - web/dist/assets/common-passwords.txt  the common-password list, one per line, for the
 *                                client and the server (web/common_passwords.js)
 *   - a .br and a .gz beside each of those three (web/emit_assets.js)
 *   - web/dist/manifest.json     {"app.js": "assets/app.<hash>.js", ...}: the logical names and
 *                                what they were written as (for tools; never served)
 * <hash>: 8 hex digits of the file's SHA-256, so the server serves them "immutable".
 *
 * Templates (web/src/templates/*.html) are precompiled to AMD modules in a temp
 * dir first, so the page never compiles code at runtime (CSP: no unsafe-eval).
 * Quiet on success; prints the error and exits non-zero on failure.
 *
 * Usage: node web/build.js   (npm run build)
 */
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const _ = require('underscore');
const requirejs = require('requirejs');
const { writeCommonPasswords } = require('./common_passwords');
const { precompress, writeHashed } = require('./emit_assets');

const kRoot = path.resolve(__dirname, '..');
const kSrc = path.join(__dirname, 'src');
const kDist = path.join(__dirname, 'dist');
const kModules = path.join(kRoot, 'node_modules');

/** Writes one AMD module per template; returns nothing. */
function precompileTemplates(outDir) {
  const dir = path.join(kSrc, 'templates');
  fs.mkdirSync(outDir, { recursive: true });
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.html')).sort()) {
    const src = fs.readFileSync(path.join(dir, file), 'utf8');
    let source;
    try {
      // `variable` avoids `with`, and keeps template data under one name.
      source = _.template(src, { variable: 'data' }).source;
    } catch (err) {
      throw new Error(`template ${file}: ${err.message}`);
    }
    const amd = `define(['underscore'], function (_) {\n  return ${source};\n});\n`;
    fs.writeFileSync(path.join(outDir, file.replace(/\.html$/, '.js')), amd);
  }
}

function optimize(templatesDir, out) {
  return new Promise((resolve, reject) => {
    requirejs.optimize({
      baseUrl: kSrc,
      mainConfigFile: path.join(kSrc, 'main.js'),
      name: 'main',
      include: ['requireLib'],
      paths: {
        requireLib: path.join(kModules, 'requirejs', 'require'),
        templates: templatesDir,
      },
      out,
      optimize: 'uglify',
      preserveLicenseComments: true,
      logLevel: 4, // silent
      throwWhen: { optimize: true },
    }, resolve, reject);
  });
}

function buildCss() {
  const bootstrap = fs.readFileSync(path.join(kModules, 'bootstrap', 'dist', 'css', 'bootstrap.min.css'), 'utf8')
    .replace(/\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '');
  const ours = fs.readFileSync(path.join(kSrc, 'css', 'app.css'), 'utf8');
  return `${bootstrap.trimEnd()}\n${ours}`;
}

/** index.html with each "/assets/<logical name>" replaced by its hashed name; throws when one is missing. */
function pageFor(manifest) {
  let page = fs.readFileSync(path.join(kSrc, 'index.html'), 'utf8');
  for (const [logical, written] of Object.entries(manifest)) {
    const ref = `"/assets/${logical}"`;
    if (!page.includes(ref)) throw new Error(`web/src/index.html does not reference ${ref}`);
    page = page.split(ref).join(`"/${written}"`);
  }
  return page;
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-web-'));
  try {
    fs.rmSync(kDist, { recursive: true, force: true });
    fs.mkdirSync(path.join(kDist, 'assets'), { recursive: true });
    const templatesDir = path.join(tmp, 'templates');
    precompileTemplates(templatesDir);
    const bundle = path.join(tmp, 'app.js');
    await optimize(templatesDir, bundle);
    const assets = path.join(kDist, 'assets');
    const manifest = {
      'app.js': `assets/${writeHashed(assets, 'app.js', fs.readFileSync(bundle))}`,
      'app.css': `assets/${writeHashed(assets, 'app.css', buildCss())}`,
    };
    writeCommonPasswords(path.join(assets, 'common-passwords.txt'));
    for (const file of [...Object.values(manifest), 'assets/common-passwords.txt']) {
      precompress(path.join(kDist, file));
    }
    fs.writeFileSync(path.join(kDist, 'index.html'), pageFor(manifest));
    fs.writeFileSync(path.join(kDist, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`web build failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
