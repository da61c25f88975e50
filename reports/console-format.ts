// What the console shows, as pure functions from results to lines: the live reporter
// (console.ts) decides when to print them. Every line goes through `row`, which strips
// control characters from the data and cuts the line to the terminal's width.

import type { ChalkInstance } from 'chalk';
import type { CaseResult, Failure, Outcome, RunSummary } from '../harness/run/result.js';
import { CONVENTIONS, OUTCOMES } from '../harness/run/result.js';
import { toPlain } from './plain.js';
import { byId, formatDuration, singleLine, visibleLength } from './text.js';

export const SYMBOL: Record<Outcome, string> = {
  pass: '✓',
  fail: '✗',
  error: '!',
  warn: '⚠',
  skip: '↷',
  xfail: '~',
  xpass: '+',
  disputed: '?',
};

type Style = (text: string) => string;

export function outcomeStyles(chalk: ChalkInstance): Record<Outcome, Style> {
  return {
    pass: chalk.green,
    fail: chalk.red,
    error: chalk.red.bold,
    warn: chalk.yellow.bold,
    skip: chalk.yellow,
    xfail: chalk.dim,
    xpass: chalk.cyan,
    disputed: chalk.magenta,
  };
}

/** A piece of a line and how to colour it. */
export type Segment = readonly [text: string, style?: Style];

/**
 * Joins segments into one line of at most `width` columns (no limit when undefined), cut
 * with an ellipsis. Line breaks inside the data become ` ↵ `; other control characters are
 * shown as escapes, so no data can move the cursor or change colours.
 */
export function row(segments: readonly Segment[], width?: number): string {
  const clean = segments.map(([text, style]) => [singleLine(text, ' ↵ '), style] as const);
  const total = clean.reduce((n, [text]) => n + visibleLength(text), 0);
  const cut = width !== undefined && total > width;
  let budget = cut ? Math.max(0, width - 1) : Infinity;
  let line = '';
  for (const [text, style] of clean) {
    if (budget <= 0) break;
    const piece = visibleLength(text) > budget ? [...text].slice(0, budget).join('') : text;
    budget -= visibleLength(piece);
    if (piece) line += style ? style(piece) : piece;
  }
  return cut && width > 0 ? line + '…' : line;
}

export interface FormatOptions {
  chalk: ChalkInstance;
  /** Terminal width on a TTY; undefined when the output is a file or a pipe. */
  width?: number;
}

/** `✗ fail process.umask  umask is applied — expected 022 (12 ms)`: one finished case. */
export function caseLine(r: CaseResult, { chalk, width }: FormatOptions): string {
  const paint = outcomeStyles(chalk)[r.outcome];
  const segments: Segment[] = [[`${SYMBOL[r.outcome]} `, paint]];
  if (r.outcome !== 'pass') segments.push([`${r.outcome} `, paint]);
  segments.push([r.id, chalk.bold]);
  if (r.title) segments.push([`  ${r.title}`]);
  if (r.convention && r.outcome !== 'pass') segments.push([` [${r.convention} convention]`, chalk.dim]);
  if (r.message) segments.push([` — ${r.message}`, chalk.dim]);
  segments.push([` (${formatDuration(r.durationMs)})`, chalk.dim]);
  return row(segments, width);
}

/** Off a TTY nothing cuts lines, so keep a huge expected/actual value from flooding a CI log. */
const VALUE_MAX = 300;

function value(v: unknown, width: number | undefined): string {
  const text = JSON.stringify(toPlain(v)) ?? 'undefined';
  return width === undefined && text.length > VALUE_MAX ? `${text.slice(0, VALUE_MAX - 1)}…` : text;
}

/** The indented lines under a failed or errored case: what went wrong, and where to look. */
function detailLines(r: CaseResult, o: FormatOptions): string[] {
  const { chalk, width } = o;
  const lines: string[] = [];
  const first = r.failures[0]?.message;
  if (r.message && r.message !== first) lines.push(row([['    '], [r.message]], width));
  for (const f of r.failures) lines.push(...failureLines(f, o));
  if (r.convention) lines.push(row([['    checks: ', chalk.dim], [`${CONVENTIONS[r.convention]} (a failure here breaks no requirement of the spec)`]], width));
  if (r.requirements.length > 0) lines.push(row([['    requirements: ', chalk.dim], [r.requirements.join(', ')]], width));
  lines.push(...noteLines(r, o));
  if (r.dir) lines.push(row([['    files: ', chalk.dim], [r.dir]], width));
  return lines;
}

function failureLines(f: Failure, { chalk, width }: FormatOptions): string[] {
  const lines = [row([['    '], [f.message], [f.requirement ? `  (${f.requirement})` : '', chalk.dim]], width)];
  if (f.expected !== undefined) {
    lines.push(
      row(
        [
          ['      expected: ', chalk.dim],
          [value(f.expected, width), chalk.green],
        ],
        width,
      ),
    );
  }
  if (f.actual !== undefined) {
    lines.push(
      row(
        [
          ['      actual:   ', chalk.dim],
          [value(f.actual, width), chalk.red],
        ],
        width,
      ),
    );
  }
  return lines;
}

function noteLines(r: CaseResult, { chalk, width }: FormatOptions): string[] {
  return r.notes.map((n) => row([['    note: ', chalk.dim], [n]], width));
}

