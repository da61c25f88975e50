// The command line, with runc's conventions: global --root/--log/--log-format/--debug
// before the command; errors are one line on stderr and exit status 1. The table below
// is parsed by ./argv.ts; each command's action imports what it runs when it runs, and
// scripts/bundles.mjs reads those imports between `command('x'` and the next
// `command(` to build the command's own bundle: keep one action per command() call.
import { resolve } from 'node:path';
import { exitNow } from './addon.js';
import { parse, type CommandSpec, type OptionSpec, type ProgramSpec, type Values } from './argv.js';
import { RuntimeError, oneLine } from './errors.js';
import { ranCommand } from './launcher.js';
import { Logger, stderr, stdout } from './log.js';
import { OCI_VERSION } from './state/store.js';
import type { Syscalls } from './syscalls.js';

export const VERSION = '0.1.0';
const DEFAULT_ROOT = '/run/conform-runtime';

/**
 * The syscall layer, for the commands that make syscalls: imported when one runs, so
 * that `state`, `list` and the other read-only commands never evaluate the bindings.
 */
let layer: Syscalls | undefined;
const syscalls = async (): Promise<Syscalls> => (layer ??= (await import('./syscalls-libc.js')).libc());

/**
 * Ends a call that ran its command: with _exit, after the 'exit' event (exitNow: Node's
 * teardown cost ~1.5-3 ms of CPU a call, npm run bench's teardown column, more than
 * loading the addon for it, so the read-only commands load it too), unless Node was given
 * options, which may ask for work at exit (--cpu-prof, NODE_V8_COVERAGE write their
 * files then); with process.exit then, rather than when the event loop drains: Node
 * skips freeing its heap page by page (create's CLI unmapped ~40 regions on its way
 * out), which the kernel does at once. Everything an action writes is written
 * synchronously, and what it leaves running (the init) it has unref'd.
 */
function end(code: number): never {
  const { NODE_OPTIONS, NODE_V8_COVERAGE } = process.env;
  if (process.execArgv.length === 0 && !NODE_OPTIONS && !NODE_V8_COVERAGE) exitNow(code);
  process.exit(code);
}

/** What an action gets: its arguments (defaults applied, the variadic one spread) and options. */
interface Call {
  root: string;
  args: string[];
  o: Values;
  /** Names the call for its errors and opens the --log logger. */
  setUp: (what: string) => Logger;
}

interface Runnable extends CommandSpec {
  action: (c: Call) => void | Promise<void>;
}

const command = (name: string, spec: Omit<CommandSpec, 'name'>, action: Runnable['action']): Runnable => ({ name, ...spec, action });

