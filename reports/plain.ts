// A failure's `expected` and `actual` are `unknown`: whatever a case compared. Reports can
// only hold JSON-shaped data, so this turns any value into that, losing as little as it
// can and never throwing (a report must not die on a bigint or a cycle).

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON-shaped copy of `value`; `undefined` means "no value" (the key is left out). */
export function toPlain(value: unknown): Json | undefined {
  return convert(value, new Set());
}

function convert(value: unknown, ancestors: Set<object>): Json | undefined {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON would turn NaN and Infinity into null, which reads as "no value": keep the word.
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : String(value);
    case 'bigint':
      // Too big for a JSON number in general (rlimits reach 2^64-1): the exact digits instead.
      return value.toString();
    case 'symbol':
      return value.toString();
    case 'function':
      return `[function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) return '[circular]';
  ancestors.add(object);
  try {
    return convertObject(object, ancestors);
  } finally {
    ancestors.delete(object);
  }
}

function convertObject(object: object, ancestors: Set<object>): Json | undefined {
  if (Array.isArray(object)) return object.map((item) => convert(item, ancestors) ?? null);
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof RegExp) return object.toString();
  if (object instanceof Error) return { name: object.name, message: object.message };
  if (object instanceof Map) {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of object) {
      const plain = convert(v, ancestors);
      if (plain !== undefined) out[String(k)] = plain;
    }
    return out;
  }
  if (object instanceof Set) return [...object].map((item) => convert(item, ancestors) ?? null);
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    try {
      return convert(toJSON.call(object), ancestors);
    } catch (error) {
      return `[unserializable: ${error instanceof Error ? error.message : String(error)}]`;
    }
  }
  const out: { [key: string]: Json } = {};
  for (const [k, v] of Object.entries(object)) {
    const plain = convert(v, ancestors);
    if (plain !== undefined) out[k] = plain;
  }
  return out;
}
