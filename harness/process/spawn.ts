// Running a command with a deadline: the one place the harness runs a runtime.
import { spawn, type StdioOptions } from 'node:child_process';
import { constants } from 'node:os';
import { Deadline } from './wait.js';
import { refuseIfHalted } from './halt.js';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { repoRoot } from '../paths.js';
import { ReaperServer, type LaunchRequest, type ReaperHandle } from './reaper-server.js';

/** harness/native/reaper.c: runs each command as a child subreaper (see there). */
export const reaperPath = join(repoRoot, 'dist', 'reaper');

export interface SpawnResult {
  argv: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the command printed, at most KEEP_HEAD + KEEP_TAIL bytes of it (see Capture). */
  stdout: string;
  stderr: string;
  /** The deadline passed and the command, with everything it started, was killed. */
  timedOut: boolean;
  /** The command could not be started at all (ENOENT, EACCES…). */
  spawnError?: string;
  ms: number;
  /**
   * Processes the command left running when it ended (or when its deadline passed),
   * which were killed then: `PID ARGS` each. Empty with `hold`: see `held`.
   */
  leftovers: string[];
  /** With `hold`: what the command left running, kept until released. */
  held?: Held;
}

/** What a command run with `hold` left running (a container and whatever came with it). */
export interface Held {
  /** Kills everything still running below the command; resolves to what it killed (`PID ARGS` each). */
  release(): Promise<string[]>;
  /** How many processes the command left when it ended (its orphans, now the reaper's). */
  readonly left: number;
  /**
   * Whether everything the command left (at least one process), and all those started,
   * has exited since: nothing is left below the reaper. Exact (the reaper's waitpid),
   * a host fact, never a verdict.
   */
  readonly allExited: boolean;
}

export interface SpawnOptions {
  timeoutMs: number;
  /** stdin/stdout/stderr: 'pipe' captures; a number is an fd to hand over (e.g. a log file). */
  stdout?: 'pipe' | number;
  stderr?: 'pipe' | number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** fds handed to the command as its fds 3, 4, … (runc's --preserve-fds convention). */
  extraFds?: number[];
  /**
   * Keep what the command leaves running (create: the container) until `held.release()`,
   * instead of killing it as soon as the command ends.
   */
  hold?: boolean;
  /** With `hold`: how long what the command left may take to end by itself once released, before it is killed. */
  holdGraceMs?: number;
}

/** How much of a stream is kept: its first KEEP_HEAD bytes and its last KEEP_TAIL. */
export const KEEP_HEAD = 1 << 20;
export const KEEP_TAIL = 64 << 10;

/**
 * A stream's text, bounded: the head and the tail are kept, what lies between is
 * counted and dropped (a runtime that prints without end must not fill conform's memory).
 */
export class Capture {
  private readonly head: Buffer[] = [];
  private headLen = 0;
  private readonly tail: Buffer[] = [];
  private tailLen = 0;
  dropped = 0;

  constructor(
    private readonly headMax = KEEP_HEAD,
    private readonly tailMax = KEEP_TAIL,
  ) {}

