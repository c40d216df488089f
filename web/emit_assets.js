/**
 * How the build writes what the server serves from <web-root>/assets (src/http/static_files.h):
 *
 *   - writeHashed(dir, 'app.js', bytes) writes dir/app.<hash>.js, <hash> the first 8 hex digits
 *     of the SHA-256 of the bytes: a new build of changed bytes gets a new name, so the server
 *     can let browsers keep the file a year without asking ("immutable", RFC 8246) and the page
 *     (never cached) points at the new name;
 *   - precompress(file) writes file.br (Brotli, quality 11, RFC 7932) and file.gz (gzip, level
 *     9, RFC 1952) beside it, each only when smaller than the file, for the server to answer by
 *     Accept-Encoding (RFC 9110 12.5.3). Node's zlib does both; compressing once at build time
 *     lets the server spend no CPU per request on it and use the slowest, smallest settings.
 *
 * Both return what they wrote; both throw on I/O errors.
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const kHashDigits = 8;

/**
 * @param {string} dir directory to write into (exists)
 * @param {string} name logical name, e.g. 'app.js'
 * @param {Buffer|string} bytes the file's content
 * @returns {string} the written file's name, e.g. 'app.3f9c2a1b.js'
 */
function writeHashed(dir, name, bytes) {
  const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, kHashDigits);
  const ext = path.extname(name);
  const hashed = `${name.slice(0, name.length - ext.length)}.${hash}${ext}`;
  fs.writeFileSync(path.join(dir, hashed), bytes);
  return hashed;
}

/**
 * @param {string} file path of a written file
 * @returns {{identity: number, br: ?number, gzip: ?number}} sizes in bytes (null: not written,
 *   as it would not have been smaller)
 */
function precompress(file) {
  const bytes = fs.readFileSync(file);
  const br = zlib.brotliCompressSync(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gzip = zlib.gzipSync(bytes, { level: zlib.constants.Z_BEST_COMPRESSION });
  const sizes = { identity: bytes.length, br: null, gzip: null };
  // Written after the file, so never older than it: the server ignores a variant that is.
  if (br.length < bytes.length) {
    fs.writeFileSync(`${file}.br`, br);
    sizes.br = br.length;
  }
  if (gzip.length < bytes.length) {
    fs.writeFileSync(`${file}.gz`, gzip);
    sizes.gzip = gzip.length;
  }
  return sizes;
}

module.exports = { writeHashed, precompress };
