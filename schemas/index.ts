// Validation against our schemas: compiled once, on first use, with ajv (draft-07,
// the dialect the schemas declare) and ajv-formats.
import AjvModule, { type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ajvProblems } from './ajv-problems.js';
import { ConfigSchema } from './config.js';
import { FeaturesSchema } from './features.js';
import { featuresRules } from './rules/features.js';
import { StateSchema } from './state.js';
import type { Problem } from './problem.js';

// Both are CommonJS modules whose `module.exports.default` is the export we want; under
// NodeNext the default import is `module.exports` itself.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

// The reference runtime validates in every `create`, one process per call, so compile
// time is what counts (configs are small): ajv's code optimizer and the meta-schema check
// cost ~4x the rest. test/schemas.test.ts checks our schemas against the meta-schema instead.
let ajv: InstanceType<typeof Ajv> | undefined;
const validators = new Map<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (validate) return validate;
  if (!ajv) {
    ajv = new Ajv({
      allErrors: true,
      // verbose: errors carry the failing value and its schema, for readable messages.
      verbose: true,
      strict: true,
      // The state's if/then requires `pid`, which the then-branch does not redeclare.
      strictRequired: false,
      validateSchema: false,
      code: { optimize: false },
    });
    addFormats(ajv);
    // ajv-errors' keyword: ours is only read back by ./ajv-problems.ts.
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  }
  validate = ajv.compile(schema);
  validators.set(schema, validate);
  return validate;
}

const DATE_TIME = { type: 'string', format: 'date-time' };

function run(validate: ValidateFunction, value: unknown): Problem[] {
  return validate(value) ? [] : ajvProblems(validate.errors, value);
}

/** config.json against the schema alone; harness/validate.ts adds the spec's other static rules. */
export function validateConfig(value: unknown): Problem[] {
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

/** RFC 3339 date-time, as ajv-formats checks it. */
export function isDateTime(value: string): boolean {
  return validatorFor(DATE_TIME)(value) === true;
}

export type { Problem, Segment } from './problem.js';
export { formatPath, hasErrors } from './problem.js';
export * from './config.js';
export * from './state.js';
export * from './features.js';
export * from './enums.js';
