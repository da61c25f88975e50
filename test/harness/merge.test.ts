import { describe, expect, it } from 'vitest';
import { mergeRuns, type ShardInput } from '../../harness/run/merge.js';
import type { RunSummary } from '../../harness/run/result.js';
import { requirementVerdicts } from '../../reports/json.js';
import { CONTEXT, result, summary } from '../reports/factory.js';

const shard = (index: number, count: number, results: RunSummary['results'], over: Partial<RunSummary> = {}): ShardInput => ({
  name: `s${index}.json`,
  run: summary(results, { context: { ...CONTEXT, plan: { ...CONTEXT.plan, shard: { index, count } } }, ...over }),
});

describe('merge', () => {
  it('makes the shards one run: all results, counts and exit code over the whole, requirement verdicts too', () => {
    const one = shard(1, 2, [result('a.one', { requirements: ['r'] }), result('b.one')], { startedAt: '2025-01-01T00:00:00.000Z', durationMs: 10_000 });
    const two = shard(2, 2, [result('a.two', { requirements: ['r'], outcome: 'fail' })], { startedAt: '2025-01-01T00:00:20.000Z', durationMs: 5_000 });
    const merged = mergeRuns([two, one]);
    expect(merged.results.map((r) => r.id).sort()).toEqual(['a.one', 'a.two', 'b.one']);
    expect(merged.counts).toMatchObject({ pass: 2, fail: 1 });
    expect(merged.exitCode).toBe(1);
    expect(merged.startedAt).toBe('2025-01-01T00:00:00.000Z');
    expect(merged.durationMs).toBe(25_000);
    expect(merged.context.plan).toEqual({ hash: CONTEXT.plan.hash, cases: CONTEXT.plan.cases });
    expect(merged.context.shards?.map((s) => s.index)).toEqual([1, 2]);
    // A requirement cited in two shards is judged on both: one half alone would call it a pass.
    expect(requirementVerdicts(merged.results).r!.verdict).toBe('fail');
  });

  it("moves each shard's start times onto the merged run's clock", () => {
    const one = shard(1, 2, [result('a.one', { startMs: 100 })], { startedAt: '2025-01-01T00:00:00.000Z' });
    const two = shard(2, 2, [result('a.two', { startMs: 100 })], { startedAt: '2025-01-01T00:01:00.000Z' });
    const merged = mergeRuns([one, two]);
    expect(merged.results.map((r) => r.startMs)).toEqual([100, 60_100]);
  });

  it('refuses shards that are not of one run', () => {
    const one = shard(1, 2, [result('a.one')]);
    const two = shard(2, 2, [result('a.two')]);
    const refuse = (other: ShardInput, why: RegExp) => expect(() => mergeRuns([one, other])).toThrow(why);
    refuse({ ...two, run: { ...two.run, context: { ...two.run.context, conform: '9.9.9' } } }, /different conform versions \(9.9.9 vs 0.1.0\)/);
    refuse({ ...two, run: { ...two.run, context: { ...two.run.context, plan: { ...two.run.context.plan, hash: 'other' } } } }, /different plans/);
    refuse({ ...two, run: { ...two.run, runtime: { ...two.run.runtime, version: 'runc version 1.2.0' } } }, /different runtimes/);
    refuse({ ...two, run: { ...two.run, context: { ...two.run.context, baseline: { file: 'b.json', hash: 'x' } } } }, /different baselines/);
    refuse({ ...two, run: { ...two.run, context: { ...two.run.context, strict: true } } }, /different --strict/);
    refuse(shard(1, 2, [result('a.two')]), /both shard 1\/2/);
    refuse(shard(2, 3, [result('a.two')]), /shard 2\/3, the others are of 2/);
    refuse(shard(2, 2, [result('a.one')]), /a.one is in both s1.json and s2.json/);
    expect(() => mergeRuns([one])).toThrow(/shard 2\/2 missing/);
    expect(() => mergeRuns([{ name: 'whole.json', run: summary([result('a.one')]) }])).toThrow(/whole run, not a shard/);
    expect(() => mergeRuns([])).toThrow(/no reports/);
  });

  it("adds up the shards' timing, the overhead over their wall times × jobs", () => {
    const t = (runtimeMs: number, jobs: number, maxRssKb: number, engineMs = 0) => ({
      runtimeMs,
      runtimeCalls: 10,
      waitMs: 0,
      engineMs,
      bundleMs: 1,
      cleanupMs: 1,
      harnessMs: 1,
      jobs,
      planMs: 100 * jobs,
      maxRssKb,
    });
    // The engines' commands count with the runtime calls: conform waits on both.
    const one = shard(1, 2, [result('a.one')], { durationMs: 10_000, timing: t(14_000, 2, 80_000, 1_000) });
    const two = shard(2, 2, [result('a.two')], { durationMs: 20_000, timing: t(25_000, 1, 90_000) });
    const merged = mergeRuns([one, two]);
    expect(merged.timing).toEqual({ ...t(39_000, 2, 90_000, 1_000), runtimeCalls: 20, bundleMs: 2, cleanupMs: 2, harnessMs: 2, planMs: 200, overhead: 1 });
    // A shard without timing (an older conform): no made-up sums.
    expect(mergeRuns([one, shard(2, 2, [result('a.two')])]).timing).toBeUndefined();
  });

  it('a partial shard makes the merged run partial, with every case it did not run', () => {
    const one = shard(1, 2, [result('a.one')], { partial: { reason: 'interrupted (SIGTERM)', notRun: ['a.three'] } });
    const two = shard(2, 2, [result('a.two')]);
    const merged = mergeRuns([one, two]);
    expect(merged.partial).toEqual({ reason: 'shard 1: interrupted (SIGTERM)', notRun: ['a.three'] });
    expect(merged.exitCode).toBe(1);
  });
});
