// Validation against our schemas: compiled once, on first use, with ajv (draft-07,
// the dialect the schemas declare) and ajv-formats; the config schema's validator is
// precompiled at build time when dist/ has it (./standalone.ts).
import type { ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { newAjv, type Ajv } from './ajv.js';
import { ajvProblems } from './ajv-problems.js';
import { conforms } from './conforms.js';
import { ConfigSchema } from './config.js';
import { FeaturesSchema } from './features.js';
import { featuresRules } from './rules/features.js';
import { loadPrecompiledConfigValidator } from './precompiled.js';
import { StateSchema } from './state.js';
import type { Problem } from './problem.js';

// The reference runtime validates in every `create`, one process per call, so compile
// time is what counts (configs are small): ajv's code optimizer costs more than it saves.
let ajv: Ajv | undefined;
const validators = new Map<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (validate) return validate;
  validate = (schema === ConfigSchema ? (loadPrecompiledConfigValidator() as ValidateFunction | undefined) : undefined) ?? compile(schema);
  validators.set(schema, validate);
  return validate;
}

function compile(schema: object): ValidateFunction {
  ajv ??= newAjv({ code: { optimize: false } });
  return ajv.compile(schema);
}

function run(validate: ValidateFunction, value: unknown): Problem[] {
  return validate(value) ? [] : ajvProblems(validate.errors, value);
}

/**
 * config.json against the schema alone; schemas/validate.ts adds the spec's other static
 * rules. A config ./conforms.ts calls valid needs no ajv (nor its precompiled validator,
 * the largest thing the reference runtime's `create` would load); any other is ajv's to
 * judge and explain.
 */
export function validateConfig(value: unknown): Problem[] {
  if (conforms(ConfigSchema, value) === true) return [];
  return run(validatorFor(ConfigSchema), value);
}

/** The state JSON (runtime.md#runtimeState). */
export function validateState(value: unknown): Problem[] {
  return run(validatorFor(StateSchema), value);
}

/** The features structure (features.md), with its rules that a schema cannot express. */
export function validateFeatures(value: unknown): Problem[] {
  return [...run(validatorFor(FeaturesSchema), value), ...featuresRules(value)];
}

/**
 * RFC 3339 date-time, as ajv-formats checks it (its own function, without compiling a
 * schema). Required when first asked, as ajv is (./ajv.ts): the formats module builds
 * dozens of patterns when it loads, and `create` asks only when a config has the
 * org.opencontainers.image.created annotation.
 */
export function isDateTime(value: string): boolean {
  const { fullFormats } = createRequire(import.meta.url)('ajv-formats/dist/formats.js') as typeof import('ajv-formats/dist/formats.js');
  // ajv-formats defines date-time as { validate, compare }; its declared type is any Format.
  const format = fullFormats['date-time'] as { validate: (s: string) => boolean };
  return format.validate(value);
}

export type { Problem, Segment } from './problem.js';
export { formatPath, hasErrors } from './problem.js';
export * from './config.js';
export * from './state.js';
export * from './features.js';
export * from './enums.js';
