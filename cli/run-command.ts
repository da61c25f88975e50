// `conform [options]`: plan, set up, run, report, and an exit code CI can gate on.
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ALL_CASES } from '../suites/index.js';
import { EXPECTED_COST_MS } from '../suites/costs.js';
import { fanOut, type Reporter } from '../harness/run/reporter.js';
import { consoleReporter } from '../reports/console.js';
import { tapReporter, type TapVersion } from '../reports/tap.js';
import { junitReporter } from '../reports/junit.js';
import { jsonReporter } from '../reports/json.js';
import { openOutput, type Output } from '../reports/output.js';
import { loadBaseline, type Baseline } from '../harness/run/baseline.js';
import type { Case } from '../harness/case/case.js';
import { outsideOfRun } from '../harness/engines/containerd.js';
import { releaseOwner, sweepStaleRuns, writeOwner } from '../harness/host/stale.js';
import { unknownRequirements } from '../harness/run/coverage.js';
import { detectHost, detectRuntime } from '../harness/host/env.js';
import { SetupError } from '../harness/errors.js';
import { ensureNative, NativeBuildError, type NativeHelper } from './native-build.js';
import { referenceRuntime, repoRoot } from '../harness/paths.js';
import { costOf, selectCases, shardOf, type Shard } from '../harness/run/plan.js';
import { countOutcomes, isBad, type CaseResult, type PartialRun, type RunContext, type RunSummary, type RuntimeInfo } from '../harness/run/result.js';
import { runContext } from '../harness/run/run-context.js';
import { defaultCacheDir, ensureRootfs } from '../harness/host/rootfs.js';
import { mountHolding, parseMountinfo } from '../harness/probe/mountinfo.js';
import { runCases } from '../harness/run/runner.js';
import { stopReaperServer } from '../harness/process/spawn.js';
import { Services } from '../harness/host/services.js';
import { formatTiming, runTiming } from '../harness/run/timing.js';
import { removeTree } from '../harness/host/cleanup.js';
import type { RuntimeCommand } from '../harness/process/driver.js';

export interface RunFlags {
  runtime?: string;
  runtimeArg: string[];
  grep: string[];
  area: string[];
  requirement: string[];
  shard?: Shard;
  list?: boolean;
  jobs: number;
  timeout: number;
  keep?: boolean;
  tap?: string;
  tapVersion: TapVersion;
  junit?: string;
  json?: string;
  expect?: string;
  strict?: boolean;
  verbose?: boolean;
  color?: boolean;
  workdir?: string;
  cacheDir?: string;
}

/** Resolves a runtime given as a path or a bare name on PATH, and checks it can be executed. */
export function resolveRuntime(name: string): string {
  const candidates = name.includes('/') ? [resolve(name)] : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) {
        accessSync(c, constants.X_OK);
        return c;
      }
    } catch {
      /* next */
    }
  }
  if (name.includes('/') && existsSync(resolve(name))) throw new SetupError(`--runtime ${name}: not an executable file (chmod +x?)`);
  throw new SetupError(
    `--runtime ${name}: not found${name.includes('/') ? '' : ' on PATH'}; give the path to a runtime binary, e.g. --runtime /usr/bin/runc (apt-get install -y runc)`,
  );
}

/** The summary of the results so far: for the end of a run, or a partial one on a second Ctrl-C. */
export function summarize(
  results: readonly CaseResult[],
  o: { runtime: RuntimeInfo; started: number; context: RunContext; strict?: boolean; partial?: PartialRun; jobs: number; planMs: number },
): RunSummary {
  const bad = results.some((r) => isBad(r, o.strict)) || !!o.partial;
  const durationMs = Date.now() - o.started;
  return {
    runtime: o.runtime,
    startedAt: new Date(o.started).toISOString(),
    durationMs,
    counts: countOutcomes(results),
    results: [...results],
    exitCode: bad ? 1 : 0,
    context: o.context,
    ...(o.partial ? { partial: o.partial } : {}),
    timing: runTiming(
      results.map((r) => r.timing),
      { wallMs: durationMs, jobs: o.jobs, planMs: o.planMs },
    ),
  };
}

