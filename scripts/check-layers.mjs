#!/usr/bin/env node
// The layer check (docs/ARCHITECTURE.md): every include in every file under src/<layer>/ that
// resolves to another folder of src/ (`#include "x/y.h"` or `<x/y.h>` from the src root, or a
// relative path such as "../x/y.h" from the file's own folder) names the layer itself or a
// layer it uses, directly or through the layers it uses, as CMakeLists.txt declares them
// (latchkey_layer(... USES ...), written to layers.txt at configure time). Exit 1 listing each
// forbidden include; 0 when there is none.
//   node scripts/check-layers.mjs <layers.txt> <src dir>
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

const [layersFile, srcDir] = process.argv.slice(2);
if (!layersFile || !srcDir) {
  console.error('usage: check-layers.mjs <layers.txt> <src dir>');
  process.exit(2);
}

const uses = new Map();
for (const line of readFileSync(layersFile, 'utf8').split('\n')) {
  const m = line.match(/^([a-z_]+):(.*)$/);
  if (m) uses.set(m[1], m[2].split(/\s+/).filter(Boolean));
}

// A layer may include itself and everything it reaches through USES.
function reach(layer, seen = new Set()) {
  for (const used of uses.get(layer) ?? []) {
    if (!seen.has(used)) {
      seen.add(used);
      reach(used, seen);
    }
  }
  return seen;
}

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;  // every file: headers of any suffix, sources, inline parts
  }
}

const problems = [];
let checked = 0;
for (const layer of readdirSync(srcDir)) {
  const dir = join(srcDir, layer);
  if (!statSync(dir).isDirectory()) continue;
  if (!uses.has(layer)) {
    problems.push(`src/${layer}/ is not a layer of CMakeLists.txt (latchkey_layer)`);
    continue;
  }
  const allowed = reach(layer);
  allowed.add(layer);
  for (const file of files(dir)) {
    readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
      const m = text.match(/^\s*#\s*include\s*["<]([^">]+)[">]/);
      if (!m) return;
      // The folder of src/ the include lands in: from the src root, else from the file's folder.
      const relativeToFile = m[1].startsWith('./') || m[1].startsWith('../');
      const target = relativeToFile
        ? relative(srcDir, normalize(join(dirname(file), m[1]))).split(sep)[0]
        : normalize(m[1]).split(sep)[0];
      if (!uses.has(target)) return;  // a library header (<boost/...>, <string>, ...)
      checked += 1;
      if (uses.has(target) && !allowed.has(target)) {
        problems.push(`${relative(srcDir, file)}:${i + 1}: ${layer} includes ${target}/ ` +
                      `(${layer} uses: ${[...reach(layer)].join(' ') || 'nothing'})`);
      }
    });
  }
}
if (problems.length) {
  console.error(`layer check: ${problems.length} forbidden include(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`layer check: ${checked} includes in ${uses.size} layers, none forbidden`);
