#!/usr/bin/env node
/**
 * The common-password list (NIST SP 800-63B 5.1.1.2, OWASP ASVS 2.1.7), extracted from the
 * npm package @zxcvbn-ts/language-common (MIT; the zxcvbn-ts project's "passwords-common"
 * dictionary: about 49,000 passwords from breach corpora, most common first).
 *
 * Output: a plain text file, one lowercase password per line, in the package's order, without
 * duplicates. Entries shorter than 8 code points are left out: the length rule
 * (src/identity/validation.h, kPasswordMin) refuses them before the list is looked at, so
 * they would only make the file the client downloads bigger.
 *
 * The server reads the file at startup (--common-passwords, default
 * <web-root>/assets/common-passwords.txt) and the client fetches it from
 * /assets/common-passwords.txt (lib/parsley_rules): one list, one verdict.
 *
 * Usage: node web/common_passwords.js OUT_FILE   (web/build.js calls writeCommonPasswords)
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const kMinCodePoints = 8; // identity::kPasswordMin
const kMinEntries = 10000; // the issue asks for at least the top 10,000 passwords

/** @returns {string[]} the list: lowercase, deduplicated, in the package's (frequency) order */
function commonPasswords() {
  const { dictionary } = require('@zxcvbn-ts/language-common');
  const source = dictionary && dictionary['passwords-common'];
  if (!Array.isArray(source) || source.length < kMinEntries) {
    throw new Error('@zxcvbn-ts/language-common: no "passwords-common" list of at least '
      + `${kMinEntries} entries (got ${source ? source.length : 'none'})`);
  }
  const seen = new Set();
  for (const entry of source) {
    const word = String(entry).toLowerCase();
    // One password per line: a line break or NUL inside one could not be written (and the
    // server refuses those characters in passwords anyway).
    if (/[\0\r\n]/.test(word) || Array.from(word).length < kMinCodePoints) continue;
    seen.add(word);
  }
  return [...seen];
}

/**
 * Writes the list to outFile (its directory is created).
 * @returns {number} how many passwords were written
 */
function writeCommonPasswords(outFile) {
  const list = commonPasswords();
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${list.join('\n')}\n`);
  return list.length;
}

module.exports = { commonPasswords, writeCommonPasswords };

if (require.main === module) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: node web/common_passwords.js OUT_FILE\n');
    process.exit(2);
  }
  try {
    writeCommonPasswords(path.resolve(out));
  } catch (err) {
    process.stderr.write(`common passwords: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  }
}
