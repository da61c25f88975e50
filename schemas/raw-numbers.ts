// Checks integer fields in the JSON *text*, where JSON.parse would hide two mistakes
// that make Go-based runtimes (runc, runsc) reject a config:
// - a value past uint64/int64 that rounds back into range as a double: JSON.stringify
//   writes 2**64 (a common stand-in for RLIM_INFINITY) as 18446744073709552000;
// - an integer written as 1e3 or 1.0, which JSON.parse reads as an integer but Go's
//   encoding/json refuses for an integer field.
// Only fields our schema declares as integers are checked: unknown properties may hold anything.
import { exact } from './ajv-problems.js';
import { formatPath, type Problem, type Segment } from './problem.js';
import { isObject } from './rules/rule.js';

const PLAIN_INTEGER = /^-?(0|[1-9][0-9]*)$/;

// A string (skipped whole), or the start of a number that is not a plain integer of at
// most 15 digits: with a fraction or an exponent, or 16 digits or more (2^53 has 16).
const STRING_OR_UNUSUAL_NUMBER = /"[^"\\]*(?:\\.[^"\\]*)*"|-?(?:[0-9]{16}|[0-9]+[.eE])/g;

/**
 * Whether valid JSON `text` has a number that JSON.parse may not read exactly as
 * written: one with a fraction or an exponent, or of 16 digits or more. Every other
 * number is a plain integer below 2^53, which a double holds exactly, so that neither
 * check below can find anything. One regular expression over the text costs a few
 * microseconds; scanNumbers, a JavaScript loop per character, cost ~7 ms of a
 * `create`'s CPU for a 2 kB config (run once, in a fresh process, it is never
 * optimized).
 */
export function hasUnusualNumbers(text: string): boolean {
  // create asks twice of one text (its rlimits, then the schema check).
  if (text === last?.text) return last.answer;
  const re = new RegExp(STRING_OR_UNUSUAL_NUMBER);
  let answer = false;
  for (let m = re.exec(text); m && !answer; m = re.exec(text)) answer = m[0][0] !== '"';
  last = { text, answer };
  return answer;
}

let last: { text: string; answer: boolean } | undefined;

/** Problems in the integer literals of `text`, which must be valid JSON. */
export function checkIntegerLiterals(text: string, schema: unknown): Problem[] {
  const problems: Problem[] = [];
  if (!hasUnusualNumbers(text)) return problems;
  scanNumbers(text, (path, literal) => {
    const s = schemaAt(schema, path);
    if (!s || s.type !== 'integer') return;
    const where = formatPath(path);
    if (!PLAIN_INTEGER.test(literal)) {
      // A non-integer value (1.5) is the schema's to report; 1e3 and 1.0 pass it.
      if (Number.isInteger(Number(literal))) {
        problems.push({ path: where, message: `must be written as a plain integer (got ${literal})`, level: 'error', rule: 'json.integer.form' });
      }
      return;
    }
    const n = Number(literal);
    const big = BigInt(literal);
    const min = typeof s.minimum === 'number' ? s.minimum : undefined;
    const max = typeof s.maximum === 'number' ? s.maximum : undefined;
    // Only what the double comparison (the schema's) let through.
    const over = max !== undefined && n <= max && big > BigInt(exact(max));
    const under = min !== undefined && n >= min && big < BigInt(exact(min));
    if (over || under) {
      const hint = literal === '18446744073709552000' ? ': that is JSON.stringify(2 ** 64); write 18446744073709551615' : '';
      const range = over ? `at most ${exact(max!)}` : `at least ${exact(min!)}`;
      problems.push({
        path: where,
        message: `must be ${range} (got ${literal})${hint}`,
        level: 'error',
        rule: 'json.integer.range',
      });
    }
  });
  return problems;
}

/** The subschema that describes `path`, following properties, maps, array items and anyOf. */
function schemaAt(schema: unknown, path: readonly Segment[]): Record<string, unknown> | undefined {
  let node: unknown = schema;
  for (const seg of path) {
    if (!isObject(node)) return undefined;
    if (Array.isArray(node.anyOf)) node = node.anyOf.find((b: unknown) => isObject(b) && b.type !== 'null');
    if (!isObject(node)) return undefined;
    if (typeof seg === 'number') {
      node = node.items;
    } else if (isObject(node.properties) && seg in node.properties) {
      node = node.properties[seg];
    } else if (isObject(node.patternProperties)) {
      node = Object.values(node.patternProperties)[0];
    } else {
      return undefined;
    }
  }
  if (isObject(node) && Array.isArray(node.anyOf)) node = node.anyOf.find((b: unknown) => isObject(b) && b.type !== 'null');
  return isObject(node) ? node : undefined;
}

/** Calls `visit` with the path and source text of every number in a valid JSON text. */
export function scanNumbers(text: string, visit: (path: Segment[], literal: string) => void): void {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: Segment[]): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        const key = string();
        ws();
        i++; // ':'
        value([...path, key]);
        ws();
        if (text[i++] === '}') return;
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value([...path, n]);
        ws();
        if (text[i++] === ']') return;
      }
    }
    if (ch === '"') return void string();
    const m = /-?[0-9][0-9.eE+-]*|true|false|null/y;
    m.lastIndex = i;
    const token = m.exec(text)?.[0] ?? '';
    i += Math.max(token.length, 1);
    if (token !== 'true' && token !== 'false' && token !== 'null') visit(path, token);
  };
  value([]);
}