const str = (o: Values, k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
const flag = (o: Values, k: string): boolean => o[k] === true;
const list = (o: Values, k: string): string[] => {
  const v = o[k];
  return Array.isArray(v) ? v : [];
};
/** An option with choices: parse() let only those through. */
const format = (o: Values): 'table' | 'json' => (o.format === 'json' ? 'json' : 'table');

const ID = { name: 'id', help: 'container id' };
const BUNDLE: OptionSpec = { long: 'bundle', short: 'b', value: 'dir', help: 'bundle directory (default: the current directory)' };
const PID_FILE: OptionSpec = { long: 'pid-file', value: 'file', help: "write the container process's pid to this file" };
const CONSOLE_SOCKET: OptionSpec = { long: 'console-socket', value: 'path', help: 'unix socket to send the pty master to (process.terminal)' };
const PRESERVE_FDS: OptionSpec = { long: 'preserve-fds', value: 'n', help: 'pass this many fds from 3 on to the container process, as 3, 4, …' };
// runc's, accepted for callers that pass them: this runtime always pivots, and has no keyrings to make.
const RUNC_ONLY: OptionSpec[] = [{ long: 'no-pivot' }, { long: 'no-new-keyring' }];
const FORMAT = (help: string): OptionSpec => ({ long: 'format', short: 'f', value: 'format', help, choices: ['table', 'json'], default: 'table' });

const commands: Runnable[] = [
  command(
    'create',
    {
      description: 'create a container from a bundle; its process runs only at start',
      arguments: [ID],
      options: [BUNDLE, PID_FILE, CONSOLE_SOCKET, PRESERVE_FDS, ...RUNC_ONLY],
    },
    async ({ root, args: [id], o, setUp }) => {
      const log = setUp(`create ${id}`);
      const { create } = await import('./commands/create.js');
      const { parsePreserveFds } = await import('./commands/preserve-fds.js');
      await create({
        root,
        id,
        bundle: str(o, 'bundle'),
        pidFile: str(o, 'pidFile'),
        consoleSocket: str(o, 'consoleSocket'),
        preserveFds: parsePreserveFds(str(o, 'preserveFds')),
        log,
        sys: await syscalls(),
      });
    },
  ),

  command('start', { description: 'run the user process of a created container', arguments: [ID] }, async ({ root, args: [id], setUp }) => {
    const log = setUp(`start ${id}`);
    const { start } = await import('./commands/start.js');
    await start({ root, id, log, sys: await syscalls() });
  }),

  command('state', { description: 'print the state of a container as JSON', arguments: [ID] }, async ({ root, args: [id], setUp }) => {
    setUp(`state ${id}`);
    const { state } = await import('./commands/state.js');
    state({ root, id });
  }),

  command(
    'kill',
    {
      description: 'send a signal (default SIGTERM) to the container process',
      arguments: [ID, { name: 'signal', help: 'name (TERM, SIGKILL) or number', optional: true, default: 'SIGTERM' }],
      options: [{ long: 'all', short: 'a', help: "signal every process in the container's cgroup too" }],
    },
    async ({ root, args: [id, signal], o, setUp }) => {
      setUp(`kill ${id}`);
      const { kill } = await import('./commands/kill.js');
      kill({ root, id, signal, all: flag(o, 'all'), sys: await syscalls() });
    },
  ),

  command(
    'delete',
    {
      description: 'delete a stopped container and everything create made',
      arguments: [ID],
      options: [{ long: 'force', short: 'f', help: 'kill the container first if it is not stopped' }],
    },
    async ({ root, args: [id], o, setUp }) => {
      const log = setUp(`delete ${id}`);
      const { del } = await import('./commands/delete.js');
      await del({ root, id, force: flag(o, 'force'), log, sys: await syscalls() });
    },
  ),

  command('features', { description: 'print the features this runtime implements as JSON' }, async ({ setUp }) => {
    setUp('features');
    const { features } = await import('./commands/features.js');
    features();
  }),

  command(
    'list',
    { description: 'list the containers', options: [FORMAT('output format'), { long: 'quiet', short: 'q', help: 'print only the ids' }] },
    async ({ root, o, setUp }) => {
      setUp('list');
      const { list } = await import('./commands/state.js');
      list({ root, format: format(o), quiet: flag(o, 'quiet') });
    },
  ),

  command(
    'run',
    {
      description: 'create and start a container; without --detach, wait for it and delete it',
      arguments: [ID],
      options: [BUNDLE, PID_FILE, { long: 'detach', short: 'd', help: 'return once the container runs' }, CONSOLE_SOCKET, PRESERVE_FDS, ...RUNC_ONLY],
    },
    async ({ root, args: [id], o, setUp }) => {
      const log = setUp(`run ${id}`);
      const { run } = await import('./commands/run.js');
      const { parsePreserveFds } = await import('./commands/preserve-fds.js');
      process.exitCode = await run({
        root,
        id,
        bundle: str(o, 'bundle'),
        pidFile: str(o, 'pidFile'),
        detach: flag(o, 'detach'),
        consoleSocket: str(o, 'consoleSocket'),
        preserveFds: parsePreserveFds(str(o, 'preserveFds')),
        log,
        sys: await syscalls(),
      });
    },
  ),

  command(
    'exec',
    {
      description: 'run a process in a created or running container',
      arguments: [ID, { name: 'command', help: 'the command and its arguments', optional: true, variadic: true }],
      options: [
        { long: 'process', short: 'p', value: 'file', help: 'a JSON process object (config.md process) instead of the command' },
        { long: 'env', short: 'e', value: 'K=V', help: 'add an environment variable (repeatable)', repeatable: true },
        { long: 'cwd', value: 'dir', help: 'working directory in the container' },
        { long: 'user', short: 'u', value: 'uid[:gid]', help: 'user to run as' },
        { long: 'additional-gids', short: 'g', value: 'gid', help: 'an additional group (repeatable)', repeatable: true },
        { long: 'cap', short: 'c', value: 'CAP_NAME', help: 'add a capability to the bounding, effective and permitted sets (repeatable)', repeatable: true },
        { long: 'no-new-privs', help: 'set no_new_privs for the process' },
        { long: 'detach', short: 'd', help: 'do not wait for the process' },
        { long: 'pid-file', value: 'file', help: "write the process's pid to this file" },
        { long: 'tty', short: 't', help: 'give the process a pseudoterminal (needs --console-socket)' },
        { long: 'console-socket', value: 'path', help: 'unix socket to send the pty master to (with --tty)' },
        { long: 'preserve-fds', value: 'n', help: 'pass this many fds from 3 on to the process, as 3, 4, …' },
        { long: 'ignore-paused', help: 'exec even if the container is paused' },
        { long: 'apparmor', value: 'profile', help: 'AppArmor profile (refused: no AppArmor support)' },
        { long: 'process-label', value: 'label', help: 'SELinux label (refused: no SELinux support)' },
      ],
      // `exec ID sh -c x`: -c is sh's.
      passThrough: true,
    },
    async ({ root, args: [id, ...command], o, setUp }) => {
      const log = setUp(`exec ${id}`);
      const { exec } = await import('./commands/exec.js');
      const { parsePreserveFds } = await import('./commands/preserve-fds.js');
      process.exitCode = await exec({
        root,
        id,
        args: command,
        processFile: str(o, 'process'),
        env: list(o, 'env'),
        cwd: str(o, 'cwd'),
        user: str(o, 'user'),
        additionalGids: list(o, 'additionalGids'),
        caps: list(o, 'cap'),
        noNewPrivs: flag(o, 'noNewPrivs'),
        detach: flag(o, 'detach'),
        pidFile: str(o, 'pidFile'),
        tty: flag(o, 'tty'),
        consoleSocket: str(o, 'consoleSocket'),
        preserveFds: parsePreserveFds(str(o, 'preserveFds')),
        ignorePaused: flag(o, 'ignorePaused'),
        apparmor: str(o, 'apparmor'),
        processLabel: str(o, 'processLabel'),
        log,
        sys: await syscalls(),
      });
    },
  ),

  command(
    'pause',
    { description: 'freeze every process of a container (cgroup freezer); state then reads paused', arguments: [ID] },
    async ({ root, args: [id], setUp }) => {
      setUp(`pause ${id}`);
      const { pause } = await import('./commands/pause.js');
      pause({ root, id, resume: false, sys: await syscalls() });
    },
  ),

  command('resume', { description: 'thaw a paused container', arguments: [ID] }, async ({ root, args: [id], setUp }) => {
    setUp(`resume ${id}`);
    const { pause } = await import('./commands/pause.js');
    pause({ root, id, resume: true, sys: await syscalls() });
  }),

  command(
    'ps',
    {
      description: 'list the processes of a container (ps options may follow the id)',
      arguments: [ID, { name: 'ps-options', help: 'options for ps(1) (default -ef)', optional: true, variadic: true }],
      options: [FORMAT('table (ps output) or json (pids)')],
      passThrough: true,
    },
    async ({ root, args: [id, ...psArgs], o, setUp }) => {
      setUp(`ps ${id}`);
      const { ps } = await import('./commands/ps.js');
      ps({ root, id, format: format(o), psArgs });
    },
  ),

  command(
    'update',
    {
      description: 'update the resource limits of a container (linux.resources)',
      arguments: [ID],
      options: [
        { long: 'resources', short: 'r', value: 'file', help: 'a JSON linux.resources object, - for stdin (the other flags are then ignored)' },
        { long: 'blkio-weight', value: 'n', help: 'block I/O weight (10-1000)' },
        { long: 'cpu-period', value: 'us', help: 'CPU CFS period' },
        { long: 'cpu-quota', value: 'us', help: 'CPU CFS quota (-1: none)' },
        { long: 'cpu-share', value: 'n', help: 'CPU shares' },
        { long: 'cpu-rt-period', value: 'us', help: 'CPU real-time period' },
        { long: 'cpu-rt-runtime', value: 'us', help: 'CPU real-time runtime' },
        { long: 'cpuset-cpus', value: 'list', help: 'CPUs to use (0-3,6)' },
        { long: 'cpuset-mems', value: 'list', help: 'memory nodes to use' },
        { long: 'memory', value: 'bytes', help: 'memory limit (k, m, g suffixes; -1: none)' },
        { long: 'memory-reservation', value: 'bytes', help: 'memory soft limit' },
        { long: 'memory-swap', value: 'bytes', help: 'memory + swap limit (-1: unlimited swap)' },
        { long: 'pids-limit', value: 'n', help: 'maximum number of pids (-1: none)' },
        { long: 'kernel-memory', value: 'bytes' },
        { long: 'kernel-memory-tcp', value: 'bytes' },
        { long: 'l3-cache-schema', value: 'schema', help: 'Intel RDT L3 schema (refused: no RDT support)' },
        { long: 'mem-bw-schema', value: 'schema', help: 'Intel RDT memory bandwidth schema (refused: no RDT support)' },
      ],
    },
    async ({ root, args: [id], o, setUp }) => {
      const log = setUp(`update ${id}`);
      const { update } = await import('./commands/update.js');
      // Every option of update takes a value: the flags are the string values.
      const flags = Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
      update({ root, id, flags, log, sys: await syscalls() });
    },
  ),

  command(
    'events',
    {
      description: 'print resource usage (and OOM events) of a container as JSON',
      arguments: [ID],
      options: [
        { long: 'stats', help: 'print the usage once and exit' },
        { long: 'interval', value: 'duration', help: 'time between stats events', default: '5s' },
      ],
    },
    async ({ root, args: [id], o, setUp }) => {
      setUp(`events ${id}`);
      const { events } = await import('./commands/events.js');
      await events({ root, id, stats: flag(o, 'stats'), interval: str(o, 'interval') ?? '5s' });
    },
  ),

  // criu (Debian's 3.17) cannot dump on this project's kernels; refused outright, and
  // left out of `features`, rather than half done.
  ...['checkpoint', 'restore'].map((name) =>
    command(
      name,
      {
        description: `(not supported: ${name} needs CRIU, which this runtime does not use)`,
        arguments: [{ name: 'args', optional: true, variadic: true }],
        lenient: true,
      },
      ({ setUp }) => {
        setUp(name);
        throw new RuntimeError('not supported: this runtime does not implement checkpoint/restore (CRIU)');
      },
    ),
  ),

  command(
    'spec',
    { description: 'write a default config.json', options: [{ ...BUNDLE, help: 'where to write it (default: the current directory)' }] },
    async ({ o, setUp }) => {
      setUp('spec');
      const { spec } = await import('./commands/spec.js');
      spec({ bundle: str(o, 'bundle') });
    },
  ),
];

export const program: ProgramSpec = {
  name: 'conform-runtime',
  description: 'The reference OCI runtime of conform (runtime-spec 1.3)',
  options: [
    { long: 'version', short: 'v', help: 'output the version number' },
    { long: 'root', value: 'dir', help: "directory for the containers' state", default: DEFAULT_ROOT },
    { long: 'log', value: 'file', help: 'append errors, warnings (and debug lines) to this file' },
    { long: 'log-format', value: 'format', help: 'format of --log', choices: ['text', 'json'], default: 'text' },
    { long: 'debug', help: 'log debug lines' },
    // Accepted for callers that pass runc's global flags; this runtime has no systemd driver.
    { long: 'systemd-cgroup' },
  ],
  commands,
};

const logger = (g: Values): Logger => new Logger(str(g, 'log'), g.logFormat === 'json' ? 'json' : 'text', flag(g, 'debug'));

export async function runCli(argv: string[]): Promise<void> {
  const call = parse(program, argv);
  if (call.kind === 'version') return stdout(`conform-runtime version ${VERSION}\nspec: ${OCI_VERSION}\n`);
  if (call.kind === 'help') {
    if (call.exitCode === 0) return stdout(call.text);
    stderr(call.text.trimEnd());
    process.exit(1);
  }
  if (call.kind === 'error') {
    // Usage errors go to --log too (containerd reads its error from there).
    const msg = oneLine(call.message);
    logger(call.globals).error(msg);
    stderr(`conform-runtime: ${msg}`);
    process.exit(1);
  }
  let context = '';
  let log = new Logger();
  const setUp = (what: string): Logger => {
    context = what;
    log = logger(call.globals);
    return log;
  };
  try {
    const action = commands.find((c) => c.name === call.command)?.action;
    // A relative --root is below the working directory (runc makes it absolute too): the
    // init, which works from other directories, opens the state directory's files.
    await action?.({ root: resolve(str(call.globals, 'root') ?? DEFAULT_ROOT), args: call.args, o: call.options, setUp });
    ranCommand();
  } catch (err) {
    const msg = oneLine(err);
    log.error(context ? `${context}: ${msg}` : msg);
    // oneLine: the context holds the id as given, which may hold a newline.
    stderr(oneLine(`conform-runtime: ${context ? `${context}: ` : ''}${msg}`));
    end(1);
  }
  end(Number(process.exitCode ?? 0));
}
