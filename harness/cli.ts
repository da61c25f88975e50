// conform's command line: plan, set up, run, report, and an exit code CI can gate on.
import { Command, InvalidArgumentError, Option } from 'commander';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ALL_CASES } from '../suites/index.js';
import { fanOut, type Reporter } from '../reports/reporter.js';
import { consoleReporter } from '../reports/console.js';
import { tapReporter } from '../reports/tap.js';
import { junitReporter } from '../reports/junit.js';
import { jsonReporter } from '../reports/json.js';
import { openOutput, type Output } from '../reports/output.js';
import { differing, matrixRows, parseReport, renderHtml, renderMarkdown } from '../reports/matrix.js';
import { loadBaseline, type Baseline } from './baseline.js';
import { releaseOwner, sweepStaleRuns, writeOwner } from './stale.js';
import { coverage, formatCoverage, unknownRequirements } from './coverage.js';
import { detectHost, detectRuntime } from './env.js';
import { SetupError } from './errors.js';
import { referenceRuntime, repoRoot } from './paths.js';
import { plan, parseShard } from './plan.js';
import { countOutcomes, isBad, type RunSummary } from './result.js';
import { defaultCacheDir, ensureRootfs } from './rootfs.js';
import { runCases } from './runner.js';
import { formatTiming, runTiming } from './timing.js';
import { Services } from './services.js';
import { removeTree } from './cleanup.js';
import { formatProblems, validateBundle } from './validate.js';
import type { RuntimeCommand } from './driver.js';

interface RunFlags {
  runtime?: string;
  runtimeArg: string[];
  grep: string[];
  area: string[];
  requirement: string[];
  shard?: string;
  list?: boolean;
  jobs: number;
  timeout: number;
  keep?: boolean;
  tap?: string;
  junit?: string;
  json?: string;
  expect?: string;
  strict?: boolean;
  verbose?: boolean;
  color?: boolean;
  workdir?: string;
  cacheDir?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
  return n;
};

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
  throw new SetupError(`--runtime ${name}: not found${name.includes('/') ? '' : ' on PATH'}; give the path to a runtime binary, e.g. --runtime /usr/bin/runc (apt-get install -y runc)`);
}

