// Builds dist/: the harness CLI, the reference runtime (bundled, so that a runtime
// call does not resolve a tree of modules), and the native helpers of both.
//   --harness    only dist/conform.js and the harness's helpers (quick, while the runtime
//                is being worked on)
//   --pack       what the package ships (the default under `npm pack` and `npm publish`,
//                which run the prepare script): a clean dist/ without source maps and
//                without the native helpers, which an installed package compiles at first
//                use (harness/native-build.ts); no run may use this checkout meanwhile
import { build } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeConfigValidator } from './config-validator.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const harnessOnly = process.argv.includes('--harness');
const pack = process.argv.includes('--pack') || ['pack', 'publish'].includes(process.env.npm_command ?? '');
const dist = join(root, 'dist');
if (pack) rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  // ESM output still has to load CommonJS dependencies that call require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

await build({
  ...common,
  entryPoints: { conform: join(root, 'harness/cli.ts'), ...(pack ? {} : { 'bench-lib': join(root, 'bench/lib.ts') }) },
  outdir: dist,
  packages: 'external',
  // The map is for us, not in the package (it would double its size).
  sourcemap: pack ? false : 'linked',
});

// How the native helpers are compiled, also for bin/conform-runtime.js (see native-build.ts).
await build({ ...common, entryPoints: { native: join(root, 'harness/native-build.ts') }, outdir: dist, sourcemap: false });
const { compileNative, NATIVE_SOURCES } = await import(pathToFileURL(join(dist, 'native.js')).href);

/** Compiles the helpers whose sources are under `dir`, with -Werror (ours to keep clean). */
function compileHelpers(dir) {
  if (pack) return;
  for (const [name, source] of Object.entries(NATIVE_SOURCES)) {
    if (!source.startsWith(`${dir}/`)) continue;
    try {
      compileNative(root, name, { strict: true });
    } catch (e) {
      console.error(`build: ${e.message}`);
      process.exit(1);
    }
  }
}

// The harness's native helpers (the console-socket receiver of the terminal cases, the seccomp agent).
compileHelpers('harness/native');

// The config schema's validator, precompiled (scripts/config-validator.mjs): for the
// harness and the runtime alike (schemas/index.ts loads it).
await writeConfigValidator(root, dist);

if (harnessOnly) process.exit(0);

if (existsSync(join(root, 'runtime/main.ts'))) {
  const { metafile } = await build({
    ...common,
    entryPoints: { runtime: join(root, 'runtime/main.ts') },
    outdir: dist,
    // koffi is a native addon and cannot be bundled; everything else is, so that a
    // runtime call does not pay for resolving a tree of modules. Split into chunks
    // (next to runtime.js: runtime/self.ts relies on it) so that each command loads
    // only its own code: `state` a few kB, the init no CLI parser and no validator.
    external: ['koffi'],
    splitting: true,
    chunkNames: 'runtime-chunk-[hash]',
    metafile: true,
    sourcemap: pack ? false : 'linked',
  });
  // Chunks of earlier builds: kept a while for runtime calls that started before.
  const fresh = new Set(Object.keys(metafile.outputs).map((f) => basename(f)));
  for (const f of readdirSync(dist).filter((n) => n.startsWith('runtime-chunk-') && !fresh.has(n))) {
    if (Date.now() - statSync(join(dist, f)).mtimeMs > 10 * 60_000) rmSync(join(dist, f), { force: true });
  }
}

// The runtime's native helper (see runtime/native/).
compileHelpers('runtime/native');