  push(chunk: Buffer): void {
    if (this.headLen < this.headMax) {
      const take = chunk.subarray(0, this.headMax - this.headLen);
      this.head.push(take);
      this.headLen += take.length;
      chunk = chunk.subarray(take.length);
      if (!chunk.length) return;
    }
    this.tail.push(chunk);
    this.tailLen += chunk.length;
    while (this.tailLen > this.tailMax) {
      const first = this.tail[0]!;
      const excess = this.tailLen - this.tailMax;
      if (first.length <= excess) {
        this.tail.shift();
        this.dropped += first.length;
        this.tailLen -= first.length;
      } else {
        // A copy: a view would keep the whole chunk it came from alive.
        this.tail[0] = Buffer.from(first.subarray(excess));
        this.dropped += excess;
        this.tailLen -= excess;
      }
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped ? `${head}\n[… ${this.dropped} bytes dropped …]\n${tail}` : head + tail;
  }
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));

/** How long the reaper gets to kill what a command left before it is killed itself. */
const REAPER_GRACE_MS = 10_000;

/**
 * Runs argv with a deadline, under harness/native/reaper (a child subreaper in a
 * session of its own): whatever the command starts stays below it, however it
 * daemonizes. When the command ends, what it left running is killed and listed in
 * `leftovers` (or kept until `held.release()` with `hold`); at the deadline the
 * command and everything it started are killed. A Ctrl-C on the terminal reaches
 * conform alone, which then cleans up in order.
 *
 * When stdout/stderr are files, the result resolves when the command ends, not on
 * stream close: a container started by `create` inherits and keeps those fds.
 *
 * The reaper is forked by the reaper server (./reaper-server.ts), which costs far less
 * than Node's spawn of it; Node spawns it when the server is not up (yet).
 */
export function run(argv: string[], opts: SpawnOptions): Promise<SpawnResult> {
  try {
    refuseIfHalted();
  } catch (e) {
    return Promise.reject(e as Error);
  }
  const started = performance.now();
  return new Promise((resolve) => {
    const extra = opts.extraFds ?? [];
    const out = new Capture();
    const err = new Capture();
    const leftovers: string[] = [];
    let released: string[] | undefined; // killed at release, once the command had ended
    let timedOut = false;
    let settled = false;
    let code: number | null = null;
    let signal: NodeJS.Signals | null = null;
    let spawnError: string | undefined;
    let ended = false; // the command (not the reaper) ended
    let reaperGone = false;
    const goneWaiters: (() => void)[] = [];

    const child = startReaper({
      argv,
      hold: !!opts.hold,
      graceMs: opts.holdGraceMs ?? 0,
      input: opts.input,
      stdout: opts.stdout ?? 'pipe',
      stderr: opts.stderr ?? 'pipe',
      extraFds: extra,
      env: opts.env ?? process.env,
      cwd: opts.cwd,
    });
    const ctl = child.ctl;
    let fallback: NodeJS.Timeout | undefined;
    // The deadline does not count time the machine was too busy to run anything (harness/process/wait.ts).
    const cancelDeadline = new Deadline(opts.timeoutMs).onExpiry(() => {
      timedOut = true;
      child.signal('SIGTERM', true); // the reaper kills the command and all below it
      fallback = setTimeout(() => child.signal('SIGKILL'), REAPER_GRACE_MS);
    });

    let left = 0;
    let allExited = false;
    const held: Held = {
      get left() {
        return left;
      },
      get allExited() {
        return allExited;
      },
      release: () => {
        if (reaperGone) return Promise.resolve(released ?? []);
        released ??= [];
        return new Promise((res) => {
          goneWaiters.push(() => res(released ?? []));
          ctl?.end();
          const t = setTimeout(() => child.signal('SIGKILL'), REAPER_GRACE_MS + (opts.holdGraceMs ?? 0));
          goneWaiters.push(() => clearTimeout(t));
        });
      },
    };

    const finish = () => {
      if (settled) return;
      settled = true;
      cancelDeadline();
      resolve({
        argv,
        code,
        signal,
        stdout: out.text(),
        stderr: err.text(),
        timedOut,
        ...(spawnError ? { spawnError } : {}),
        ms: Math.round(performance.now() - started),
        leftovers,
        ...(opts.hold && !timedOut && !spawnError ? { held } : {}),
      });
    };
    // Piped output is complete once the pipes close, which a container or a forked
    // grandchild holding them may delay forever: give the streams a moment, bounded.
    let closedStreams = 0;
    const streams = [child.stdout, child.stderr].filter((s) => s !== null);
    let waitingForStreams = false;
    const finishAfterStreams = () => {
      if (waitingForStreams) return;
      waitingForStreams = true;
      if (closedStreams === streams.length) return finish();
      // Timers run before the poll phase: after a busy event loop this timer could fire
      // before the bytes already in the pipe were read (runc's state then looked empty
      // under load). setImmediate lets one poll phase read them first.
      setTimeout(() => setImmediate(finish), 200);
    };
    for (const s of streams) s.on('close', () => ++closedStreams === streams.length && waitingForStreams && finish());
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));

    let pending = '';
    const onLine = (line: string) => {
      const [word, ...rest] = line.split(' ');
      if (word === 'spawnerror') {
        spawnError = rest.join(' ');
        ended = true;
      } else if (word === 'exit' || word === 'signal') {
        if (word === 'exit') code = Number(rest[0]);
        else signal = SIGNAL_NAMES.get(Number(rest[0])) ?? null;
        ended = true;
        if (opts.hold && !timedOut) {
          released = [];
          finishAfterStreams();
        }
      } else if (word === 'left') {
        left = Number(rest[0]) || 0;
      } else if (word === 'empty') {
        allExited = left > 0;
      } else if (word === 'killed' || word === 'stuck') {
        const what = word === 'stuck' ? `${rest.join(' ')} (still there 5 s after SIGKILL)` : rest.join(' ');
        (released && !timedOut ? released : leftovers).push(what);
      }
    };
    ctl?.on('data', (d: Buffer) => {
      pending += d.toString('utf8');
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        onLine(pending.slice(0, i));
        pending = pending.slice(i + 1);
      }
    });
    ctl?.on('error', () => {}); // the reaper died: its exit says how
    const onGone = () => {
      reaperGone = true;
      clearTimeout(fallback);
      for (const w of goneWaiters.splice(0)) w();
      if (!ended && !spawnError && !timedOut) spawnError = `the reaper (${reaperPath}) ended before the command did`;
      finishAfterStreams();
    };
    // Gone: exited, and its last words read (the control socket's end).
    let exited = false;
    let ctlEnded = !ctl;
    child.events.on('exit', () => {
      exited = true;
      if (ctlEnded) onGone();
    });
    ctl?.on('close', () => {
      ctlEnded = true;
      if (exited) onGone();
    });
    child.events.on('error', (e: NodeJS.ErrnoException) => {
      spawnError = `${e.code ?? ''} ${e.message} (${reaperPath}: run \`npm run build\`)`.trim();
      reaperGone = true;
      finish();
    });
  });
}

