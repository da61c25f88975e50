// Drives a runtime binary through the runc-style CLI of runtime.md's operations.
// Every call gets a private --root, a deadline, and a line in the case's calls.log.
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupDirsNamedBy } from '../host/cgroups.js';
import { isAlive, startTime } from '../host/hostfacts.js';
import { describeExit, run, type Held, type SpawnResult } from './spawn.js';
import { poll } from './wait.js';
import { recordCall, recordEngine } from '../run/timing.js';

export interface RuntimeCommand {
  /** The runtime binary. */
  path: string;
  /** Global arguments placed before the command (--runtime-arg). */
  args: string[];
  /** Deadline for each call. */
  timeoutMs: number;
}

export interface CallResult extends SpawnResult {
  /** Exit 0, not killed, not timed out. */
  ok: boolean;
  /** One line: the command and how it ended. */
  summary: string;
}

export interface StateResult extends CallResult {
  /** The parsed state JSON, when the call succeeded and printed JSON. */
  state?: Record<string, unknown>;
  parseError?: string;
}

export interface CallOptions {
  /** fds for the runtime's stdout/stderr (else captured). */
  stdout?: number;
  stderr?: number;
  /** Where the runtime's own stderr output starts in that file. */
  stderrOffset?: number;
  input?: string;
  timeoutMs?: number;
  /** Default: the case's directory, so that anything a runtime or hook writes to a relative path stays in it. */
  cwd?: string;
  /** The umask the runtime is started with (the caller's umask, as config.md calls it). */
  umask?: number;
  /**
   * The oom_score_adj the runtime is started with (the caller's, which config.md says an
   * unset `oomScoreAdj` MUST NOT change). Raising it needs no privilege; lowering it may.
   */
  oomScoreAdj?: number;
  /**
   * A command the runtime is run under (`nice -n 5`, `linux32`): the caller's inherited
   * attributes (nice value, personality) that a config setting must override.
   */
  wrap?: string[];
  /** fds the runtime gets as its fds 3, 4, … (for `--preserve-fds`, or to see that it keeps them from the container). */
  extraFds?: number[];
}

/** Commands whose leftovers are the container: kept (`hold`) until cleanup. */
const LEAVES_CONTAINER = new Set(['create', 'run', 'exec']);

/**
 * While the process a container's last `state` reported still runs, waitStopped() asks
 * `state` again only this often: a runtime whose pid is not the container's process
 * (runsc's sandbox) is still asked, just not at every pause.
 */
const ASK_WHILE_RUNNING_MS = 250;

/** At most this much of a call's stderr goes to calls.log. */
const LOG_STDERR = 4096;

/** Appends a command and how it ended (with its stderr) to `<logDir>/calls.log`, the record a kept case leaves; returns the entry. */
export function logCall(logDir: string, command: string, r: SpawnResult, timeoutMs: number): string {
  let said = r.stderr.trim();
  if (said.length > LOG_STDERR) said = `${said.slice(0, LOG_STDERR)} […${said.length - LOG_STDERR} more characters]`;
  const err = said ? `\n  stderr: ${said.split('\n').join('\n          ')}` : '';
  const entry = `$ ${command}\n  ${describeExit(r, timeoutMs)} (${r.ms} ms)${err}\n`;
  appendFileSync(join(logDir, 'calls.log'), entry);
  return entry;
}

