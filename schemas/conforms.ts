// Whether a value is valid against one of our JSON Schemas, as ajv judges it with
// ./ajv.ts's options, without ajv: an interpreter of the few keywords our schemas use.
// It answers yes or no only (no messages), and "cannot tell" (undefined) for a schema
// with a keyword it does not know, so that a caller falls back to ajv and never gets
// a different verdict. Why: the reference runtime's `create` checks one config per
// process, and loading ajv's precompiled config validator (330 kB of code and its
// code cache) cost more of its CPU than anything else it does. A config this calls
// valid is valid; one it does not is handed to ajv, whose verdict and messages stand.
// test/schemas-conforms.test.ts compares the two on every config it can find and on
// thousands of mutants of them.

/** Keywords that never change a verdict (ajv-errors' errorMessage is read only for messages). */
const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'default', 'examples', 'errorMessage']);

class CannotTell extends Error {}

const patterns = new Map<string, RegExp>();
/** ajv compiles patterns with the `u` flag (its unicodeRegExp default). */
const regex = (p: string): RegExp => {
  let r = patterns.get(p);
  if (!r) patterns.set(p, (r = new RegExp(p, 'u')));
  return r;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** ajv's type checks: integer and number are finite numbers, integer without a fraction. */
function hasType(type: unknown, v: unknown): boolean {
  switch (type) {
    case 'object':
      return isObject(v);
    case 'array':
      return Array.isArray(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'null':
      return v === null;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'integer':
      return typeof v === 'number' && Number.isFinite(v) && v % 1 === 0;
    default:
      throw new CannotTell();
  }
}

/** Deep equality of JSON values (ajv's `enum` uses fast-deep-equal). */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && equal(a[k], b[k]));
  }
  return false;
}

// Plain loops (for-in over keys, indices over arrays) rather than Object.entries,
// callbacks and for-of: `create` runs this once per process, never optimized, where
// every [key, value] pair and every iterator step is young garbage (~80 kB of it for a
// default config).
function valid(s: unknown, v: unknown): boolean {
  if (s === true) return true;
  if (s === false) return false;
  if (!isObject(s)) throw new CannotTell();
  for (const k in s) {
    const x = s[k];
    switch (k) {
      case 'type':
        if (Array.isArray(x) ? !someType(x, v) : !hasType(x, v)) return false;
        break;
      case 'enum':
        if (!Array.isArray(x)) throw new CannotTell();
        if (!inEnum(x, v)) return false;
        break;
      case 'minimum':
        if (typeof x !== 'number') throw new CannotTell();
        if (typeof v === 'number' && !(v >= x)) return false;
        break;
      case 'maximum':
        if (typeof x !== 'number') throw new CannotTell();
        if (typeof v === 'number' && !(v <= x)) return false;
        break;
      case 'pattern':
        if (typeof x !== 'string') throw new CannotTell();
        if (typeof v === 'string' && !regex(x).test(v)) return false;
        break;
      case 'minItems':
        if (typeof x !== 'number') throw new CannotTell();
        if (Array.isArray(v) && v.length < x) return false;
        break;
      case 'items':
        // The tuple form (an array of schemas) is not one our schemas use.
        if (!isObject(x) && typeof x !== 'boolean') throw new CannotTell();
        if (Array.isArray(v)) for (let i = 0; i < v.length; i++) if (!valid(x, v[i])) return false;
        break;
      case 'required':
        if (!Array.isArray(x)) throw new CannotTell();
        // As ajv's generated code: `data.name === undefined` (inherited names count).
        if (isObject(v)) for (let i = 0; i < x.length; i++) if (v[x[i] as string] === undefined) return false;
        break;
      case 'properties':
        if (!isObject(x)) throw new CannotTell();
        if (isObject(v)) for (const p in x) if (v[p] !== undefined && !valid(x[p], v[p])) return false;
        break;
      case 'patternProperties':
        if (!isObject(x)) throw new CannotTell();
        if (isObject(v)) {
          for (const pattern in x) {
            const re = regex(pattern);
            for (const key in v) if (re.test(key) && !valid(x[pattern], v[key])) return false;
          }
        }
        break;
      default:
        if (!ANNOTATIONS.has(k)) throw new CannotTell();
    }
  }
  return true;
}

function someType(types: unknown[], v: unknown): boolean {
  for (let i = 0; i < types.length; i++) if (hasType(types[i], v)) return true;
  return false;
}

function inEnum(values: unknown[], v: unknown): boolean {
  for (let i = 0; i < values.length; i++) if (equal(values[i], v)) return true;
  return false;
}

/** Whether `value` is valid against `schema` as ajv says; undefined when the schema has a keyword this does not know. */
export function conforms(schema: unknown, value: unknown): boolean | undefined {
  try {
    return valid(schema, value);
  } catch (e) {
    if (e instanceof CannotTell) return undefined;
    throw e;
  }
}
