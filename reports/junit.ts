// JUnit XML, valid against Jenkins' xUnit schema (junit-10.xsd, kept as a test fixture in
// fixtures/junit/) and in the shape GitLab's test reports and GitHub's JUnit actions read:
//
//   <testsuites name tests failures errors time>                      time: the run's wall clock
//     <testsuite name="<area>" tests failures errors skipped time timestamp hostname>
//       <properties>     the runtime under test, conform, the plan, the shard, the host
//       <testcase classname="conform.<area>" name="<id>" time>            sorted by id
//         <failure|error|skipped type message>   the details in the element's text
//         <system-out>   notes, warnings, baseline reasons, where the case's files are (--keep)
//         <system-err>   a failed case's runtime calls, with their exits and stderr
//
// A suite's time is its cases' wall-clock time (they run in parallel: see wall.ts), not the
// sum of their durations. The schema allows no properties on a testcase and no `skipped`
// on testsuites: each requirement the case cites (its level, what the case found about it,
// its spec link) goes in the text of its failure, skipped element or system-out.
//
// Outcome → element (the `type` attribute names conform's outcome; docs/reports.md):
//
//   pass      (none)
//   warn      (none), the recommendations not followed in system-out: a SHOULD or MAY not
//             followed is not a failure (spec.md counts only MUSTs), and the run passes
//   xpass     (none), a system-out line: not a failure of the runtime but a signal to shrink
//             the baseline (with --strict the run's exit code fails on it)
//   fail      <failure type="fail">     the runtime broke a requirement
//   error     <error type="error">      the harness could not carry the case out
//   skip      <skipped type="skip">     the case could not run here
//   xfail     <skipped type="xfail">    a failure the baseline expects (as pytest writes its
//             xfail): it must not turn the CI view red, and it did not pass; the failures
//             are in the element's text
//   disputed  <skipped type="disputed"> the spec leaves room here: no verdict was given
//   (not run) <skipped type="not-run">  a partial run (interrupted): planned, never run
//
// Text goes through xmlbuilder2, which escapes markup; characters XML 1.0 cannot carry at
// all (most C0 controls, lone surrogates, U+FFFE/FFFF) are replaced by visible escapes.

import { create } from 'xmlbuilder2';
import type { CaseResult, Failure, RunSummary } from '../harness/run/result.js';
import { CONVENTIONS } from '../harness/run/result.js';
import { toPlain } from './plain.js';
import { writeAndFlush, type Reporter, type TextOut } from '../harness/run/reporter.js';
import { requirementLine } from './requirements.js';
import { contextLine } from './tap.js';
import { byId, describeRuntime, oneLine, seconds, truncate, visibleEscape } from './text.js';
import { wallMs } from './wall.js';

type XMLBuilder = ReturnType<typeof create>;

/** Viewers show the message attribute in lists; the full text is in the element's body. */
const MESSAGE_ATTRIBUTE_MAX = 500;

/** A planned case a partial run never ran: only its id is known. */
interface NotRun {
  id: string;
  area: string;
}

export function renderJunit(summary: RunSummary): string {
  const doc = create({
    version: '1.0',
    encoding: 'UTF-8',
    invalidCharReplacement: visibleEscape,
  });
  const notRun: NotRun[] = (summary.partial?.notRun ?? []).map((id) => ({ id, area: id.split('.')[0]! }));
  const areas = groupByArea([...summary.results, ...notRun]);
  const all = tally(summary.results, notRun.length);
  const name = summary.partial ? `conform (partial: ${summary.partial.reason})` : 'conform';
  const root = doc.ele('testsuites', { name: oneLine(name), tests: all.tests, failures: all.failures, errors: all.errors, time: seconds(summary.durationMs) });
  const { hostname } = summary.context.host;
  for (const [area, entries] of areas) {
    const results = entries.filter(isResult);
    const skippedNotRun = entries.length - results.length;
    const t = tally(results, skippedNotRun);
    const suite = root.ele('testsuite', {
      name: area,
      tests: t.tests,
      failures: t.failures,
      errors: t.errors,
      skipped: t.skipped,
      time: seconds(wallMs(results)),
      ...timestamp(summary.startedAt),
      hostname,
    });
    properties(suite, summary);
    for (const entry of byId(entries)) {
      if (isResult(entry)) testcase(suite, entry);
      else
        suite
          .ele('testcase', { classname: `conform.${area}`, name: entry.id, time: seconds(0) })
          .ele('skipped', { type: 'not-run', message: attribute(`not run: ${summary.partial!.reason}`) });
    }
  }
  return doc.end({ prettyPrint: true }) + '\n';
}

const isResult = (e: CaseResult | NotRun): e is CaseResult => 'outcome' in e;

function properties(suite: XMLBuilder, summary: RunSummary): void {
  const props = suite.ele('properties');
  const { context: c, runtime } = summary;
  property(props, 'runtime', describeRuntime(runtime));
  if (runtime.version) property(props, 'runtime.version', runtime.version);
  property(props, 'conform.version', c.conform);
  property(props, 'plan', contextLine(c));
  property(props, 'plan.hash', c.plan.hash);
  if (c.plan.shard) property(props, 'shard', `${c.plan.shard.index}/${c.plan.shard.count}`);
  if (c.shards) property(props, 'merged', `${c.shards.length} shards`);
  property(props, 'host.kernel', c.host.kernel);
  property(props, 'host.cgroup', c.host.cgroup);
  if (c.baseline) property(props, 'baseline', c.baseline.file);
  if (summary.partial) property(props, 'partial', summary.partial.reason);
}