function listPlan(cases: readonly Case[]): number {
  for (const c of cases) {
    const extra = [c.needs?.length ? `needs ${c.needs.join(', ')}` : '', c.disputed ? 'disputed' : ''].filter(Boolean).join('; ');
    process.stdout.write(`${c.id}  ${c.title}${extra ? `  [${extra}]` : ''}\n    ${c.requirements.join(' ')}\n`);
  }
  const areas = new Set(cases.map((c) => c.area)).size;
  process.stdout.write(`${cases.length} case(s) in ${areas} area(s)\n`);
  return 0;
}

/** The first directory from `dir` up to / that others cannot enter (no o+x), if any. */
function closedAncestor(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return d;
    if (d === dirname(d)) return undefined;
  }
}

/** /dev, /proc or /sys when `dir` (its real path) is below one: the default bundle's mounts cover those in the container. */
function coveredInContainers(dir: string): string | undefined {
  const real = realpathSync(dir);
  return ['/dev', '/proc', '/sys'].find((p) => real === p || real.startsWith(`${p}/`));
}

/** The native helpers a run needs, compiled now if this is an installed package's first run. */
function ensureHelpers(runtimePath: string): void {
  const helpers: NativeHelper[] = ['console-receiver', 'seccomp-agent', 'reaper', 'exchange', 'mounter'];
  if (runtimePath === referenceRuntime) helpers.push('nsexec', 'syscalls.node');
  try {
    for (const h of helpers) ensureNative(repoRoot, h);
  } catch (e) {
    if (e instanceof NativeBuildError) throw new SetupError(e.message);
    throw e;
  }
}

