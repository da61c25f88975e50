// conform end to end through its CLI, against real and fake runtimes. One file, so
// that these heavy runs go one after the other (two cores).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import type { Case } from '../../harness/case.js';
import { ALL_CASES } from '../../suites/index.js';
import { conform, fixture, hasRunc, isRoot } from '../helpers/conform.js';
import { leftSince, snapshot } from '../helpers/leftovers.js';

const MINUTES = 60_000;
const exact = (id: string) => `^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
const outcomes = (ids: readonly string[], report: { results: { id: string; outcome: string; message?: string }[] }) =>
  report.results.filter((r) => ids.includes(r.id));

describe.skipIf(!isRoot || !hasRunc)('conformance runs (need root and /usr/bin/runc)', () => {
  it('lifecycle against runc: every case passes but the disputed ones', () => {
    const lifecycle = ALL_CASES.filter((c) => c.area === 'lifecycle');
    const disputed = lifecycle.filter((c) => c.disputed).length;
    const r = conform(['--runtime', '/usr/bin/runc', '--area', 'lifecycle']);
    expect(r.report, r.stderr).toBeDefined();
    expect(r.report!.counts).toMatchObject({ pass: lifecycle.length - disputed, fail: 0, error: 0, disputed });
    expect(r.code).toBe(0);
  }, 5 * MINUTES);

  it('everything against runc with its baseline: at least 250 cases, no unexpected failure or pass, nothing left behind', () => {
    const before = snapshot();
    const r = conform(['--runtime', '/usr/bin/runc', '--expect', join(repoRoot, 'baselines/runc.json')]);
    expect(r.report, r.stderr).toBeDefined();
    const bad = r.report!.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome)).map((x) => `${x.outcome} ${x.id}: ${x.message}`);
    expect(bad).toEqual([]);
    expect(r.report!.results.length).toBeGreaterThanOrEqual(250);
    expect(r.code).toBe(0);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [] });
  }, 20 * MINUTES);

  it('every case can fail: it passes on runc or the reference runtime, and not behind the strip wrapper or a misbehaving fixture', () => {
    type Report = NonNullable<ReturnType<typeof conform>['report']>;
    const judged = ALL_CASES.filter((c) => !c.disputed && !c.unprovable);
    expect(judged.length).toBeGreaterThan(450);
    const grep = (cs: readonly Case[]) => cs.flatMap((c) => ['--grep', exact(c.id)]);
    const outcome = (r: Report, id: string) => r.results.find((x) => x.id === id)?.outcome;
    const run = (args: string[], env: NodeJS.ProcessEnv = {}): Report => {
      const r = conform(args, { env });
      expect(r.report, r.stderr).toBeDefined();
      expect(r.report!.results.filter((x) => x.outcome === 'error').map((x) => `${x.id}: ${x.message}`)).toEqual([]);
      return r.report!;
    };
    const REFERENCE = { CONFORM_DELEGATE: join(repoRoot, 'bin/conform-runtime.js') };
    const proven = new Set<string>();
    /** A case is shown to fail on a delegate it passes on as it is, made to misbehave: it fails or (a SHOULD) warns. */
    const prove = (plain: Report, bad: Report, cases: readonly Case[]) => {
      for (const c of cases) if (outcome(plain, c.id) === 'pass' && ['fail', 'warn'].includes(outcome(bad, c.id) ?? '')) proven.add(c.id);
    };

    // The strip wrapper: exercises removed, tamper applied; runc first, then the reference runtime for the rest.
    const stripped = judged.filter((c) => c.exercises?.length || c.tamper);
    const runcPlain = run(['--runtime', '/usr/bin/runc', ...grep(stripped)]);
    prove(runcPlain, run(['--runtime', fixture('runtimes', 'strip.mjs'), '--timeout', '5', ...grep(stripped)]), stripped);
    const rest = stripped.filter((c) => !proven.has(c.id));
    const refPlain = run(grep(rest));
    prove(refPlain, run(['--runtime', fixture('runtimes', 'strip.mjs'), '--timeout', '5', ...grep(rest)], REFERENCE), rest);

    // Misbehaving fixtures (runc, with one thing wrong).
    const fixtures = new Map<string, Case[]>();
    for (const c of judged.filter((x) => x.misbehaving)) fixtures.set(c.misbehaving!, [...(fixtures.get(c.misbehaving!) ?? []), c]);
    for (const [file, cases] of fixtures) prove(run(['--runtime', '/usr/bin/runc', ...grep(cases)]), run(['--runtime', fixture('runtimes', file), ...grep(cases)]), cases);

    // What is left could not run here on either runtime (the host lacks what it needs): said, not failed.
    const unproven = judged.filter((c) => !proven.has(c.id));
    const hostBound = unproven.filter((c) => outcome(runcPlain, c.id) !== 'pass' && [outcome(runcPlain, c.id), outcome(refPlain, c.id) ?? 'skip'].every((o) => o === 'skip'));
    if (hostBound.length) console.log(`not provable on this host (they skip on runc and on the reference runtime): ${hostBound.map((c) => c.id).join(', ')}`);
    const hostBoundIds = new Set(hostBound.map((c) => c.id));
    const why = (c: Case) => `${c.id}: runc ${outcome(runcPlain, c.id) ?? '-'}, reference ${outcome(refPlain, c.id) ?? '-'}`;
    expect(unproven.filter((c) => !hostBoundIds.has(c.id)).map(why), 'cases not shown to fail: they pass when the runtime misbehaves, or pass on no runtime here').toEqual([]);
  }, 120 * MINUTES);

  it('a recommendation not followed warns and never fails the run, even with --strict (mounts.tmpfs.size, a SHOULD, behind the strip wrapper)', () => {
    const r = conform(['--runtime', fixture('runtimes', 'strip.mjs'), '--strict', '--grep', exact('mounts.tmpfs.size')]);
    expect(r.report, r.stderr).toBeDefined();
    expect(r.report!.results.map((x) => [x.id, x.outcome])).toEqual([['mounts.tmpfs.size', 'warn']]);
    expect(r.code).toBe(0);
  }, 5 * MINUTES);

  it('no case passes against a runtime that does nothing and says it succeeded', () => {
    const r = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--timeout', '5']);
    expect(r.report, r.stderr).toBeDefined();
    expect(r.report!.results.filter((x) => x.outcome === 'pass').map((x) => x.id)).toEqual([]);
    expect(r.report!.results.filter((x) => x.outcome === 'error')).toEqual([]);
    expect(r.code).toBe(1);
  }, 10 * MINUTES);

  it('on SIGINT stops, cleans up every container and its run directory, and exits 130', async () => {
    const before = snapshot();
    const child = spawn(process.execPath, [join(repoRoot, 'bin/conform.js'), '--runtime', '/usr/bin/runc', '--area', 'lifecycle', '--grep', 'kill|delete'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // Interrupt once the run has started and its first containers exist.
    const deadline = Date.now() + MINUTES;
    const started = () => /cases against/.test(out) && snapshot().processes.length > before.processes.length;
    while (!started() && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', resolve)));
    expect(code, out).toBe(130);
    expect(out).toMatch(/SIGINT: stopping; cleaning up/);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [] });
  }, 2 * MINUTES);
});

const reference = join(repoRoot, 'dist/runtime.js');
describe.skipIf(!isRoot || !existsSync(reference))('the reference runtime (needs root and `npm run build`)', () => {
  it('passes everything it implements: only its baseline fails, nothing left behind', () => {
    const before = snapshot();
    const r = conform(['--expect', join(repoRoot, 'baselines/conform-runtime.json')]);
    expect(r.report, r.stderr).toBeDefined();
    const bad = r.report!.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome)).map((x) => `${x.outcome} ${x.id}: ${x.message}`);
    expect(bad).toEqual([]);
    // What it does not implement (its features do not claim it) is listed in the baseline,
    // and everything the baseline lists as not implemented is skipped.
    const baseline = JSON.parse(readFileSync(join(repoRoot, 'baselines/conform-runtime.json'), 'utf8')) as { notImplemented: Record<string, string> };
    const unlisted = r.report!.results.filter((x) => x.outcome === 'skip' && /the runtime's features (says \S+ is false|does not list)/.test(x.message ?? '') && !(x.id in baseline.notImplemented));
    expect(unlisted.map((x) => `${x.id}: ${x.message}`)).toEqual([]);
    const ran = r.report!.results.filter((x) => x.id in baseline.notImplemented && x.outcome !== 'skip');
    expect(ran.map((x) => `${x.outcome} ${x.id}`)).toEqual([]);
    expect(r.code).toBe(0);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [] });
  }, 40 * MINUTES);
});
