// Dotted JSON paths as the cases and reports write them: `process.user.uid`,
// `linux.namespaces[2].path`, `annotations["com.example.key"]`.

export type PathPart = string | number;

export function parsePath(path: string): PathPart[] {
  const parts: PathPart[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(path))) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else parts.push(JSON.parse(`"${m[3]}"`) as string);
  }
  return parts;
}

export function formatPath(parts: readonly PathPart[]): string {
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? (i ? `.${p}` : p) : `[${JSON.stringify(p)}]`)).join('');
}

type Json = Record<string | number, unknown>;

export function getPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const p of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[p];
  }
  return cur;
}

/** Sets a value, creating objects (or arrays, for numeric parts) on the way. */
export function setPath(root: object, path: string, value: unknown): void {
  const parts = parsePath(path);
  let cur = root as Json;
  parts.slice(0, -1).forEach((p, i) => {
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = typeof parts[i + 1] === 'number' ? [] : {};
    cur = cur[p] as Json;
  });
  cur[parts.at(-1)!] = value;
}

/** Removes what a path points at (array elements are spliced out). Returns whether anything was there. */
export function deletePath(root: object, path: string): boolean {
  const parts = parsePath(path);
  const parent = parts.length > 1 ? getPath(root, formatPath(parts.slice(0, -1))) : root;
  const last = parts.at(-1)!;
  if (parent === null || typeof parent !== 'object' || !(last in parent)) return false;
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else delete (parent as Json)[last];
  return true;
}
