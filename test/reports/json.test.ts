import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import { schemaText } from '../../schemas/emit.js';
import { ReportSchema } from '../../reports/report-schema.js';
import type { CaseResult, Outcome } from '../../harness/run/result.js';
import { jsonReporter, renderJson, requirementVerdicts, type JsonReport, type RequirementVerdict } from '../../reports/json.js';
import { reportProblems, parseReport } from '../../reports/read.js';
import { CONTEXT, RUNTIME, Recorder, drive, mixed, result, summary } from './factory.js';

const byId = (a: CaseResult, b: CaseResult): number => (a.id < b.id ? -1 : 1);

describe('json report', () => {
  test('round-trips the summary, results sorted by id', () => {
    const s = summary(mixed());
    const parsed = JSON.parse(renderJson(s)) as JsonReport;
    expect(parsed.format).toBe('conform-report/2');
    expect(parsed.runtime).toEqual(s.runtime);
    expect(parsed.startedAt).toBe(s.startedAt);
    expect(parsed.durationMs).toBe(s.durationMs);
    expect(parsed.exitCode).toBe(1);
    expect(parsed.counts).toEqual(s.counts);
    expect(parsed.results).toEqual([...s.results].sort(byId));
  });

  test('key order is fixed, whatever order the runner built the objects in', () => {
    const shuffled = {
      dir: '/tmp/x',
      durationMs: 5,
      notes: [],
      failures: [{ actual: 2, expected: 1, message: 'm' }],
      message: 'why',
      outcome: 'fail',
      checks: [{ outcome: 'fail', level: 'MUST', id: 'r' }],
      requirements: ['r'],
      title: 't',
      area: 'a',
      id: 'a.x',
    } as CaseResult;
    const parsed = JSON.parse(renderJson(summary([shuffled]))) as JsonReport;
    expect(Object.keys(parsed)).toEqual(['format', 'runtime', 'startedAt', 'durationMs', 'exitCode', 'context', 'counts', 'requirements', 'results']);
    expect(Object.keys(parsed.counts)).toEqual(['pass', 'fail', 'error', 'warn', 'xfail', 'xpass', 'disputed', 'skip']);
    expect(Object.keys(parsed.results[0]!)).toEqual([
      'id',
      'area',
      'title',
      'requirements',
      'checks',
      'outcome',
      'message',
      'failures',
      'notes',
      'durationMs',
      'dir',
    ]);
    expect(Object.keys(parsed.results[0]!.checks[0]!)).toEqual(['id', 'level', 'outcome']);
    expect(Object.keys(parsed.results[0]!.failures[0]!)).toEqual(['message', 'expected', 'actual']);
    expect(Object.keys(parsed.requirements.r!)).toEqual(['level', 'verdict', 'cases']);
  });

  test('the same run in another completion order renders byte for byte the same', () => {
    const results = mixed();
    expect(renderJson(summary([...results].reverse()))).toBe(renderJson(summary(results)));
  });

  test('requirements are sorted, and so are the cases that cite each', () => {
    const parsed = JSON.parse(renderJson(summary(mixed()))) as JsonReport;
    const keys = Object.keys(parsed.requirements);
    expect(keys).toEqual([...keys].sort());
    expect(parsed.requirements['config:process.rlimits.apply']).toEqual({ level: 'MUST', verdict: 'fail', cases: { 'process.rlimits.nofile': 'fail' } });
  });

  test('values JSON cannot hold are written as text, not dropped and not thrown', () => {
    const cycle: unknown[] = [];
    cycle.push(cycle);
    const r = result('a.odd', {
      outcome: 'fail',
      failures: [
        { message: 'big', expected: 2n ** 64n - 1n, actual: Number.POSITIVE_INFINITY },
        { message: 'shapes', expected: new Map([['k', new Set([1, 2])]]), actual: cycle },
        { message: 'absent', expected: undefined, actual: new Date('2025-01-01T00:00:00Z') },
        { message: 'error', actual: new Error('boom') },
      ],
    });
    const parsed = JSON.parse(renderJson(summary([r]))) as JsonReport;
    expect(parsed.results[0]!.failures).toEqual([
      { message: 'big', expected: '18446744073709551615', actual: 'Infinity' },
      { message: 'shapes', expected: { k: [1, 2] }, actual: ['[circular]'] },
      { message: 'absent', actual: '2025-01-01T00:00:00.000Z' },
      { message: 'error', actual: { name: 'Error', message: 'boom' } },
    ]);
  });

  test('a report is valid against the published schema, partial runs and merged ones too', () => {
    const timing = { runtimeMs: 40, runtimeCalls: 5, waitMs: 20, engineMs: 7, bundleMs: 3, cleanupMs: 2, harnessMs: 1 };
    const withAll = [...mixed(), result('engines.podman.exec', { outcome: 'warn', convention: 'runc-cli' })].map((r, i) => ({
      ...r,
      startMs: i * 10,
      timing,
      runtimeLog: r.outcome === 'fail' ? '$ runc create\n' : undefined,
    }));
    const runs = [
      summary(withAll, { timing: { ...timing, jobs: 2, planMs: 180, maxRssKb: 90_000, overhead: 1.08 } }),
      summary([result('a.one')], { partial: { reason: 'interrupted (SIGINT)', notRun: ['b.two', 'a.three'] }, exitCode: 1 }),
      summary([result('a.one')], {
        runtime: { ...RUNTIME, features: { ociVersionMin: '1.0.0', hooks: ['prestart'] } },
        context: {
          ...CONTEXT,
          baseline: { file: 'baselines/runc.json', hash: 'abc' },
          shards: [{ index: 1, startedAt: '2025-01-02T03:04:05.678Z', durationMs: 5, host: CONTEXT.host }],
        },
      }),
    ];
    for (const s of runs) expect(reportProblems(JSON.parse(renderJson(s)))).toEqual([]);
    const parsed = JSON.parse(renderJson(runs[1]!)) as JsonReport;
    expect(parsed.partial).toEqual({ reason: 'interrupted (SIGINT)', notRun: ['a.three', 'b.two'] });
    expect(parseReport(renderJson(runs[0]!), 'r.json').results).toHaveLength(9);
    // The timing sections (harness/run/timing.ts) are in the schema, and closed like the rest.
    expect(parseReport(renderJson(runs[0]!), 'r.json').timing?.overhead).toBe(1.08);
    expect(reportProblems(JSON.parse(renderJson(summary([result('a.one', { timing: { ...timing, extra: 1 } as typeof timing })]))))).toEqual([
      expect.stringContaining('extra'),
    ]);
  });

  test('schemas/json/report.schema.json is the schema readers use (regenerate: node scripts/emit-schemas.mjs)', () => {
    const committed = readFileSync(join(repoRoot, 'schemas/json/report.schema.json'), 'utf8');
    expect(committed === schemaText(ReportSchema), 'schemas/json/report.schema.json is stale: run node scripts/emit-schemas.mjs').toBe(true);
  });

  test('readers refuse a report that is not of this format, saying where', () => {
    const broken = JSON.parse(renderJson(summary(mixed()))) as Record<string, unknown>;
    delete broken.context;
    expect(() => parseReport(JSON.stringify(broken), 'old.json')).toThrow(/^old.json: not a valid conform report: context: is required/);
    expect(reportProblems({ ...JSON.parse(renderJson(summary([]))), extra: 1 })).toEqual([expect.stringContaining('extra')]);
  });

  test('the reporter writes the report at finish', async () => {
    const out = new Recorder();
    await drive(jsonReporter(out), summary(mixed()));
    expect(out.text()).toBe(renderJson(summary(mixed())));
    expect(out.text().endsWith('}\n')).toBe(true);
  });
});

