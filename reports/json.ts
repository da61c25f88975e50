// The run as JSON, for tools: the RunSummary plus a verdict per requirement. Key order is
// fixed and results are sorted by id, so two runs of the same suite diff cleanly however the
// worker pool scheduled them.
//
// A requirement's verdict describes the runtime, not the CI gate (the baseline only decides
// the exit code), so it is taken from what each citing case found about that requirement,
// from the assertions about it (CaseResult.checks; an expected failure still failed it):
//
//   fail        some case saw the runtime break it (a MUST-level requirement), known or not
//   error       none failed, but the harness could not carry out some citing case
//   disputed    none failed or errored, some case is disputed: no verdict can be given
//   warn        a SHOULD or MAY-level requirement some case saw not followed
//   untested    no case got to check it (skipped, or stopped on another requirement first)
//   incomplete  some cases found it met, the others did not get to check it
//   pass        every citing case found it met
//
// Requirements that no reported case cites do not appear: this report knows only results.
// A case that checks a convention beyond the spec (`convention`, e.g. the runc CLI that
// engines call) cites the spec operations it goes through, but its failure breaks none of
// them: a failed or expected-to-fail convention case does not count towards any verdict.
//
// The format is published as a JSON Schema (schemas/json/report.schema.json, from
// reports/report-schema.ts); `conform merge`, `report`, `baseline` and `matrix` read it back.

import type { CaseResult, CheckOutcome, Failure, Outcome, PartialRun, RequirementCheck, RunContext, RunSummary, RuntimeInfo } from '../harness/run/result.js';
import type { Level } from '../spec/index.js';
import { OUTCOMES } from '../harness/run/result.js';
import { toPlain, type Json } from './plain.js';
import { writeAndFlush, type Reporter, type TextOut } from '../harness/run/reporter.js';
import { byId } from './text.js';
import type { RunTiming } from '../harness/run/timing.js';

export type RequirementVerdict = 'pass' | 'warn' | 'fail' | 'error' | 'disputed' | 'untested' | 'incomplete';

export interface RequirementReport {
  level: Level;
  verdict: RequirementVerdict;
  /** Case id → what that case found about the requirement, sorted by id. */
  cases: Record<string, CheckOutcome>;
}

export interface JsonFailure {
  message: string;
  expected?: Json;
  actual?: Json;
  requirement?: string;
}

export interface JsonCaseResult extends Omit<CaseResult, 'failures'> {
  failures: JsonFailure[];
}

export const REPORT_FORMAT = 'conform-report/2';

export interface JsonReport {
  /** Bumped when a consumer would have to change. */
  format: typeof REPORT_FORMAT;
  runtime: RuntimeInfo;
  startedAt: string;
  durationMs: number;
  exitCode: 0 | 1;
  context: RunContext;
  /** Present when the run did not report every planned case. */
  partial?: PartialRun;
  counts: Record<Outcome, number>;
  requirements: Record<string, RequirementReport>;
  results: JsonCaseResult[];
  /** Where the run's time went: runtime calls, waits on containers, conform's own work (harness/run/timing.ts). */
  timing?: RunTiming;
}

export function requirementVerdicts(results: readonly CaseResult[]): Record<string, RequirementReport> {
  const cited = new Map<string, { level: Level; cases: Record<string, CheckOutcome> }>();
  for (const r of byId(results)) {
    for (const check of r.checks) {
      const entry = cited.get(check.id) ?? { level: check.level, cases: {} };
      entry.cases[r.id] = check.outcome;
      cited.set(check.id, entry);
    }
  }
  const out: Record<string, RequirementReport> = {};
  for (const req of [...cited.keys()].sort()) {
    const { level, cases } = cited.get(req)!;
    out[req] = { level, verdict: verdictOf(Object.values(cases)), cases };
  }
  return out;
}

