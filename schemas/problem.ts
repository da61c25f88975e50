// A problem found in a config, state or features document, and the readable JSON
// path that says where (`process.rlimits[1].type`, `linux.sysctl["net.ipv4.ip_forward"]`).

export interface Problem {
  /** Readable JSON path; '' for the document itself. */
  path: string;
  message: string;
  /** error: the spec says MUST (or the document cannot be read); warning: SHOULD. */
  level: 'error' | 'warning';
  /** The id of the static rule that found it (see schemas/rules/); absent for schema problems. */
  rule?: string;
  /** The requirement ID the rule checks (its Rule.requirement). */
  requirement?: string;
  /** A warning whose rule says the config will not run as written (Rule.affectsRun). */
  affectsRun?: boolean;
}

export type Segment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (IDENTIFIER.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/**
 * Splits a JSON pointer (RFC 6901) into segments, turning a segment into an array index
 * only where the document has an array, so that an object key "0" stays a key.
 */
export function pointerSegments(pointer: string, document: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node) && /^(0|[1-9][0-9]*)$/.test(key)) {
      out.push(Number(key));
      node = node[Number(key)];
    } else {
      out.push(key);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return out;
}

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.level === 'error');
