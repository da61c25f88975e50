// The human report. On a terminal: one live progress line redrawn in place (counts, the
// elapsed time and an estimate of what is left), with finished failures (or every case,
// with --verbose) printed above it as they happen. Anywhere else (a CI log, a pipe, a
// file): the same lines without the live line and without any control characters, so logs
// stay greppable, and a progress line at least every 30 s, so that a long CI job shows it
// is alive. At the end, the summary of console-format.ts.

import { Chalk, supportsColor, supportsColorStderr, type ColorSupportLevel } from 'chalk';
import type { Outcome } from '../harness/run/result.js';
import { OUTCOMES } from '../harness/run/result.js';
import { caseLine, finalReport, outcomeStyles, row, SYMBOL, type FormatOptions, type Segment } from './console-format.js';
import { writeAndFlush, type Reporter, type TextOut } from '../harness/run/reporter.js';
import { describeRuntime, formatDuration } from './text.js';

export interface ConsoleOptions {
  /** Print every case as it finishes, not only failures. */
  verbose?: boolean;
  /** `--color` / `--no-color`: overrides detection. */
  color?: boolean;
  /** Set false to never draw the live progress line, even on a terminal. */
  progress?: boolean;
  /** The environment to read NO_COLOR, FORCE_COLOR and TERM from (tests pass their own). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Off a terminal, a progress line at least this often (ms; default 30 s). */
  logEveryMs?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/** How often the live line is redrawn while nothing finishes, so that the elapsed time moves. */
const TICK_MS = 1000;

/**
 * `about 4m 10s left`: what is left, at the pace so far, weighed by the expected cost of the
 * cases done and left (or by their number without costs). Undefined until a case has finished.
 */
export function estimateLeft(elapsedMs: number, doneCost: number, leftCost: number): number | undefined {
  if (doneCost <= 0 || elapsedMs <= 0) return undefined;
  return (elapsedMs * leftCost) / doneCost;
}

const PROGRESS_ORDER: readonly Outcome[] = ['pass', 'fail', 'error', 'warn', 'skip', 'xfail', 'xpass', 'disputed'];
const ALWAYS_SHOWN: readonly Outcome[] = ['pass', 'fail', 'skip'];

/** Return to column 0 and erase the line: how the progress line is redrawn and removed. */
export const CLEAR_LINE = '\r\x1b[2K';

/**
 * Colour depth for `out`. chalk alone is not enough: it ignores NO_COLOR, and it measures
 * process.stdout, not the stream we were given.
 */
export function colorLevel(out: TextOut, env: Readonly<Record<string, string | undefined>>, forced?: boolean): ColorSupportLevel {
  const known = out === process.stdout ? supportsColor : out === process.stderr ? supportsColorStderr : undefined;
  if (forced !== undefined) return forced ? (known ? known.level : 1) : 0;
  if (env.NO_COLOR) return 0; // no-color.org: set and not empty
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    const n = Number.parseInt(force, 10);
    return force === 'false' || !(n > 0) ? 0 : (Math.min(n, 3) as ColorSupportLevel);
  }
  if (!out.isTTY || env.TERM === 'dumb') return 0;
  // chalk has measured the standard streams (TERM, CI, --no-color); any other terminal gets basic colours.
  return known === undefined ? 1 : known ? known.level : 0;
}