function heading(text: string, count: number, explanation: string, style: Style, o: FormatOptions): string {
  return row(
    [
      [`${text} (${count})`, style],
      [explanation ? ` — ${explanation}` : '', o.chalk.dim],
    ],
    o.width,
  );
}

/**
 * `41× needs cgroup v2: /sys/fs/cgroup is v1  (cgroups.cpu, cgroups.io, cgroups.pids, +38)`:
 * many cases that share a reason make one line, not forty.
 */
function groupedByReason(results: readonly CaseResult[], style: Style, o: FormatOptions): string[] {
  const groups = new Map<string, string[]>();
  for (const r of byId(results)) {
    const reason = singleLine(r.message?.trim() || '(no reason given)');
    groups.set(reason, [...(groups.get(reason) ?? []), r.id]);
  }
  const sorted = [...groups].sort(([ra, a], [rb, b]) => b.length - a.length || (ra < rb ? -1 : ra > rb ? 1 : 0));
  return sorted.map(([reason, ids]) => {
    const shown = ids.slice(0, 3).join(', ') + (ids.length > 3 ? `, +${ids.length - 3}` : '');
    return row([[`  ${ids.length}× `, style], [reason], [`  (${shown})`, o.chalk.dim]], o.width);
  });
}

/** The end-of-run report: problems first, then what needs no action, then the total. */
export function finalReport(summary: RunSummary, o: FormatOptions): string[] {
  const { chalk, width } = o;
  const styles = outcomeStyles(chalk);
  const of = (outcome: Outcome): CaseResult[] => byId(summary.results.filter((r) => r.outcome === outcome));
  const sections: string[][] = [];

  // `✗ id  title` or `+ id  baseline: why`: the first line of every listed case.
  const named = (r: CaseResult, rest: Segment): string => row([[`${SYMBOL[r.outcome]} `, styles[r.outcome]], [r.id, chalk.bold], rest], width);

  const detailed = (outcome: Outcome, title: string, explanation: string): void => {
    const cases = of(outcome);
    if (cases.length === 0) return;
    sections.push([
      heading(title, cases.length, explanation, chalk.bold.red, o),
      ...cases.flatMap((r) => [named(r, [r.title ? `  ${r.title}` : '']), ...detailLines(r, o)]),
    ]);
  };
  detailed('fail', 'Failures', '');
  detailed('error', 'Harness errors', 'conform could not carry these out; not blamed on the runtime');

  const warn = of('warn');
  if (warn.length > 0) {
    sections.push([
      heading('Recommendations not followed', warn.length, 'SHOULD or MAY-level: reported, never a failure', chalk.bold.yellow, o),
      ...warn.flatMap((r) => [named(r, [r.title ? `  ${r.title}` : '']), ...detailLines(r, o)]),
    ]);
  }

  const xpass = of('xpass');
  if (xpass.length > 0) {
    sections.push([
      heading('Unexpectedly passing', xpass.length, 'the baseline expects these to fail: shrink it', chalk.bold.cyan, o),
      ...xpass.map((r) => named(r, [r.message ? `  baseline: ${r.message}` : '', chalk.dim])),
    ]);
  }

  const disputed = of('disputed');
  if (disputed.length > 0) {
    sections.push([
      heading('Disputed', disputed.length, 'the spec leaves room here; recorded, no verdict', chalk.bold.magenta, o),
      ...disputed.flatMap((r) => [named(r, [r.message ? `  ${r.message}` : '']), ...noteLines(r, o)]),
    ]);
  }

  const xfail = of('xfail');
  if (xfail.length > 0) {
    sections.push([heading('Expected failures', xfail.length, 'per the baseline', chalk.bold, o), ...groupedByReason(xfail, styles.xfail, o)]);
  }
  const skip = of('skip');
  if (skip.length > 0) {
    sections.push([heading('Skipped', skip.length, '', chalk.bold.yellow, o), ...groupedByReason(skip, styles.skip, o)]);
  }

  sections.push([totalLine(summary, o)]);
  return sections.flatMap((lines) => ['', ...lines]);
}

/**
 * `FAIL  120 cases in 1m 02s: 110 pass, 2 fail, 4 skip`. Pass and fail are always shown.
 * Never cut: it is the line people read, and as the last line it may wrap harmlessly.
 */
export function totalLine(summary: RunSummary, { chalk }: FormatOptions): string {
  const styles = outcomeStyles(chalk);
  const verdict: Segment = summary.exitCode === 0 ? ['PASS', chalk.bold.green] : ['FAIL', chalk.bold.red];
  const total = OUTCOMES.reduce((n, o) => n + (summary.counts[o] ?? 0), 0);
  const cases = `${total} case${total === 1 ? '' : 's'}`;
  const segments: Segment[] = [verdict, [`  ${cases} in ${formatDuration(summary.durationMs)}:`]];
  for (const outcome of OUTCOMES) {
    const n = summary.counts[outcome] ?? 0;
    if (n === 0 && outcome !== 'pass' && outcome !== 'fail') continue;
    segments.push([segments.length > 2 ? ',' : ''], [` ${n} ${outcome}`, n > 0 ? styles[outcome] : undefined]);
  }
  return row(segments);
}
