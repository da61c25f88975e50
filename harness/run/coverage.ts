// `conform coverage`: per spec file, how many requirements the catalogue has and
// how many at least one case checks.
import { REQUIREMENTS, SPEC_FILES, type Level, type Requirement, type SpecFile } from '../../spec/index.js';
import type { Case } from '../case/case.js';

export interface FileCoverage {
  spec: SpecFile;
  total: number;
  covered: number;
  byLevel: Partial<Record<Level, { total: number; covered: number }>>;
  uncovered: Requirement[];
}

export function coverage(cases: readonly Case[], requirements: readonly Requirement[] = REQUIREMENTS): FileCoverage[] {
  const cited = new Set(cases.flatMap((c) => c.requirements));
  return SPEC_FILES.map((spec) => {
    const reqs = requirements.filter((r) => r.spec === spec);
    const byLevel: FileCoverage['byLevel'] = {};
    for (const r of reqs) {
      const l = (byLevel[r.level] ??= { total: 0, covered: 0 });
      l.total++;
      if (cited.has(r.id)) l.covered++;
    }
    const uncovered = reqs.filter((r) => !cited.has(r.id));
    return { spec, total: reqs.length, covered: reqs.length - uncovered.length, byLevel, uncovered };
  });
}

/** Case requirement IDs that the catalogue does not have (a typo or a stale ID). */
export function unknownRequirements(cases: readonly Case[], requirements: readonly Requirement[] = REQUIREMENTS): string[] {
  const known = new Set(requirements.map((r) => r.id));
  return cases.flatMap((c) => c.requirements.filter((id) => !known.has(id)).map((id) => `${c.id}: ${id}`));
}

const pct = (n: number, d: number) => (d ? `${Math.round((100 * n) / d)}%` : '-');

export function formatCoverage(rows: readonly FileCoverage[], opts: { uncovered?: boolean } = {}): string {
  const levels: Level[] = ['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY'];
  const lines = [`${'spec file'.padEnd(18)} ${'all'.padStart(11)}  ${levels.map((l) => l.padStart(14)).join('')}`];
  const cell = (c?: { total: number; covered: number }) => (c ? `${c.covered}/${c.total} ${pct(c.covered, c.total)}`.padStart(14) : '-'.padStart(14));
  let total = 0;
  let covered = 0;
  for (const r of rows) {
    total += r.total;
    covered += r.covered;
    lines.push(`${r.spec.padEnd(18)} ${`${r.covered}/${r.total} ${pct(r.covered, r.total)}`.padStart(11)}  ${levels.map((l) => cell(r.byLevel[l])).join('')}`);
  }
  lines.push(`${'total'.padEnd(18)} ${`${covered}/${total} ${pct(covered, total)}`.padStart(11)}`);
  if (opts.uncovered) {
    for (const r of rows) {
      if (!r.uncovered.length) continue;
      lines.push('', `${r.spec}: not checked by any case`);
      for (const q of r.uncovered) lines.push(`  ${q.level.padEnd(10)} ${q.id}  ${q.summary}`);
    }
  }
  return lines.join('\n');
}