describe('requirement verdicts', () => {
  const cite = (outcomes: Outcome[]): RequirementVerdict =>
    requirementVerdicts(outcomes.map((outcome, i) => result(`a.case${i}`, { outcome, requirements: ['req'] }))).req!.verdict;

  test.each<[Outcome[], RequirementVerdict]>([
    [['pass'], 'pass'],
    [['pass', 'pass', 'xpass'], 'pass'],
    [['pass', 'fail'], 'fail'],
    [['pass', 'xfail'], 'fail'],
    [['error', 'xfail', 'disputed', 'skip'], 'fail'],
    [['pass', 'error'], 'error'],
    [['error', 'disputed'], 'error'],
    [['pass', 'disputed'], 'disputed'],
    [['disputed', 'skip'], 'disputed'],
    [['skip'], 'untested'],
    [['skip', 'skip'], 'untested'],
    [['pass', 'skip'], 'incomplete'],
    [['xpass', 'skip'], 'incomplete'],
    [['pass', 'warn'], 'warn'],
    [['warn', 'fail'], 'fail'],
    [['warn', 'skip'], 'warn'],
  ])('%j → %s', (outcomes, verdict) => {
    expect(cite(outcomes)).toBe(verdict);
  });

  test("a requirement's verdict comes from its own checks, not from its case's outcome", () => {
    const map = requirementVerdicts([
      result('a.two', {
        outcome: 'xfail',
        requirements: ['broken', 'kept', 'later'],
        checks: [
          { id: 'broken', level: 'MUST', outcome: 'fail' },
          { id: 'kept', level: 'MUST', outcome: 'pass' },
          { id: 'later', level: 'MUST', outcome: 'unchecked' },
        ],
      }),
      result('a.one', { requirements: ['later'] }),
    ]);
    expect(map.broken).toEqual({ level: 'MUST', verdict: 'fail', cases: { 'a.two': 'fail' } });
    expect(map.kept).toEqual({ level: 'MUST', verdict: 'pass', cases: { 'a.two': 'pass' } });
    expect(map.later).toEqual({ level: 'MUST', verdict: 'incomplete', cases: { 'a.one': 'pass', 'a.two': 'unchecked' } });
  });

  test('each requirement collects exactly the cases that cite it', () => {
    const map = requirementVerdicts([
      result('b.two', { requirements: ['r1', 'r2'] }),
      result('a.one', { requirements: ['r1'], outcome: 'fail' }),
      result('c.none'),
    ]);
    expect(map).toEqual({
      r1: { level: 'MUST', verdict: 'fail', cases: { 'a.one': 'fail', 'b.two': 'pass' } },
      r2: { level: 'MUST', verdict: 'pass', cases: { 'b.two': 'pass' } },
    });
    expect(Object.keys(map.r1!.cases)).toEqual(['a.one', 'b.two']);
  });
});
