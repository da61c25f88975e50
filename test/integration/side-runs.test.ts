// The runs that may go beside conformance.test.ts (vitest runs the two files at once on the
// two cores): the noop runtime, interrupts, runsc's lane and the npm package's run. Each
// looks for its leftovers in its own work directory only; none changes the host's cgroup
// layout (crun's lane does: crun-lane.test.ts runs alone, after every other file).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import { parseReport } from '../../reports/read.js';
import { ALL_CASES } from '../../suites/index.js';
import { CLI, conform, fixture, hasRunc, hasRunsc, isRoot, workDir } from '../helpers/conform.js';
import { exact, LANE_CASES, unexpected } from '../helpers/lanes.js';
import { leftSince, NOTHING_LEFT, snapshot } from '../helpers/leftovers.js';
import { packageTests } from './package.js';

const MINUTES = 60_000;
const tmp = workDir(join(tmpdir(), 'conform-side-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** conform's CLI; runs make their run directories in `workRoot` (TMPDIR), where their leftovers are looked for. */
function cli(args: string[], timeoutMs: number, workRoot: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TMPDIR: workRoot }, timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!isRoot || !hasRunc)('runs beside the whole ones (need root and /usr/bin/runc)', () => {
  it(
    'a recommendation not followed warns and never fails the run, even with --strict (mounts.tmpfs.size, a SHOULD, behind the strip wrapper)',
    () => {
      const r = conform(['--runtime', fixture('runtimes', 'strip.sh'), '--strict', '--grep', exact('mounts.tmpfs.size')]);
      expect(r.report, r.stderr).toBeDefined();
      expect(r.report!.results.map((x) => [x.id, x.outcome])).toEqual([['mounts.tmpfs.size', 'warn']]);
      expect(r.code).toBe(0);
    },
    5 * MINUTES,
  );

  it(
    'no case passes against a runtime that does nothing and says it succeeded',
    () => {
      // More jobs than cores: against a runtime that does nothing, a case mostly waits.
      const r = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--timeout', '5', '--jobs', '4']);
      expect(r.report, r.stderr).toBeDefined();
      expect(r.report!.results.filter((x) => x.outcome === 'pass').map((x) => x.id)).toEqual([]);
      expect(r.report!.results.filter((x) => x.outcome === 'error')).toEqual([]);
      expect(r.code).toBe(1);
    },
    10 * MINUTES,
  );

  /**
   * Starts a run and, once its first containers exist, sends it `sends` in turn: each signal
   * to conform, or to its process group (conform and every helper it started there), as
   * timeout(1) sends its second SIGTERM.
   */
  async function interrupted(
    args: string[],
    workRoot: string,
    sends: readonly [NodeJS.Signals, 'conform' | 'group'][],
  ): Promise<{ code: number | null; out: string }> {
    const before = snapshot(workRoot);
    const child = spawn(process.execPath, [CLI, '--runtime', '/usr/bin/runc', '--area', 'lifecycle', '--grep', 'kill|delete', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', TMPDIR: workRoot },
      detached: true, // a process group of its own, to signal
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + MINUTES;
    const started = () => /cases against/.test(out) && snapshot(workRoot).processes.length > before.processes.length;
    while (!started() && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const [i, [sig, to]] of sends.entries()) {
      if (to === 'group') process.kill(-child.pid!, sig);
      else child.kill(sig);
      // Signals do not queue: the next one only once conform has taken the first.
      if (i === 0 && sends.length > 1)
        while (!out.includes(`${sig}: stopping`) && child.exitCode === null && Date.now() < deadline + MINUTES) await new Promise((r) => setTimeout(r, 5));
    }
    const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on('exit', resolve)));
    return { code, out };
  }

  it(
    'on SIGINT stops, cleans up every container and its run directory, exits 130, and blames no case: the report is partial',
    async () => {
      const workRoot = workDir(join(tmp, 'sigint-'));
      const before = snapshot(workRoot);
      const json = join(tmp, 'sigint.json');
      const { code, out } = await interrupted(['--json', json], workRoot, [['SIGINT', 'conform']]);
      expect(code, out).toBe(130);
      expect(out).toMatch(/SIGINT: stopping; cleaning up/);
      expect(leftSince(before), out).toEqual(NOTHING_LEFT);
      const report = parseReport(readFileSync(json, 'utf8'), json);
      expect(report.partial?.reason).toBe('interrupted (SIGINT)');
      // The case the interrupt cut short has no result, and no result is a failure.
      expect(report.partial!.notRun.length).toBeGreaterThan(0);
      expect(report.results.filter((r) => r.outcome === 'fail' || r.outcome === 'error').map((r) => `${r.id}: ${r.message}`)).toEqual([]);
      expect(report.exitCode).toBe(1);
    },
    2 * MINUTES,
  );

  it(
    'on SIGTERM to conform and then its process group (timeout(1)) still cleans up everything: the same signal again is no reason to stop at once',
    async () => {
      const workRoot = workDir(join(tmp, 'sigterm-'));
      const before = snapshot(workRoot);
      const json = join(tmp, 'sigterm.json');
      const { code, out } = await interrupted(['--json', json], workRoot, [
        ['SIGTERM', 'conform'],
        ['SIGTERM', 'group'],
      ]);
      expect(code, out).toBe(130);
      expect(out).toMatch(/SIGTERM: stopping; cleaning up/);
      expect(out).not.toMatch(/exiting at once/);
      expect(leftSince(before), out).toEqual(NOTHING_LEFT);
      expect(parseReport(readFileSync(json, 'utf8'), json).partial?.reason).toBe('interrupted (SIGTERM)');
    },
    2 * MINUTES,
  );

  it(
    'on a second SIGINT exits at once, with valid partial reports; the next run in the work directory removes what it left',
    async () => {
      const work = workDir(join(tmp, 'work-'));
      const files = { json: join(tmp, 'twice.json'), junit: join(tmp, 'twice.xml'), tap: join(tmp, 'twice.tap') };
      const before = snapshot(work);
      const { code, out } = await interrupted(['--workdir', work, '--json', files.json, '--junit', files.junit, '--tap', files.tap], work, [
        ['SIGINT', 'conform'],
        ['SIGINT', 'conform'],
      ]);
      expect(code, out).toBe(130);
      expect(out).toMatch(/exiting at once: the run directory stays/);
      const report = parseReport(readFileSync(files.json, 'utf8'), files.json);
      expect(report.partial?.reason).toMatch(/^interrupted twice \(SIGINT\)/);
      expect(report.results.length + report.partial!.notRun.length).toBe(
        ALL_CASES.filter((c) => c.area === 'lifecycle' && /kill|delete/i.test(`${c.id} ${c.title}`)).length,
      );
      const xml = spawnSync('xmllint', ['--noout', '--schema', join(repoRoot, 'fixtures/junit/junit-10.xsd'), files.junit], { encoding: 'utf8' });
      expect(xml.stderr).toMatch(/validates/);
      expect(readFileSync(files.junit, 'utf8')).toMatch(/<testsuites name="conform \(partial: interrupted twice/);
      expect(readFileSync(files.tap, 'utf8')).toMatch(/\nBail out! conform: interrupted twice/);
      // Left behind on purpose; the sweep of the next run in the same --workdir removes it.
      const sweep = cli(['--runtime', '/usr/bin/runc', '--grep', '^lifecycle\\.create\\.created$', '--workdir', work], 2 * MINUTES, work);
      expect(sweep.code, sweep.stderr).toBe(0);
      expect(sweep.stderr).toMatch(/left by a run \(pid \d+\) that was killed/);
      expect(readdirSync(work)).toEqual([]);
      expect(leftSince(before)).toEqual(NOTHING_LEFT);
    },
    3 * MINUTES,
  );

  it(
    'on SIGINT then SIGTERM (a GitHub Actions cancel) exits at once at the SIGTERM, with a partial report that says so',
    async () => {
      const work = workDir(join(tmp, 'cancel-'));
      const json = join(tmp, 'cancel.json');
      const before = snapshot(work);
      const { code, out } = await interrupted(['--workdir', work, '--json', json], work, [
        ['SIGINT', 'conform'],
        ['SIGTERM', 'conform'],
      ]);
      expect(code, out).toBe(130);
      expect(out).toMatch(/exiting at once: the run directory stays/);
      expect(parseReport(readFileSync(json, 'utf8'), json).partial?.reason).toMatch(/^interrupted twice \(SIGINT, then SIGTERM\)/);
      const sweep = cli(['--runtime', '/usr/bin/runc', '--grep', '^lifecycle\\.create\\.created$', '--workdir', work], 2 * MINUTES, work);
      expect(sweep.code, sweep.stderr).toBe(0);
      expect(readdirSync(work)).toEqual([]);
      expect(leftSince(before)).toEqual(NOTHING_LEFT);
    },
    3 * MINUTES,
  );
});

// runsc starts a sandbox per container (the dearest runtime here): CI runs every other case
// of the lane against it, so that the whole test command stays within its half hour.
const RUNSC_CASES = LANE_CASES.filter((_, i) => i % 2 === 0);

describe.skipIf(!isRoot || !hasRunsc)('runsc (gVisor) with its baseline', () => {
  it(
    `every other case of the lane (${RUNSC_CASES.length}): no unexpected failure, pass or error, nothing left behind`,
    () => {
      const r = conform(
        [
          '--runtime',
          '/usr/bin/runsc',
          '--runtime-arg=--network=none',
          // runsc starts a sandbox for each container; beside the other heavy runs, 10 s per call is too short.
          '--timeout',
          '30',
          '--expect',
          join(repoRoot, 'baselines/runsc.json'),
          ...RUNSC_CASES.flatMap((id) => ['--grep', exact(id)]),
        ],
        { timeoutMs: 30 * MINUTES },
      );
      expect(r.report, r.stderr).toBeDefined();
      expect(r.report!.results).toHaveLength(RUNSC_CASES.length);
      expect(unexpected(r)).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.left).toEqual(NOTHING_LEFT);
    },
    30 * MINUTES,
  );
});

packageTests();
