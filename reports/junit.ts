// JUnit XML, in the subset that GitLab, Jenkins and the GitHub test-report actions all read:
//
//   <testsuites name tests failures errors skipped time>
//     <testsuite name="<area>" tests failures errors skipped time>     one per area, sorted
//       <properties>                                                   the runtime under test
//       <testcase classname="conform.<area>" name="<id>" time>         sorted by id
//         <properties>    outcome, title, requirements (comma-separated, as Xray reads them),
//                         and one `requirement` each: "<id> <LEVEL> <outcome> <spec link>"
//         <failure|error|skipped message="…">   details in the element's text
//         <system-out>    notes, baseline reasons, and where the case's files are (--keep)
//
// Outcome → element. JUnit knows passed, failure, error and skipped, so:
//
//   pass      (no element)
//   warn      (no element): a SHOULD or MAY not followed is not a failure; the outcome
//             property says warn and system-out lists what was not followed
//   fail      <failure>    the runtime broke a requirement
//   error     <error>      the harness could not carry the case out: JUnit's own meaning of error
//   skip      <skipped>
//   xfail     <skipped message="expected failure (baseline): …">, the failures in system-out;
//             a known failure must not turn the CI view red, yet it did not pass either
//   disputed  <skipped message="disputed: …">, the notes in system-out: no verdict was given
//   xpass     (no element) with the outcome property and a system-out line. An unexpected
//             pass is not a failure of the runtime but a signal to shrink the baseline; marking
//             it as failure would make viewers blame the runtime for getting better. (With
//             --strict the run's exit code still fails on it; the exit code is the gate.)
//
// Text goes through xmlbuilder2, which escapes markup; characters XML 1.0 cannot carry at
// all (most C0 controls, lone surrogates, U+FFFE/FFFF) are replaced by visible escapes.

import { create } from 'xmlbuilder2';
import type { CaseResult, Failure, RunSummary } from '../harness/result.js';
import { toPlain } from './plain.js';
import { requirementById, specUrl } from '../suites/requirements/index.js';
import { writeAndFlush, type Reporter, type TextOut } from './reporter.js';
import { byId, describeRuntime, oneLine, seconds, truncate, visibleEscape } from './text.js';

type XMLBuilder = ReturnType<typeof create>;

/** Viewers show the message attribute in lists; the full text is in the element's body. */
const MESSAGE_ATTRIBUTE_MAX = 500;

export function renderJunit(summary: RunSummary): string {
  const doc = create({
    version: '1.0',
    encoding: 'UTF-8',
    invalidCharReplacement: visibleEscape,
  });
  const areas = groupByArea(summary.results);
  const all = tally(summary.results);
  const root = doc.ele('testsuites', {
    name: 'conform',
    tests: all.tests,
    failures: all.failures,
    errors: all.errors,
    skipped: all.skipped,
    time: seconds(summary.durationMs),
  });
  for (const [area, results] of areas) {
    const t = tally(results);
    const suite = root.ele('testsuite', {
      name: area,
      tests: t.tests,
      failures: t.failures,
      errors: t.errors,
      skipped: t.skipped,
      time: seconds(results.reduce((sum, r) => sum + r.durationMs, 0)),
      ...timestamp(summary.startedAt),
    });
    const props = suite.ele('properties');
    property(props, 'runtime', describeRuntime(summary.runtime));
    if (summary.runtime.version) property(props, 'runtime.version', summary.runtime.version);
    for (const result of byId(results)) testcase(suite, result);
  }
  return doc.end({ prettyPrint: true }) + '\n';
}

function testcase(suite: XMLBuilder, r: CaseResult): void {
  const tc = suite.ele('testcase', { classname: `conform.${r.area}`, name: r.id, time: seconds(r.durationMs) });
  const props = tc.ele('properties');
  property(props, 'outcome', r.outcome);
  if (r.title) property(props, 'title', r.title);
  if (r.requirements.length > 0) property(props, 'requirements', r.requirements.join(', '));
  for (const c of r.checks) {
    const req = requirementById(c.id);
    property(props, 'requirement', `${c.id} ${c.level} ${c.outcome}${req ? ` ${specUrl(req)}` : ''}`);
  }

  const out: string[] = [];
  const why = r.message ?? '';
  switch (r.outcome) {
    case 'pass':
      break;
    case 'warn':
      out.push(`recommendation not followed: ${why}`, ...failureLines(r.failures));
      break;
    case 'fail':
      tc.ele('failure', { message: attribute(why || r.failures[0]?.message || 'failed'), type: 'fail' }).txt(details(r));
      break;
    case 'error':
      tc.ele('error', { message: attribute(why || r.failures[0]?.message || 'harness error'), type: 'error' })
        .txt(details(r));
      break;
    case 'skip':
      tc.ele('skipped', { message: attribute(why) });
      break;
    case 'xfail':
      tc.ele('skipped', { message: attribute(`expected failure (baseline): ${why}`) });
      out.push(`expected failure, per the runtime's baseline: ${why}`, ...failureLines(r.failures));
      break;
    case 'disputed':
      tc.ele('skipped', { message: attribute(`disputed: ${why}`) });
      if (why) out.push(`disputed: ${why}`);
      break;
    case 'xpass':
      out.push(`unexpectedly passing: the baseline expects a failure${why ? ` (${why})` : ''}; remove the case from the baseline`);
      break;
  }
  out.push(...r.notes.map((n) => `note: ${n}`));
  if (r.dir) out.push(`files: ${r.dir}`);
  if (out.length > 0) tc.ele('system-out').txt(out.join('\n') + '\n');
}

/** Body of <failure>/<error>: every failed expectation, the requirements and the notes. */
function details(r: CaseResult): string {
  const lines: string[] = [];
  if (r.message) lines.push(r.message);
  lines.push(...failureLines(r.failures));
  if (r.requirements.length > 0) lines.push(`requirements: ${r.requirements.join(', ')}`);
  return lines.join('\n') + '\n';
}

function failureLines(failures: readonly Failure[]): string[] {
  return failures.flatMap((f) => {
    const lines = [f.requirement ? `${f.message} (${f.requirement})` : f.message];
    if (f.expected !== undefined) lines.push(`  expected: ${JSON.stringify(toPlain(f.expected))}`);
    if (f.actual !== undefined) lines.push(`  actual:   ${JSON.stringify(toPlain(f.actual))}`);
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

function tally(results: readonly CaseResult[]): Tally {
  const t: Tally = { tests: results.length, failures: 0, errors: 0, skipped: 0 };
  for (const r of results) {
    if (r.outcome === 'fail') t.failures++;
    else if (r.outcome === 'error') t.errors++;
    else if (r.outcome === 'skip' || r.outcome === 'xfail' || r.outcome === 'disputed') t.skipped++;
  }
  return t;
}

function groupByArea(results: readonly CaseResult[]): [string, CaseResult[]][] {
  const groups = new Map<string, CaseResult[]>();
  for (const r of results) {
    const list = groups.get(r.area);
    if (list) list.push(r);
    else groups.set(r.area, [r]);
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