export async function runCommand(flags: RunFlags): Promise<number> {
  const problems = unknownRequirements(ALL_CASES);
  if (problems.length) throw new Error(`cases cite requirement IDs the catalogue lacks:\n  ${problems.join('\n  ')}`);
  const unknownAreas = flags.area.filter((a) => !ALL_CASES.some((c) => c.area === a));
  if (unknownAreas.length)
    throw new SetupError(`--area ${unknownAreas.join(', ')}: no such area (areas: ${[...new Set(ALL_CASES.map((c) => c.area))].join(', ')})`);
  const whole = selectCases(ALL_CASES, { grep: flags.grep, areas: flags.area, requirements: flags.requirement });
  const cases = flags.shard ? shardOf(whole, flags.shard, EXPECTED_COST_MS) : whole;
  // Since the process started: loading the suites is most of building the plan.
  const planMs = performance.now();

  if (flags.list) return listPlan(cases);
  if (!cases.length)
    throw new SetupError(
      whole.length
        ? `shard ${flags.shard!.index}/${flags.shard!.count} has no case: the plan has only ${whole.length}`
        : 'no case matches the filters (see --list)',
    );

  // Everything that can be wrong with the command or the machine, before anything is created.
  if (process.getuid?.() !== 0) throw new SetupError('conform must run as root: it creates containers (try: sudo conform …)');
  const rt: RuntimeCommand = { path: resolveRuntime(flags.runtime ?? referenceRuntime), args: flags.runtimeArg, timeoutMs: flags.timeout * 1000 };
  ensureHelpers(rt.path);
  // What conform writes (the rootfs cache, bundles, hook scripts) must be readable by a
  // container's other users and by root mapped to another uid: a hardened host's umask
  // (077) made 5 cases fail runc (`stat /bin/sh: permission denied`). The runtime calls
  // inherit 022, as from a default shell; the cases about the caller's umask set their own.
  process.umask(0o022);
  // Absolute, as every path conform hands the runtime, its hooks and the engines must be:
  // a relative one would be read from the runtime's working directory, not conform's.
  const rootfs = ensureRootfs(resolve(flags.cacheDir ?? defaultCacheDir()));
  let baseline: Baseline | undefined;
  const host = detectHost();
  const tag = randomBytes(3).toString('hex');
  const context = runContext({ host, whole, shard: flags.shard, strict: flags.strict, baseline: flags.expect, tag });
  if (flags.expect) {
    const loaded = loadBaseline(flags.expect, new Set(ALL_CASES.map((c) => c.id)), context.host);
    baseline = loaded.baseline;
    for (const w of loaded.warnings) process.stderr.write(`conform: warning: ${w}\n`);
  }
  const workdir = resolve(flags.workdir ?? tmpdir());
  if (!existsSync(workdir) || !statSync(workdir).isDirectory()) throw new SetupError(`--workdir ${workdir}: not a directory (create it first)`);
  const covered = coveredInContainers(workdir);
  if (covered)
    throw new SetupError(
      `--workdir ${workdir}: below ${covered}, which every container mounts its own over: the cases that need a host path to show the same files inside (the startContainer hooks' recorder) would fail there, whatever the runtime does; choose a directory outside /dev, /proc and /sys`,
    );
  const holding = mountHolding(parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')), realpathSync(workdir));
  if (holding?.options.includes('noexec'))
    throw new SetupError(
      `--workdir ${workdir}: on a mount with noexec (${holding.mountPoint}): the hooks and programs conform writes there for the runtime to run could not run, and cases would fail a runtime that did nothing wrong; choose a directory on a mount without noexec`,
    );
  const closed = closedAncestor(workdir);
  if (closed)
    process.stderr.write(
      `conform: warning: --workdir ${workdir} is below ${closed}, which others may not enter: a container whose root is mapped to another host uid in a user namespace cannot reach its bundle there, so those cases skip (chmod o+x it, or choose another --workdir)\n`,
    );
  const reports = openReports(flags);
  const finished: CaseResult[] = [];
  const collector: Reporter = { name: 'collector', start() {}, caseFinished: (r) => void finished.push(r), finish: async () => {} };
  const reporter = fanOut([collector, reports.reporter]);
  const notRun = (): string[] => {
    const done = new Set(finished.map((r) => r.id));
    return cases
      .filter((c) => !done.has(c.id))
      .map((c) => c.id)
      .sort();
  };

  // From here on a Ctrl-C (or SIGTERM, SIGHUP) stops the run in order: containers killed and
  // deleted, run directory removed, reports written as partial. A second Ctrl-C, or a
  // signal other than the first (GitHub's cancel: SIGINT, then SIGTERM 7.5 s later), exits
  // at once, writing the partial reports first (they are synchronous: see
  // reports/output.ts). The same SIGTERM or SIGHUP again does not: timeout(1) sends its
  // SIGTERM to conform and then to its whole process group (conform again).
  const aborter = new AbortController();
  let interruptedBy: NodeJS.Signals | undefined;
  let runtime: RuntimeInfo = { path: rt.path, args: rt.args };
  let started = Date.now();
  const onSignal = (sig: NodeJS.Signals) => {
    if (!interruptedBy) {
      interruptedBy = sig;
      process.stderr.write(`\nconform: ${sig}: stopping; cleaning up containers (Ctrl-C again to exit at once, leaving them)\n`);
      aborter.abort();
      return;
    }
    if (sig === interruptedBy && sig !== 'SIGINT') return;
    // The reapers of the runtime calls see conform go and kill what they hold.
    process.stderr.write('conform: exiting at once: the run directory stays (the next run in this --workdir removes it)\n');
    const twice = sig === interruptedBy ? sig : `${interruptedBy}, then ${sig}`;
    const partial = { reason: `interrupted twice (${twice}): exited without cleaning up`, notRun: notRun() };
    try {
      void reporter.finish(summarize(finished, { runtime, started, context, strict: flags.strict, partial, jobs: flags.jobs, planMs })).catch(() => {});
      for (const o of reports.outputs) void o.close().catch(() => {});
    } finally {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  for (const note of await sweepStaleRuns(workdir, outsideOfRun)) process.stderr.write(`conform: ${note}\n`);
  const runDir = mkdtempSync(join(workdir, 'conform-'));
  const services = new Services(runDir, tag, rootfs);
  try {
    // mkdtemp makes it 0700: a container in a user namespace (mapped root is not host root)
    // could not even reach its bundle's rootfs. Search only, no listing.
    chmodSync(runDir, 0o711);
    writeOwner(runDir, tag, !!flags.keep);
    const env = { host, runtime: await detectRuntime(rt, join(runDir, '.features')), ...(closed ? { closedWorkdir: closed } : {}) };
    runtime = { path: rt.path, args: rt.args, version: env.runtime.version, ...(env.runtime.features ? { features: env.runtime.features } : {}) };
    started = Date.now();
    const cost = costOf(whole, EXPECTED_COST_MS);
    reporter.start({ total: cases.length, runtime, context, expectedMs: Object.fromEntries(cases.map((c) => [c.id, cost(c.id)])) });
    if (env.runtime.featuresNote && flags.verbose) process.stderr.write(`conform: ${env.runtime.featuresNote}\n`);
    const t0 = performance.now();
    await runCases(cases, {
      rt,
      env,
      runDir,
      rootfs,
      jobs: flags.jobs,
      keep: !!flags.keep,
      baseline,
      reporter,
      signal: aborter.signal,
      tag,
      services,
      t0,
      costMs: cost,
    });
    for (const note of await services.stopAll()) process.stderr.write(`conform: ${note}\n`);
    const partial = interruptedBy ? { reason: `interrupted (${interruptedBy})`, notRun: notRun() } : undefined;
    const summary = summarize(finished, { runtime, started, context, strict: flags.strict, partial, jobs: flags.jobs, planMs });
    await reporter.finish(summary);
    if (flags.verbose && summary.timing) process.stderr.write(`conform: ${formatTiming(summary.timing, summary.durationMs)}\n`);
    for (const o of reports.outputs) await o.close();
    return interruptedBy ? 130 : summary.exitCode;
  } finally {
    // Again, for the paths that did not get there (an exception); a no-op otherwise.
    for (const note of await services.stopAll()) process.stderr.write(`conform: ${note}\n`);
    // Waited for: its CPU time is conform's (a measure of the run counts it).
    await stopReaperServer();
    if (flags.keep) {
      releaseOwner(runDir);
      process.stderr.write(`conform: kept bundles, runtime state and logs in ${runDir}\n`);
    } else removeTree(runDir);
  }
}

/** Report options that name standard output; at most one may (`--tap - --json -` would interleave). */
export function stdoutTargets(flags: Pick<RunFlags, 'tap' | 'junit' | 'json'> & { html?: string }): string[] {
  return (['tap', 'junit', 'json', 'html'] as const).filter((k) => flags[k] === '-').map((k) => `--${k} -`);
}

/** The console report plus the files asked for (`-` is stdout; the console then moves to stderr). */
function openReports(flags: RunFlags): { reporter: Reporter; outputs: Output[] } {
  const outputs: Output[] = [];
  const reporters: Reporter[] = [];
  const open = (option: string, target: string | undefined, make: (o: Output) => Reporter) => {
    if (!target) return;
    try {
      const o = openOutput(target === '-' ? '-' : resolve(target));
      outputs.push(o);
      reporters.push(make(o));
    } catch (e) {
      throw new SetupError(`${option} ${target}: ${(e as Error).message}`);
    }
  };
  open('--tap', flags.tap, (o) => tapReporter(o.stream, { version: flags.tapVersion }));
  open('--junit', flags.junit, (o) => junitReporter(o.stream));
  open('--json', flags.json, (o) => jsonReporter(o.stream));
  const stdoutTaken = stdoutTargets(flags).length > 0;
  reporters.unshift(consoleReporter(stdoutTaken ? process.stderr : process.stdout, { verbose: flags.verbose, color: flags.color }));
  return { reporter: fanOut(reporters), outputs };
}
