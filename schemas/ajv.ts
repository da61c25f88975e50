// The one ajv set-up for our schemas: ./index.ts compiles with it at run time and
// ./standalone.ts at build time (scripts/build.mjs), so both validate alike.
//
// ajv is required on first use, not imported: loading its code costs tens of ms, and
// with the config validator precompiled most processes (the reference runtime's
// `create`, the harness checking each bundle) never compile a schema.
import { createRequire } from 'node:module';
import type { Ajv, Options } from 'ajv';

export type { Ajv };

export const AJV_OPTIONS: Readonly<Options> = {
  allErrors: true,
  // verbose: errors carry the failing value and its schema, for readable messages.
  verbose: true,
  strict: true,
  // The state's if/then requires `pid`, which the then-branch does not redeclare.
  strictRequired: false,
  // test/schemas.test.ts checks our schemas against the meta-schema instead.
  validateSchema: false,
};

export function newAjv(extra: Options = {}): Ajv {
  const require = createRequire(import.meta.url);
  // Both are CommonJS modules whose `module.exports.default` is the export we want.
  const Ajv = (require('ajv') as typeof import('ajv')).default;
  const addFormats = (require('ajv-formats') as typeof import('ajv-formats')).default;
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  addFormats(ajv);
  // ajv-errors' keyword: ours is only read back by ./ajv-problems.ts.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}
