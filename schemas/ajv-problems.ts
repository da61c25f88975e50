// Turns ajv's errors into short, human problems: one line per thing that is wrong,
// with a readable path, and anyOf noise (e.g. features' "X or null") collapsed.
import type { ErrorObject } from 'ajv';
import { formatPath, pointerSegments, type Problem } from './problem.js';

/** An ajv error, or one we made by collapsing an anyOf (it then carries its message). */
type Err = ErrorObject & { collapsed?: string };

const NOUNS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
};

export function ajvProblems(errors: readonly ErrorObject[] | null | undefined, document: unknown): Problem[] {
  // `if` only says that `then` failed; the `then` errors themselves follow.
  const kept = collapseAnyOf((errors ?? []).filter((e) => e.keyword !== 'if'));
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const e of kept) {
    const segments = pointerSegments(e.instancePath, document);
    if (e.keyword === 'required') segments.push(String((e.params as { missingProperty: string }).missingProperty));
    if (e.keyword === 'additionalProperties') segments.push(String((e.params as { additionalProperty: string }).additionalProperty));
    const problem: Problem = { path: formatPath(segments), message: describe(e), level: 'error' };
    const key = `${problem.path}\0${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/**
 * For each anyOf that failed (innermost first): if exactly one branch failed *inside*
 * the value (its type matched), that branch's errors are the useful ones; otherwise
 * no branch fit the value's kind, and one line lists what would have.
 */
function collapseAnyOf(input: Err[]): Err[] {
  let errors = input;
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf').sort((a, b) => b.schemaPath.length - a.schemaPath.length);
  for (const anyOf of anyOfs) {
    const prefix = `${anyOf.schemaPath}/`;
    const branches = new Map<string, Err[]>();
    for (const e of errors) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const isKindMiss = (e: Err) => e.instancePath === anyOf.instancePath && ['type', 'const', 'enum'].includes(e.keyword);
    const close = [...branches.values()].filter((errs) => !errs.some(isKindMiss));
    const inBranches = new Set([...branches.values()].flat());
    const rest = errors.filter((e) => e !== anyOf && !inBranches.has(e));
    if (close.length === 1) {
      errors = [...rest, ...close[0]!];
    } else {
      const kinds = [...branches.values()].map((errs) => describe(errs.find(isKindMiss) ?? errs[0]!).replace(/^(the document )?must be /, ''));
      errors = [...rest, { ...anyOf, keyword: 'type', collapsed: `must be ${[...new Set(kinds)].join(' or ')}` }];
    }
  }
  return errors;
}

function describe(e: Err): string {
  if (e.collapsed) return e.collapsed;
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  // ajv-errors' errorMessage (string form); a wrong type is better said plainly.
  if (e.keyword !== 'type' && typeof parent?.errorMessage === 'string') return parent.errorMessage;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const kind = `must be ${String(p.type)
        .split(',')
        .map((t) => NOUNS[t] ?? t)
        .join(' or ')}`;
      // With no path to stand before it, say what must be.
      return e.instancePath === '' ? `the document ${kind}` : kind;
    }
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not a known key';
    case 'enum':
      return `must be one of ${listValues(p.allowedValues as unknown[])} (got ${JSON.stringify(e.data)})`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return describeRange(parent ?? {});
    case 'minItems':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} entries`;
    case 'maxItems':
      return `must have at most ${String(p.limit)} entries`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters long`;
    case 'pattern':
      return `must match ${String(p.pattern)}`;
    case 'format':
      return `must be a valid ${String(p.format)}`;
    default:
      return e.message ?? 'is invalid';
  }
}

function listValues(values: readonly unknown[]): string {
  const shown = values.length > 10 ? values.slice(0, 8) : values;
  const text = shown.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return values.length > shown.length ? `${text}, … (${values.length} values)` : text;
}

function describeRange(schema: Record<string, unknown>): string {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  const noun = schema.type === 'integer' ? 'an integer' : 'a number';
  if (min !== undefined && max !== undefined) return `must be ${noun} from ${exact(min)} to ${exact(max)}`;
  if (min !== undefined) return min === 1 && schema.type === 'integer' ? 'must be greater than zero' : `must be at least ${exact(min)}`;
  if (max !== undefined) return `must be at most ${exact(max)}`;
  return 'is out of range';
}

/**
 * Our int64/uint64 limits (2^63-1, 2^64-1) are stored as the doubles they round up to;
 * print the integer the spec means, not 18446744073709552000.
 */
export function exact(n: number): string {
  if (Math.abs(n) < 2 ** 53) return String(n);
  return n > 0 ? (BigInt(n) - 1n).toString() : BigInt(n).toString();
}