export class Driver {
  /** Container ids this driver has asked to create, for cleanup. */
  readonly created = new Set<string>();
  /** calls.log's entries, kept in memory too: a failed case's report shows them. */
  readonly transcript: string[] = [];
  /**
   * The status each container had at the last `state` that answered, until it is created
   * again or deleted: cleanup deletes a container known stopped without asking again.
   */
  readonly lastStatus = new Map<string, string>();
  /**
   * The pid the last `state` of each container reported, with that process's start time
   * then: whether it still runs is a host fact (/proc), asked of no runtime.
   */
  private readonly lastPid = new Map<string, { pid: number; started: string | undefined }>();
  /** Containers whose last create was refused, or that a delete since their create removed. */
  private readonly ended = new Set<string>();
  /**
   * Ended containers (above) that a `state` since then said no such container of (a clean
   * error), with no other call naming them after it: what cleanup would ask, answered.
   */
  private readonly stateSaidGone = new Set<string>();
  /**
   * Containers whose process (the pid their last `state` reported) a waitStopped that
   * accepts it saw exit, with no call naming them since: cleanup deletes them without
   * asking `state` first, and a delete refused sends it the long way.
   */
  private readonly exitSeen = new Set<string>();
  /**
   * What each container's last create left running, as the reaper saw it: whether all of
   * it has exited is a host fact (exact, no pid lookup) that, like lastPid, only ever
   * spares a `state` call. A runtime whose create leaves nothing (a daemon's) says nothing here.
   */
  private readonly createLeft = new Map<string, Held>();
  /**
   * Cgroup directories the case's cgroupsPath named that did not exist before a create:
   * the runtime made them for the case's container (cleanup may empty and remove them).
   */
  readonly cgroupsMade = new Set<string>();
  /** What the runtime did that is not a verdict but is its fault (processes it left), for the case's notes. */
  readonly notes: string[] = [];
  /**
   * A command every call is run under, cleanup's included (e.g. `nsenter --uts=… --`: a
   * runtime namespace of the case's own). Set it before the first create.
   */
  wrapAll: string[] = [];
  /** What create (run, exec) calls left running: the containers, killed at cleanup. */
  private readonly held: { call: string; held: Held; engine?: boolean }[] = [];

  constructor(
    readonly rt: RuntimeCommand,
    /** --root for every call: the runtime's state for this case only. */
    readonly root: string,
    /** Where stdio files and calls.log go. */
    readonly logDir: string,
  ) {}

  private log(r: CallResult): void {
    this.transcript.push(logCall(this.logDir, r.argv.join(' '), r, this.rt.timeoutMs));
  }

  argv(command: string, args: string[]): string[] {
    return [this.rt.path, ...this.rt.args, '--root', this.root, command, ...args];
  }

  async call(command: string, args: string[], opts: CallOptions = {}): Promise<CallResult> {
    const timeoutMs = opts.timeoutMs ?? this.rt.timeoutMs;
    let argv = this.argv(command, args);
    if (opts.wrap?.length) argv = [...opts.wrap, ...argv];
    if (this.wrapAll.length) argv = [...this.wrapAll, ...argv];
    // Node cannot set a child's umask or oom_score_adj: a shell sets them and execs the runtime.
    const setup: string[] = [];
    if (opts.umask !== undefined) setup.push(`umask ${opts.umask.toString(8).padStart(4, '0')}`);
    if (opts.oomScoreAdj !== undefined) setup.push(`echo ${Math.trunc(opts.oomScoreAdj)} > /proc/self/oom_score_adj`);
    if (setup.length) argv = ['/bin/sh', '-c', `${setup.join(' && ')} && exec "$@"`, 'sh', ...argv];
    // Any other call naming a container may change what `state` would say of it.
    if (command !== 'state') for (const a of args) this.stateSaidGone.delete(a);
    for (const a of args) this.exitSeen.delete(a);
    const hold = LEAVES_CONTAINER.has(command);
    const r = await run(argv, {
      timeoutMs,
      stdout: opts.stdout ?? 'pipe',
      stderr: opts.stderr ?? 'pipe',
      input: opts.input,
      cwd: opts.cwd ?? this.logDir,
      hold,
      extraFds: opts.extraFds,
    });
    recordCall(r.ms);
    const ok = r.code === 0 && !r.timedOut && !r.signal && !r.spawnError;
    const result: CallResult = { ...r, ok, summary: `${command} ${describeExit(r, timeoutMs)}` };
    const call = [command, args.at(-1) ?? ''].join(' ').trim();
    if (r.held) this.held.push({ call, held: r.held });
    if (r.leftovers.length) this.notes.push(leftNote(`\`${call}\` ${r.timedOut ? 'timed out and' : 'returned, but'} left`, r.leftovers));
    if (typeof opts.stderr === 'number') {
      // The runtime wrote into the container's stderr file: what it added during the call is its message.
      result.stderr = readFrom(opts.stderr, opts.stderrOffset ?? 0);
    }
    this.log(result);
    return result;
  }

  /** The container's stdout/stderr files (create hands them to the container). */
  stdioPath(id: string, stream: 'stdout' | 'stderr'): string {
    return join(this.logDir, `${id}.${stream}`);
  }

