// `conform matrix`: several runs' JSON reports side by side, one column per run (titled with
// the runtime's name and version, and the host, kernel, cgroup mode and date of the run),
// one row per case (grouped by area), as Markdown or as a self-contained HTML page. Every
// cell that is not a pass shows its reason as text, so that a screenshot or a printout
// carries it. For comparing runtimes, or one runtime across releases.
import type { Outcome } from '../harness/run/result.js';
import { OUTCOMES } from '../harness/run/result.js';
import { el, page } from './html-doc.js';
import { OUTCOME_COLOUR, OUTCOME_MEANING, PAGE_CSS, runtimeTitle } from './html.js';
import type { JsonReport } from './json.js';
import { oneLine } from './text.js';

const SYMBOL: Record<Outcome, string> = { pass: '✓', warn: '⚠', fail: '✗', error: '!', xfail: 'x', xpass: '✓!', disputed: '?', skip: '↷' };

/**
 * A matrix's input: a report of this version, or an older one (format 1: no warn, no
 * checks, no context), which reads the same for a matrix.
 */
export type MatrixReport = Omit<JsonReport, 'context' | 'format'> & Partial<Pick<JsonReport, 'context'>> & { format: string };

export interface MatrixRow {
  id: string;
  area: string;
  title: string;
  /** One cell per report; undefined where that run did not have the case. */
  cells: ({ outcome: Outcome; message?: string } | undefined)[];
}

export function matrixRows(reports: readonly MatrixReport[]): MatrixRow[] {
  const rows = new Map<string, MatrixRow>();
  reports.forEach((report, i) => {
    for (const r of report.results) {
      const row = rows.get(r.id) ?? { id: r.id, area: r.area, title: r.title, cells: reports.map(() => undefined) };
      row.cells[i] = { outcome: r.outcome, message: r.message };
      rows.set(r.id, row);
    }
  });
  return [...rows.values()].sort((a, b) => (a.area === b.area ? (a.id < b.id ? -1 : 1) : a.area < b.area ? -1 : 1));
}

const FAILED: readonly Outcome[] = ['fail', 'error', 'xfail'];

/**
 * The rows worth a look when comparing: those where the runs disagree, and those every run
 * fails (a failure they all share may be the spec's, or conform's, and is no less a finding).
 */
export function differing(rows: readonly MatrixRow[]): MatrixRow[] {
  return rows.filter((r) => new Set(r.cells.map((c) => c?.outcome ?? 'absent')).size > 1 || r.cells.every((c) => c && FAILED.includes(c.outcome)));
}

/** `runc 1.1.5` and, when the report has them, `host, Linux 6.1.0, cgroup hybrid, 2026-12-05, shard 1/2`. */
export function columnTitle(r: MatrixReport): { name: string; where: string } {
  const c = r.context;
  const where = c
    ? [
        c.host.hostname,
        `Linux ${c.host.kernel}`,
        `cgroup ${c.host.cgroup}`,
        r.startedAt.slice(0, 10),
        c.plan.shard ? `shard ${c.plan.shard.index}/${c.plan.shard.count}` : '',
        r.partial ? 'partial' : '',
      ]
    : [r.startedAt.slice(0, 10)];
  return { name: runtimeTitle(r), where: where.filter(Boolean).join(', ') };
}

/** Every outcome, zeros included: a total that adds up to the number of cases. */
export function totals(r: MatrixReport): string {
  const n = OUTCOMES.reduce((sum, o) => sum + (r.counts[o] ?? 0), 0);
  return `${n} cases: ${OUTCOMES.map((o) => `${r.counts[o] ?? 0} ${o}`).join(', ')}`;
}

export function renderMarkdown(reports: readonly MatrixReport[], rows = matrixRows(reports)): string {
  const cell = (s: string) => oneLine(s).replace(/\|/g, '\\|');
  const titles = reports.map(columnTitle);
  const lines = [`| case | ${titles.map((t) => cell(`${t.name} (${t.where})`)).join(' | ')} |`, `|---|${reports.map(() => '---').join('|')}|`];
  lines.push(`| **total** | ${reports.map((r) => cell(totals(r))).join(' | ')} |`);
  let area = '';
  for (const row of rows) {
    if (row.area !== area) lines.push(`| **${cell((area = row.area))}** |${reports.map(() => ' ').join('|')}|`);
    const cells = row.cells.map((c) => (c ? `${SYMBOL[c.outcome]} ${c.outcome}${c.outcome !== 'pass' && c.message ? `: ${c.message}` : ''}` : '–'));
    lines.push(`| ${cell(row.id)} | ${cells.map(cell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

const MATRIX_CSS = `${PAGE_CSS}
td.c{min-width:9em;max-width:28em}td.c .why{display:block;font-size:.85em;color:#333;white-space:normal}
thead th{position:sticky;top:0}th.area{background:#e8e8e8}
`;

export function renderHtml(reports: readonly MatrixReport[], rows = matrixRows(reports), opts: { differing?: boolean } = {}): string {
  const titles = reports.map(columnTitle);
  const head = el(
    'tr',
    {},
    el('th', {}, 'case'),
    titles.map((t) => el('th', {}, el('div', {}, t.name), el('div', { class: 'muted' }, t.where))),
  );
  const totalRow = el(
    'tr',
    { class: 'totals' },
    el('th', {}, 'total'),
    reports.map((r) => el('td', { 'data-total': OUTCOMES.reduce((n, o) => n + (r.counts[o] ?? 0), 0) }, totals(r))),
  );
  const body = [totalRow];
  let area = '';
  for (const row of rows) {
    if (row.area !== area) body.push(el('tr', {}, el('th', { class: 'area', colspan: reports.length + 1 }, (area = row.area))));
    body.push(
      el(
        'tr',
        {},
        el('td', {}, el('div', {}, row.id), el('div', { class: 'muted' }, row.title)),
        row.cells.map((c) =>
          c
            ? el(
                'td',
                { class: 'c', style: `background:${OUTCOME_COLOUR[c.outcome]}`, 'data-outcome': c.outcome },
                el('b', {}, `${SYMBOL[c.outcome]} ${c.outcome}`),
                c.outcome !== 'pass' && c.message ? el('span', { class: 'why' }, c.message) : null,
              )
            : el('td', { class: 'c' }, '–'),
        ),
      ),
    );
  }
  const caption = `${rows.length} case(s)${opts.differing ? ' (those where the runs differ, and failures they share)' : ''}, ${reports.length} run(s)`;
  return page('conform: runs compared', MATRIX_CSS, [
    el('h1', {}, 'conform: runs compared'),
    el(
      'ul',
      { class: 'muted' },
      OUTCOMES.map((o) => el('li', {}, el('b', {}, `${SYMBOL[o]} ${o}`), `: ${OUTCOME_MEANING[o]}`)),
    ),
    el('table', { id: 'matrix' }, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, body)),
  ]);
}