function verdictOf(outcomes: readonly CheckOutcome[]): RequirementVerdict {
  const has = (...wanted: CheckOutcome[]): boolean => outcomes.some((o) => wanted.includes(o));
  if (has('fail')) return 'fail';
  if (has('error')) return 'error';
  if (has('disputed')) return 'disputed';
  if (has('warn')) return 'warn';
  const passed = has('pass');
  if (has('skip', 'unchecked')) return passed ? 'incomplete' : 'untested';
  return 'pass';
}

export function toJsonReport(summary: RunSummary): JsonReport {
  return {
    format: REPORT_FORMAT,
    runtime: runtimeOf(summary.runtime),
    startedAt: summary.startedAt,
    durationMs: summary.durationMs,
    exitCode: summary.exitCode,
    context: contextOf(summary.context),
    ...(summary.partial ? { partial: { reason: summary.partial.reason, notRun: [...summary.partial.notRun].sort() } } : {}),
    counts: Object.fromEntries(OUTCOMES.map((o) => [o, summary.counts[o] ?? 0])) as Record<Outcome, number>,
    requirements: requirementVerdicts(summary.results),
    results: byId(summary.results).map(caseOf),
    ...(summary.timing ? { timing: summary.timing } : {}),
  };
}

function runtimeOf(runtime: RuntimeInfo): RuntimeInfo {
  const features = toPlain(runtime.features);
  return {
    path: runtime.path,
    args: [...runtime.args],
    ...(runtime.version !== undefined ? { version: runtime.version } : {}),
    ...(features !== undefined ? { features } : {}),
  };
}

function contextOf(c: RunContext): RunContext {
  const { index, count } = c.plan.shard ?? {};
  return {
    conform: c.conform,
    plan: { hash: c.plan.hash, cases: c.plan.cases, ...(c.plan.shard ? { shard: { index: index!, count: count! } } : {}) },
    host: { hostname: c.host.hostname, kernel: c.host.kernel, arch: c.host.arch, cgroup: c.host.cgroup },
    strict: c.strict,
    ...(c.baseline ? { baseline: { file: c.baseline.file, hash: c.baseline.hash } } : {}),
    ...(c.tag !== undefined ? { tag: c.tag } : {}),
    ...(c.shards
      ? {
          shards: c.shards.map((s) => ({
            index: s.index,
            startedAt: s.startedAt,
            durationMs: s.durationMs,
            host: { ...s.host },
            ...(s.tag !== undefined ? { tag: s.tag } : {}),
          })),
        }
      : {}),
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
    checks: r.checks.map(checkOf),
    outcome: r.outcome,
    ...(r.message !== undefined ? { message: r.message } : {}),
    failures: r.failures.map(failureOf),
    notes: [...r.notes],
    durationMs: r.durationMs,
    ...(r.startMs !== undefined ? { startMs: r.startMs } : {}),
    ...(r.timing !== undefined ? { timing: r.timing } : {}),
    ...(r.dir !== undefined ? { dir: r.dir } : {}),
    ...(r.expectedSkip ? { expectedSkip: true } : {}),
    ...(r.runtimeLog !== undefined ? { runtimeLog: r.runtimeLog } : {}),
  };
}

function checkOf(c: RequirementCheck): RequirementCheck {
  return { id: c.id, level: c.level, outcome: c.outcome };
}

function failureOf(f: Failure): JsonFailure {
  const expected = toPlain(f.expected);
  const actual = toPlain(f.actual);
  return {
    message: f.message,
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
    ...(f.requirement !== undefined ? { requirement: f.requirement } : {}),
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

/** A report read back as the run's summary (what `merge`, `report` and `baseline` work on). */
export function fromJsonReport(report: JsonReport): RunSummary {
  return {
    runtime: report.runtime,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    counts: report.counts,
    results: report.results,
    exitCode: report.exitCode,
    context: report.context,
    ...(report.partial ? { partial: report.partial } : {}),
    ...(report.timing ? { timing: report.timing } : {}),
  };
}
