// Writes dist/config-validator.cjs: the config schema's validator precompiled with ajv's
// standalone code generation (schemas/standalone.ts), bundled with the few ajv runtime
// helpers it requires so that it loads on its own. Compiling the schema costs 150-350 ms
// in each process that checks a config; loading this file costs a few. It has a V8 code
// cache of its own (scripts/bundles.mjs): the reference runtime's `create` loads it with
// that cache while the container's init boots, not with the rest of create's code.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sealBundle } from './bundles.mjs';

/** Returns the name of the validator's code cache (dist/v8-cache/). */
export async function writeConfigValidator(root, dist) {
  // Temporary files in dist/, not /tmp: the generator requires ajv from node_modules.
  const tmp = join(dist, `.config-validator-${process.pid}`);
  try {
    await build({
      entryPoints: [join(root, 'schemas/standalone.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: `${tmp}.gen.mjs`,
      packages: 'external',
      logLevel: 'warning',
    });
    const { configValidatorSource, CONFIG_VALIDATOR_FILE } = await import(pathToFileURL(`${tmp}.gen.mjs`).href);
    writeFileSync(`${tmp}.src.cjs`, configValidatorSource());
    await build({
      entryPoints: [`${tmp}.src.cjs`],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // As the runtime's bundles (scripts/bundles.mjs): `create` reads all of it.
      minifyWhitespace: true,
      outfile: `${tmp}.cjs`,
      logLevel: 'warning',
    });
    return sealBundle(dist, CONFIG_VALIDATOR_FILE.replace(/\.cjs$/, ''), readFileSync(`${tmp}.cjs`, 'utf8'));
  } finally {
    for (const ext of ['.gen.mjs', '.src.cjs', '.cjs']) rmSync(`${tmp}${ext}`, { force: true });
  }
}
