import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatBaseline, updateBaseline } from '../../harness/run/baseline-update.js';
import { holds, loadBaseline, readBaselineFile, UNSTABLE_PREFIX, type BaselineFile } from '../../harness/run/baseline.js';
import { SetupError } from '../../harness/errors.js';
import { CONTEXT, result, summary } from '../reports/factory.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-baseline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};
const known = new Set(['a.one', 'a.two', 'a.three', 'a.four', 'a.five']);
const V2 = { kernel: '6.1.0-18-amd64', cgroup: 'v2', arch: 'x64' };
const HYBRID = { ...V2, cgroup: 'hybrid' };

describe('conditional baseline entries', () => {
  const conditional = file('cond.json', {
    expectedFailures: {
      'a.one': { reason: 'fails on cgroup v2', when: { cgroup: 'v2' } },
      'a.two': [
        { reason: 'old kernels', when: { kernel: '<5.15' } },
        { reason: 'everywhere else', when: { arch: ['x64', 'arm64'] } },
      ],
      'a.three': 'always',
    },
  });

  it('apply only on hosts that match every condition; of several, the first that holds', () => {
    const v2 = loadBaseline(conditional, known, V2).baseline;
    expect([...v2.expected]).toEqual([
      ['a.one', 'fails on cgroup v2'],
      ['a.two', 'everywhere else'],
      ['a.three', 'always'],
    ]);
    const hybrid = loadBaseline(conditional, known, { ...HYBRID, kernel: '5.10.0-28-amd64' }).baseline;
    expect([...hybrid.expected]).toEqual([
      ['a.two', 'old kernels'],
      ['a.three', 'always'],
    ]);
  });

  it('compare kernel releases on the precision the range gives', () => {
    const k = (kernel: string, range: string) => holds({ kernel: range }, { kernel, cgroup: 'v2' });
    expect(k('6.1.0-18-amd64', '>=6.1')).toBe(true);
    expect(k('6.1.0-18-amd64', '<6.2')).toBe(true);
    expect(k('6.1.0-18-amd64', '<6.1')).toBe(false);
    expect(k('6.1.0-18-amd64', '6.1')).toBe(true);
    expect(k('5.15.90', '>=5.10 <6')).toBe(true);
    expect(k('6.18.44-fc', '>=5.10 <6')).toBe(false);
  });

  it('a wrong condition is a one-line set-up error', () => {
    expect(() => loadBaseline(file('bad1.json', { expectedFailures: { 'a.one': { reason: 'x', when: { cgroups: 'v2' } } } }), known, V2)).toThrow(
      /unknown condition cgroups/,
    );
    expect(() => loadBaseline(file('bad2.json', { expectedFailures: { 'a.one': { reason: 'x', when: { kernel: 'new' } } } }), known, V2)).toThrow(
      /"new" is not a comparison/,
    );
    expect(() => loadBaseline(file('bad3.json', { expectedFailures: { 'a.one': { when: { cgroup: 'v2' } } } }), known, V2)).toThrow(SetupError);
    expect(() => loadBaseline(file('bad4.json', { expectedFailures: { 'a.one': [] } }), known, V2)).toThrow(/an empty list/);
  });

  it('entries whose reason is still TODO are named in a warning', () => {
    const { warnings } = loadBaseline(file('todo.json', { expectedFailures: { 'a.one': 'TODO: write why' } }), known, V2);
    expect(warnings).toEqual([expect.stringContaining('1 entry has no reason yet (a.one)')]);
  });
});

