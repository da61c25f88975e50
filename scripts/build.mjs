// Builds dist/: the harness CLI, the reference runtime (bundled, so that a runtime
// call does not resolve a tree of modules), and the native helpers of both.
//   --harness    only dist/conform.cjs and the harness's helpers (quick, while the runtime
//                is being worked on)
//   --pack       what the package ships (the default under `npm pack` and `npm publish`,
//                which run the prepare script): a clean dist/ with the bundles and their
//                V8 code caches, without source maps and without the native helpers, which
//                an installed package compiles at first use (cli/native-build.ts); no
//                run may use this checkout meanwhile
import { build } from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigValidator } from './config-validator.mjs';
import { bundledConfigValidator, schemasAsData } from './schemas-as-data.mjs';
import { buildBundle, buildRuntime, removeStale } from './bundles.mjs';

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
  // The maps are for us, not in the package (they would double its size).
  sourcemap: pack ? false : 'linked',
  logLevel: 'warning',
  // ESM output still has to load CommonJS dependencies that call require().
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

const schemaData = await schemasAsData(root, dist);

// The harness: one file, with its code cache (scripts/bundles.mjs). Dependencies are
// bundled too: resolving and reading their hundreds of files (xmlbuilder2 alone has 139)
// cost more than loading all of conform.
const caches = [await buildBundle(dist, 'conform', { ...common, entryPoints: [join(root, 'cli/main.ts')], plugins: [schemaData] })];
if (!pack) await build({ ...common, entryPoints: { 'bench-lib': join(root, 'bench/lib.ts') }, outdir: dist, packages: 'external' });

// How the native helpers are compiled, alone in dist/native.cjs: bin/conform-runtime.js
// requires it to compile nsexec before an installed package's first runtime call,
// without loading the harness (cli/native-build.ts).
await build({ ...common, format: 'cjs', banner: {}, sourcemap: false, entryPoints: [join(root, 'cli/native-build.ts')], outfile: join(dist, 'native.cjs') });
const { compileNative, NATIVE_SOURCES } = createRequire(import.meta.url)(join(dist, 'native.cjs'));

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

// The harness's native helpers (the console-socket receiver of the terminal cases, the
// seccomp agent, the reaper of runtime calls, the security cases' exchanger).
compileHelpers('harness/native');

// The config schema's validator, precompiled (scripts/config-validator.mjs): for the
// harness and the runtime alike (schemas/index.ts loads it).
caches.push(await writeConfigValidator(root, dist));

if (harnessOnly) process.exit(0);

// The reference runtime: a bundle per command, with V8 code caches (scripts/bundles.mjs).
if (existsSync(join(root, 'runtime/main.ts'))) {
  caches.push(...(await buildRuntime(root, dist, common, [schemaData, bundledConfigValidator(root)])));
}
removeStale(dist, caches);

// The runtime's native helper (see runtime/native/).
compileHelpers('runtime/native');
