// CommonJS bundles with V8 code caches, loaded by bin/load-bundle.js: conform (the harness)
// and the reference runtime.
//
// Every runtime operation is a Node boot, so what one call loads is what it costs:
// - CommonJS, not ESM: Node's ESM loader alone costs ~10 ms of CPU per process.
// - One file per command: dist/runtime-<command>.cjs holds what `<command>` can reach
//   (dist/runtime-init.cjs the container init), so `state` does not read create's
//   config validator; dist/runtime.cjs holds everything, for the commands without a
//   file of their own (help, version, list…). A per-command bundle is built from the
//   same entry, with the lazy imports of runtime/cli.ts and runtime/main.ts that its
//   command's action does not name left out: a command that reached one would fail
//   with a one-line internal error, never run the wrong code.
// - Compiled at build time: each bundle's V8 code cache (every function compiled
//   eagerly, so it covers whatever the call runs) is dist/v8-cache/<name>.<hash>.bin,
//   where <hash> is the bundle's content hash, written on the bundle's last line. V8
//   checks a cache against the source's length only, so the hash is what ties a cache
//   to its bundle. A runtime command's later calls load a trained cache instead,
//   <name>.<hash>.trained.bin: what the first call that ran the command to the end
//   compiled, no more (bin/load-bundle.js).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

/** The wrapper bin/load-bundle.js compiles a bundle in: the same text, or the cache does not match. */
export const wrap = (source) => `(function (exports, require, module, __filename, __dirname) {${source}\n})`;

/** Builds dist/<name>.cjs and its code cache; returns the cache's file name. */
export async function buildBundle(dist, name, options) {
  const { outputFiles } = await build({
    ...options,
    format: 'cjs',
    // import.meta.url made when read (node:url and the conversion cost ~0.5 ms of a call
    // that has no use for them); import.meta.dirname is the bundle's directory.
    banner: { js: "const __importMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };" },
    define: { 'import.meta.url': '__importMeta.url', 'import.meta.dirname': '__dirname' },
    outfile: join(dist, `${name}.cjs`),
    write: false,
  });
  let cache;
  for (const f of outputFiles) {
    if (f.path.endsWith('.cjs')) cache = sealBundle(dist, name, f.text);
    else writeInPlace(f.path, f.text);
  }
  return cache;
}

/**
 * Writes dist/<name>.cjs from CommonJS source, with its content hash on its last line and
 * its code cache beside; returns the cache's file name.
 */
export function sealBundle(dist, name, source) {
  const file = join(dist, `${name}.cjs`);
  // ASCII only: one character beyond it and V8 holds the whole source as a two-byte string
  // (twice the memory, and slower to read in every process). esbuild escapes them in code;
  // these are in the comments it keeps, where an escape reads as well.
  source = source.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  const contents = `${source}//# conform-build=${hash}\n`;
  const cache = `${name}.${hash}.bin`;
  writeCache(join(dist, 'v8-cache', cache), file, contents);
  writeInPlace(file, contents);
  return cache;
}

