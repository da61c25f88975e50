import { describe, expect, it } from 'vitest';
import { OUTCOMES, type Outcome } from '../../harness/run/result.js';
import { columnTitle, differing, matrixRows, renderHtml, renderMarkdown, totals, type MatrixReport } from '../../reports/matrix.js';
import { parseMatrixReport } from '../../reports/read.js';
import { CONTEXT } from './factory.js';

function report(name: string, outcomes: Record<string, Outcome>, messages: Record<string, string> = {}, withContext = true): MatrixReport {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const o of Object.values(outcomes)) counts[o]++;
  return {
    format: withContext ? 'conform-report/2' : 'conform-report/1',
    runtime: { path: `/usr/bin/${name}`, args: [], version: `${name} version 1.2.3` },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    exitCode: 0,
    ...(withContext ? { context: CONTEXT } : {}),
    counts,
    requirements: {},
    results: Object.entries(outcomes).map(([id, outcome]) => ({
      id,
      area: id.split('.')[0]!,
      title: `title ${id}`,
      requirements: [],
      checks: [],
      outcome,
      message: messages[id],
      failures: [],
      notes: [],
      durationMs: 1,
    })),
  };
}

const a = report(
  'a',
  { 'x.one': 'pass', 'x.two': 'fail', 'y.three': 'skip', 'w.shared': 'fail' },
  { 'x.two': 'expected <1> & got "2"', 'w.shared': 'both fail' },
);
const b = report('b', { 'x.one': 'pass', 'x.two': 'pass', 'z.four': 'xfail', 'w.shared': 'xfail' }, {}, false);

describe('matrix', () => {
  it('lines up cases across runs, grouped by area, with a hole where a run lacks a case', () => {
    const rows = matrixRows([a, b]);
    expect(rows.map((r) => r.id)).toEqual(['w.shared', 'x.one', 'x.two', 'y.three', 'z.four']);
    expect(rows.find((r) => r.id === 'y.three')!.cells.map((c) => c?.outcome)).toEqual(['skip', undefined]);
  });

  it('--differing keeps the rows where the runs disagree and the failures they all share', () => {
    expect(differing(matrixRows([a, b])).map((r) => r.id)).toEqual(['w.shared', 'x.two', 'y.three', 'z.four']);
    const same = report('c', { 'x.one': 'pass', 'x.two': 'fail' });
    expect(differing(matrixRows([same, same])).map((r) => r.id)).toEqual(['x.two']);
  });

  it('titles a column with the runtime name and version, and where and when it ran', () => {
    expect(columnTitle(a)).toEqual({ name: 'a 1.2.3', where: 'ci-1, Linux 6.1.0-18-amd64, cgroup hybrid, 2026-01-01' });
    expect(columnTitle({ ...a, context: { ...CONTEXT, plan: { ...CONTEXT.plan, shard: { index: 2, count: 3 } } } }).where).toContain('shard 2/3');
    expect(columnTitle(b)).toEqual({ name: 'b 1.2.3', where: '2026-01-01' });
  });

  it('totals count every outcome, adding up to the cases', () => {
    const t = totals(a);
    expect(t).toBe('4 cases: 1 pass, 2 fail, 0 error, 0 warn, 0 xfail, 0 xpass, 0 disputed, 1 skip');
  });

  it('renders Markdown with the reasons in the cells and escaped pipes', () => {
    const md = renderMarkdown([a, b]);
    expect(md).toContain('| case | a 1.2.3 (ci-1, Linux 6.1.0-18-amd64, cgroup hybrid, 2026-01-01) | b 1.2.3 (2026-01-01) |');
    expect(md).toContain('| x.two | ✗ fail: expected <1> & got "2" | ✓ pass |');
    expect(md).toContain('| y.three | ↷ skip | – |');
  });

  it('renders HTML with the reasons as visible text (not only on hover), escaped', () => {
    const html = renderHtml([a, b]);
    expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
    expect(html).toContain('<span class="why">expected &#60;1&#62; &#38; got &#34;2&#34;</span>');
    expect(html).not.toMatch(/<td[^>]*\/>/);
    expect(html).toContain('4 cases: 1 pass, 2 fail, 0 error, 0 warn, 0 xfail, 0 xpass, 0 disputed, 1 skip');
  });

  it('refuses what is not a conform report', () => {
    expect(() => parseMatrixReport('{"results":[]}', 'r.json')).toThrow(/not a conform JSON report/);
    expect(() => parseMatrixReport('nope', 'r.json')).toThrow(/r.json: not JSON/);
  });
});
