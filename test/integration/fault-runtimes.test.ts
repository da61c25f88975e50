// conform against runtimes that misbehave: each run must end in bounded time and
// memory, blame the case that made the faulty call, leave nothing of the runtime's
// behind, and kill or touch nothing that is not the runtime's (a bystander process
// in a cgroup of its own, whose pid the liar reports as its container's).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../harness/host/hostfacts.js';
import { containerId } from '../../harness/run/runner.js';
import { parseCgroupMounts } from '../../linux/cgroupfs.js';
import { CLI, fixture, isRoot } from '../helpers/conform.js';

const CASES = ['lifecycle.create.created', 'lifecycle.kill.sigterm'];
/** Generous bounds: the machine is shared and loaded. Before the caps, a flood took 80 s a case and 3.2 GB. */
const TIME_BOUND_MS = 150_000;
const RSS_BOUND_KB = 600 * 1024;
/** The fault runtimes' own processes carry these in their command lines. */
/** The environment variable that marks what one run started (its value: the run's work directory). */
const RUN_MARKER = 'CONFORM_FAULT_RUN';
const MARKERS = [/^sleep 10000(17|20)$/, /fixtures\/runtimes\/(orphan|daemon|liar|flood|hang|crash|garbage|noop|fail)\.sh/];

interface Report {
  runtime: { version?: string };
  results: { id: string; outcome: string; message?: string; notes: string[] }[];
}

interface Run {
  code: number | null;
  report?: Report;
  stderr: string;
  ms: number;
  /** conform's peak RSS (VmHWM), in kB, last read before it exited. */
  peakKb: number;
}

/** Runs conform on CASES against a fault runtime, watching its peak memory. */
async function runAgainst(runtime: string, workdir: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const json = join(workdir, 'report.json');
  const args = [CLI, '--runtime', fixture('runtimes', runtime), '--timeout', '2', '--jobs', '2', '--workdir', workdir, '--json', json];
  for (const c of CASES) args.push('--grep', `^${c.replace(/\./g, '\\.')}$`);
  const started = Date.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1', [RUN_MARKER]: workdir, ...env } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  let peakKb = 0;
  const watch = setInterval(() => {
    try {
      peakKb = Number(/VmHWM:\s*(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? peakKb);
    } catch {
      /* exited */
    }
  }, 50);
  const kill = setTimeout(() => child.kill('SIGKILL'), TIME_BOUND_MS * 2);
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  clearInterval(watch);
  clearTimeout(kill);
  const report = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as Report) : undefined;
  return { code, report, stderr, ms: Date.now() - started, peakKb };
}

/**
 * Processes of the fault runtimes a run below `workdir` started, still running: they carry
 * the run's marker in their environment (other test files run fault runtimes too, e.g. the
 * driver's tests and the noop run, and are not this run's leftovers).
 */
