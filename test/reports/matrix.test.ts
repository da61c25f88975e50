import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { JsonReport } from '../../reports/json.js';
import { differing, matrixRows, parseReport, renderHtml, renderMarkdown } from '../../reports/matrix.js';
import type { Outcome } from '../../harness/result.js';

function report(name: string, outcomes: Record<string, Outcome>, messages: Record<string, string> = {}): JsonReport {
  const counts = { pass: 0, warn: 0, fail: 0, error: 0, xfail: 0, xpass: 0, disputed: 0, skip: 0 } as Record<Outcome, number>;
  for (const o of Object.values(outcomes)) counts[o]++;
  return {
    format: 'conform-report/2',
    runtime: { path: `/usr/bin/${name}`, args: [] },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    exitCode: 0,
    counts,
    requirements: {},
    results: Object.entries(outcomes).map(([id, outcome]) => ({ id, area: id.split('.')[0]!, title: `title ${id}`, requirements: [], checks: [], outcome, message: messages[id], failures: [], notes: [], durationMs: 1 })),
  };
}

const a = report('a', { 'x.one': 'pass', 'x.two': 'fail', 'y.three': 'skip' }, { 'x.two': 'expected <1> & got "2"' });
const b = report('b', { 'x.one': 'pass', 'x.two': 'pass', 'z.four': 'xfail' });

describe('matrix', () => {
  it('lines up cases across runs, grouped by area, with a hole where a run lacks a case', () => {
    const rows = matrixRows([a, b]);
    expect(rows.map((r) => r.id)).toEqual(['x.one', 'x.two', 'y.three', 'z.four']);
    expect(rows.find((r) => r.id === 'y.three')!.cells.map((c) => c?.outcome)).toEqual(['skip', undefined]);
    expect(differing(rows).map((r) => r.id)).toEqual(['x.two', 'y.three', 'z.four']);
  });

  it('renders Markdown with one column per runtime and escaped pipes', () => {
    const md = renderMarkdown([a, b]);
    expect(md).toContain('| case | /usr/bin/a | /usr/bin/b |');
    expect(md).toContain('| x.two | ✗ fail | ✓ pass |');
    expect(md).toContain('| y.three | ↷ skip | – |');
  });

  it('renders well-formed HTML with messages escaped in the cell titles', () => {
    const html = renderHtml([a, b]);
    expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(html.replace('<!DOCTYPE html>', '')) as { html: { body: { table: { tbody: { tr: unknown[] } } } } };
    // total row + 3 area rows + 4 case rows
    expect(parsed.html.body.table.tbody.tr).toHaveLength(8);
    expect(html).toContain('title="expected &lt;1&gt; &amp; got &quot;2&quot;"');
  });

  it('refuses what is not a conform report', () => {
    expect(() => parseReport('{"results":[]}', 'r.json')).toThrow(/not a conform JSON report/);
    expect(() => parseReport('nope', 'r.json')).toThrow(/r.json: not JSON/);
  });
});
