import { Parser, type FinalResults, type Result } from 'tap-parser';
import { describe, expect, test } from 'vitest';
import type { CaseResult, Outcome } from '../../harness/run/result.js';
import { escapeTap, tapReporter, tapStatus, tapTestPoint } from '../../reports/tap.js';
import { Recorder, drive, mixed, result, summary, warnedCase } from './factory.js';

interface Parsed {
  final: FinalResults;
  asserts: Result[];
  comments: string[];
}

/** Parses TAP the way a consumer would, keeping every test point and comment. */
function parse(tap: string): Parsed {
  const asserts: Result[] = [];
  const comments: string[] = [];
  let final: FinalResults | undefined;
  const parser = new Parser((r) => (final = r));
  parser.on('assert', (a: Result) => asserts.push(a));
  parser.on('comment', (c: string) => comments.push(c));
  parser.end(tap);
  if (!final) throw new Error('tap-parser did not complete');
  return { final, asserts, comments };
}

async function tapOf(results: CaseResult[]): Promise<string> {
  const out = new Recorder();
  await drive(tapReporter(out), summary(results));
  return out.text();
}

describe('tap reporter', () => {
  test('counts, plan and directives match the outcomes', async () => {
    const { final, asserts } = parse(await tapOf(mixed()));
    expect(final.plan).toMatchObject({ start: 1, end: 8 });
    expect(final.count).toBe(8);
    // tap-parser counts every `ok` as a pass and every `not ok` (xfail included) as a fail;
    // only fail and error are failures of the stream, the xfail is a todo.
    expect(final.pass).toBe(5);
    expect(final.fail).toBe(3);
    expect(final.todo).toBe(2);
    expect(final.skip).toBe(3);
    expect(final.failures.map((f) => (f as Result).name)).toEqual([
      'process.rlimits.nofile: RLIMIT_NOFILE is applied',
      'hooks.poststart.order: checks hooks.poststart.order',
    ]);
    expect(final.ok).toBe(false);
    const byName = new Map(asserts.map((a) => [a.name.split(':')[0], a]));
    expect(byName.get('cgroups.cpu.shares')?.skip).toBe('needs cgroup v2: /sys/fs/cgroup is v1');
    expect(byName.get('namespaces.user.map')).toMatchObject({ ok: false, todo: 'runc#1234: uid map not applied' });
    expect(byName.get('mounts.tmpfs.options')).toMatchObject({ ok: true, todo: 'unexpectedly passing: tmpfs size ignored (fixed in 1.2?)' });
    expect(byName.get('cgroups.pids.zero')).toMatchObject({ ok: true, skip: 'disputed: pids.limit 0: unlimited or none?' });
  });

  test('a run of passes, skips and expected failures is ok', async () => {
    const results = [
      result('a.pass'),
      result('a.skip', { outcome: 'skip', message: 'needs userns' }),
      result('a.xfail', { outcome: 'xfail', message: 'known' }),
      result('a.xpass', { outcome: 'xpass', message: 'was known' }),
      result('a.disputed', { outcome: 'disputed', message: 'ambiguous' }),
    ];
    const { final } = parse(await tapOf(results));
    expect(final.ok).toBe(true);
    expect(final.failures).toEqual([]);
  });

  test('the stream starts with the version, names the runtime, and ends with plan and tally', async () => {
    const lines = (await tapOf(mixed())).trimEnd().split('\n');
    expect(lines[0]).toBe('TAP version 13');
    expect(lines[1]).toBe('# conform: /usr/bin/runc --root "/tmp/state dir" (runc version 1.1.5)');
    expect(lines.at(-2)).toBe('1..8');
    expect(lines.at(-1)).toBe('# pass 1 fail 1 error 1 warn 0 xfail 1 xpass 1 disputed 1 skip 2 (1m 02s)');
  });

  test('test points stream in completion order, before finish', () => {
    const out = new Recorder();
    const reporter = tapReporter(out);
    reporter.start({ total: 2, runtime: summary([]).runtime });
    reporter.caseFinished(result('z.last-started'));
    expect(out.text()).toContain('ok 1 - z.last-started');
    reporter.caseFinished(result('a.first-started'));
    expect(out.text()).toContain('ok 2 - a.first-started');
    expect(out.text()).not.toContain('1..');
  });

  test('an interrupted run keeps the planned count, so consumers see it fail', async () => {
    const out = new Recorder();
    const reporter = tapReporter(out);
    const done = [result('a.one'), result('a.two')];
    reporter.start({ total: 5, runtime: summary([]).runtime });
    for (const r of done) reporter.caseFinished(r);
    await reporter.finish(summary(done));
    const { final, comments } = parse(out.text());
    expect(final.plan).toMatchObject({ start: 1, end: 5 });
    expect(final.ok).toBe(false);
    expect(comments).toContain('# conform: 2 of 5 planned cases reported\n');
  });

  test('without start() the version line still comes first', async () => {
    const out = new Recorder();
    const reporter = tapReporter(out);
    reporter.caseFinished(result('a.one'));
    await reporter.finish(summary([result('a.one')]));
    expect(out.text().startsWith('TAP version 13\n')).toBe(true);
    expect(parse(out.text()).final).toMatchObject({ ok: true, count: 1 });
  });
});

