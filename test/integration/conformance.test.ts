// conform end to end through its CLI, against real and fake runtimes. One file, so
// that these heavy runs go one after the other (two cores).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import type { Case } from '../../harness/case.js';
import { ALL_CASES } from '../../suites/index.js';
import { conform, fixture, hasCrun, hasRunc, hasRunsc, isRoot, type ConformRun } from '../helpers/conform.js';
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
    // A race is caught or not within its bounded tries: runc's failure there can pass by chance.
    const racy = (x: { id: string; outcome: string }) => x.id === 'security.mounts.destination-race' && x.outcome === 'xpass';
    const bad = r.report!.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome) && !racy(x)).map((x) => `${x.outcome} ${x.id}: ${x.message}`);
    expect(bad).toEqual([]);
    expect(r.report!.results.length).toBeGreaterThanOrEqual(250);
    expect(r.code).toBe(0);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [], engines: [] });
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
    // A case one real runtime passes and the other fails (runc's expected failures) is shown to fail by that.
    prove(refPlain, runcPlain, rest);

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
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [], engines: [] });
  }, 2 * MINUTES);
});

/** The cases a lane's baseline does not account for: unexpected failures and passes, harness errors. */
const unexpected = (r: ConformRun) => r.report!.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome)).map((x) => `${x.outcome} ${x.id}: ${x.message}`);

// The foreign lanes in CI run a representative slice of the plan (every Nth case, so each
// area is in it); the full lanes and their times are in the README.
const FOREIGN_SHARD = '1/3';

describe.skipIf(!isRoot || !hasRunsc)('runsc (gVisor) with its baseline', () => {
  it(`a third of the cases (--shard ${FOREIGN_SHARD}): no unexpected failure, pass or error, nothing left behind`, () => {
    const before = snapshot();
    const r = conform(['--runtime', '/usr/bin/runsc', '--runtime-arg=--network=none', '--expect', join(repoRoot, 'baselines/runsc.json'), '--shard', FOREIGN_SHARD], { timeoutMs: 30 * MINUTES });
    expect(r.report, r.stderr).toBeDefined();
    expect(unexpected(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [] });
  }, 30 * MINUTES);
});

const V2_CONTROLLERS = '/sys/fs/cgroup/unified/cgroup.controllers';
const v2Controllers = () => (existsSync(V2_CONTROLLERS) ? readFileSync(V2_CONTROLLERS, 'utf8').trim() : undefined);

// Until baselines/crun.json has been measured by a full lane run (README, "Foreign runtimes").
const crunBaseline = join(repoRoot, 'baselines/crun.json');
describe.skipIf(!isRoot || !hasCrun || !existsSync(crunBaseline))('crun through its lane (scripts/crun-lane.sh) with its baseline', () => {
  it(`a third of the cases (--shard ${FOREIGN_SHARD}): no unexpected failure, pass or error; the host's cgroups as they were, nothing left behind`, () => {
    const before = snapshot();
    const controllers = v2Controllers();
    const r = conform(['--expect', crunBaseline, '--shard', FOREIGN_SHARD], { via: join(repoRoot, 'scripts/crun-lane.sh'), timeoutMs: 30 * MINUTES });
    expect(r.report, r.stderr).toBeDefined();
    expect(unexpected(r)).toEqual([]);
    expect(r.code, r.stderr.split('\n').filter((l) => l.startsWith('crun lane:')).join('\n')).toBe(0);
    expect(v2Controllers()).toBe(controllers);
    expect(existsSync('/sys/fs/cgroup/hugetlb')).toBe(false);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [] });
  }, 30 * MINUTES);
});

const reference = join(repoRoot, 'dist/runtime.cjs');
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
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [], engines: [] });
  }, 40 * MINUTES);
});

// The bundles and engines areas: real tools' bundles, and podman and containerd driving the
// runtime. runc is the control (every case passes); the reference runtime fails or warns
// exactly where its baseline says (nowhere since it runs under the engines' defaults).
const ENGINE_AREAS = ['--area', 'bundles', '--area', 'engines'];
const engineTools = ['podman', 'conmon', 'containerd', 'ctr', 'umoci'].every((t) => existsSync(`/usr/bin/${t}`));
describe.skipIf(!isRoot || !hasRunc || !engineTools)('bundles and engines (need root, runc, podman, containerd, umoci)', () => {
  const areaCases = ALL_CASES.filter((c) => c.area === 'bundles' || c.area === 'engines');

  it('against runc every case passes, and nothing is left behind (containers, conmon, containerd, cgroups, mounts)', () => {
    const before = snapshot();
    const r = conform(['--runtime', '/usr/bin/runc', ...ENGINE_AREAS]);
    expect(r.report, r.stderr).toBeDefined();
    const notPassed = r.report!.results.filter((x) => x.outcome !== 'pass').map((x) => `${x.outcome} ${x.id}: ${x.message}`);
    expect(notPassed).toEqual([]);
    expect(r.report!.results.length).toBe(areaCases.length);
    expect(r.code).toBe(0);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [], engines: [] });
  }, 15 * MINUTES);

  it('against the reference runtime exactly the baseline fails (bundles) or warns (engines: the runc CLI convention), and nothing is left behind', () => {
    const before = snapshot();
    const r = conform(['--expect', join(repoRoot, 'baselines/conform-runtime.json'), ...ENGINE_AREAS]);
    expect(r.report, r.stderr).toBeDefined();
    const baseline = JSON.parse(readFileSync(join(repoRoot, 'baselines/conform-runtime.json'), 'utf8')) as { expectedFailures: Record<string, string>; conventionWarnings: Record<string, string> };
    const inAreas = (ids: string[]) => ids.filter((id) => areaCases.some((c) => c.id === id)).sort();
    const ids = (outcome: string) => r.report!.results.filter((x) => x.outcome === outcome).map((x) => x.id).sort();
    expect(ids('xfail')).toEqual(inAreas(Object.keys(baseline.expectedFailures)));
    expect(ids('warn')).toEqual(inAreas(Object.keys(baseline.conventionWarnings)));
    expect(r.report!.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome)).map((x) => `${x.outcome} ${x.id}: ${x.message}`)).toEqual([]);
    expect(r.code).toBe(0);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [], engines: [] });
  }, 20 * MINUTES);

  it('a kept run shows the exact engine command of each case in its calls.log', () => {
    const workdir = mkdtempSync(join(tmpdir(), 'conform-keep-engines-'));
    try {
      const r = conform(['--runtime', '/usr/bin/runc', '--keep', '--workdir', workdir, '--grep', '^engines\\.(podman|containerd)\\.run$']);
      expect(r.code, r.stderr).toBe(0);
      const [runDir] = readdirSync(workdir).filter((n) => n.startsWith('conform-'));
      const log = (id: string) => readFileSync(join(workdir, runDir!, id, 'calls.log'), 'utf8');
      expect(log('engines.podman.run')).toMatch(/^\$ CONTAINERS_CONF=\S+ podman --root \S+ .* --runtime \S+\/engine-runtime\/runc run --rm /m);
      expect(log('engines.containerd.run')).toMatch(/^\$ ctr --address \S+ --namespace conform-containerd-[0-9a-f]+ run --rm --runc-binary \S+\/engine-runtime\/runc /m);
      // And what the engine asked of the runtime, through conform's wrapper.
      expect(log('engines.containerd.run')).toMatch(/^engine -> runtime: \/usr\/bin\/runc --root \S+ --log \S+log\.json --log-format json create /m);
    } finally {
      rmSync(workdir, { recursive: true, force: true });
    }
  }, 5 * MINUTES);
});
