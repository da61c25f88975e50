// Finds the config validator precompiled at build time (./standalone.ts; scripts/build.mjs
// writes dist/config-validator.cjs): next to the bundle that runs (dist/*.js) or, from the
// sources, in ../dist/, and takes it only when it was made from this very schema (dist/'s
// file may be older than the sources). The reference runtime's bundles replace this
// module (scripts/schemas-as-data.mjs) with one that loads dist/'s file with its own code
// cache and compares nothing: every build writes it from the schema sources before the
// bundles, so a `create` neither hashes the schema nor loads node:crypto to do it.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { ConfigSchema } from './config.js';
import { CONFIG_VALIDATOR_FILE, schemaHash } from './standalone.js';

/** The validate function, or undefined when it was not built, is broken, or was made from another schema. */
export function loadPrecompiledConfigValidator(): unknown {
  for (const rel of [`./${CONFIG_VALIDATOR_FILE}`, `../dist/${CONFIG_VALIDATOR_FILE}`]) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (!existsSync(file)) continue;
    try {
      const validate = createRequire(import.meta.url)(file) as { schemaHash?: unknown };
      return validate.schemaHash === schemaHash(ConfigSchema) ? validate : undefined;
    } catch {
      // Unreadable or broken: compiling is slower, not wrong.
      return undefined;
    }
  }
  return undefined;
}