describe('tap descriptions', () => {
  test.each([
    ['a hash', 'uses # in a title', 'uses # in a title'],
    ['a hash that looks like a directive', 'x # SKIP not really', 'x # SKIP not really'],
    ['backslashes', 'path C:\\dir\\ and \\# literal', 'path C:\\dir\\ and \\# literal'],
    ['newlines', 'first line\nsecond line\r\nthird', 'first line second line third'],
    ['control characters', 'red \u001b[31mtext\u0000', 'red \\x1b[31mtext\\x00'],
    ['a trailing brace', 'opens a block {', 'opens a block \\x7b'],
  ])('%s survive a round trip', (_, title, expected) => {
    const { final, asserts } = parse(`TAP version 14\n${tapTestPoint(1, result('t.case', { title }))}1..1\n`);
    expect(final.count).toBe(1);
    expect(asserts[0]!.name).toBe(`t.case: ${expected}`);
    expect(asserts[0]!.skip).toBe(false);
    expect(asserts[0]!.todo).toBe(false);
  });

  test('directive reasons are escaped too', () => {
    const point = tapTestPoint(1, result('t.case', { outcome: 'skip', message: 'needs #2 and a\\b\nsecond line {' }));
    expect(point.split('\n')).toHaveLength(2);
    const { asserts } = parse(`TAP version 14\n${point}1..1\n`);
    expect(asserts[0]!.skip).toBe('needs #2 and a\\b second line \\x7b');
    expect(asserts[0]!.name).toBe('t.case: checks t.case');
  });

  test('escapeTap escapes the backslash before the hash', () => {
    expect(escapeTap('a\\#b')).toBe('a\\\\\\#b');
  });

  test('a case without a title is named by its id', () => {
    expect(tapTestPoint(3, result('t.case', { title: '' }))).toBe('ok 3 - t.case\n');
  });
});

