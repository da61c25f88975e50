// TAP, streamed: the version line and header comments at start, one test point per
// finished case in completion order, and the plan at the end (the run knows its total,
// but a plan at the end stays true when the run is cut short; see tapFooter).
//
// Version 13 by default: the stream uses nothing TAP 14 added (no subtests, no pragmas;
// `\#` in descriptions is escaped as TAP 14 specifies, which TAP 13 readers such as Perl's
// TAP::Parser read the same way), and `prove` (TAP::Harness 3.44 and older) refuses a
// stream that announces 14. `--tap-version 14` announces 14 for consumers that want it.
//
// Outcome → test point. TAP has two verdicts (ok / not ok) and two directives that take a
// point out of the pass/fail count (SKIP: no verdict was given; TODO: a known failure):
//
//   pass      ok
//   warn      ok                                      (YAML: outcome warn, the recommendation not followed)
//   fail      not ok                                  (YAML: the failures)
//   error     not ok                                  (YAML: outcome error; the harness, not the runtime)
//   skip      ok # SKIP <missing condition>
//   xfail     not ok # TODO <baseline reason>         (TODO is TAP's expected-failure directive)
//   xpass     ok # TODO unexpectedly passing: <reason>  (TAP's "bonus": the baseline can shrink)
//   disputed  ok # SKIP disputed: <reason>            (YAML: the notes)
//
// Why disputed is a SKIP: the case ran, but where the spec is ambiguous it deliberately
// gives no verdict. A bare `ok` would claim a pass and `not ok` a failure; TODO would claim
// a known bug that the runtime should fix. SKIP is the one directive whose meaning is "no
// verdict here", and consumers count it apart from passes; the reason says it was disputed
// rather than not run, and the YAML block records what the runtime did.
//
// Why warn is a plain ok: a SHOULD not followed is not a failure (spec.md counts only MUSTs
// for compliance), and TAP has no directive for "passed, with a remark"; the YAML block
// carries the outcome, the failed assertions and each requirement's level and spec link.

import type { CaseResult, RunContext, RunSummary, RuntimeInfo } from '../harness/run/result.js';
import { OUTCOMES } from '../harness/run/result.js';
import { requirementById, specUrl } from '../spec/index.js';
import { toPlain, type Json } from './plain.js';
import { writeAndFlush, type Reporter, type TextOut } from '../harness/run/reporter.js';
import { byId, describeRuntime, formatDuration, oneLine } from './text.js';
import { yamlLines } from './yaml.js';

interface TapStatus {
  ok: boolean;
  directive?: 'SKIP' | 'TODO';
  reason?: string;
}

export function tapStatus(result: CaseResult): TapStatus {
  const why = result.message ?? '';
  switch (result.outcome) {
    case 'pass':
    case 'warn':
      return { ok: true };
    case 'fail':
    case 'error':
      return { ok: false };
    case 'skip':
      return { ok: true, directive: 'SKIP', reason: why };
    case 'xfail':
      return { ok: false, directive: 'TODO', reason: why };
    case 'xpass':
      return { ok: true, directive: 'TODO', reason: why ? `unexpectedly passing: ${why}` : 'unexpectedly passing' };
    case 'disputed':
      return { ok: true, directive: 'SKIP', reason: why ? `disputed: ${why}` : 'disputed' };
  }
}

/** TAP 14 escaping for descriptions and directive reasons: `\` → `\\`, `#` → `\#`. */
export function escapeTap(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/#/g, '\\#');
}

export type TapVersion = 13 | 14;

export const TAP_VERSIONS: readonly TapVersion[] = [13, 14];

/** The version line and comments naming the runtime under test and where it ran. */
export function tapHeader(runtime: RuntimeInfo, version: TapVersion = 13, context?: RunContext): string {
  const lines = [`TAP version ${version}`, `# conform: ${describeRuntime(runtime)}`];
  if (context) lines.push(`# ${oneLine(contextLine(context))}`);
  return `${lines.join('\n')}\n`;
}

/** `conform 0.2.0, plan 3f2a…(536 cases), shard 1/4; host h, Linux 6.1.0, x64, cgroup hybrid` */
export function contextLine(c: RunContext): string {
  const shard = c.plan.shard ? `, shard ${c.plan.shard.index}/${c.plan.shard.count}` : '';
  return `conform ${c.conform}, plan ${c.plan.hash} (${c.plan.cases} cases)${shard}; host ${c.host.hostname}, Linux ${c.host.kernel}, ${c.host.arch}, cgroup ${c.host.cgroup}`;
}

