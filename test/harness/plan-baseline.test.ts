import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyBaseline, loadBaseline } from '../../harness/run/baseline.js';
import { defineCase } from '../../harness/case/case.js';
import { SetupError } from '../../harness/errors.js';
import { costOf, plan, planHash, shardOf, startOrder } from '../../harness/run/plan.js';
import { isBad, type CaseResult } from '../../harness/run/result.js';

const mk = (id: string, requirements = ['runtime:state.id']) => defineCase({ id, title: `title of ${id}`, requirements, check: async () => {} });
const cases = [mk('a.one'), mk('a.two', ['config:process.env']), mk('b.three'), mk('b.four', ['config-linux:namespaces.pid'])];

describe('plan', () => {
  it('filters by grep (id or title, case-insensitive, literal when not a regexp), area and requirement prefix', () => {
    expect(plan(cases, { grep: ['TWO'] }).map((c) => c.id)).toEqual(['a.two']);
    expect(plan(cases, { grep: ['title of b'] }).map((c) => c.id)).toEqual(['b.three', 'b.four']);
    expect(plan(cases, { grep: ['('] })).toEqual([]);
    expect(plan(cases, { areas: ['b'] }).map((c) => c.id)).toEqual(['b.three', 'b.four']);
    expect(plan(cases, { requirements: ['config'] }).map((c) => c.id)).toEqual(['a.two', 'b.four']);
  });

  it('shards cover the plan exactly once', () => {
    const all = [1, 2, 3].flatMap((i) => plan(cases, { shard: `${i}/3` }).map((c) => c.id));
    expect(all.sort()).toEqual(cases.map((c) => c.id).sort());
    expect(() => plan(cases, { shard: '0/2' })).toThrow(/expected i\/n/);
  });

  it('balances shards by expected cost, the same split for every shard, each in plan order', () => {
    const many = ['a.1', 'a.2', 'a.3', 'a.4', 'a.5', 'a.6'].map((id) => mk(id));
    const costs = { 'a.1': 100, 'a.2': 10, 'a.3': 10, 'a.4': 60, 'a.5': 30, 'a.6': 5 };
    const shards = [1, 2].map((i) => shardOf(many, { index: i, count: 2 }, costs).map((c) => c.id));
    expect(shards).toEqual([
      ['a.1', 'a.3'],
      ['a.2', 'a.4', 'a.5', 'a.6'],
    ]);
    const load = shards.map((ids) => ids.reduce((n, id) => n + costs[id as keyof typeof costs], 0));
    expect(Math.abs(load[0]! - load[1]!)).toBeLessThanOrEqual(5);
    // Cases the table lacks cost its median, so a new case does not unbalance a shard.
    expect(costOf(many, { 'a.1': 10, 'a.2': 30, 'a.3': 20 })('a.6')).toBe(20);
    expect(costOf(many, {})('a.1')).toBe(1);
  });

  it('starts the costliest cases first (ties in plan order), or in plan order without costs', () => {
    const many = ['a.1', 'a.2', 'a.3', 'a.4'].map((id) => mk(id));
    const costs: Record<string, number> = { 'a.1': 10, 'a.2': 300, 'a.3': 10, 'a.4': 40 };
    expect(startOrder(many, (id) => costs[id]!)).toEqual([1, 3, 0, 2]);
    expect(startOrder(many)).toEqual([0, 1, 2, 3]);
  });

  it('the plan hash names the case ids in order', () => {
    expect(planHash(cases)).toBe(planHash([...cases]));
    expect(planHash(cases)).not.toBe(planHash([...cases].reverse()));
    expect(planHash(cases)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('rejects malformed case ids', () => {
    expect(() => mk('NoDots')).toThrow(/lower-case dotted/);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'conform-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const result = (id: string, outcome: CaseResult['outcome']): CaseResult => ({
  id,
  area: 'a',
  title: id,
  requirements: [],
  checks: [],
  outcome,
  failures: [],
  notes: [],
  durationMs: 1,
});

const HOST = { kernel: '6.1.0-18-amd64', cgroup: 'hybrid', arch: 'x64' };

describe('baseline', () => {
  const known = new Set(['a.one', 'a.two']);

  it('turns expected failures into xfail and expected failures that pass into xpass', () => {
    const { baseline, warnings } = loadBaseline(file('ok.json', '{"runtime":"r 1","expectedFailures":{"a.one":"it lies","gone.case":"old"}}'), known, HOST);
    expect(warnings).toEqual([expect.stringContaining('gone.case is not a case conform knows')]);
    expect(applyBaseline(result('a.one', 'fail'), baseline)).toMatchObject({ outcome: 'xfail', message: 'expected failure: it lies' });
    expect(applyBaseline(result('a.one', 'pass'), baseline)).toMatchObject({ outcome: 'xpass' });
    expect(applyBaseline(result('a.one', 'skip'), baseline).outcome).toBe('skip');
    expect(applyBaseline(result('a.two', 'fail'), baseline).outcome).toBe('fail');
  });

  it('marks the skips of what the runtime does not implement as expected (no failure under --strict), and a pass of one as xpass', () => {
    const { baseline } = loadBaseline(file('ni.json', '{"expectedFailures":{},"notImplemented":{"a.one":"no idmap mounts"}}'), known, HOST);
    const skipped = applyBaseline({ ...result('a.one', 'skip'), message: 'features does not list idmap' }, baseline);
    expect(skipped).toMatchObject({
      outcome: 'skip',
      expectedSkip: true,
      message: 'features does not list idmap; not implemented (baseline): no idmap mounts',
    });
    expect(isBad(skipped, true)).toBe(false);
    expect(isBad(applyBaseline(result('a.two', 'skip'), baseline), true)).toBe(true);
    expect(isBad(applyBaseline(result('a.two', 'skip'), baseline), false)).toBe(false);
    expect(applyBaseline(result('a.one', 'pass'), baseline)).toMatchObject({ outcome: 'xpass', message: expect.stringContaining('notImplemented') });
    expect(applyBaseline(result('a.one', 'fail'), baseline).outcome).toBe('fail');
  });

  it('a case the runtime fails in some runs only (unstable): its failure is expected, its pass stays a pass', () => {
    const { baseline } = loadBaseline(file('unstable.json', '{"expectedFailures":{},"unstable":{"a.one":"a race in its hook timeout"}}'), known, HOST);
    const failed = applyBaseline(result('a.one', 'fail'), baseline);
    expect(failed).toMatchObject({ outcome: 'xfail', message: expect.stringContaining('in some runs: a race in its hook timeout') });
    expect(isBad(failed, true)).toBe(false);
    expect(applyBaseline(result('a.one', 'error'), baseline).outcome).toBe('xfail');
    const passed = applyBaseline(result('a.one', 'pass'), baseline);
    expect(passed.outcome).toBe('pass');
    expect(isBad(passed, true)).toBe(false);
    expect(applyBaseline(result('a.two', 'fail'), baseline).outcome).toBe('fail');
    expect(() => loadBaseline(file('both2.json', '{"expectedFailures":{"a.one":"x"},"unstable":{"a.one":"y"}}'), known, HOST)).toThrow(
      /both expectedFailures and unstable/,
    );
  });

  it('says what is wrong with a bad file', () => {
    expect(() => loadBaseline(file('both.json', '{"expectedFailures":{"a.one":"x"},"notImplemented":{"a.one":"y"}}'), known, HOST)).toThrow(/both/);
    expect(() => loadBaseline(file('nilist.json', '{"expectedFailures":{},"notImplemented":["a.one"]}'), known, HOST)).toThrow(/notImplemented is a list/);
    expect(() => loadBaseline(join(dir, 'missing.json'), known, HOST)).toThrow(SetupError);
    expect(() => loadBaseline(file('list.json', '["a.one"]'), known, HOST)).toThrow(/expectedFailures/);
    expect(() => loadBaseline(file('noreason.json', '{"expectedFailures":{"a.one":""}}'), known, HOST)).toThrow(/a.one needs a one-line reason/);
  });
});
