// What scripts/emit-schemas.mjs writes to schemas/json/, and how: one place, so that
// the script and the test that compares the committed files cannot disagree.
import { ConfigSchema } from './config.js';
import { FeaturesSchema } from './features.js';
import { StateSchema } from './state.js';

export const EMITTED: Readonly<Record<string, unknown>> = {
  'config.schema.json': ConfigSchema,
  'state.schema.json': StateSchema,
  'features.schema.json': FeaturesSchema,
};

/** TypeBox's own markers are symbols, which JSON.stringify leaves out. */
export const schemaText = (schema: unknown): string => `${JSON.stringify(schema, null, 2)}\n`;

export const REGENERATE = 'node scripts/emit-schemas.mjs';