let server: ReaperServer | undefined;
let serverOff = false;

/**
 * Whether commands start through the reaper server (the default), for tests of both ways;
 * resolves to whether the server is up.
 */
export async function useReaperServer(on: boolean): Promise<boolean> {
  serverOff = !on;
  if (!on) {
    await stopReaperServer();
    return false;
  }
  if (!server?.alive) server = new ReaperServer(reaperPath);
  return server.ready;
}

/** Stops the reaper server and waits for it to exit (a later command starts another). */
export async function stopReaperServer(): Promise<void> {
  const s = server;
  server = undefined;
  await s?.stop();
}

/**
 * Starts the reaper for one command: through the reaper server (./reaper-server.ts) when it
 * takes the request, else with Node's spawn. The server is started at the first command.
 */
function startReaper(req: LaunchRequest): ReaperHandle {
  if (!serverOff) server ??= new ReaperServer(reaperPath);
  if (server?.takes(req)) return server.launch(req);
  // The reaper's control channel comes after the fds the command is given.
  const stdio: StdioOptions = [req.input === undefined ? 'ignore' : 'pipe', req.stdout, req.stderr, ...req.extraFds, 'pipe'];
  const child = spawn(
    reaperPath,
    [...(req.hold ? ['--hold', '--grace', String(req.graceMs)] : []), '--ctl', String(3 + req.extraFds.length), '--', ...req.argv],
    { stdio, detached: true, env: req.env, cwd: req.cwd },
  );
  if (req.input !== undefined) {
    child.stdin?.on('error', () => {}); // a child that exits without reading its input is not our error
    child.stdin?.end(req.input);
  }
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    ctl: child.stdio[3 + req.extraFds.length] as Socket | null,
    events: child,
    signal: (sig, leaderOnly) => killGroup(child.pid, sig, leaderOnly),
  };
}

/** Signals a process group (or, when there is none, the process); `leaderOnly` signals the leader alone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals, leaderOnly = false): void {
  if (!pid) return;
  try {
    process.kill(leaderOnly ? pid : -pid, signal);
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
  if (r.timedOut) return `timed out after ${((timeoutMs ?? r.ms) / 1000).toFixed(0)}s and was killed`;
  if (r.signal) return `was killed by ${r.signal}`;
  return `exited with code ${r.code}`;
}
