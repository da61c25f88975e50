// conform's command line: the options and commands, and how every error becomes one line
// and an exit code (2 for usage and set-up errors, never a stack trace but for our own bugs).
import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { ALL_CASES } from '../suites/index.js';
import { TAP_VERSIONS, type TapVersion } from '../reports/tap.js';
import { coverage, formatCoverage } from '../harness/run/coverage.js';
import { SetupError } from '../harness/errors.js';
import { conformVersion, PACKAGE_NAME, repoRoot } from '../harness/paths.js';
import { parseShard } from '../harness/run/plan.js';
import { baselineCommand, matrixCommand, mergeCommand, reportCommand, type OutputFlags } from './report-commands.js';
import { defaultCacheDir } from '../harness/host/rootfs.js';
import { runCommand, stdoutTargets, type RunFlags } from './run-command.js';
import { formatProblems, validateBundle } from '../schemas/validate.js';

const collect = (v: string, prev: string[]) => [...prev, v];
const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number of at least 1`);
  return n;
};
const shardOption = (v: string) => {
  try {
    return parseShard(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^--shard [^:]*: /, ''));
  }
};
const tapVersion = (v: string): TapVersion => {
  const n = Number(v);
  if (!TAP_VERSIONS.includes(n as TapVersion)) throw new InvalidArgumentError(`--tap-version must be ${TAP_VERSIONS.join(' or ')}`);
  return n as TapVersion;
};

/** At most one report may go to standard output. */
function oneStdout(flags: { tap?: string; junit?: string; json?: string; html?: string }): void {
  const taken = stdoutTargets(flags);
  if (taken.length > 1) throw new SetupError(`${taken.join(' and ')}: only one report can go to standard output; write the others to files`);
}

function coverageCommand(opts: { uncovered?: boolean; json?: boolean }): number {
  const rows = coverage(ALL_CASES);
  if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${formatCoverage(rows, opts)}\n`);
  return 0;
}

async function validateCommand(dir: string): Promise<number> {
  const bundle = isAbsolute(dir) ? dir : resolve(dir);
  if (!existsSync(bundle) || !statSync(bundle).isDirectory()) throw new SetupError(`${dir}: not a bundle directory`);
  const { problems } = await validateBundle(bundle);
  if (problems.length) process.stdout.write(`${formatProblems(problems)}\n`);
  const errors = problems.filter((p) => p.level === 'error').length;
  process.stdout.write(
    errors
      ? `${bundle}: ${errors} error(s), ${problems.length - errors} warning(s)\n`
      : `${bundle}: valid${problems.length ? ` (${problems.length} warning(s))` : ''}\n`,
  );
  return errors ? 1 : 0;
}

