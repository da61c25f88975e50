// The run as JSON, for tools: the RunSummary plus a verdict per requirement. Key order is
// fixed and results are sorted by id, so two runs of the same suite diff cleanly however the
// worker pool scheduled them.
//
// A requirement's verdict describes the runtime, not the CI gate (the baseline only decides
// the exit code), so it is taken from what the citing cases observed:
//
//   fail        some citing case failed, including an expected failure (xfail): the
//               runtime was seen breaking the requirement, known or not
//   error       none failed, but the harness could not carry out some citing case
//   disputed    none failed or errored, some case is disputed: no verdict can be given
//   untested    every citing case was skipped
//   incomplete  some citing cases passed, the others were skipped
//   pass        every citing case passed (an xpass is a pass: the runtime met it)
//
// Requirements that no reported case cites do not appear: this report knows only results.
// A case that checks a convention beyond the spec (`convention`, e.g. the runc CLI that
// engines call) cites the spec operations it goes through, but its failure breaks none of
// them: a failed or expected-to-fail convention case does not count towards any verdict.

import type { CaseResult, Failure, Outcome, RunSummary, RuntimeInfo } from '../harness/result.js';
import { OUTCOMES } from '../harness/result.js';
import { toPlain, type Json } from './plain.js';
import { writeAndFlush, type Reporter, type TextOut } from './reporter.js';
import { byId } from './text.js';

export type RequirementVerdict = 'pass' | 'fail' | 'error' | 'disputed' | 'untested' | 'incomplete';

export interface RequirementReport {
  verdict: RequirementVerdict;
  /** Case id → its outcome, sorted by id. */
  cases: Record<string, Outcome>;
}

export interface JsonFailure {
  message: string;
  expected?: Json;
  actual?: Json;
}

export interface JsonCaseResult extends Omit<CaseResult, 'failures'> {
  failures: JsonFailure[];
}

export interface JsonReport {
  /** Bumped when a consumer would have to change. */
  format: 'conform-report/1';
  runtime: RuntimeInfo;
  startedAt: string;
  durationMs: number;
  exitCode: 0 | 1;
  counts: Record<Outcome, number>;
  requirements: Record<string, RequirementReport>;
  results: JsonCaseResult[];
}

export function requirementVerdicts(results: readonly CaseResult[]): Record<string, RequirementReport> {
  const cited = new Map<string, Record<string, Outcome>>();
  for (const r of byId(results)) {
    if (r.convention && (r.outcome === 'fail' || r.outcome === 'xfail')) continue;
    for (const req of r.requirements) {
      const cases = cited.get(req) ?? {};
      cases[r.id] = r.outcome;
      cited.set(req, cases);
    }
  }
  const out: Record<string, RequirementReport> = {};
  for (const req of [...cited.keys()].sort()) {
    const cases = cited.get(req)!;
    out[req] = { verdict: verdictOf(Object.values(cases)), cases };
  }
  return out;
}

function verdictOf(outcomes: readonly Outcome[]): RequirementVerdict {
  const has = (...wanted: Outcome[]): boolean => outcomes.some((o) => wanted.includes(o));
  if (has('fail', 'xfail')) return 'fail';
  if (has('error')) return 'error';
  if (has('disputed')) return 'disputed';
  const passed = has('pass', 'xpass');
  if (has('skip')) return passed ? 'incomplete' : 'untested';
  return 'pass';
}

export function toJsonReport(summary: RunSummary): JsonReport {
  return {
    format: 'conform-report/1',
    runtime: runtimeOf(summary.runtime),
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    exitCode: summary.exitCode,
    counts: Object.fromEntries(OUTCOMES.map((o) => [o, summary.counts[o] ?? 0])) as Record<Outcome, number>,
    requirements: requirementVerdicts(summary.results),
    results: byId(summary.results).map(caseOf),
  };
}

function runtimeOf(runtime: RuntimeInfo): RuntimeInfo {
  return {
    path: runtime.path,
    args: [...runtime.args],
    ...(runtime.version !== undefined ? { version: runtime.version } : {}),
  };
}

// Spelled out key by key: the data model's order, whatever order the runner built it in.
function caseOf(r: CaseResult): JsonCaseResult {
  return {
    id: r.id,
    area: r.area,
    title: r.title,
    requirements: [...r.requirements],
    ...(r.convention !== undefined ? { convention: r.convention } : {}),
    outcome: r.outcome,
    ...(r.message !== undefined ? { message: r.message } : {}),
    failures: r.failures.map(failureOf),
    notes: [...r.notes],
    durationMs: r.durationMs,
    ...(r.dir !== undefined ? { dir: r.dir } : {}),
  };
}

function failureOf(f: Failure): JsonFailure {
  const expected = toPlain(f.expected);
  const actual = toPlain(f.actual);
  return {
    message: f.message,
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
  };
}

export function renderJson(summary: RunSummary): string {
  return JSON.stringify(toJsonReport(summary), null, 2) + '\n';
}

export function jsonReporter(out: TextOut): Reporter {
  return {
    name: 'json',
    start() {},
    caseFinished() {},
    finish: (summary) => writeAndFlush(out, renderJson(summary)),
  };
}
