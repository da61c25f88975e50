// Block-style YAML for TAP diagnostics. Our data is small and JSON-shaped, so a few rules
// cover it: a string is written plain only when it is a single word that YAML cannot read
// as anything else (`fail`, `config:process.umask`, `/tmp/x`); every other string is
// double-quoted with JSON escapes (a subset of YAML's), so none can be misread as a number,
// a bool, a comment or a new key. Collections are indented blocks, so that long
// expected/actual values stay readable.

import type { Json } from './plain.js';

/** The mapping's lines, each prefixed with `indent` spaces, without `---`/`...` markers. */
export function yamlLines(mapping: { [key: string]: Json }, indent: number): string[] {
  return block(mapping, indent);
}

function block(value: Json, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      if (!isCollection(item)) return [`${pad}- ${listItem(scalar(item))}`];
      // Compact form: the item's first line shares the dash (`- key: v`, `- - v`).
      const lines = block(item, indent + 2);
      lines[0] = `${pad}- ${lines[0]!.slice(indent + 2)}`;
      return lines;
    });
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([k, v]) => (isCollection(v) ? [`${pad}${key(k)}:`, ...block(v, indent + 2)] : [`${pad}${key(k)}: ${scalar(v)}`]));
  }
  return [`${pad}${scalar(value)}`];
}

/**
 * Perl's TAP::Parser (what `prove` reads YAML with) takes a list item whose first word ends
 * in `:` followed by a space (`- "loop: exec …"`) for a mapping, quotes or not, and gives
 * up on the stream. In that first word a colon is written as the escape `\x3a`, which
 * every YAML reader decodes.
 */
function listItem(text: string): string {
  if (!text.startsWith('"')) return text;
  const end = text.search(/\s/);
  const head = end < 0 ? text : text.slice(0, end);
  return head.replace(/:/g, '\\x3a') + text.slice(head.length);
}

function isCollection(value: Json): value is Json[] | { [key: string]: Json } {
  if (Array.isArray(value)) return value.length > 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length > 0;
}

function scalar(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return '[]';
  switch (typeof value) {
    case 'boolean':
    case 'number':
      return String(value);
    case 'string':
      return isSafePlain(value) ? value : quote(value);
    default:
      return '{}';
  }
}

// Words that YAML 1.1 or 1.2 readers turn into booleans or null.
const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null)$/i;

/** One word, starting with a letter, `_` or `/`, without `: `, ` #` or a trailing `:`. */
function isSafePlain(text: string): boolean {
  return /^[A-Za-z_/][A-Za-z0-9_./:@+-]*$/.test(text) && !text.endsWith(':') && !RESERVED.test(text);
}

function key(k: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(k) && !RESERVED.test(k) ? k : quote(k);
}

/**
 * JSON string syntax is valid in a YAML double-quoted scalar; on top of JSON's escapes, YAML
 * wants DEL, C1 controls, the line/paragraph separators and the BOM escaped (they are not
 * "printable" in YAML, and some readers treat them as line breaks).
 */
function quote(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