export function consoleReporter(out: TextOut, options: ConsoleOptions = {}): Reporter {
  const env = options.env ?? process.env;
  const chalk = new Chalk({ level: colorLevel(out, env, options.color) });
  const live = options.progress !== false && out.isTTY === true && env.TERM !== 'dumb';
  const styles = outcomeStyles(chalk);
  const format = (): FormatOptions => ({ chalk, width: out.isTTY ? columns(out) : undefined });

  const now = options.now ?? Date.now;
  let total = 0;
  let done = 0;
  let startedAt = now();
  let expected: Readonly<Record<string, number>> | undefined;
  let costTotal = 0;
  let costDone = 0;
  let timer: NodeJS.Timeout | undefined;
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  const running: string[] = [];
  let drawn = false;

  const costOf = (id: string): number => (expected ? (expected[id] ?? 0) : 1);
  /** `2m 05s, about 4m 10s left` */
  const timing = (): string => {
    const elapsed = now() - startedAt;
    const left = estimateLeft(elapsed, costDone, costTotal - costDone);
    return `${formatDuration(elapsed)}${left !== undefined && done < total ? `, about ${formatDuration(left)} left` : ''}`;
  };
  const tally = (): Segment[] => {
    const segments: Segment[] = [];
    // ✓ ✗ ↷ always, so the line does not jump; the rarer outcomes once they happen.
    for (const o of PROGRESS_ORDER) {
      if (ALWAYS_SHOWN.includes(o) || counts[o] > 0) segments.push([` ${SYMBOL[o]}${counts[o]}`, styles[o]]);
    }
    return segments;
  };

  const progressLine = (): string => {
    const digits = String(total).length;
    const segments: Segment[] = [[`[${String(done).padStart(digits)}/${total}]`, chalk.dim], ...tally(), [` ${timing()}`, chalk.dim]];
    const latest = running.at(-1);
    if (latest !== undefined) {
      segments.push([' running: ', chalk.dim], [latest]);
      if (running.length > 1) segments.push([` +${running.length - 1}`, chalk.dim]);
    }
    // One column short of the width: a line that fills the last column wraps on some terminals.
    return row(segments, columns(out) - 1);
  };

  /** Off a terminal: `progress: 120/536 cases (22%), 2m 05s, about 7m 20s left: ✓110 ✗2 ↷8`. */
  const logLine = (): string => {
    const pct = total ? Math.floor((100 * done) / total) : 100;
    return row([[`progress: ${done}/${total} cases (${pct}%), ${timing()}:`], ...tally()]);
  };

  /** Prints lines above the progress line (or just prints them, off a terminal). */
  const print = (lines: string[]): void => {
    let chunk = drawn ? CLEAR_LINE : '';
    chunk += lines.map((l) => `${l}\n`).join('');
    if (live) chunk += progressLine();
    drawn = live;
    out.write(chunk);
  };
  const redraw = (): void => {
    if (!live) return;
    out.write((drawn ? CLEAR_LINE : '') + progressLine());
    drawn = true;
  };

  return {
    name: 'console',
    start(plan) {
      total = plan.total;
      startedAt = now();
      expected = plan.expectedMs;
      costTotal = expected ? Object.values(expected).reduce((a, b) => a + b, 0) : total;
      const o = format();
      const cases = `${plan.total} case${plan.total === 1 ? '' : 's'}`;
      const shard = plan.context?.plan.shard ? ` (shard ${plan.context.plan.shard.index}/${plan.context.plan.shard.count})` : '';
      print([row([['conform', chalk.bold], [`: ${cases}${shard} against ${describeRuntime(plan.runtime)}`]], o.width)]);
      // unref: a timer must never keep a finished run alive.
      if (live) timer = setInterval(redraw, TICK_MS).unref();
      else if (options.progress !== false) timer = setInterval(() => print([logLine()]), options.logEveryMs ?? 30_000).unref();
    },
    caseStarted(id) {
      running.push(id);
      redraw();
    },
    caseFinished(result) {
      const i = running.lastIndexOf(result.id);
      if (i >= 0) running.splice(i, 1);
      done++;
      costDone += costOf(result.id);
      counts[result.outcome]++;
      const loud = result.outcome === 'fail' || result.outcome === 'error';
      if (options.verbose || loud) print([caseLine(result, format())]);
      else redraw();
    },
    finish(summary) {
      clearInterval(timer);
      const chunk =
        (drawn ? CLEAR_LINE : '') +
        finalReport(summary, format())
          .map((l) => `${l}\n`)
          .join('');
      drawn = false;
      return writeAndFlush(out, chunk);
    },
  };
}

function columns(out: TextOut): number {
  return out.columns && out.columns > 0 ? out.columns : 80;
}
