// The command line, with runc's conventions: global --root/--log/--log-format/--debug
// before the command; errors are one line on stderr and exit status 1.
import { Command, CommanderError, Option } from 'commander';
import { oneLine } from './errors.js';
import { Logger, stderr, stdout, type LogFormat } from './log.js';
import { OCI_VERSION } from './state/store.js';

export const VERSION = '0.1.0';
const DEFAULT_ROOT = '/run/conform-runtime';

interface Globals {
  root: string;
  log?: string;
  logFormat: LogFormat;
  debug?: boolean;
}

export async function runCli(argv: string[]): Promise<void> {
  let context = '';
  let logger = new Logger();
  const program = new Command('conform-runtime');
  const globals = (): Globals => program.opts<Globals>();
  const setUp = (what: string): Logger => {
    context = what;
    const g = globals();
    logger = new Logger(g.log, g.logFormat, g.debug === true);
    return logger;
  };

  program
    .description('The reference OCI runtime of conform (runtime-spec 1.3)')
    .version(`conform-runtime version ${VERSION}\nspec: ${OCI_VERSION}`, '-v, --version')
    .option('--root <dir>', 'directory for the containers\' state', DEFAULT_ROOT)
    .option('--log <file>', 'append errors, warnings (and debug lines) to this file')
    .addOption(new Option('--log-format <format>', 'format of --log').choices(['text', 'json']).default('text'))
    .option('--debug', 'log debug lines')
    // Accepted for callers that pass runc's global flags; this runtime has no systemd driver.
    .addOption(new Option('--systemd-cgroup').hideHelp())
    .exitOverride()
    .configureOutput({ writeOut: (s) => stdout(s), writeErr: (s) => stderr(s.trimEnd()), outputError: (s, write) => write(`conform-runtime: ${s.replace(/^error: /, '')}`) })
    .showSuggestionAfterError(false)
    // Global options before the command, and `exec ID cmd -c …` passes -c to cmd.
    .enablePositionalOptions();

  program.command('create')
    .description('create a container from a bundle; its process runs only at start')
    .argument('<id>', 'container id')
    .option('-b, --bundle <dir>', 'bundle directory (default: the current directory)')
    .option('--pid-file <file>', 'write the container process\'s pid to this file')
    .option('--console-socket <path>', 'unix socket to send the pty master to (process.terminal)')
    .addOption(new Option('--no-pivot').hideHelp())
    .addOption(new Option('--no-new-keyring').hideHelp())
    .action(async (id: string, o: { bundle?: string; pidFile?: string; consoleSocket?: string }) => {
      const log = setUp(`create ${id}`);
      const { create } = await import('./commands/create.js');
      await create({ root: globals().root, id, bundle: o.bundle, pidFile: o.pidFile, consoleSocket: o.consoleSocket, log });
    });

  program.command('start')
    .description('run the user process of a created container')
    .argument('<id>', 'container id')
    .action(async (id: string) => {
      const log = setUp(`start ${id}`);
      const { start } = await import('./commands/start.js');
      await start({ root: globals().root, id, log });
    });

  program.command('state')
    .description('print the state of a container as JSON')
    .argument('<id>', 'container id')
    .action(async (id: string) => {
      setUp(`state ${id}`);
      const { state } = await import('./commands/state.js');
      state({ root: globals().root, id });
    });

  program.command('kill')
    .description('send a signal (default SIGTERM) to the container process')
    .argument('<id>', 'container id')
    .argument('[signal]', 'name (TERM, SIGKILL) or number', 'SIGTERM')
    .option('-a, --all', 'signal every process in the container\'s cgroup too')
    .action(async (id: string, signal: string, o: { all?: boolean }) => {
      setUp(`kill ${id}`);
      const { kill } = await import('./commands/kill.js');
      kill({ root: globals().root, id, signal, all: o.all === true });
    });

  program.command('delete')
    .description('delete a stopped container and everything create made')
    .argument('<id>', 'container id')
    .option('-f, --force', 'kill the container first if it is not stopped')
    .action(async (id: string, o: { force?: boolean }) => {
      const log = setUp(`delete ${id}`);
      const { del } = await import('./commands/delete.js');
      await del({ root: globals().root, id, force: o.force === true, log });
    });

  program.command('features')
    .description('print the features this runtime implements as JSON')
    .action(async () => {
      setUp('features');
      const { features } = await import('./commands/features.js');
      features();
    });

  program.command('list')
    .description('list the containers')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'print only the ids')
    .action(async (o: { format: 'table' | 'json'; quiet?: boolean }) => {
      setUp('list');
      const { list } = await import('./commands/state.js');
      list({ root: globals().root, format: o.format, quiet: o.quiet === true });
    });

  program.command('run')
    .description('create and start a container; without --detach, wait for it and delete it')
    .argument('<id>', 'container id')
    .option('-b, --bundle <dir>', 'bundle directory (default: the current directory)')
    .option('--pid-file <file>', 'write the container process\'s pid to this file')
    .option('-d, --detach', 'return once the container runs')
    .option('--console-socket <path>', 'unix socket to send the pty master to (process.terminal)')
    .action(async (id: string, o: { bundle?: string; pidFile?: string; detach?: boolean; consoleSocket?: string }) => {
      const log = setUp(`run ${id}`);
      const { run } = await import('./commands/run.js');
      process.exitCode = await run({ root: globals().root, id, bundle: o.bundle, pidFile: o.pidFile, detach: o.detach === true, consoleSocket: o.consoleSocket, log });
    });

  program.command('exec')
    .description('run a process in a created or running container')
    .argument('<id>', 'container id')
    .argument('[command...]', 'the command and its arguments')
    .option('-p, --process <file>', 'a JSON process object (config.md process) instead of the command')
    .option('-e, --env <K=V>', 'add an environment variable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--cwd <dir>', 'working directory in the container')
    .option('-u, --user <uid[:gid]>', 'user to run as')
    .option('-d, --detach', 'do not wait for the process')
    .option('--pid-file <file>', 'write the process\'s pid to this file')
    .option('-t, --tty', 'give the process a pseudoterminal (needs --console-socket)')
    .option('--console-socket <path>', 'unix socket to send the pty master to (with --tty)')
    .passThroughOptions()
    .action(async (id: string, command: string[], o: { process?: string; env: string[]; cwd?: string; user?: string; detach?: boolean; pidFile?: string; tty?: boolean; consoleSocket?: string }) => {
      const log = setUp(`exec ${id}`);
      const { exec } = await import('./commands/exec.js');
      const code = await exec({ root: globals().root, id, args: command, processFile: o.process, env: o.env, cwd: o.cwd, user: o.user, detach: o.detach === true, pidFile: o.pidFile, tty: o.tty === true, consoleSocket: o.consoleSocket, log });
      process.exitCode = code;
    });

  program.command('spec')
    .description('write a default config.json')
    .option('-b, --bundle <dir>', 'where to write it (default: the current directory)')
    .action(async (o: { bundle?: string }) => {
      setUp('spec');
      const { spec } = await import('./commands/spec.js');
      spec(o);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; usage errors were already printed by commander.
      process.exit(err.exitCode === 0 ? 0 : 1);
    }
    const msg = oneLine(err);
    logger.error(context ? `${context}: ${msg}` : msg);
    // oneLine: the context holds the id as given, which may hold a newline.
    stderr(oneLine(`conform-runtime: ${context ? `${context}: ` : ''}${msg}`));
    process.exit(1);
  }
}