  /**
   * `create --bundle DIR ID`. The runtime's stdio, which the container inherits
   * (terminal: false), goes to `<id>.stdout` / `<id>.stderr` in the log directory.
   */
  async create(
    id: string,
    bundle: string,
    extra: string[] = [],
    opts: { cwd?: string; umask?: number; oomScoreAdj?: number; wrap?: string[]; extraFds?: number[] } = {},
  ): Promise<CallResult> {
    this.created.add(id);
    this.lastStatus.delete(id);
    this.lastPid.delete(id);
    this.createLeft.delete(id);
    // Those that exist once create has run were made for this container.
    const named = cgroupDirsNamedBy(join(bundle, 'config.json')).filter((d) => !existsSync(d));
    const out = openSync(this.stdioPath(id, 'stdout'), 'a');
    const err = openSync(this.stdioPath(id, 'stderr'), 'a+');
    this.ended.delete(id);
    try {
      const stderrOffset = fstatSync(err).size;
      const r = await this.call('create', ['--bundle', bundle, ...extra, id], {
        stdout: out,
        stderr: err,
        stderrOffset,
        cwd: opts.cwd,
        umask: opts.umask,
        oomScoreAdj: opts.oomScoreAdj,
        wrap: opts.wrap,
        extraFds: opts.extraFds,
      });
      if (!r.ok) this.ended.add(id);
      else if (r.held?.left) this.createLeft.set(id, r.held);
      return r;
    } finally {
      for (const d of named) if (existsSync(d)) this.cgroupsMade.add(d);
      closeSync(out);
      closeSync(err);
    }
  }

  start(id: string): Promise<CallResult> {
    return this.call('start', [id]);
  }

