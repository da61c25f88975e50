// Loads a bundle of dist/ (built by scripts/bundles.mjs) with its V8 code cache: V8 takes
// the compiled code from dist/v8-cache/<name>.<hash>.bin instead of compiling, which is
// most of what loading a large bundle costs. The cache is tied to its bundle by the
// content hash on the bundle's last line (V8 itself checks only the source's length).
// Without a cache (or with one V8 rejects: another Node) the bundle compiles as usual.
'use strict';
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const { Script } = require('node:vm');

/**
 * Runs dist/<name>.cjs; throws ENOENT when it is not built. Returns its module.exports.
 * `compiled` is called once the bundle is compiled, before it runs.
 */
function loadBundle(dist, name, compiled) {
  const file = join(dist, `${name}.cjs`);
  const source = readFileSync(file, 'utf8');
  const hash = /conform-build=([0-9a-f]+)\n$/.exec(source.slice(-64))?.[1];
  let cachedData;
  try {
    if (hash) cachedData = readFileSync(join(dist, 'v8-cache', `${name}.${hash}.bin`));
  } catch {
    /* no cache: compiled as usual */
  }
  // The same wrapper as scripts/bundles.mjs's, or the cache does not match.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  compiled?.();
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, dist);
  return mod.exports;
}

module.exports = { loadBundle };
