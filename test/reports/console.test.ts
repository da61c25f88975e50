import { describe, expect, test, vi } from 'vitest';
import type { CaseResult } from '../../harness/run/result.js';
import { CLEAR_LINE, colorLevel, consoleReporter, estimateLeft, type ConsoleOptions } from '../../reports/console.js';
import { Recorder, RUNTIME, drive, mixed, result, summary, warnedCase } from './factory.js';

const ESCAPE = /\u001b/;
const SGR = /\u001b\[[0-9;]*m/g;

async function render(results: CaseResult[], tty: { isTTY: boolean; columns?: number }, options: ConsoleOptions = {}): Promise<string> {
  const out = new Recorder(tty.isTTY, tty.columns);
  await drive(consoleReporter(out, { env: {}, now: () => 0, ...options }), summary(results));
  return out.text();
}

/** What stays on screen: everything after the last progress-line clear. */
function finalScreen(text: string): string {
  return text.slice(text.lastIndexOf(CLEAR_LINE) + CLEAR_LINE.length);
}

describe('console report off a terminal', () => {
  test('no colour, no progress line, no control characters', async () => {
    const text = await render(mixed(), { isTTY: false });
    expect(text).not.toMatch(ESCAPE);
    expect(text).not.toContain('\r');
    expect(text).not.toContain('running:');
    // Nothing but printable text and line feeds.
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  test('the header, live failures and the final sections', async () => {
    const lines = (await render(mixed(), { isTTY: false })).split('\n');
    expect(lines[0]).toBe('conform: 8 cases against /usr/bin/runc --root "/tmp/state dir" (runc version 1.1.5)');
    // Failures are printed as they happen, before the summary.
    expect(lines[1]).toBe('✗ fail process.rlimits.nofile  RLIMIT_NOFILE is applied — nofile limits differ (12 ms)');
    expect(lines[2]).toBe('! error hooks.poststart.order  checks hooks.poststart.order — probe output truncated: no END marker (12 ms)');
    expect(lines).toEqual(
      expect.arrayContaining([
        'Failures (1)',
        '✗ process.rlimits.nofile  RLIMIT_NOFILE is applied',
        '    nofile limits differ',
        '    soft and hard limits',
        '      expected: {"soft":1024,"hard":2048}',
        '      actual:   {"soft":1048576,"hard":1048576}',
        '    requirements: config:process.rlimits.apply, config:process.rlimits.type',
        '    note: runc 1.1.5',
        '    files: /tmp/conform/process.rlimits.nofile',
        'Harness errors (1) — conform could not carry these out; not blamed on the runtime',
        '! hooks.poststart.order  checks hooks.poststart.order',
        'Unexpectedly passing (1) — the baseline expects these to fail: shrink it',
        '+ mounts.tmpfs.options  baseline: tmpfs size ignored (fixed in 1.2?)',
        'Disputed (1) — the spec leaves room here; recorded, no verdict',
        '? cgroups.pids.zero  pids.limit 0: unlimited or none?',
        '    note: runtime treated 0 as unlimited',
        'Expected failures (1) — per the baseline',
        '  1× runc#1234: uid map not applied  (namespaces.user.map)',
        'Skipped (2)',
        '  2× needs cgroup v2: /sys/fs/cgroup is v1  (cgroups.cpu.shares, cgroups.memory.limit)',
      ]),
    );
    expect(lines.at(-2)).toBe('FAIL  8 cases in 1m 02s: 1 pass, 1 fail, 1 error, 1 xfail, 1 xpass, 1 disputed, 2 skip');
    expect(lines.at(-1)).toBe('');
  });

  test('passes and skips are not printed one by one without --verbose', async () => {
    const text = await render([result('a.pass'), result('a.skip', { outcome: 'skip', message: 'needs x' })], { isTTY: false });
    expect(text).not.toContain('✓ a.pass');
    expect(text).not.toContain('skip a.skip');
    expect(text.trimEnd().split('\n').at(-1)).toBe('PASS  2 cases in 1m 02s: 1 pass, 0 fail, 1 skip');
  });

  test('a warning is listed with what was not followed, and the run still passes', async () => {
    const warned = warnedCase();
    const lines = (await render([result('a.pass'), warned], { isTTY: false })).trimEnd().split('\n');
    expect(lines).toContain('Recommendations not followed (1) — SHOULD or MAY-level: reported, never a failure');
    expect(lines).toContain('⚠ mounts.recursive.rro  checks mounts.recursive.rro');
    expect(lines).toContain('    a submount is writable  (config:mounts.option.rro)');
    expect(lines.at(-1)).toBe('PASS  2 cases in 1m 02s: 1 pass, 0 fail, 1 warn');
  });

  test('--verbose prints every case as it finishes', async () => {
    const text = await render(mixed(), { isTTY: false }, { verbose: true });
    for (const r of mixed()) expect(text).toMatch(new RegExp(`^. (?:${r.outcome} )?${r.id.replace(/\./g, '\\.')}  `, 'm'));
    expect(text).toContain('✓ process.umask  checks process.umask (12 ms)');
    expect(text).toContain('↷ skip cgroups.cpu.shares  checks cgroups.cpu.shares — needs cgroup v2: /sys/fs/cgroup is v1 (12 ms)');
  });

  test('many skips with one reason make one line, the most common reason first', async () => {
    const results = [
      ...Array.from({ length: 60 }, (_, i) => result(`cgroups.case${String(i).padStart(2, '0')}`, { outcome: 'skip', message: 'needs cgroup v2' })),
      result('userns.a', { outcome: 'skip', message: 'needs userns' }),
      result('userns.b', { outcome: 'skip', message: 'needs userns' }),
      result('other.a', { outcome: 'skip' }),
    ];
    const lines = (await render(results, { isTTY: false })).split('\n');
    const start = lines.indexOf('Skipped (63)');
    expect(lines.slice(start + 1, start + 4)).toEqual([
      '  60× needs cgroup v2  (cgroups.case00, cgroups.case01, cgroups.case02, +57)',
      '  2× needs userns  (userns.a, userns.b)',
      '  1× (no reason given)  (other.a)',
    ]);
    expect(lines.filter((l) => l.includes('needs cgroup v2'))).toHaveLength(1);
  });

  test('control characters and line breaks in data cannot reach the stream', async () => {
    const evil = result('a.evil', {
      outcome: 'fail',
      title: 'title\nwith a break',
      message: 'runtime said: \u001b[31mred\u001b[0m\r\nand \u0007 bell',
      failures: [{ message: 'value\u0000', expected: 'a\u001bb', actual: 'x' }],
    });
    const text = await render([evil], { isTTY: false });
    expect(text).not.toMatch(ESCAPE);
    expect(text).not.toContain('\r');
    expect(text).not.toContain('\u0007');
    expect(text).toContain('runtime said: \\x1b[31mred\\x1b[0m ↵ and \\x07 bell');
    expect(text).toContain('title ↵ with a break');
    expect(text).toContain('expected: "a\\u001bb"');
  });

  test('huge expected/actual values are capped in logs', async () => {
    const big = result('a.big', { outcome: 'fail', failures: [{ message: 'mounts', expected: 'm'.repeat(5000), actual: [] }] });
    const line = (await render([big], { isTTY: false })).split('\n').find((l) => l.includes('expected:'))!;
    expect(line.length).toBeLessThan(400);
    expect(line.endsWith('…')).toBe(true);
  });

  test('with --keep, each failed case says where its files are', async () => {
    const kept = [
      result('a.fail', { outcome: 'fail', message: 'm', dir: '/tmp/keep/a.fail' }),
      result('a.error', { outcome: 'error', message: 'm', dir: '/tmp/keep/a.error' }),
    ];
    const text = await render(kept, { isTTY: false });
    expect(text).toContain('    files: /tmp/keep/a.fail\n');
    expect(text).toContain('    files: /tmp/keep/a.error\n');
  });

  test('FORCE_COLOR colours a pipe but still draws no progress line', async () => {
    const text = await render(mixed(), { isTTY: false }, { env: { FORCE_COLOR: '1' } });
    expect(text).toMatch(SGR);
    expect(text).not.toContain('\r');
  });
});

describe('console report on a terminal', () => {
  test('the progress line is redrawn in place with \\r and clear-line', async () => {
    const text = await render(mixed(), { isTTY: true, columns: 100 }, { color: false });
    expect(text).toContain(`${CLEAR_LINE}[2/8] ✓1 ✗1 ↷0 0 ms running: hooks.poststart.order`);
    expect(text).toContain(`${CLEAR_LINE}[3/8] ✓1 ✗1 !1 ↷0 0 ms running: cgroups.cpu.shares`);
    expect(text.split(CLEAR_LINE).length).toBeGreaterThan(8);
    // A failure is printed above the progress line, which then comes back.
    expect(text).toContain(`${CLEAR_LINE}✗ fail process.rlimits.nofile  RLIMIT_NOFILE is applied — nofile limits differ (12 ms)\n[2/8]`);
  });

  test('the counter is padded to the width of the total', async () => {
    const results = Array.from({ length: 120 }, (_, i) => result(`a.case${i}`));
    const text = await render(results, { isTTY: true, columns: 100 }, { color: false });
    expect(text).toContain(`${CLEAR_LINE}[ 37/120] ✓37 ✗0 ↷0`);
    expect(text).toContain(`${CLEAR_LINE}[  0/120] ✓0 ✗0 ↷0 0 ms running: a.case0`);
  });

  test('several running cases show the latest and how many others', () => {
    const out = new Recorder(true, 100);
    const reporter = consoleReporter(out, { env: {}, color: false, now: () => 0 });
    reporter.start({ total: 3, runtime: RUNTIME });
    reporter.caseStarted!('a.one');
    reporter.caseStarted!('a.two');
    reporter.caseStarted!('a.three');
    expect(out.text().endsWith(`${CLEAR_LINE}[0/3] ✓0 ✗0 ↷0 0 ms running: a.three +2`)).toBe(true);
    reporter.caseFinished(result('a.three'));
    expect(out.text().endsWith(`${CLEAR_LINE}[1/3] ✓1 ✗0 ↷0 0 ms running: a.two +1`)).toBe(true);
  });

  test('the final output is clean: the progress line is gone and nothing is left to overwrite', async () => {
    const text = await render(mixed(), { isTTY: true, columns: 100 }, { color: false });
    const screen = finalScreen(text);
    expect(screen).not.toMatch(ESCAPE);
    expect(screen).not.toContain('\r');
    expect(screen).not.toContain('running:');
    expect(screen.startsWith('\nFailures (1)\n')).toBe(true);
    expect(screen.endsWith('2 skip\n')).toBe(true);
  });

  test('lines are cut to the terminal width; the progress line stays one column short', async () => {
    const long = result('a.long', {
      outcome: 'fail',
      title: 'a very long title '.repeat(10),
      message: 'and a long message '.repeat(10),
      failures: [{ message: 'f', expected: 'e'.repeat(200), actual: 'a' }],
    });
    const text = await render([long, result('a.with-a-rather-long-id-that-goes-on-and-on-and-on')], { isTTY: true, columns: 40 }, { color: false });
    const printed = text.split(CLEAR_LINE).flatMap((chunk) => chunk.split('\n'));
    const total = printed.filter((l) => l.startsWith('FAIL'));
    expect(total).toHaveLength(1);
    for (const line of printed.filter((l) => !l.startsWith('FAIL'))) expect([...line].length).toBeLessThanOrEqual(40);
    const progress = text.split(CLEAR_LINE).filter((c) => c.startsWith('['));
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect([...line].length).toBeLessThanOrEqual(39);
    expect(printed).toContain(`      expected: "${'e'.repeat(22)}…`);
  });

  test('colours on a terminal, none with NO_COLOR', async () => {
    expect(await render(mixed(), { isTTY: true, columns: 100 })).toMatch(SGR);
    const plain = await render(mixed(), { isTTY: true, columns: 100 }, { env: { NO_COLOR: '1' } });
    expect(plain).not.toMatch(SGR);
    // NO_COLOR is about colour: the progress line still works.
    expect(plain).toContain(CLEAR_LINE);
  });

  test('TERM=dumb gets neither colour nor a progress line', async () => {
    const text = await render(mixed(), { isTTY: true, columns: 100 }, { env: { TERM: 'dumb' } });
    expect(text).not.toMatch(ESCAPE);
    expect(text).not.toContain('\r');
  });

  test('progress: false turns the live line off', async () => {
    const text = await render(mixed(), { isTTY: true, columns: 100 }, { progress: false, color: false });
    expect(text).not.toContain('\r');
    expect(text).not.toMatch(ESCAPE);
  });
});

describe('colorLevel', () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { isTTY: false, write: () => true };
  test.each([
    ['a terminal', tty, {}, undefined, 1],
    ['a pipe', pipe, {}, undefined, 0],
    ['NO_COLOR', tty, { NO_COLOR: '1' }, undefined, 0],
    ['an empty NO_COLOR', tty, { NO_COLOR: '' }, undefined, 1],
    ['NO_COLOR over FORCE_COLOR', tty, { NO_COLOR: '1', FORCE_COLOR: '3' }, undefined, 0],
    ['FORCE_COLOR=2 on a pipe', pipe, { FORCE_COLOR: '2' }, undefined, 2],
    ['FORCE_COLOR=0', tty, { FORCE_COLOR: '0' }, undefined, 0],
    ['FORCE_COLOR=false', tty, { FORCE_COLOR: 'false' }, undefined, 0],
    ['FORCE_COLOR empty', pipe, { FORCE_COLOR: '' }, undefined, 1],
    ['TERM=dumb', tty, { TERM: 'dumb' }, undefined, 0],
    ['--color on a pipe', pipe, { NO_COLOR: '1' }, true, 1],
    ['--no-color on a terminal', tty, { FORCE_COLOR: '3' }, false, 0],
  ] as const)('%s', (_, out, env, forced, level) => {
    expect(colorLevel(out, env, forced)).toBe(level);
  });
});

describe('progress of a long run', () => {
  test('on a terminal: the elapsed time and what is left, weighed by the expected cost of the cases', async () => {
    let clock = 0;
    const out = new Recorder(true, 120);
    const reporter = consoleReporter(out, { env: {}, color: false, now: () => clock });
    reporter.start({ total: 3, runtime: RUNTIME, expectedMs: { 'a.one': 1000, 'a.two': 1000, 'a.three': 8000 } });
    clock = 65_000;
    reporter.caseFinished(result('a.one'));
    // 1000 of 10000 expected ms done in 65 s: 9000 left take about 9 minutes 45 s.
    expect(out.text().endsWith(`${CLEAR_LINE}[1/3] ✓1 ✗0 ↷0 1m 05s, about 9m 45s left`)).toBe(true);
    await reporter.finish(summary([]));
  });

  test('off a terminal: a progress line at the interval, and none after the run', async () => {
    vi.useFakeTimers();
    try {
      let clock = 0;
      const out = new Recorder(false);
      const reporter = consoleReporter(out, { env: {}, now: () => clock, logEveryMs: 30_000 });
      reporter.start({ total: 4, runtime: RUNTIME });
      reporter.caseFinished(result('a.one'));
      clock = 30_000;
      vi.advanceTimersByTime(30_000);
      expect(out.text()).toContain('progress: 1/4 cases (25%), 30.0 s, about 1m 30s left: ✓1 ✗0 ↷0\n');
      reporter.caseFinished(result('a.two', { outcome: 'fail' }));
      clock = 60_000;
      vi.advanceTimersByTime(30_000);
      expect(out.text()).toContain('progress: 2/4 cases (50%), 1m 00s, about 1m 00s left: ✓1 ✗1 ↷0\n');
      await reporter.finish(summary([]));
      const before = out.text();
      vi.advanceTimersByTime(120_000);
      expect(out.text()).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });

  test('estimateLeft has nothing to say before the first case', () => {
    expect(estimateLeft(0, 0, 10)).toBeUndefined();
    expect(estimateLeft(10_000, 1, 3)).toBe(30_000);
  });
});
