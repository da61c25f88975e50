// Builds dist/: the harness CLI, the reference runtime (bundled, so that a runtime
// call does not resolve a tree of modules), and the native helpers of both.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeConfigValidator } from './config-validator.mjs';
import { bundledConfigValidator, schemasAsData } from './schemas-as-data.mjs';
import { buildBundle, buildRuntime, removeStale } from './bundles.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --harness: only dist/conform.cjs (quick, while the runtime is being worked on).
const harnessOnly = process.argv.includes('--harness');
const dist = join(root, 'dist');
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

const schemaData = await schemasAsData(root, dist);

// The harness: one file, with its code cache (scripts/bundles.mjs). Dependencies are
// bundled too: resolving and reading their hundreds of files (xmlbuilder2 alone has 139)
// cost more than loading all of conform. koffi is a native addon.
const caches = [await buildBundle(dist, 'conform', { ...common, entryPoints: [join(root, 'harness/cli.ts')], external: ['koffi'], plugins: [schemaData] })];
await build({ ...common, entryPoints: { 'bench-lib': join(root, 'bench/lib.ts') }, outdir: dist, packages: 'external' });

/** Compiles every DIR/*.c into dist/ with the machine's cc. */
function compileNative(dir) {
  const nativeDir = join(root, dir);
  if (!existsSync(nativeDir)) return;
  for (const file of readdirSync(nativeDir).filter((f) => f.endsWith('.c'))) {
    const out = join(dist, file.replace(/\.c$/, ''));
    // Compiled beside it and renamed over it: a helper running meanwhile keeps its file,
    // and nothing ever executes a half-written one.
    const tmp = `${out}.${process.pid}.tmp`;
    try {
      execFileSync('cc', ['-O2', '-Wall', '-Werror', '-static', '-o', tmp, join(nativeDir, file)], { stdio: 'inherit' });
      renameSync(tmp, out);
    } catch {
      rmSync(tmp, { force: true });
      console.error(`build: could not compile ${dir}/${file} (the compiler's messages are above; without a C compiler: apt-get install -y gcc libc6-dev)`);
      process.exit(1);
    }
  }
}

// The harness's native helpers (the console-socket receiver of the terminal cases, the seccomp agent).
compileNative('harness/native');

// The config schema's validator, precompiled (scripts/config-validator.mjs): for the
// harness and the runtime alike (schemas/index.ts loads it).
await writeConfigValidator(root, dist);

if (harnessOnly) process.exit(0);

// The reference runtime: a bundle per command, with V8 code caches (scripts/bundles.mjs).
if (existsSync(join(root, 'runtime/main.ts'))) {
  caches.push(...(await buildRuntime(root, dist, common, [schemaData, bundledConfigValidator(root, join(dist, 'config-validator.cjs'))])));
}
removeStale(dist, caches);

// The runtime's native helper (see runtime/native/).
compileNative('runtime/native');
