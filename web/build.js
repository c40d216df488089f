#!/usr/bin/env node
/**
 * Builds the browser client into web/dist (the server's web root):
 *   - web/dist/index.html        copy of web/src/index.html (the server fills {{csrf_token}})
 *   - web/dist/assets/app.js     ONE bundle: require.js + libraries + our modules; it boots itself
 *   - web/dist/assets/app.css    bootstrap.min.css + web/src/css/app.css
 *   - web/dist/assets/common-passwords.txt  the common-password list, one per line, for the
 *                                client and the server (web/common_passwords.js)
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

function optimize(templatesDir) {
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
      out: path.join(kDist, 'assets', 'app.js'),
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
  fs.writeFileSync(path.join(kDist, 'assets', 'app.css'), `${bootstrap.trimEnd()}\n${ours}`);
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-web-'));
  try {
    fs.rmSync(kDist, { recursive: true, force: true });
    fs.mkdirSync(path.join(kDist, 'assets'), { recursive: true });
    const templatesDir = path.join(tmp, 'templates');
    precompileTemplates(templatesDir);
    await optimize(templatesDir);
    buildCss();
    writeCommonPasswords(path.join(kDist, 'assets', 'common-passwords.txt'));
    fs.copyFileSync(path.join(kSrc, 'index.html'), path.join(kDist, 'index.html'));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`web build failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
