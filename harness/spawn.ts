// Running a command with a deadline: the one place the harness spawns anything.
import { spawn, type StdioOptions } from 'node:child_process';
import { Deadline } from './wait.js';

export interface SpawnResult {
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The deadline (harness/wait.ts Deadline: load does not count) passed and the process group was killed with SIGKILL. */
  timedOut: boolean;
  /** The command could not be started at all (ENOENT, EACCES…). */
  spawnError?: string;
  ms: number;
}

export interface SpawnOptions {
  timeoutMs: number;
  /** stdin/stdout/stderr: 'pipe' captures; a number is an fd to hand over (e.g. a log file). */
  stdout?: 'pipe' | number;
  stderr?: 'pipe' | number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * Runs argv with a deadline. The child leads its own process group so that on expiry
 * the whole group (the runtime and whatever it forked and left in the group) is
 * killed, and so that a Ctrl-C on the terminal reaches conform alone, which then
 * cleans up in order.
 *
 * When stdout/stderr are files, the result resolves on exit, not on stream close:
 * a container started by `create` inherits and keeps those fds.
 */
export function run(argv: string[], opts: SpawnOptions): Promise<SpawnResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const stdio: StdioOptions = [opts.input === undefined ? 'ignore' : 'pipe', opts.stdout ?? 'pipe', opts.stderr ?? 'pipe'];
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const finish = (r: Omit<SpawnResult, 'argv' | 'stdout' | 'stderr' | 'timedOut' | 'ms'>) => {
      if (settled) return;
      settled = true;
      cancel();
      resolve({
        argv,
        ...r,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        ms: Math.round(performance.now() - started),
      });
    };
    const child = spawn(argv[0]!, argv.slice(1), { stdio, detached: true, env: opts.env, cwd: opts.cwd });
    const cancel = new Deadline(opts.timeoutMs).onExpiry(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    });
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e: NodeJS.ErrnoException) => finish({ code: null, signal: null, spawnError: `${e.code ?? ''} ${e.message}`.trim() }));
    if (opts.input !== undefined) {
      child.stdin?.on('error', () => {}); // a child that exits without reading its input is not our error
      child.stdin?.end(opts.input);
    }
    // 'close' waits for piped streams to end, which a forked grandchild can hold open
    // forever; piped output is complete at 'exit' in all but pathological cases, so
    // give the streams a moment after exit, bounded, then resolve. The grace timer can
    // fire before the event loop has read what the child wrote (timers run before the
    // poll phase: on a loaded machine, `state` then looked empty): setImmediate lets one
    // poll phase read every byte already in the pipe first.
    child.on('exit', (code, signal) => {
      if (!child.stdout && !child.stderr) return finish({ code, signal });
      const grace = setTimeout(() => setImmediate(() => finish({ code, signal })), 200);
      child.on('close', () => {
        clearTimeout(grace);
        finish({ code, signal });
      });
    });
  });
}

export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** One line describing how a command ended, for messages. */
export function describeExit(r: SpawnResult, timeoutMs?: number): string {
  if (r.spawnError) return `could not be started: ${r.spawnError}`;
  if (r.timedOut) return `timed out after ${((timeoutMs ?? r.ms) / 1000).toFixed(0)}s${timeoutMs !== undefined && r.ms > timeoutMs * 1.5 ? ` (${(r.ms / 1000).toFixed(0)}s of wall time on a loaded machine)` : ''} and was killed`;
  if (r.signal) return `was killed by ${r.signal}`;
  return `exited with code ${r.code}`;
}
