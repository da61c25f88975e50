// Loads a bundle of dist/ (built by scripts/bundles.mjs) with a V8 code cache: V8 takes
// the compiled code from the cache instead of compiling, which is most of what loading a
// large bundle costs. A cache is tied to its bundle by the content hash on the bundle's
// last line (V8 itself checks only the source's length). Without a cache (or with one V8
// rejects: another Node) the bundle compiles as usual.
//
// Two caches: the build's (dist/v8-cache/<name>.<hash>.bin) holds every function of the
// bundle, compiled eagerly; a trained one (<name>.<hash>.trained.bin) holds what a call of
// the command compiled: its top level and the functions it ran. A runtime command uses
// the trained one, and a call that finds none (or one V8 rejects) compiles lazily and,
// when it succeeds, writes what it compiled as the trained cache, as Python writes its
// __pycache__: every later call deserializes that much and no more (the build's cache of
// create holds ~500 kB, the trained one ~310 kB: ~3.5 ms less CPU for create's CLI, ~1 ms
// for start, kill and delete). Where dist/v8-cache cannot be written (a read-only
// install), the build's cache is used.
'use strict';
const { accessSync, constants, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

/**
 * Runs dist/<name>.cjs; throws ENOENT when it is not built. Returns its module.exports.
 * `compiled` is called once the bundle is compiled, before it runs, with the cache it
 * compiled from: 'trained', 'build', or 'none' (none, or one V8 rejected). With `train`,
 * a trained cache is used, and a call that had none makes it at exit when
 * `train(exitCode)` says the call was typical of its command (its code ran to the end).
 */
function loadBundle(dist, name, { compiled, train = false } = {}) {
  const file = join(dist, `${name}.cjs`);
  const source = readFileSync(file, 'utf8');
  const hash = /conform-build=([0-9a-f]+)\n$/.exec(source.slice(-64))?.[1];
  const caches = join(dist, 'v8-cache');
  const trained = train && hash ? join(caches, `${name}.${hash}.trained.bin`) : undefined;
  let cachedData = trained && read(trained);
  let kind = cachedData ? 'trained' : 'none';
  // Without a trained cache, a call that can write one compiles lazily to make it.
  const learns = trained !== undefined && (cachedData !== undefined || writable(caches));
  if (!cachedData && !learns && hash) {
    cachedData = read(join(caches, `${name}.${hash}.bin`));
    if (cachedData) kind = 'build';
  }
  // The same wrapper as scripts/bundles.mjs's, or the cache does not match.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (script.cachedDataRejected) kind = 'none';
  if (learns && kind === 'none') process.on('exit', (code) => train(code) && save(trained, script));
  compiled?.(kind);
  const mod = { exports: {} };
  // This module's require: a bundle requires Node's builtins and absolute paths only,
  // which resolve the same from anywhere (createRequire's node:module costs ~0.6 ms).
  script.runInThisContext()(mod.exports, require, mod, file, dist);
  return mod.exports;
}

function read(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writable(dir) {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** What this call compiled, renamed into place: a call starting meanwhile reads no cache, the old one or the new one. */
function save(file, script) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData(), { flag: 'wx', mode: 0o644 });
    renameSync(tmp, file);
  } catch {
    rmSync(tmp, { force: true });
  }
}

module.exports = { loadBundle };
