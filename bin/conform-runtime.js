#!/usr/bin/env node
// conform-runtime: the reference OCI runtime of conform. `npm run build` bundles it into
// dist/runtime-<command>.cjs (what one command reaches; dist/runtime.cjs has them all)
// and compiles each bundle's V8 code cache (scripts/runtime-bundles.mjs). Every runtime
// operation is a Node boot, so this loader does the least it can: it reads the one
// bundle the command needs and has V8 take its compiled code from the cache rather than
// compile it (npm run bench measures the result against a bare `node -e 0`). It is
// CommonJS (bin/package.json) because Node's ESM loader alone costs ~10 ms of CPU.
'use strict';
const { readFileSync, writeSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

const dist = join(__dirname, '..', 'dist');
const word = command(process.argv.slice(2));
let name = word ? `runtime-${word}` : 'runtime';
let source;
try {
  source = readFileSync(join(dist, `${name}.cjs`), 'utf8');
} catch {
  name = 'runtime';
  try {
    source = readFileSync(join(dist, `${name}.cjs`), 'utf8');
  } catch {
    writeSync(2, 'conform-runtime: dist/runtime.cjs is missing: run `npm run build` in the conform checkout first\n');
    process.exit(1);
  }
}
const file = join(dist, `${name}.cjs`);
// The cache of this very bundle: its content hash is on its last line.
const hash = /conform-build=([0-9a-f]+)\n$/.exec(source.slice(-64))?.[1];
let cachedData;
try {
  if (hash) cachedData = readFileSync(join(dist, 'v8-cache', `${name}.${hash}.bin`));
} catch {
  /* no cache: V8 compiles, which is slower, not wrong */
}
// The same wrapper text as the build's (scripts/runtime-bundles.mjs), or the cache does not match.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, createRequire(file), mod, file, dist);

/** The command word of a runc-style command line (after the global options), when it can be a bundle's name. */
function command(argv) {
  const takesValue = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) return /^[a-z]+$/.test(a) ? a : undefined;
    if (takesValue.has(a)) i++;
  }
  return undefined;
}
