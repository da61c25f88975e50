// Rules for the features structure that a schema cannot express (features.md).
import { FeaturesSchema } from '../features.js';
import { formatPath, type Problem, type Segment } from '../problem.js';
import { compareSemVer, parseSemVer } from '../semver.js';
import { isObject } from './rule.js';

/** The spec version our schema describes. */
const KNOWN = { major: 1, minor: 3 };

export function featuresRules(value: unknown): Problem[] {
  if (!isObject(value)) return [];
  const min = typeof value.ociVersionMin === 'string' ? parseSemVer(value.ociVersionMin) : undefined;
  const max = typeof value.ociVersionMax === 'string' ? parseSemVer(value.ociVersionMax) : undefined;
  if (!min || !max) return [];
  const problems: Problem[] = [];
  // features.md#featuresSpecificationVersion: ociVersionMax "MUST NOT be less than the
  // value of the ociVersionMin property".
  if (compareSemVer(max, min) < 0) {
    problems.push({
      path: 'ociVersionMax',
      message: `must not be less than ociVersionMin (${String(value.ociVersionMin)})`,
      level: 'error',
      rule: 'features.version.order',
    });
  }
  // "The Features structure MUST NOT contain properties that are not defined in this
  // version": we know 1.3's properties, so we can only judge runtimes claiming <= 1.3.
  if (max.major < KNOWN.major || (max.major === KNOWN.major && max.minor <= KNOWN.minor)) {
    for (const path of unknownProperties(FeaturesSchema, value, [])) {
      problems.push({
        path: formatPath(path),
        message: `is not defined in runtime-spec ${String(value.ociVersionMax)}`,
        level: 'error',
        rule: 'features.properties.defined',
      });
    }
  }
  return problems;
}

/** Paths of object properties that the schema does not name (maps, i.e. patternProperties, take any key). */
function unknownProperties(schema: unknown, value: unknown, at: Segment[]): Segment[][] {
  if (!isObject(schema)) return [];
  if (Array.isArray(schema.anyOf)) return schema.anyOf.flatMap((branch: unknown) => unknownProperties(branch, value, at));
  if (Array.isArray(value)) return value.flatMap((item, i) => unknownProperties(schema.items, item, [...at, i]));
  if (!isObject(value) || !isObject(schema.properties) || schema.patternProperties !== undefined) return [];
  const properties = schema.properties;
  return Object.entries(value).flatMap(([key, v]) => (key in properties ? unknownProperties(properties[key], v, [...at, key]) : [[...at, key]]));
}