  async state(id: string): Promise<StateResult> {
    const r: StateResult = await this.call('state', [id]);
    if (r.ok) {
      try {
        const parsed: unknown = JSON.parse(r.stdout);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) r.state = parsed as Record<string, unknown>;
        else r.parseError = 'state output is not a JSON object';
      } catch (e) {
        r.parseError = `state output is not JSON: ${(e as Error).message}`;
      }
    }
    if (typeof r.state?.status === 'string') this.lastStatus.set(id, r.state.status);
    else this.lastStatus.delete(id);
    if (this.ended.has(id) && !r.ok && r.code !== null && !r.timedOut) this.stateSaidGone.add(id);
    else this.stateSaidGone.delete(id);
    const pid = r.state?.pid;
    if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && r.state?.status !== 'stopped') this.lastPid.set(id, { pid, started: startTime(pid) });
    else this.lastPid.delete(id);
    return r;
  }

  /**
   * Whether the process the last `state` of `id` reported still runs (the same pid with
   * the same start time, not a zombie): a host fact, no runtime call. False when no
   * state reported one. Only ever a reason not to ask `state` yet, never a verdict: a
   * runtime whose pid is not the container's process (a sandbox's) is still asked.
   */
  pidRuns(id: string): boolean {
    const last = this.lastPid.get(id);
    return last !== undefined && last.started !== undefined && isAlive(last.pid) && startTime(last.pid) === last.started;
  }

  /** Whether the reaper holds what the last create of `id` left (one process or more): see createLeft. */
  holdsCreated(id: string): boolean {
    return this.createLeft.has(id);
  }

  /** Whether what the last create of `id` left (one process or more) still runs, in part: see createLeft. */
  private leftRuns(id: string): boolean {
    const held = this.createLeft.get(id);
    return held !== undefined && !held.allExited;
  }

  /**
   * Whether everything the last create of `id` left (held by the reaper) has exited. No
   * process of the runtime's is then left to act on the container later: what other
   * calls leave is killed when they return. False when the reaper held nothing of it.
   */
  createLeftExited(id: string): boolean {
    return this.createLeft.get(id)?.allExited === true;
  }

  /** Whether the container's process has visibly exited: the pid its last state named, or all its create left. */
  private exitedOnHost(id: string): boolean {
    return (this.lastPid.has(id) && !this.pidRuns(id)) || this.createLeftExited(id);
  }

  /**
   * Polls `state` until `id` is stopped, and returns the last answer (at the deadline,
   * one is asked if none was). While the pid its last state reported still runs, it
   * asks only every ASK_WHILE_RUNNING_MS: most waits take one call, right after the
   * process died, instead of one per pause. With `exitSuffices`, that process visibly
   * gone ends the wait without a call ('exited'): for a caller that deletes next, whose
   * delete says whether the runtime agrees (a delete refused takes the long way).
   */
  async waitStopped(
    id: string,
    timeoutMs: number,
    onState: (r: StateResult) => void = () => undefined,
    opts: { exitSuffices?: boolean } = {},
  ): Promise<StateResult | 'exited'> {
    let last: StateResult | undefined;
    let asked = performance.now();
    const ended = await poll(
      async () => {
        const runs = this.pidRuns(id) || this.leftRuns(id);
        // A pid still known (a state that failed or said stopped forgets it) whose process
        // is gone, or all that create left gone, and nothing of either still running.
        if (opts.exitSuffices && !runs && this.exitedOnHost(id)) return 'exited' as const;
        if (runs && performance.now() - asked < ASK_WHILE_RUNNING_MS) return undefined;
        asked = performance.now();
        last = await this.state(id);
        onState(last);
        return last.state?.status === 'stopped' && ('stopped' as const);
      },
      { timeoutMs, pauseMs: 10, maxPauseMs: 100 },
    );
    if (ended === 'exited') {
      this.exitSeen.add(id);
      return ended;
    }
    if (last === undefined) {
      // The deadline passed while the pid ran, before any state was asked.
      last = await this.state(id);
      onState(last);
    }
    return last;
  }

  kill(id: string, signal: string): Promise<CallResult> {
    return this.call('kill', [id, signal]);
  }

  async delete(id: string, force = false): Promise<CallResult> {
    const r = await this.call('delete', force ? ['--force', id] : [id]);
    if (r.ok) {
      this.lastStatus.delete(id);
      this.ended.add(id);
    }
    return r;
  }

  /**
   * Whether the runtime has said the container is no more: its last create failed, or a
   * delete since succeeded. (Cleanup still asks `state`, which a container that is in
   * fact there answers, unless goneSinceState.)
   */
  saidGone(id: string): boolean {
    return this.ended.has(id);
  }

  /**
   * Whether a `state` after the refused create (or the delete) of saidGone already said
   * there is no such container, and no call named it since: asking again tells nothing new.
   */
  goneSinceState(id: string): boolean {
    return this.stateSaidGone.has(id);
  }

  /** Whether a waitStopped that accepts it saw the process of `id` exit, and no call named it since. */
  exitedSinceState(id: string): boolean {
    return this.exitSeen.has(id);
  }

  features(): Promise<CallResult> {
    return this.call('features', []);
  }

  /** Keeps what a command run outside the driver (an engine's) left, to kill at cleanup like create's. */
  adopt(call: string, held: Held): void {
    this.held.push({ call, held, engine: true });
  }

  /**
   * Kills what the create (run, exec) calls left that is still running: by now, after
   * the runtime's own delete, nothing should be. Returns one note per call that had left
   * something (the case's report blames the runtime there).
   */
  async releaseHeld(): Promise<string[]> {
    const notes: string[] = [];
    for (const { call, held, engine } of this.held.splice(0)) {
      const started = performance.now();
      const killed = await held.release();
      // An engine's machinery winding down by itself (its grace) is the engine's time.
      if (engine) recordEngine(performance.now() - started);
      if (killed.length) notes.push(leftNote(`cleanup: \`${call}\` had left`, killed, ' still running after delete'));
    }
    return notes;
  }
}

/** "WHAT 2 process(es) running; killed: 123 sleep 100, 124 …", at most five listed. */
function leftNote(what: string, procs: string[], when = ''): string {
  const shown = procs.slice(0, 5).join('; ') + (procs.length > 5 ? `; and ${procs.length - 5} more` : '');
  return `${what} ${procs.length} process(es)${when}; killed them: ${shown}`;
}

function readFrom(fd: number, offset: number): string {
  const size = fstatSync(fd).size - offset;
  if (size <= 0) return '';
  const buf = Buffer.alloc(Math.min(size, 64 * 1024));
  const n = readSync(fd, buf, 0, buf.length, offset);
  return buf.subarray(0, n).toString('utf8');
}
