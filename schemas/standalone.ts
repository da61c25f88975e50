// The config.json validator as JavaScript source, made at build time with ajv's
// standalone code generation (scripts/build.mjs writes it to dist/config-validator.cjs).
// Compiling the config schema costs 150-350 ms, in every process that validates one
// config: the reference runtime's `create` above all. ./index.ts loads the file when
// its hash matches the schema it was built from, and compiles otherwise.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { newAjv } from './ajv.js';
import { ConfigSchema } from './config.js';

export const CONFIG_VALIDATOR_FILE = 'config-validator.cjs';

/** Names the schema a precompiled validator was made from. */
export function schemaHash(schema: unknown): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 16);
}

/** CommonJS source: `module.exports` is the validate function, `.schemaHash` its schema's hash. */
export function configValidatorSource(): string {
  const require = createRequire(import.meta.url);
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js')).default;
  const ajv = newAjv({ code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(ConfigSchema));
  return `${code}\nmodule.exports.schemaHash = ${JSON.stringify(schemaHash(ConfigSchema))};\n`;
}