/** One test point (`number` counts from 1), with a YAML block when there is more to say. */
export function tapTestPoint(number: number, result: CaseResult): string {
  const status = tapStatus(result);
  const title = oneLine(result.title);
  let description = title ? `${oneLine(result.id)}: ${title}` : oneLine(result.id);
  let reason = status.directive ? oneLine(status.reason ?? '') : undefined;
  // A line ending in `{` opens a buffered subtest in TAP 14; show that last brace as an escape.
  if (reason) reason = unbrace(reason);
  else description = unbrace(description);

  let line = `${status.ok ? 'ok' : 'not ok'} ${number} - ${escapeTap(description)}`;
  if (status.directive) line += ` # ${status.directive}${reason ? ` ${escapeTap(reason)}` : ''}`;

  const diagnostics = tapDiagnostics(result);
  if (!diagnostics) return `${line}\n`;
  return [line, '  ---', ...yamlLines(diagnostics, 2), '  ...', ''].join('\n');
}

function unbrace(text: string): string {
  return text.endsWith('{') ? `${text.slice(0, -1)}\\x7b` : text;
}

/**
 * The YAML block: what a reader needs to judge the point without the other reports. Plain
 * passes and skips need none (a skip's reason is already on the line), unless they carry notes.
 */
export function tapDiagnostics(result: CaseResult): { [key: string]: Json } | undefined {
  const quiet = result.outcome === 'pass' || result.outcome === 'skip';
  if (quiet && result.notes.length === 0) return undefined;
  const diag: { [key: string]: Json } = { outcome: result.outcome };
  if (result.convention) diag.convention = result.convention;
  if (result.message) diag.message = result.message;
  if (result.checks.length > 0) {
    diag.requirements = result.checks.map((c) => {
      const req = requirementById(c.id);
      return { id: c.id, level: c.level, outcome: c.outcome, ...(req ? { spec: specUrl(req) } : {}) };
    });
  } else if (result.requirements.length > 0) diag.requirements = [...result.requirements];
  if (result.failures.length > 0) {
    diag.failures = result.failures.map((f) => {
      const item: { [key: string]: Json } = { message: f.message };
      if (f.requirement) item.requirement = f.requirement;
      const expected = toPlain(f.expected);
      const actual = toPlain(f.actual);
      if (expected !== undefined) item.expected = expected;
      if (actual !== undefined) item.actual = actual;
      return item;
    });
  }
  if (result.notes.length > 0) diag.notes = [...result.notes];
  diag.durationMs = Number.isFinite(result.durationMs) ? Math.round(result.durationMs) : 0;
  if (result.dir) diag.dir = result.dir;
  return diag;
}

/**
 * The plan and a one-line tally. The plan is the number of cases the run set out to report:
 * if fewer test points came (an interrupted run), TAP consumers see the mismatch and fail
 * the stream, which is the truth.
 */
export function tapFooter(summary: RunSummary, planned: number, emitted: number): string {
  const lines: string[] = [];
  const tally = OUTCOMES.map((o) => `${o} ${summary.counts[o] ?? 0}`).join(' ');
  if (summary.partial) {
    // A run cut short: `Bail out!` is TAP's word for it, and every consumer fails the stream on it.
    lines.push(`# ${tally} (${formatDuration(summary.durationMs)})`);
    lines.push(`Bail out! ${oneLine(`conform: ${summary.partial.reason}; ${emitted} of ${planned} planned cases reported`)}`);
    return lines.join('\n') + '\n';
  }
  if (planned !== emitted) lines.push(`# conform: ${emitted} of ${planned} planned cases reported`);
  lines.push(`1..${planned}`);
  lines.push(`# ${tally} (${formatDuration(summary.durationMs)})`);
  return lines.join('\n') + '\n';
}

/** A whole run as TAP, points in id order (for `conform merge` and `conform report`). */
export function renderTap(summary: RunSummary, version: TapVersion = 13): string {
  const results = byId(summary.results);
  const planned = results.length + (summary.partial?.notRun.length ?? 0);
  return (
    tapHeader(summary.runtime, version, summary.context) + results.map((r, i) => tapTestPoint(i + 1, r)).join('') + tapFooter(summary, planned, results.length)
  );
}

export function tapReporter(out: TextOut, options: { version?: TapVersion } = {}): Reporter {
  const version = options.version ?? 13;
  let planned: number | undefined;
  let emitted = 0;
  // start() writes the header; should a runner skip it, the version line must still come first.
  let headed = false;
  const head = (runtime?: RuntimeInfo, context?: RunContext): string => {
    if (headed) return '';
    headed = true;
    return runtime ? tapHeader(runtime, version, context) : `TAP version ${version}\n`;
  };
  return {
    name: 'tap',
    start(plan) {
      planned = plan.total;
      out.write(head(plan.runtime, plan.context));
    },
    caseFinished(result) {
      emitted++;
      out.write(head() + tapTestPoint(emitted, result));
    },
    finish(summary) {
      return writeAndFlush(out, head(summary.runtime, summary.context) + tapFooter(summary, planned ?? emitted, emitted));
    },
  };
}
