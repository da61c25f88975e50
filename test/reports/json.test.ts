import { describe, expect, test } from 'vitest';
import type { CaseResult, Outcome } from '../../harness/result.js';
import { jsonReporter, renderJson, requirementVerdicts, type JsonReport, type RequirementVerdict } from '../../reports/json.js';
import { Recorder, drive, mixed, result, summary } from './factory.js';

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
      dir: '/tmp/x', durationMs: 5, notes: [], failures: [{ actual: 2, expected: 1, message: 'm' }],
      message: 'why', outcome: 'fail', checks: [{ outcome: 'fail', level: 'MUST', id: 'r' }], requirements: ['r'], title: 't', area: 'a', id: 'a.x',
    } as CaseResult;
    const parsed = JSON.parse(renderJson(summary([shuffled]))) as JsonReport;
    expect(Object.keys(parsed)).toEqual(['format', 'runtime', 'startedAt', 'durationMs', 'exitCode', 'counts', 'requirements', 'results']);
    expect(Object.keys(parsed.counts)).toEqual(['pass', 'fail', 'error', 'warn', 'xfail', 'xpass', 'disputed', 'skip']);
    expect(Object.keys(parsed.results[0]!)).toEqual(['id', 'area', 'title', 'requirements', 'checks', 'outcome', 'message', 'failures', 'notes', 'durationMs', 'dir']);
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