/** The report-writing options `merge` and `report` share. */
function outputOptions(cmd: Command): Command {
  return cmd
    .option('--json <file>', 'write the JSON report (- for stdout)')
    .option('--tap <file>', 'write TAP (- for stdout)')
    .option('--tap-version <n>', 'the TAP version to announce: 13 (prove and every TAP reader) or 14', tapVersion, 13)
    .option('--junit <file>', 'write JUnit XML (- for stdout)')
    .option('--html <file>', 'write a self-contained HTML page (- for stdout)');
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('conform');
  // Before any subcommand is added, so that they inherit it: errors are thrown to main(), which prints one line.
  program
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .enablePositionalOptions()
    .version(`conform ${conformVersion} (${PACKAGE_NAME})`, '-V, --version', "print conform's version")
    .description('OCI runtime-spec conformance harness: runs conformance cases against a runtime binary')
    .addOption(new Option('--runtime <path>', "runtime binary to test (default: conform's reference runtime)"))
    .option('--runtime-arg <arg>', 'global argument passed to the runtime before each command (repeatable)', collect, [])
    .option('--grep <pattern>', 'only cases whose id or title matches (regular expression; repeatable)', collect, [])
    .option('--area <name>', 'only cases of this area (repeatable)', collect, [])
    .option('--requirement <id>', 'only cases checking this requirement ID or prefix (repeatable)', collect, [])
    .option('--shard <i/n>', 'run the i-th of n slices of the plan, balanced by expected cost (merge them with `conform merge`)', shardOption)
    .option('--list', 'print the plan and run nothing')
    .option('--jobs <n>', 'cases run at once', positiveInt('--jobs'), cpus().length)
    .option('--timeout <seconds>', 'deadline for each runtime call', positiveInt('--timeout'), 10)
    .option('--keep', "keep each case's bundle, runtime state and logs, and print where")
    .option('--tap <file>', 'write TAP (- for stdout)')
    .option('--tap-version <n>', 'the TAP version to announce: 13 (prove and every TAP reader) or 14', tapVersion, 13)
    .option('--junit <file>', 'write JUnit XML (- for stdout)')
    .option('--json <file>', 'write the JSON report (- for stdout)')
    .option('--expect <file>', 'baseline of cases expected to fail on this runtime (JSON, each with a reason)')
    .option('--strict', 'count skips and unexpected passes as failures')
    .option('--verbose', 'print every case, not only failures')
    .option('--color', 'force colour')
    .option('--no-color', 'no colour')
    .option('--workdir <dir>', 'where the run directory is created (default: the system temp dir)')
    .option('--cache-dir <dir>', `where the busybox rootfs is cached (default: ${defaultCacheDir()})`)
    .action(async (flags: RunFlags) => {
      oneStdout(flags);
      setExit(await runCommand(flags));
    });

  outputOptions(program.command('merge <report...>'))
    .description("merge the shards' JSON reports (--shard i/n --json F) into one run; exits 1 when the whole run fails")
    .addHelpText('after', '\nThe shards must be of one plan, runtime, conform version, baseline and --strict; every shard once.')
    .action((files: string[], opts: OutputFlags) => {
      oneStdout(opts);
      setExit(mergeCommand(files, opts));
    });

  outputOptions(program.command('report <report>'))
    .description("write a run's JSON report (--json) in other formats: an HTML page for people, JUnit, TAP")
    .action((file: string, opts: OutputFlags) => {
      oneStdout(opts);
      setExit(reportCommand(file, opts));
    });

  program
    .command('baseline')
    .description('write a baseline from a run: keeps existing reasons, adds new failures with a TODO reason, drops what passes now')
    .requiredOption('--from <report>', "the run's JSON report")
    .option('--update <file>', 'the baseline to update in place (default: print a new one)')
    .action((opts: { from: string; update?: string }) => setExit(baselineCommand(opts)));

  program
    .command('coverage')
    .description('per spec file: requirements in the catalogue and how many cases check')
    .option('--uncovered', 'list the requirements no case checks')
    .option('--json', 'JSON output')
    .action((opts: { uncovered?: boolean; json?: boolean }) => setExit(coverageCommand(opts)));

  program
    .command('matrix <report...>')
    .description('compare runs: JSON reports (--json) side by side, one column per run')
    .option('--html <file>', 'write an HTML page (- for stdout)')
    .option('--md <file>', 'write Markdown (- for stdout; the default)')
    .option('--differing', 'only the cases whose outcomes differ between the runs, and failures they all share')
    .action((files: string[], opts: { html?: string; md?: string; differing?: boolean }) => {
      if (opts.html === '-' && opts.md === '-') throw new SetupError('--html - and --md -: only one can go to standard output');
      setExit(matrixCommand(files, opts));
    });

  program
    .command('validate <bundle>')
    .description("check a bundle's config.json against the schema and the spec's static rules")
    .action(async (dir: string) => setExit(await validateCommand(dir)));
  return program;
}

/** commander's own messages (`error: unknown option '--x'`) as one line of ours. */
function usageLine(message: string): string {
  return `conform: ${message
    .replace(/^error:\s*/, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()} (conform --help for usage)`;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      process.stderr.write(`${usageLine(err.message ?? err.code)}\n`);
      return 2;
    }
    if (e instanceof SetupError) {
      process.stderr.write(`conform: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 2;
    }
    process.stderr.write(
      `conform: internal error: ${(e as Error).stack ?? String(e)}\n(please report this with the command you ran; ${PACKAGE_NAME} ${conformVersion} in ${repoRoot})\n`,
    );
    return 2;
  }
}
