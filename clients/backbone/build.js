#!/usr/bin/env node
/**
 * Builds dist/latchkey-backbone-client.js: the AMD modules of src/ in one UMD file.
 *
 * r.js puts the modules and almond (a minimal AMD loader that only resolves modules already in
 * the file) inside a UMD wrapper whose factory takes jQuery, Underscore and Backbone from the
 * host: define(['jquery', 'underscore', 'backbone']) under an AMD loader,
 * require('jquery'...) under CommonJS (webpack, browserify), or the globals $, _ and Backbone
 * for a plain <script>, where it sets `LatchkeyBackbone` (the constructors only: the session
 * itself is never put on window). The file returns the same object as src/index.js.
 * Not minified: an app's own build minifies it with the rest. Quiet on success.
 *
 * Usage: node build.js   (npm run build; npm pack runs it as prepack)
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const requirejs = require('requirejs');

const kOut = path.join(__dirname, 'dist', 'latchkey-backbone-client.js');
const kPackage = require('./package.json');

const kStart = `/*! ${kPackage.name} ${kPackage.version} (UMD build of src/, with almond) */
(function (root, factory) {
  'use strict';
  if (typeof define === 'function' && define.amd) {
    define(['jquery', 'underscore', 'backbone'], factory);
  } else if (typeof module === 'object' && module.exports) {
    module.exports = factory(require('jquery'), require('underscore'), require('backbone'));
  } else {
    root.LatchkeyBackbone = factory(root.jQuery, root._, root.Backbone);
  }
}(typeof self !== 'undefined' ? self : this, function ($, _, Backbone) {
`;
const kEnd = `
  define('jquery', function () { return $; });
  define('underscore', function () { return _; });
  define('backbone', function () { return Backbone; });
  return require('latchkey-client');
}));
`;

function build() {
  fs.mkdirSync(path.dirname(kOut), { recursive: true });
  return new Promise((resolve, reject) => {
    requirejs.optimize({
      baseUrl: path.join(__dirname, 'src'),
      packages: [{ name: 'latchkey-client', location: '.', main: 'index' }],
      name: 'almond',
      include: ['latchkey-client'],
      paths: {
        almond: require.resolve('almond/almond').replace(/\.js$/, ''),
        jquery: 'empty:',
        underscore: 'empty:',
        backbone: 'empty:',
      },
      wrap: { start: kStart, end: kEnd },
      out: kOut,
      optimize: 'none',
      logLevel: 4, // silent
    }, resolve, reject);
  });
}

build().catch((err) => {
  process.stderr.write(`client build failed: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