describe('tap YAML diagnostics', () => {
  test('the block of a failure parses back to the data', () => {
    const failed = mixed()[1]!;
    const { asserts } = parse(`TAP version 14\n${tapTestPoint(1, failed)}1..1\n`);
    expect(asserts[0]!.diag).toEqual({
      outcome: 'fail',
      message: 'nofile limits differ',
      requirements: [
        { id: 'config:process.rlimits.apply', level: 'MUST', outcome: 'fail' },
        { id: 'config:process.rlimits.type', level: 'MUST', outcome: 'fail' },
      ],
      failures: [{ message: 'soft and hard limits', expected: { soft: 1024, hard: 2048 }, actual: { soft: 1048576, hard: 1048576 } }],
      notes: ['runc 1.1.5'],
      durationMs: 12,
      dir: '/tmp/conform/process.rlimits.nofile',
    });
  });

  test('a warning is ok, and its block names the requirement, its level and spec link', () => {
    const warned = warnedCase();
    const { asserts } = parse(`TAP version 14\n${tapTestPoint(1, warned)}1..1\n`);
    expect(asserts[0]!.ok).toBe(true);
    expect(asserts[0]!.diag).toMatchObject({
      outcome: 'warn',
      requirements: [
        {
          id: 'config:mounts.option.rro',
          level: 'SHOULD',
          outcome: 'warn',
          spec: 'https://github.com/opencontainers/runtime-spec/blob/v1.3.0/config.md#configLinuxMountOptions',
        },
      ],
      failures: [{ message: 'a submount is writable', requirement: 'config:mounts.option.rro' }],
    });
  });

  test('is indented two spaces and closed', () => {
    const lines = tapTestPoint(7, mixed()[1]!).trimEnd().split('\n');
    expect(lines[1]).toBe('  ---');
    expect(lines.at(-1)).toBe('  ...');
    expect(lines.slice(1).every((l) => l.startsWith('  '))).toBe(true);
  });

  test('strings that YAML would misread come back as strings', () => {
    const tricky = [
      'yes',
      'no',
      'null',
      '~',
      'true',
      '1.0',
      '0x1f',
      '2024-01-01',
      '- item',
      'key: value',
      'a # comment',
      '"quoted"',
      "'single'",
      '{ flow }',
      '[1, 2]',
      '*alias',
      '&anchor',
      '!tag',
      '%directive',
      '@at',
      '`tick`',
      'multi\nline\n',
      '  leading and trailing  ',
      'tab\there',
      'nul\u0000 esc\u001b del\u007f c1\u0085',
      'sep\u2028sep',
      'bom\ufeff',
      'emoji 🦀',
      'config:process.umask',
      '/tmp/dir',
      'ends with colon:',
      '',
    ];
    const r = result('t.case', {
      outcome: 'fail',
      message: tricky.join(' | '),
      notes: tricky,
      failures: [{ message: 'values', expected: { 'key: with colon': tricky, yes: null, '': [], nested: { empty: {} } }, actual: [[1, [2]], { a: [] }] }],
    });
    const { asserts } = parse(`TAP version 14\n${tapTestPoint(1, r)}1..1\n`);
    const diag = asserts[0]!.diag as Record<string, unknown>;
    expect(diag.notes).toEqual(tricky);
    expect(diag.message).toBe(tricky.join(' | '));
    expect(diag.failures).toEqual([
      { message: 'values', expected: { 'key: with colon': tricky, yes: null, '': [], nested: { empty: {} } }, actual: [[1, [2]], { a: [] }] },
    ]);
  });

  test('values that JSON cannot hold are written as text rather than lost', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    const r = result('t.case', {
      outcome: 'fail',
      failures: [{ message: 'odd values', expected: { big: 18446744073709551615n, nan: Number.NaN, gone: undefined }, actual: cycle }],
    });
    const { asserts } = parse(`TAP version 14\n${tapTestPoint(1, r)}1..1\n`);
    expect((asserts[0]!.diag as { failures: unknown[] }).failures).toEqual([
      { message: 'odd values', expected: { big: '18446744073709551615', nan: 'NaN' }, actual: { name: 'loop', self: '[circular]' } },
    ]);
  });

  test('plain passes and skips carry no block unless they have notes', () => {
    expect(tapTestPoint(1, result('t.pass'))).not.toContain('---');
    expect(tapTestPoint(1, result('t.skip', { outcome: 'skip', message: 'needs x' }))).not.toContain('---');
    const noted = tapTestPoint(1, result('t.pass', { notes: ['runtime chose 0755'] }));
    expect(parse(`TAP version 14\n${noted}1..1\n`).asserts[0]!.diag).toMatchObject({ outcome: 'pass', notes: ['runtime chose 0755'] });
  });
});

test.each<[Outcome, boolean, string | undefined, string | undefined]>([
  ['pass', true, undefined, undefined],
  ['warn', true, undefined, undefined],
  ['fail', false, undefined, undefined],
  ['error', false, undefined, undefined],
  ['skip', true, 'SKIP', 'why'],
  ['xfail', false, 'TODO', 'why'],
  ['xpass', true, 'TODO', 'unexpectedly passing: why'],
  ['disputed', true, 'SKIP', 'disputed: why'],
])('%s maps to ok=%s %s', (outcome, ok, directive, reason) => {
  const status = tapStatus(result('t.case', { outcome, message: 'why' }));
  expect(status).toEqual({ ok, ...(directive ? { directive, reason } : {}) });
});