describe('conform baseline --update', () => {
  const existing: BaselineFile = {
    runtime: 'runc 1.1.5',
    expectedFailures: {
      'a.one': [{ reason: 'a known bug' }],
      'a.two': [{ reason: 'fixed since' }],
      'a.three': [{ reason: 'only on v2', when: { cgroup: 'v2' } }],
      'gone.case': [{ reason: 'removed from conform' }],
    },
    notImplemented: { 'a.five': [{ reason: 'no idmap' }] },
    unstable: {},
  };
  const run = summary(
    [
      result('a.one', { outcome: 'xfail', message: 'expected failure: a known bug' }),
      result('a.two', { outcome: 'xpass', message: 'unexpectedly passing' }),
      result('a.three', { outcome: 'fail', message: 'uid map\nnot applied' }),
      result('a.four', { outcome: 'error', message: 'probe truncated' }),
      result('a.five', { outcome: 'xpass' }),
    ],
    { context: { ...CONTEXT, host: { ...CONTEXT.host, cgroup: 'hybrid' } } },
  );

  it('keeps reasons, adds new failures with a TODO reason, drops what passes now and unknown cases', () => {
    const { data, changes } = updateBaseline(existing, run, known);
    expect(data.expectedFailures['a.one']).toEqual([{ reason: 'a known bug' }]);
    expect(data.expectedFailures['a.two']).toBeUndefined();
    expect(data.expectedFailures['gone.case']).toBeUndefined();
    expect(data.notImplemented['a.five']).toBeUndefined();
    // The v2-only entry does not hold on this hybrid host: a new unconditional one follows it.
    expect(data.expectedFailures['a.three']).toEqual([
      { reason: 'only on v2', when: { cgroup: 'v2' } },
      { reason: 'TODO: write why this case fails (conform saw: uid map not applied)' },
    ]);
    // A harness error says nothing about the runtime.
    expect(data.expectedFailures['a.four']).toBeUndefined();
    expect(changes).toEqual([
      '- gone.case: not a case of this conform (renamed or removed)',
      '- a.two: passes now (expectedFailures: fixed since)',
      '+ a.three: TODO: write why this case fails (conform saw: uid map not applied)',
      '- a.five: passes now (notImplemented: no idmap)',
      expect.stringContaining('1 harness error(s) left out'),
    ]);
    expect(existing.expectedFailures['a.two']).toHaveLength(1);
  });

  it('keeps an unstable entry whether its case passed or failed, and carries one over from the run', () => {
    const withUnstable: BaselineFile = { ...existing, unstable: { 'a.one': [{ reason: 'a race' }] }, expectedFailures: {} };
    for (const r of [result('a.one', { outcome: 'pass' }), result('a.one', { outcome: 'xfail', message: `${UNSTABLE_PREFIX}a race` })]) {
      const { data, changes } = updateBaseline(withUnstable, summary([r]), known);
      expect(data.unstable['a.one']).toEqual([{ reason: 'a race' }]);
      expect(changes.filter((c) => c.includes('a.one'))).toEqual([]);
    }
    const { data } = updateBaseline(undefined, summary([result('a.one', { outcome: 'xfail', message: `${UNSTABLE_PREFIX}a race` })]), known);
    expect(data.unstable).toEqual({ 'a.one': [{ reason: 'a race' }] });
    expect(data.expectedFailures).toEqual({});
    expect(JSON.parse(formatBaseline(data))).toMatchObject({ unstable: { 'a.one': 'a race' } });
  });

  it('from no baseline, the failures the run saw, an expected one with its reason', () => {
    const { data } = updateBaseline(undefined, run, known);
    expect(data.runtime).toBe('runc version 1.1.5');
    expect(Object.keys(data.expectedFailures).sort()).toEqual(['a.one', 'a.three']);
    expect(data.expectedFailures['a.one']).toEqual([{ reason: 'a known bug' }]);
  });

  it('writes a file that reads back as it was, ids sorted, one entry as a plain string', () => {
    const { data } = updateBaseline(existing, run, known);
    const text = formatBaseline(data);
    expect(text).toBe(
      `${JSON.stringify(
        {
          runtime: 'runc 1.1.5',
          expectedFailures: {
            'a.one': 'a known bug',
            'a.three': [{ reason: 'only on v2', when: { cgroup: 'v2' } }, 'TODO: write why this case fails (conform saw: uid map not applied)'],
          },
        },
        null,
        2,
      )}\n`,
    );
    const { keys: _keys, ...back } = readBaselineFile(file('round.json', text), known).data;
    const { keys: _none, ...written } = data;
    expect(back).toEqual(written);
  });

  it("keeps the file's other keys (notes, comments) where they were", () => {
    const path = file('notes.json', { runtime: 'r 1', '//note': 'why this file', expectedFailures: { 'a.one': 'a known bug' }, extra: { 'a.two': 'kept' } });
    const { data } = updateBaseline(readBaselineFile(path, known).data, run, known);
    expect(Object.keys(JSON.parse(formatBaseline(data)) as object)).toEqual(['runtime', '//note', 'expectedFailures', 'extra']);
    expect((JSON.parse(formatBaseline(data)) as { extra: unknown }).extra).toEqual({ 'a.two': 'kept' });
  });
});
