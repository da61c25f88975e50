// Finds the config validator precompiled at build time (./standalone.ts; scripts/build.mjs
// writes dist/config-validator.cjs): next to the bundle that runs (dist/*.js) or, from the
// sources, in ../dist/. The reference runtime's build replaces this module with one that
// bundles the validator, so that it shares the runtime's V8 code cache: compiling the
// validator's code costs more than all the rest of `create`'s own work.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CONFIG_VALIDATOR_FILE } from './standalone.js';

/**
 * Whether the validator needs no hash comparison: false here (dist/'s file may be older
 * than the sources: schemas/index.ts compares hashes); true in the runtime's bundles,
 * whose replacement of this module (scripts/schemas-as-data.mjs) loads dist/'s file, which
 * every build writes from the schema sources before the bundles: a `create` does not
 * hash the schema again.
 */
export const BUILT_WITH_SCHEMA: boolean = false;

/** The validate function with its `schemaHash`, or undefined when it was not built or is broken. */
export function loadPrecompiledConfigValidator(): unknown {
  for (const rel of [`./${CONFIG_VALIDATOR_FILE}`, `../dist/${CONFIG_VALIDATOR_FILE}`]) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(file)) continue;
    try {
      return createRequire(import.meta.url)(file) as unknown;
    } catch {
      // Unreadable or broken: compiling is slower, not wrong.
      return undefined;
    }
  }
  return undefined;
}
