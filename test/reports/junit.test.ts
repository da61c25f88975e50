import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import type { CaseResult } from '../../harness/run/result.js';
import { junitReporter, renderJunit } from '../../reports/junit.js';
import { Recorder, drive, mixed, result, summary, warnedCase } from './factory.js';

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  // Repeated elements as arrays whatever their number, so the tests need no special cases.
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

/** Parses, after checking the document is well-formed and carries only characters XML 1.0 allows. */
function load(xml: string): { root: Node; suites: Node[]; cases: Node[] } {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  const doc = parser.parse(xml) as Node;
  const root = doc.testsuites as Node;
  const suites = (root.testsuite as Node[] | undefined) ?? [];
  return { root, suites, cases: suites.flatMap((s) => s.testcase as Node[]) };
}

function caseNamed(cases: Node[], id: string): Node {
  const found = cases.find((c) => c.name === id);
  if (!found) throw new Error(`no testcase ${id}`);
  return found;
}

function props(c: Node): Record<string, string> {
  const list = ((c.properties as Node | undefined)?.property as Node[] | undefined) ?? [];
  return Object.fromEntries(list.map((p) => [p.name, p.value]));
}

describe('junit report', () => {
  test('suites per area with counts that match the results', () => {
    const results = [...mixed(), result('process.cwd'), result('hooks.prestart', { outcome: 'fail', message: 'hook did not run' })];
    const { root, suites, cases } = load(renderJunit(summary(results)));
    expect(root).toMatchObject({ name: 'conform', tests: '10', failures: '2', errors: '1', time: '62.000' });
    // junit-10.xsd has no `skipped` on testsuites: each suite counts its own.
    expect(root).not.toHaveProperty('skipped');
    expect(suites.map((s) => s.name)).toEqual(['cgroups', 'hooks', 'mounts', 'namespaces', 'process']);
    const expected: Record<string, [number, number, number, number]> = {
      cgroups: [3, 0, 0, 3],
      hooks: [2, 1, 1, 0],
      mounts: [1, 0, 0, 0],
      namespaces: [1, 0, 0, 1],
      process: [3, 1, 0, 0],
    };
    for (const s of suites) {
      const [tests, failures, errors, skipped] = expected[s.name as string]!;
      expect(s).toMatchObject({ tests: String(tests), failures: String(failures), errors: String(errors), skipped: String(skipped) });
      const tc = s.testcase as Node[];
      expect(tc).toHaveLength(tests);
      expect(tc.filter((c) => 'failure' in c)).toHaveLength(failures);
      expect(tc.filter((c) => 'error' in c)).toHaveLength(errors);
      expect(tc.filter((c) => 'skipped' in c)).toHaveLength(skipped);
      expect(tc.every((c) => c.classname === `conform.${s.name}`)).toBe(true);
      expect(tc.map((c) => c.name)).toEqual([...tc.map((c) => c.name as string)].sort());
    }
    expect(cases).toHaveLength(10);
  });

  test('each outcome becomes the element CI viewers expect, its type naming the outcome', () => {
    const { cases } = load(renderJunit(summary(mixed())));
    const failed = caseNamed(cases, 'process.rlimits.nofile');
    expect(failed).toMatchObject({ time: '0.012', failure: { message: 'nofile limits differ', type: 'fail' } });
    const body = (failed.failure as Node)['#text'] as string;
    expect(body).toContain('soft and hard limits\n  expected: {"soft":1024,"hard":2048}\n  found:    {"soft":1048576,"hard":1048576}');
    expect(body).toContain('requirements:\n  config:process.rlimits.apply');
    expect(failed['system-out']).toContain('files: /tmp/conform/process.rlimits.nofile');
    // junit-10.xsd allows no properties on a testcase: each requirement, its level and what the case found are in the text.
    expect(cases.filter((c) => 'properties' in c)).toEqual([]);
    expect(body).toContain('requirements:\n  config:process.rlimits.apply (MUST) fail');

    expect(caseNamed(cases, 'hooks.poststart.order').error).toMatchObject({ type: 'error', message: 'probe output truncated: no END marker' });
    expect(caseNamed(cases, 'cgroups.cpu.shares').skipped).toMatchObject({ type: 'skip', message: 'needs cgroup v2: /sys/fs/cgroup is v1' });

    const xfail = caseNamed(cases, 'namespaces.user.map');
    expect(xfail.skipped).toMatchObject({ type: 'xfail', message: 'expected failure (baseline): runc#1234: uid map not applied' });
    expect((xfail.skipped as Node)['#text']).toContain('found:    "0 0 4294967295"');

    const disputed = caseNamed(cases, 'cgroups.pids.zero');
    expect(disputed.skipped).toMatchObject({ type: 'disputed', message: 'disputed: pids.limit 0: unlimited or none?' });
    expect(disputed['system-out']).toContain('note: runtime treated 0 as unlimited');

    const xpass = caseNamed(cases, 'mounts.tmpfs.options');
    expect(xpass).not.toHaveProperty('failure');
    expect(xpass).not.toHaveProperty('error');
    expect(xpass).not.toHaveProperty('skipped');
    expect(xpass['system-out']).toContain('unexpectedly passing');

    const passed = caseNamed(cases, 'process.umask');
    expect(
      Object.keys(passed)
        .filter((k) => k !== '#text')
        .sort(),
    ).toEqual(['classname', 'name', 'time']);
  });

  test("a failure's message is in its attribute, not repeated in its text", () => {
    const r = result('a.one', { outcome: 'fail', message: 'the limit differs', failures: [{ message: 'the limit differs', expected: 1, actual: 2 }] });
    const { cases } = load(renderJunit(summary([r])));
    const body = (cases[0]!.failure as Node)['#text'] as string;
    expect(body.match(/the limit differs/g)).toHaveLength(1);
  });

  test("a failed case's runtime calls and stderr are its system-err", () => {
    const log = '$ runc create x\n  exit 1 (12 ms)\n  stderr: boom\n';
    const { cases } = load(renderJunit(summary([result('a.one', { outcome: 'fail', message: 'create failed', runtimeLog: log })])));
    expect(cases[0]!['system-err']).toBe(log);
  });

  test("a suite's time is its cases' wall-clock time, not the sum of cases run in parallel", () => {
    const results = [
      result('a.one', { startMs: 0, durationMs: 10_000 }),
      result('a.two', { startMs: 1_000, durationMs: 10_000 }),
      result('a.three', { startMs: 30_000, durationMs: 2_000 }),
      result('b.one', { durationMs: 3_000 }),
    ];
    const { suites } = load(renderJunit(summary(results)));
    expect(suites.map((s) => [s.name, s.time])).toEqual([
      ['a', '13.000'],
      ['b', '3.000'],
    ]);
  });

  test('a partial run says so, and lists what it did not run as not-run skips', () => {
    const s = summary([result('a.one')], { partial: { reason: 'interrupted (SIGINT)', notRun: ['a.two', 'b.one'] } });
    const { root, suites, cases } = load(renderJunit(s));
    expect(root).toMatchObject({ name: 'conform (partial: interrupted (SIGINT))', tests: '3' });
    expect(suites.map((x) => [x.name, x.tests, x.skipped])).toEqual([
      ['a', '2', '1'],
      ['b', '1', '1'],
    ]);
    expect(caseNamed(cases, 'b.one').skipped).toMatchObject({ type: 'not-run', message: 'not run: interrupted (SIGINT)' });
    expect(props(suites[0]!).partial).toBe('interrupted (SIGINT)');
  });

  test('a warning passes, with its level, spec link and what was not followed', () => {
    const warned = warnedCase();
    const { root, cases } = load(renderJunit(summary([warned])));
    const tc = caseNamed(cases, 'mounts.recursive.rro');
    expect(['failure', 'error', 'skipped'].filter((e) => e in tc)).toEqual([]);
    expect(root).toMatchObject({ tests: '1', failures: '0', errors: '0' });
    expect(tc['system-out']).toContain('warn: a recommendation not followed: SHOULD not followed: a submount is writable');
    expect(tc['system-out']).toContain('a submount is writable (config:mounts.option.rro)');
    expect(tc['system-out']).toContain(
      'config:mounts.option.rro (SHOULD) warn https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#configLinuxMountOptions',
    );
  });

  test('the runtime is a suite property and the timestamp has no zone, as the Ant schema wants', () => {
    const { suites } = load(renderJunit(summary(mixed())));
    expect(suites[0]).toMatchObject({ timestamp: '2025-01-02T03:04:05' });
    expect(props(suites[0]!)).toMatchObject({
      runtime: '/usr/bin/runc --root "/tmp/state dir" (runc version 1.1.5)',
      'conform.version': '0.1.0',
      'plan.hash': '0123456789abcdef',
      'host.kernel': '6.1.0-18-amd64',
      'host.cgroup': 'hybrid',
    });
    expect(suites[0]).toMatchObject({ hostname: 'ci-1' });
  });

  test('markup, control characters and lone surrogates are escaped into a well-formed document', () => {
    const nasty = `<tag attr="x"> & 'quotes' ]]> \u0000\u0001\u001b[31m\u007f \ud800 \uffff end`;
    const r: CaseResult = result(`weird.<&"'>`, {
      area: 'weird<&>',
      title: nasty,
      outcome: 'fail',
      message: nasty,
      requirements: [nasty],
      failures: [{ message: nasty, expected: nasty, actual: { [nasty]: nasty } }],
      notes: [nasty],
      dir: nasty,
    });
    const { suites, cases } = load(renderJunit(summary([r, result('weird.skip', { area: 'weird<&>', outcome: 'skip', message: nasty })])));
    expect(suites[0]!.name).toBe('weird<&>');
    expect(cases[0]!.name).toBe(`weird.<&"'>`);
    expect(cases[0]!.classname).toBe('conform.weird<&>');
    const message = (cases[0]!.failure as Node).message as string;
    expect(message).toContain(`<tag attr="x"> & 'quotes' ]]>`);
    expect(message).toContain('\\x00\\x01\\x1b[31m');
    const body = (cases[0]!.failure as Node)['#text'] as string;
    expect(body).toContain(`<tag attr="x"> & 'quotes' ]]>`);
    expect(body).toContain('\\x00\\x01\\x1b[31m\x7f \\ud800 \\uffff end');
    expect((cases[1]!.skipped as Node).message).toContain('<tag attr="x">');
  });

  test('a very long message is cut in the attribute and kept whole in the body', () => {
    const long = 'x'.repeat(20_000) + ' END';
    const { cases } = load(renderJunit(summary([result('a.long', { outcome: 'error', message: long })])));
    const error = cases[0]!.error as Node;
    expect((error.message as string).length).toBeLessThanOrEqual(500);
    expect((error.message as string).endsWith('…')).toBe(true);
    expect(error['#text']).toContain(long);
  });

  test('multi-line messages stay on one line in attributes', () => {
    const { cases } = load(renderJunit(summary([result('a.multi', { outcome: 'skip', message: 'line one\nline two' })])));
    expect((cases[0]!.skipped as Node).message).toBe('line one line two');
  });

  test('an empty run is still a valid document', () => {
    const { root, suites } = load(renderJunit(summary([])));
    expect(root).toMatchObject({ tests: '0', failures: '0', errors: '0' });
    expect(suites).toEqual([]);
  });

  test('the reporter writes the document once, at finish', async () => {
    const out = new Recorder();
    const reporter = junitReporter(out);
    reporter.start({ total: 1, runtime: summary([]).runtime });
    reporter.caseFinished(result('a.one'));
    expect(out.text()).toBe('');
    await reporter.finish(summary([result('a.one')]));
    expect(out.text().startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const again = new Recorder();
    await drive(junitReporter(again), summary([result('a.one')]));
    expect(again.text()).toBe(out.text());
  });
});