/** Renamed into place: a process starting meanwhile reads the old file or the new one. */
function writeInPlace(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

export async function buildRuntime(root, dist, common, plugins) {
  const cli = readFileSync(join(root, 'runtime/cli.ts'), 'utf8');
  const commands = [...new Set([...cli.matchAll(/import\('\.\/commands\/([a-z]+)\.js'\)/g)].map((m) => m[1]))];
  const caches = [];
  for (const only of [undefined, 'init', ...commands]) {
    caches.push(
      await buildBundle(dist, only ? `runtime-${only}` : 'runtime', {
        ...common,
        // Whitespace and comments out: every call reads its bundle's text (V8 keeps the
        // source beside the cached code), and fewer bytes are fewer page faults. Names stay.
        minifyWhitespace: true,
        entryPoints: [join(root, 'runtime/main.ts')],
        plugins: [...plugins, lazyBuiltins(LAZY_BUILTINS), ...(only ? [onlyCommand(only, actionImports(cli, only))] : [])],
      }),
    );
  }
  return caches;
}

/**
 * Node's modules that cost a runtime call milliseconds to load and that most calls never
 * use: child_process loads net, stream and dgram (~9 ms of CPU here), os is needed only
 * for errno names and the like, crypto (~5 ms) only to check that a precompiled
 * config validator matches its schema, which a bundle built with both never asks, and
 * module (~0.6 ms) only to load ajv for a config that needs its verdict.
 */
const LAZY_BUILTINS = ['child_process', 'net', 'os', 'crypto', 'module'];

/**
 * Imports of these builtins give an object of getters that loads the builtin at the first
 * property read: what a call uses costs the same, what it does not use costs nothing.
 * (Getters, not a Proxy: esbuild's interop copies the names of a CommonJS module's
 * exports at import, which must not load it; the names are this Node's, at build time.)
 */
function lazyBuiltins(names) {
  const filter = new RegExp(`^(node:)?(${names.join('|')})$`);
  return {
    name: 'lazy-builtins',
    setup(b) {
      b.onResolve({ filter }, (args) => {
        const name = args.path.replace(/^node:/, '');
        if (args.namespace === 'lazy-builtin') return { path: `node:${name}`, external: true };
        return { path: name, namespace: 'lazy-builtin' };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, async (args) => {
        const keys = Object.keys(await import(`node:${args.path}`)).filter((k) => k !== 'default');
        return {
          contents: [
            'let loaded;',
            `const load = () => (loaded ??= require(${JSON.stringify(`node:${args.path}`)}));`,
            `for (const k of ${JSON.stringify(keys)}) Object.defineProperty(exports, k, { enumerable: true, get: () => load()[k] });`,
          ].join('\n'),
          loader: 'js',
        };
      });
    },
  };
}

/** Caches of earlier builds, and files of earlier layouts: kept a while for processes that started before. */
export function removeStale(dist, fresh) {
  const stale = (file) => Date.now() - statSync(file).mtimeMs > 10 * 60_000;
  const cacheDir = join(dist, 'v8-cache');
  // A trained cache (bin/load-bundle.js) lives as long as its build's.
  const built = (f) => fresh.includes(f.replace(/\.trained\.bin$/, '.bin'));
  for (const f of readdirSync(cacheDir)) if (!built(f) && stale(join(cacheDir, f))) rmSync(join(cacheDir, f), { force: true });
  for (const f of readdirSync(dist).filter((n) => /^(runtime(-chunk-.*)?|conform|native)\.js(\.map)?$/.test(n)))
    if (stale(join(dist, f))) rmSync(join(dist, f), { force: true });
}

/** Compiles every function of the bundle now and writes V8's code cache for it. */
function writeCache(file, filename, source) {
  mkdirSync(join(file, '..'), { recursive: true });
  // Eager compilation, then the default again before serializing: the cache records the
  // flags it was made with, and V8 rejects it under others.
  setFlagsFromString('--no-lazy');
  let script;
  try {
    script = new Script(wrap(source), { filename });
  } finally {
    setFlagsFromString('--lazy');
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, file);
}

/**
 * What the action of `command` in runtime/cli.ts imports lazily: its own module, and
 * whatever else its block names (e.g. create's --preserve-fds parser), and the syscall
 * layer if it calls `syscalls()` (half of what `state` would load otherwise). A block is
 * the text from `command('x'` to the next `command(` (however Prettier lays it out).
 */
function actionImports(cli, command) {
  const wanted = new Set(command === 'init' ? ['./init/main.js', './syscalls-libc.js'] : [`./commands/${command}.js`]);
  const start = new RegExp(`\\bcommand\\(\\s*'${command}'`).exec(cli)?.index;
  if (start !== undefined) {
    const next = /\bcommand\(/g;
    next.lastIndex = start + 1;
    const end = next.exec(cli)?.index;
    const block = cli.slice(start, end);
    for (const m of block.matchAll(/import\('(\.\/commands\/[a-z-]+\.js)'\)/g)) wanted.add(m[1]);
    if (/\bsyscalls\(\)/.test(block)) wanted.add('./syscalls-libc.js');
  }
  return wanted;
}

/** Leaves out the lazy imports of runtime/cli.ts and runtime/main.ts that `command` never reaches. */
function onlyCommand(command, wanted) {
  return {
    name: 'only-command',
    setup(b) {
      b.onResolve({ filter: /^\.\/(commands\/[a-z-]+|init\/main|syscalls-libc|cli)\.js$/ }, (args) => {
        if (args.kind !== 'dynamic-import' || !/[\\/]runtime[\\/](cli|main)\.ts$/.test(args.importer)) return undefined;
        if (wanted.has(args.path) || (args.path === './cli.js' && command !== 'init')) return undefined;
        return { path: args.path, namespace: 'left-out' };
      });
      b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`internal error: ${args.path} is not in this command's bundle (scripts/bundles.mjs)`)});`,
        loader: 'js',
      }));
    },
  };
}
