// Equality and display for expectations: plain data, bigints, Maps and Sets.
import { isDeepStrictEqual } from 'node:util';

export function deepEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(normalize(a), normalize(b));
}

/** Maps and Sets compare (and show) as sorted entries/values. */
function normalize(v: unknown): unknown {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [normalize(k), normalize(x)]).sort(byJson);
  if (v instanceof Set) return [...v].map(normalize).sort(byJson);
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
  return v;
}

function byJson(a: unknown, b: unknown): number {
  const x = show(a);
  const y = show(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compact one-line rendering for messages, bigints as numbers, long values cut. */
export function show(v: unknown, max = 300): string {
  let s: string;
  if (v === undefined) s = 'undefined';
  else if (typeof v === 'bigint') s = v.toString();
  else if (typeof v === 'string') s = JSON.stringify(v);
  else s = JSON.stringify(normalize(v), (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x)) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
