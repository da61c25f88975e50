// The folders are layers, each importing only those below it (README, "Layout"):
//
//   linux/ → spec/ → schemas/ → harness/ → suites/, reports/ → cli/
//
// and runtime/, a program of its own, imports only linux/, spec/ and schemas/ (nothing
// imports it). This reads the import statements of every .ts file (TypeScript's own
// pre-parser: static, dynamic and type imports, re-exports) and holds the tree to that,
// so that a cycle cannot creep back in unnoticed.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/paths.js';

/** Each layer's rank: a file may import from its own folder and from lower ranks only. */
const RANK: Record<string, number> = { linux: 0, spec: 1, schemas: 2, harness: 3, suites: 4, reports: 4, cli: 5 };
/** What runtime/ may import besides itself. */
const RUNTIME_BELOW = ['linux', 'spec', 'schemas'];
const FOLDERS = [...Object.keys(RANK), 'runtime'];

interface Edge {
  from: string;
  to: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The file's relative imports, as repo paths of .ts files. */
export function importsOf(file: string, source: string): string[] {
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(repoRoot, resolve(repoRoot, dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const folderOf = (path: string) => path.split('/')[0]!;

/** Where `from` may not import `to`, why; undefined where it may. */
export function violation(from: string, to: string): string | undefined {
  const a = folderOf(from);
  const b = folderOf(to);
  if (a === b) return undefined;
  if (!FOLDERS.includes(b)) return `${b}/ is no layer`;
  if (a === 'runtime') return RUNTIME_BELOW.includes(b) ? undefined : `runtime/ imports only ${RUNTIME_BELOW.join('/, ')}/`;
  if (b === 'runtime') return 'nothing imports runtime/ (a program of its own)';
  if (RANK[b]! > RANK[a]!) return `${b}/ is above ${a}/`;
  if (RANK[b] === RANK[a]) return `${a}/ and ${b}/ are side by side`;
  return undefined;
}

/** The strongly connected components of more than one node (Tarjan). */
export function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (n: string) => {
    index.set(n, index.size);
    low.set(n, index.get(n)!);
    stack.push(n);
    for (const m of next.get(n) ?? []) {
      if (!index.has(m)) {
        visit(m);
        low.set(n, Math.min(low.get(n)!, low.get(m)!));
      } else if (stack.includes(m)) low.set(n, Math.min(low.get(n)!, index.get(m)!));
    }
    if (low.get(n) === index.get(n)) {
      const comp: string[] = [];
      for (let m = stack.pop()!; ; m = stack.pop()!) {
        comp.push(m);
        if (m === n) break;
      }
      if (comp.length > 1) found.push(comp.sort());
    }
  };
  for (const n of next.keys()) if (!index.has(n)) visit(n);
  return found;
}

const edges: Edge[] = FOLDERS.flatMap((dir) => tsFiles(dir)).flatMap((from) =>
  importsOf(from, readFileSync(join(repoRoot, from), 'utf8')).map((to) => ({ from, to })),
);

describe('the import graph', () => {
  it('is read from every folder (the parser sees the imports)', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: 'cli/main.ts', to: 'suites/index.ts' });
    expect(importsOf('a/b.ts', "import type { X } from '../c/d.js';\nexport * from './e.js';\nconst m = await import('./f.js');")).toEqual([
      'c/d.ts',
      'a/e.ts',
      'a/f.ts',
    ]);
  });

  it('imports only downward: linux → spec → schemas → harness → suites, reports → cli', () => {
    const wrong = edges.flatMap((e) => {
      const why = violation(e.from, e.to);
      return why ? [`${e.from} imports ${e.to}: ${why}`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('the rule catches an upward import, a sideways one and one into runtime/', () => {
    expect(violation('harness/run/runner.ts', 'reports/console.ts')).toMatch(/above/);
    expect(violation('reports/tap.ts', 'suites/index.ts')).toMatch(/side by side/);
    expect(violation('runtime/main.ts', 'harness/process/wait.ts')).toMatch(/runtime\/ imports only/);
    expect(violation('harness/host/env.ts', 'runtime/main.ts')).toMatch(/nothing imports runtime/);
    expect(violation('cli/main.ts', 'linux/errno.ts')).toBeUndefined();
  });

  it('has no cycle between the folders', () => {
    const folderEdges = edges.map((e) => ({ from: folderOf(e.from), to: folderOf(e.to) })).filter((e) => e.from !== e.to);
    expect(cycles(folderEdges)).toEqual([]);
  });

  // Within a folder too: two files that import each other (even for a type) are one
  // module in two places, and a cycle makes the order the modules load in matter.
  it('has no cycle between files, runtime/ included', () => {
    expect(cycles(edges)).toEqual([]);
    expect(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
    ).toEqual([['a', 'b', 'c']]);
  });
});
