// The commands that work on reports, not on a runtime: `merge` (shards into one run),
// `report` (a run's reports in other formats, the HTML page among them), `baseline` (a
// baseline from a run) and `matrix` (runs side by side).
import { existsSync, readFileSync } from 'node:fs';
import { ALL_CASES } from '../suites/index.js';
import { renderRunHtml } from '../reports/html.js';
import { fromJsonReport, renderJson } from '../reports/json.js';
import { renderJunit } from '../reports/junit.js';
import { differing, matrixRows, renderHtml, renderMarkdown } from '../reports/matrix.js';
import { writeReport } from '../reports/output.js';
import { parseMatrixReport, parseReport } from '../reports/read.js';
import { renderTap, type TapVersion } from '../reports/tap.js';
import { formatBaseline, updateBaseline } from '../harness/run/baseline-update.js';
import { readBaselineFile } from '../harness/run/baseline.js';
import { SetupError } from '../harness/errors.js';
import { mergeRuns, MergeError } from '../harness/run/merge.js';
import type { RunSummary } from '../harness/run/result.js';

export interface OutputFlags {
  json?: string;
  tap?: string;
  tapVersion: TapVersion;
  junit?: string;
  html?: string;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new SetupError(`${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function readRun(file: string): RunSummary {
  try {
    return fromJsonReport(parseReport(read(file), file));
  } catch (e) {
    if (e instanceof SetupError) throw e;
    throw new SetupError((e as Error).message);
  }
}

function write(option: string, target: string, text: string): void {
  try {
    writeReport(target, text);
  } catch (e) {
    throw new SetupError(`${option} ${target}: ${(e as Error).message}`);
  }
}

function writeOutputs(summary: RunSummary, flags: OutputFlags): void {
  if (flags.json) write('--json', flags.json, renderJson(summary));
  if (flags.tap) write('--tap', flags.tap, renderTap(summary, flags.tapVersion));
  if (flags.junit) write('--junit', flags.junit, renderJunit(summary));
  if (flags.html) write('--html', flags.html, renderRunHtml(summary));
}

const anyOutput = (f: OutputFlags) => !!(f.json || f.tap || f.junit || f.html);

/** `conform merge SHARD.json… --json/--tap/--junit/--html`: exits as the whole run would (0, or 1 when it fails the gate). */
export function mergeCommand(files: string[], flags: OutputFlags): number {
  if (!anyOutput(flags)) throw new SetupError('merge: say what to write: --json, --tap, --junit and/or --html FILE');
  const inputs = files.map((name) => ({ name, run: readRun(name) }));
  let merged: RunSummary;
  try {
    merged = mergeRuns(inputs);
  } catch (e) {
    if (e instanceof MergeError) throw new SetupError(`merge: ${e.message}`);
    throw e;
  }
  writeOutputs(merged, flags);
  const c = merged.counts;
  process.stderr.write(
    `conform: merged ${files.length} shards: ${merged.results.length} cases, ${c.fail} fail, ${c.error} error${merged.partial ? `; partial: ${merged.partial.reason}` : ''}; ${merged.exitCode ? 'FAIL' : 'PASS'}\n`,
  );
  return merged.exitCode;
}

/** `conform report RUN.json --html/--junit/--tap/--json`: the run's reports again, in the formats asked for. */
export function reportCommand(file: string, flags: OutputFlags): number {
  if (!anyOutput(flags)) throw new SetupError('report: say what to write: --html, --junit, --tap and/or --json FILE');
  writeOutputs(readRun(file), flags);
  return 0;
}

/** `conform baseline --from RUN.json [--update FILE]`: the new baseline, written over FILE or to stdout. */
export function baselineCommand(opts: { from: string; update?: string }): number {
  const run = readRun(opts.from);
  const known = new Set(ALL_CASES.map((c) => c.id));
  const existing = opts.update && existsSync(opts.update) ? readBaselineFile(opts.update, undefined, '--update').data : undefined;
  const { data, changes } = updateBaseline(existing, run, known);
  const text = formatBaseline(data);
  if (opts.update) write('--update', opts.update, text);
  else process.stdout.write(text);
  const where = opts.update ?? 'the baseline';
  process.stderr.write(changes.length ? `conform: ${where}:\n${changes.map((c) => `  ${c}\n`).join('')}` : `conform: ${where}: no change\n`);
  return 0;
}

export function matrixCommand(files: string[], opts: { html?: string; md?: string; differing?: boolean }): number {
  const reports = files.map((f) => {
    try {
      return parseMatrixReport(read(f), f);
    } catch (e) {
      if (e instanceof SetupError) throw e;
      throw new SetupError((e as Error).message);
    }
  });
  const rows = opts.differing ? differing(matrixRows(reports)) : matrixRows(reports);
  if (opts.html) write('--html', opts.html, renderHtml(reports, rows, { differing: opts.differing }));
  if (opts.md || !opts.html) write('--md', opts.md ?? '-', renderMarkdown(reports, rows));
  return 0;
}