function leftoverProcesses(workdir: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!MARKERS.some((m) => m.test(cmd))) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${RUN_MARKER}=${workdir}`)) out.push(`${pid} ${cmd}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${dir}/`));
}

/** A hierarchy for the bystander's own cgroup: v1 pids, else cgroup2. */
function bystanderHierarchy(): string | undefined {
  const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  return (mounts.find((m) => m.version === 1 && m.controllers.includes('pids')) ?? mounts.find((m) => m.version === 2))?.mountPoint;
}

describe.skipIf(!isRoot || !bystanderHierarchy())('fault runtimes (need root and a cgroup hierarchy)', () => {
  let bystander: ReturnType<typeof spawn>;
  let cgroup: string;
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'conform-faults-'));
    cgroup = join(bystanderHierarchy()!, `conform-bystander-${process.pid}`);
    mkdirSync(cgroup);
    bystander = spawn('sleep', ['1000019'], { stdio: 'ignore' });
    writeFileSync(join(cgroup, 'cgroup.procs'), String(bystander.pid));
  });
  afterAll(() => {
    bystander.kill('SIGKILL');
    const deadline = Date.now() + 10_000;
    while (isAlive(bystander.pid!) && Date.now() < deadline) {
      /* until it has left the cgroup */
    }
    if (existsSync(cgroup)) rmdirSync(cgroup);
    rmSync(work, { recursive: true, force: true });
  });

  /** What every fault run must show, whatever the runtime did. */
  function expectContained(name: string, r: Run, workdir: string): Report {
    expect(r.report, `${name}: no report; stderr: ${r.stderr}`).toBeDefined();
    expect(r.ms, `${name}: took ${r.ms} ms`).toBeLessThan(TIME_BOUND_MS);
    expect(r.peakKb, `${name}: conform's peak RSS ${r.peakKb} kB`).toBeLessThan(RSS_BOUND_KB);
    expect(r.peakKb).toBeGreaterThan(0);
    expect(r.report!.results.map((x) => x.id).sort()).toEqual([...CASES].sort());
    // A faulty runtime fails cases; it never makes the harness error, nor passes one.
    expect(r.report!.results.filter((x) => x.outcome !== 'fail').map((x) => `${x.id}: ${x.outcome} ${x.message}`)).toEqual([]);
    expect(r.code).toBe(1);
    expect(statSync(join(workdir, 'report.json')).size).toBeLessThan(1 << 20);
    // Nothing of the runtime's left, nothing of the bystander's touched.
    expect(leftoverProcesses(workdir)).toEqual([]);
    expect(mountsUnder(workdir)).toEqual([]);
    expect(readdirSync(workdir).filter((n) => n.startsWith('conform-'))).toEqual([]);
    expect(isAlive(bystander.pid!), 'the bystander process').toBe(true);
    expect(readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').split('\n')).toContain(String(bystander.pid));
    return r.report!;
  }

  /** Each case's notes, by case id, with its own container id in them. */
  const ownNotes = (report: Report, caseId: string) => {
    const result = report.results.find((x) => x.id === caseId)!;
    const id = containerId(caseId, '');
    return { result, mine: result.notes.filter((n) => n.includes(id)) };
  };

  const runtimes: [string, (report: Report) => void][] = [
    ['crash.sh', (rep) => expect(rep.results.every((x) => /killed by SIGSEGV/.test(x.message ?? ''))).toBe(true)],
    ['fail.sh', (rep) => expect(rep.results.every((x) => /fail\.sh: refusing/.test(x.message ?? ''))).toBe(true)],
    ['garbage.sh', () => {}],
    ['noop.sh', () => {}],
    ['hang.sh', (rep) => expect(rep.results.every((x) => /timed out after 2s/.test(x.message ?? ''))).toBe(true)],
    [
      'orphan.sh',
      (rep) => {
        for (const c of CASES) {
          const { mine } = ownNotes(rep, c);
          expect(
            mine.some((n) => /returned, but left 1 process\(es\); killed them: \d+ /.test(n)),
            `${c}: ${JSON.stringify(mine)}`,
          ).toBe(true);
        }
      },
    ],
    [
      'liar.sh',
      (rep) => {
        for (const c of CASES) {
          const notes = rep.results.find((x) => x.id === c)!.notes;
          expect(
            notes.some((n) =>
              n.startsWith(`cleanup: state reported pid ${bystander.pid} (sleep 1000019), which still runs after delete and is not provably this container's`),
            ),
            `${c}: ${JSON.stringify(notes)}`,
          ).toBe(true);
        }
      },
    ],
    [
      'daemon.sh',
      (rep) => {
        for (const c of CASES) {
          const { mine, result } = ownNotes(rep, c);
          expect(
            mine.some((n) => /^cleanup: `create \S+` had left 1 process\(es\) still running after delete; killed them: \d+ sleep 1000020$/.test(n)),
            `${c}: ${JSON.stringify(result.notes)}`,
          ).toBe(true);
          expect(
            result.notes.some((n) => /^cleanup: unmounted \S+\/mnt, which was left mounted$/.test(n)),
            `${c}: ${JSON.stringify(result.notes)}`,
          ).toBe(true);
        }
      },
    ],
    [
      'flood.sh',
      (rep) => {
        expect(rep.runtime.version?.length ?? 0).toBeLessThanOrEqual(201);
        for (const r of rep.results) expect(r.message?.length ?? 0).toBeLessThan(2000);
      },
    ],
  ];

  for (const [runtime, specific] of runtimes) {
    it(
      `${runtime}: bounded time and memory, the right case blamed, nothing left, the bystander untouched`,
      async () => {
        const workdir = mkdtempSync(join(work, `${runtime}-`));
        const r = await runAgainst(runtime, workdir, { CONFORM_LIAR_PID: String(bystander.pid) });
        const report = expectContained(runtime, r, workdir);
        specific(report);
      },
      TIME_BOUND_MS * 2 + 30_000,
    );
  }
});
