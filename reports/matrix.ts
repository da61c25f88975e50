// `conform matrix`: several runs' JSON reports side by side, one column per runtime,
// one row per case (grouped by area), as Markdown or as a self-contained HTML page.
// For comparing runtimes, or one runtime across releases.
import { create } from 'xmlbuilder2';
import type { Outcome } from '../harness/result.js';
import type { JsonReport } from './json.js';
import { describeRuntime, oneLine } from './text.js';

const SYMBOL: Record<Outcome, string> = { pass: '✓', warn: '⚠', fail: '✗', error: '!', xfail: 'x', xpass: '✓!', disputed: '?', skip: '↷' };
const COLOUR: Record<Outcome, string> = { pass: '#d4f4d4', warn: '#fbefc0', fail: '#f8c8c8', error: '#f8c8c8', xfail: '#f4e4c4', xpass: '#c8e0f8', disputed: '#e8d8f4', skip: '#eeeeee' };

export interface MatrixRow {
  id: string;
  area: string;
  title: string;
  /** One cell per report; undefined where that run did not have the case. */
  cells: ({ outcome: Outcome; message?: string } | undefined)[];
}

export function matrixRows(reports: readonly JsonReport[]): MatrixRow[] {
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

/** Only the rows where the runs disagree (for a quick comparison). */
export function differing(rows: readonly MatrixRow[]): MatrixRow[] {
  return rows.filter((r) => new Set(r.cells.map((c) => c?.outcome ?? 'absent')).size > 1);
}

const label = (r: JsonReport) => describeRuntime(r.runtime);

export function renderMarkdown(reports: readonly JsonReport[], rows = matrixRows(reports)): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`| case | ${reports.map((r) => cell(label(r))).join(' | ')} |`, `|---|${reports.map(() => '---').join('|')}|`];
  const totals = reports.map((r) => (Object.entries(r.counts) as [Outcome, number][]).filter(([, n]) => n).map(([o, n]) => `${n} ${o}`).join(', '));
  lines.push(`| **total** | ${totals.map(cell).join(' | ')} |`);
  let area = '';
  for (const row of rows) {
    if (row.area !== area) lines.push(`| **${cell((area = row.area))}** |${reports.map(() => ' ').join('|')}|`);
    lines.push(`| ${cell(row.id)} | ${row.cells.map((c) => (c ? `${SYMBOL[c.outcome]} ${c.outcome}` : '–')).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderHtml(reports: readonly JsonReport[], rows = matrixRows(reports)): string {
  const doc = create({ version: '1.0' }).ele('html', { lang: 'en' });
  const head = doc.ele('head');
  head.ele('meta', { charset: 'utf-8' });
  head.ele('title').txt('conform: runtimes compared');
  head.ele('style').txt(
    'body{font:13px system-ui,sans-serif;margin:1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}' +
      'th.area{background:#f4f4f4}td.c{text-align:center;white-space:nowrap}caption{text-align:left;font-weight:bold;margin-bottom:.5em}',
  );
  const table = doc.ele('body').ele('table');
  table.ele('caption').txt(`${rows.length} cases, ${reports.length} run(s); hover a cell for its message`);
  const header = table.ele('thead').ele('tr');
  header.ele('th').txt('case');
  for (const r of reports) header.ele('th').txt(label(r));
  const body = table.ele('tbody');
  const totals = body.ele('tr');
  totals.ele('th').txt('total');
  for (const r of reports) totals.ele('td').txt(`${r.counts.pass} pass, ${r.counts.warn ?? 0} warn, ${r.counts.fail + r.counts.error} fail, ${r.counts.xfail} xfail, ${r.counts.skip} skip`);
  let area = '';
  for (const row of rows) {
    if (row.area !== area) body.ele('tr').ele('th', { class: 'area', colspan: String(reports.length + 1) }).txt((area = row.area));
    const tr = body.ele('tr');
    tr.ele('td', { title: row.title }).txt(row.id);
    for (const c of row.cells) {
      if (!c) tr.ele('td', { class: 'c' }).txt('–');
      else tr.ele('td', { class: 'c', style: `background:${COLOUR[c.outcome]}`, title: oneLine(c.message ?? c.outcome) }).txt(`${SYMBOL[c.outcome]} ${c.outcome}`);
    }
  }
  return `<!DOCTYPE html>\n${doc.end({ headless: true, prettyPrint: true })}\n`;
}

/** Reads and checks a conform JSON report. */
export function parseReport(text: string, name: string): JsonReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not JSON (${(e as Error).message})`);
  }
  const r = data as Partial<JsonReport>;
  // Format 1 (before `warn` and per-requirement checks) reads the same for a matrix.
  if ((r?.format !== 'conform-report/2' && (r?.format as string | undefined) !== 'conform-report/1') || !Array.isArray(r.results)) throw new Error(`${name}: not a conform JSON report (write one with --json FILE)`);
  return r as JsonReport;
}
