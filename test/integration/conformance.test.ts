// conform end to end through its CLI, against real and fake runtimes. One file, so
// that these heavy runs go one after the other (two cores).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
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
    // A race is caught or not within its bounded tries: runc's failure there can pass by chance.
    const racy = (x: { id: string; outcome: string }) => x.id === 'security.mounts.destination-race' && x.outcome === 'xpass';
    const bad = r.report!.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome) && !racy(x)).map((x) => `${x.outcome} ${x.id}: ${x.message}`);
    expect(bad).toEqual([]);
    expect(r.report!.results.length).toBeGreaterThanOrEqual(250);
    expect(r.code).toBe(0);
    expect(leftSince(before)).toEqual({ mounts: [], dirs: [], processes: [], engines: [] });
  }, 20 * MINUTES);

  it('every case that names the setting it exercises fails when the runtime ignores that setting (runc behind the strip wrapper)', () => {
    const exercised = ALL_CASES.filter((c) => c.exercises?.length && !c.disputed).map((c) => c.id);
    expect(exercised.length).toBeGreaterThan(200);
    const r = conform(['--runtime', fixture('runtimes', 'strip.mjs'), '--timeout', '5', ...exercised.flatMap((id) => ['--grep', exact(id)])]);
    expect(r.report, r.stderr).toBeDefined();
    const passing = outcomes(exercised, r.report!).filter((x) => x.outcome === 'pass').map((x) => x.id);
    expect(passing, 'these cases pass although the runtime ignored what they check').toEqual([]);
    expect(outcomes(exercised, r.report!).filter((x) => x.outcome === 'error')).toEqual([]);
  }, 20 * MINUTES);

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