async function runCommand(flags: RunFlags): Promise<number> {
  const problems = unknownRequirements(ALL_CASES);
  if (problems.length) throw new Error(`cases cite requirement IDs the catalogue lacks:\n  ${problems.join('\n  ')}`);
  if (flags.shard) parseShard(flags.shard);
  const cases = plan(ALL_CASES, { grep: flags.grep, areas: flags.area, requirements: flags.requirement, shard: flags.shard });
  // Since the process started: loading the suites is most of building the plan.
  const planMs = performance.now();
  const unknownAreas = flags.area.filter((a) => !ALL_CASES.some((c) => c.area === a));
  if (unknownAreas.length) throw new SetupError(`--area ${unknownAreas.join(', ')}: no such area (areas: ${[...new Set(ALL_CASES.map((c) => c.area))].join(', ')})`);

  if (flags.list) {
    for (const c of cases) {
      const extra = [c.needs?.length ? `needs ${c.needs.join(', ')}` : '', c.disputed ? 'disputed' : ''].filter(Boolean).join('; ');
      process.stdout.write(`${c.id}  ${c.title}${extra ? `  [${extra}]` : ''}\n    ${c.requirements.join(' ')}\n`);
    }
    process.stdout.write(`${cases.length} case(s)\n`);
    return 0;
  }
  if (!cases.length) throw new SetupError('no case matches the filters (see --list)');

  // Everything that can be wrong with the command or the machine, before anything is created.
  if (process.getuid?.() !== 0) throw new SetupError('conform must run as root: it creates containers (try: sudo conform …)');
  const rt: RuntimeCommand = { path: resolveRuntime(flags.runtime ?? referenceRuntime), args: flags.runtimeArg, timeoutMs: flags.timeout * 1000 };
  const rootfs = ensureRootfs(flags.cacheDir ?? defaultCacheDir());
  let baseline: Baseline | undefined;
  if (flags.expect) {
    const loaded = loadBaseline(flags.expect, new Set(ALL_CASES.map((c) => c.id)));
    baseline = loaded.baseline;
    for (const w of loaded.warnings) process.stderr.write(`conform: warning: ${w}\n`);
  }
  const workdir = flags.workdir ?? tmpdir();
  if (!existsSync(workdir) || !statSync(workdir).isDirectory()) throw new SetupError(`--workdir ${workdir}: not a directory (create it first)`);
  const reports = openReports(flags);

  // From here on a Ctrl-C stops the run in order: containers killed and deleted, run directory removed.
  const aborter = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++interrupts === 1) {
      process.stderr.write(`\nconform: ${sig}: stopping; cleaning up containers (again to exit at once, leaving them)\n`);
      aborter.abort();
    } else {
      // The reapers of the runtime calls see conform go and kill what they hold.
      process.stderr.write('conform: exiting at once: the run directory stays (the next run in this --workdir removes it)\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  for (const note of await sweepStaleRuns(workdir)) process.stderr.write(`conform: ${note}\n`);
  const runDir = mkdtempSync(join(workdir, 'conform-'));
  const tag = randomBytes(3).toString('hex');
  const services = new Services(runDir, tag, rootfs);
  try {
    // mkdtemp makes it 0700: a container in a user namespace (mapped root is not host root)
    // could not even reach its bundle's rootfs. Search only, no listing.
    chmodSync(runDir, 0o711);
    writeOwner(runDir, tag, !!flags.keep);
    const env = { host: detectHost(), runtime: await detectRuntime(rt, join(runDir, '.features')) };
    const runtime = { path: rt.path, args: rt.args, version: env.runtime.version };
    const started = Date.now();
    reports.reporter.start({ total: cases.length, runtime });
    if (env.runtime.featuresNote && flags.verbose) process.stderr.write(`conform: ${env.runtime.featuresNote}\n`);
    const results = await runCases(cases, {
      rt,
      env,
      runDir,
      rootfs,
      jobs: flags.jobs,
      keep: !!flags.keep,
      baseline,
      reporter: reports.reporter,
      signal: aborter.signal,
      tag,
      services,
    });
    for (const note of await services.stopAll()) process.stderr.write(`conform: ${note}\n`);
    const bad = results.some((r) => isBad(r, flags.strict)) || aborter.signal.aborted;
    const timing = runTiming(results.map((r) => r.timing), { wallMs: Date.now() - started, jobs: flags.jobs, planMs });
    const summary: RunSummary = {
      runtime,
      startedAt: new Date(started).toISOString(),
      durationMs: Date.now() - started,
      counts: countOutcomes(results),
      results,
      exitCode: bad ? 1 : 0,
      timing,
    };
    await reports.reporter.finish(summary);
    if (flags.verbose) process.stderr.write(`conform: ${formatTiming(timing, summary.durationMs)}\n`);
    for (const o of reports.outputs) await o.close();
    return aborter.signal.aborted ? 130 : summary.exitCode;
  } finally {
    // Again, for the paths that did not get there (an exception); a no-op otherwise.
    for (const note of await services.stopAll()) process.stderr.write(`conform: ${note}\n`);
    if (flags.keep) {
      releaseOwner(runDir);
      process.stderr.write(`conform: kept bundles, runtime state and logs in ${runDir}\n`);
    } else removeTree(runDir);
  }
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
  open('--tap', flags.tap, (o) => tapReporter(o.stream));
  open('--junit', flags.junit, (o) => junitReporter(o.stream));
  open('--json', flags.json, (o) => jsonReporter(o.stream));
  const stdoutTaken = [flags.tap, flags.junit, flags.json].includes('-');
  reporters.unshift(consoleReporter(stdoutTaken ? process.stderr : process.stdout, { verbose: flags.verbose, color: flags.color }));
  return { reporter: fanOut(reporters), outputs };
}

function coverageCommand(opts: { uncovered?: boolean; json?: boolean }): number {
  const rows = coverage(ALL_CASES);
  if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${formatCoverage(rows, opts)}\n`);
  return 0;
}

function matrixCommand(files: string[], opts: { html?: string; md?: string; differing?: boolean }): number {
  const reports = files.map((f) => {
    try {
      return parseReport(readFileSync(f, 'utf8'), f);
    } catch (e) {
      throw new SetupError((e as Error).message);
    }
  });
  const rows = opts.differing ? differing(matrixRows(reports)) : matrixRows(reports);
  const write = (target: string, text: string) => (target === '-' ? process.stdout.write(text) : writeFileSync(target, text));
  if (opts.html) write(opts.html, renderHtml(reports, rows));
  if (opts.md || !opts.html) write(opts.md ?? '-', renderMarkdown(reports, rows));
  return 0;
}

async function validateCommand(dir: string): Promise<number> {
  const bundle = isAbsolute(dir) ? dir : resolve(dir);
  if (!existsSync(bundle) || !statSync(bundle).isDirectory()) throw new SetupError(`${dir}: not a bundle directory`);
  const { problems } = await validateBundle(bundle);
  if (problems.length) process.stdout.write(`${formatProblems(problems)}\n`);
  const errors = problems.filter((p) => p.level === 'error').length;
  process.stdout.write(errors ? `${bundle}: ${errors} error(s), ${problems.length - errors} warning(s)\n` : `${bundle}: valid${problems.length ? ` (${problems.length} warning(s))` : ''}\n`);
  return errors ? 1 : 0;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('conform')
    .description('OCI runtime-spec conformance harness: runs conformance cases against a runtime binary')
    .showHelpAfterError('(conform --help for usage)')
    .addOption(new Option('--runtime <path>', 'runtime binary to test (default: conform\'s reference runtime)'))
    .option('--runtime-arg <arg>', 'global argument passed to the runtime before each command (repeatable)', collect, [])
    .option('--grep <pattern>', 'only cases whose id or title matches (regular expression; repeatable)', collect, [])
    .option('--area <name>', 'only cases of this area (repeatable)', collect, [])
    .option('--requirement <id>', 'only cases checking this requirement ID or prefix (repeatable)', collect, [])
    .option('--shard <i/n>', 'run the i-th of n slices of the plan')
    .option('--list', 'print the plan and run nothing')
    .option('--jobs <n>', 'cases run at once', positiveInt('--jobs'), cpus().length)
    .option('--timeout <seconds>', 'deadline for each runtime call', positiveInt('--timeout'), 10)
    .option('--keep', 'keep each case\'s bundle, runtime state and logs, and print where')
    .option('--tap <file>', 'write TAP 14 (- for stdout)')
    .option('--junit <file>', 'write JUnit XML (- for stdout)')
    .option('--json <file>', 'write JSON (- for stdout)')
    .option('--expect <file>', 'baseline of cases expected to fail on this runtime (JSON, each with a reason)')
    .option('--strict', 'count skips and unexpected passes as failures')
    .option('--verbose', 'print every case, not only failures')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour')
    .option('--workdir <dir>', 'where the run directory is created (default: the system temp dir)')
    .option('--cache-dir <dir>', `where the busybox rootfs is cached (default: ${defaultCacheDir()})`)
    .action(async (flags: RunFlags) => setExit(await runCommand(flags)));

  program
    .command('coverage')
    .description('per spec file: requirements in the catalogue and how many cases check')
    .option('--uncovered', 'list the requirements no case checks')
    .option('--json', 'JSON output')
    .action((opts: { uncovered?: boolean; json?: boolean }) => setExit(coverageCommand(opts)));

  program
    .command('matrix <report...>')
    .description('compare runs: JSON reports (--json) side by side, one column per runtime')
    .option('--html <file>', 'write an HTML page (- for stdout)')
    .option('--md <file>', 'write Markdown (- for stdout; the default)')
    .option('--differing', 'only the cases whose outcomes differ between the runs')
    .action((files: string[], opts: { html?: string; md?: string; differing?: boolean }) => setExit(matrixCommand(files, opts)));

  program
    .command('validate <bundle>')
    .description("check a bundle's config.json against the schema and the spec's static rules")
    .action(async (dir: string) => setExit(await validateCommand(dir)));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c)).exitOverride();
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) return 2; // commander printed the message
    if (e instanceof SetupError) {
      process.stderr.write(`conform: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`conform: internal error: ${(e as Error).stack ?? String(e)}\n(please report this with the command you ran; repo: ${repoRoot})\n`);
    return 2;
  }
}