function testcase(suite: XMLBuilder, r: CaseResult): void {
  const tc = suite.ele('testcase', { classname: `conform.${r.area}`, name: r.id, time: seconds(r.durationMs) });
  const out: string[] = [];
  const why = r.message ?? '';
  switch (r.outcome) {
    case 'pass':
      break;
    case 'fail':
      tc.ele('failure', { type: 'fail', message: attribute(why || r.failures[0]?.message || 'failed') }).txt(details(r));
      break;
    case 'error':
      tc.ele('error', { type: 'error', message: attribute(why || r.failures[0]?.message || 'harness error') }).txt(details(r));
      break;
    case 'skip':
      tc.ele('skipped', { type: 'skip', message: attribute(why) });
      break;
    case 'xfail':
      tc.ele('skipped', { type: 'xfail', message: attribute(`expected failure (baseline): ${why}`) }).txt(details(r, false));
      break;
    case 'disputed':
      tc.ele('skipped', { type: 'disputed', message: attribute(`disputed: ${why}`) }).txt(details(r, false));
      break;
    case 'xpass':
      out.push(`unexpectedly passing: the baseline expects a failure${why ? ` (${why})` : ''}; remove the case from the baseline`);
      break;
    case 'warn':
      out.push(`warn: a recommendation not followed: ${why}`, ...failureLines(r.failures), ...requirementLines(r));
      break;
  }
  if (r.convention) out.push(`checks ${CONVENTIONS[r.convention]} (a failure here breaks no requirement of the spec)`);
  out.push(...r.notes.map((n) => `note: ${n}`));
  if (r.dir) out.push(`files: ${r.dir}`);
  if (out.length > 0) tc.ele('system-out').txt(out.join('\n') + '\n');
  if (r.runtimeLog) tc.ele('system-err').txt(r.runtimeLog.endsWith('\n') ? r.runtimeLog : `${r.runtimeLog}\n`);
}

/**
 * The text of <failure>/<error>/<skipped>: each failed expectation with what was expected
 * and found, then the requirements. The message attribute already has the one-line reason,
 * so it is repeated only when there is nothing else to say.
 */
function details(r: CaseResult, withMessage = true): string {
  const lines = failureLines(r.failures);
  if (lines.length === 0 && withMessage && r.message) lines.push(r.message);
  lines.push(...requirementLines(r));
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** `requirements:` and, for each, `config:process.umask (MUST) fail https://…`: what the case found about it. */
function requirementLines(r: CaseResult): string[] {
  if (r.checks.length > 0) return ['requirements:', ...r.checks.map((c) => `  ${requirementLine(c.id, c.outcome, c.level)}`)];
  return r.requirements.length > 0 ? ['requirements:', ...r.requirements.map((id) => `  ${requirementLine(id)}`)] : [];
}

function failureLines(failures: readonly Failure[]): string[] {
  return failures.flatMap((f) => {
    const lines = [f.requirement ? `${f.message} (${f.requirement})` : f.message];
    if (f.expected !== undefined) lines.push(`  expected: ${JSON.stringify(toPlain(f.expected))}`);
    if (f.actual !== undefined) lines.push(`  found:    ${JSON.stringify(toPlain(f.actual))}`);
    return lines;
  });
}

/**
 * The Ant schema that the viewers follow wants `YYYY-MM-DDTHH:MM:SS` without a zone; we give
 * UTC (the JSON report has the exact instant).
 */
function timestamp(startedAt: string): { timestamp?: string } {
  const date = new Date(startedAt);
  return Number.isNaN(date.getTime()) ? {} : { timestamp: date.toISOString().slice(0, 19) };
}

function attribute(text: string): string {
  return truncate(oneLine(text), MESSAGE_ATTRIBUTE_MAX);
}

function property(parent: XMLBuilder, name: string, value: string): void {
  parent.ele('property', { name, value: oneLine(value) });
}

interface Tally {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/** Counts as the elements are written: what a consumer would count itself. */
function tally(results: readonly CaseResult[], notRun: number): Tally {
  const t: Tally = { tests: results.length + notRun, failures: 0, errors: 0, skipped: notRun };
  for (const r of results) {
    if (r.outcome === 'fail') t.failures++;
    else if (r.outcome === 'error') t.errors++;
    else if (r.outcome === 'skip' || r.outcome === 'xfail' || r.outcome === 'disputed') t.skipped++;
  }
  return t;
}

function groupByArea<T extends { area: string }>(entries: readonly T[]): [string, T[]][] {
  const groups = new Map<string, T[]>();
  for (const e of entries) {
    const list = groups.get(e.area);
    if (list) list.push(e);
    else groups.set(e.area, [e]);
  }
  return [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function junitReporter(out: TextOut): Reporter {
  return {
    name: 'junit',
    start() {},
    caseFinished() {},
    finish: (summary) => writeAndFlush(out, renderJunit(summary)),
  };
}
