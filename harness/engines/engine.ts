// Driving a container engine (podman, containerd's ctr) from a case, with the runtime
// under test in place of runc: the engine's commands with a deadline, each logged to the
// case's calls.log as a line that can be pasted into a shell, and the runtime given to
// the engine as a small wrapper script (see writeRuntimeWrapper).
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CaseContext } from '../case/context.js';
import { callFailure } from '../case/context.js';
import { logCall, type CallResult, type RuntimeCommand } from '../process/driver.js';
import { describeExit, run } from '../process/spawn.js';
import { poll } from '../process/wait.js';
import { recordEngine } from '../run/timing.js';

/** A word as a POSIX shell reads it back. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export const shellLine = (argv: readonly string[]) => argv.map(shellQuote).join(' ');

/**
 * The runtime under test as an engine is to run it: a script of the runtime's own name
 * (engines treat some names specially) that puts conform's --runtime-arg arguments and
 * a --root in the case's directory before whatever the engine passes, logs the call to
 * the case's calls.log, and execs the runtime. Neither engine can carry these itself:
 * podman 4.3 drops --runtime-flag from the cleanup command conmon runs when a container
 * exits (its `delete` then goes to the runtime's default root), and containerd's runc
 * options have no field for extra arguments. The --root is added only when the engine
 * gives none first (containerd's shim always does, podman never).
 */
export function writeRuntimeWrapper(dir: string, rt: RuntimeCommand, root: string, log: string): string {
  mkdirSync(dir, { recursive: true });
  mkdirSync(root, { recursive: true });
  const path = join(dir, basename(rt.path));
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      '# conform: the runtime under test as the engine runs it (harness/engines/engine.ts).',
      `case "\${1-}" in --root|--root=*) ;; *) set -- --root ${shellQuote(root)} "$@" ;; esac`,
      `set -- ${shellLine([rt.path, ...rt.args])} "$@"`,
      `printf '%s\\n' "engine -> runtime: $*" >> ${shellQuote(log)}`,
      'exec "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return path;
}

export interface EngineCallOptions {
  timeoutMs?: number;
  input?: string;
  /** Run the command on a terminal of its own (util-linux `script`): for `-t`, which ctr refuses without one. */
  tty?: boolean;
}

/** A case's handle on an engine: its commands, logged, with the case's deadline rules. */
export class EngineSession {
  /** Deadline of one engine command: an engine makes several runtime calls per command. */
  readonly timeoutMs: number;

  constructor(
    readonly t: CaseContext,
    /** The engine's program, as messages name it (`podman`, `ctr`). */
    readonly program: string,
    /** The program and its global arguments. */
    private readonly base: readonly string[],
    private readonly env: Readonly<Record<string, string>> = {},
  ) {
    this.timeoutMs = t.rt.rt.timeoutMs * 3;
  }

  /** The command line for `args`, as calls.log shows it. */
  commandLine(args: readonly string[]): string {
    const env = Object.entries(this.env).map(([k, v]) => `${k}=${shellQuote(v)}`);
    return [...env, shellLine([...this.base, ...args])].join(' ');
  }

  async call(args: readonly string[], opts: EngineCallOptions = {}): Promise<CallResult> {
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const argv = opts.tty ? ['script', '-qec', shellLine([...this.base, ...args]), '/dev/null'] : [...this.base, ...args];
    // hold: what an engine starts and leaves (podman's conmon, the container below it) is
    // the case's until cleanup, after the engine's own removal and the runtime's delete;
    // it then gets a few seconds to wind down by itself (conmon runs podman's cleanup).
    const r = await run(argv, { timeoutMs, input: opts.input, env: { ...process.env, ...this.env }, cwd: this.t.dir, hold: true, holdGraceMs: 5000 });
    recordEngine(r.ms);
    if (r.held) this.t.rt.adopt(`${this.program} ${args.find((a) => !a.startsWith('-')) ?? ''}`.trim(), r.held);
    logCall(this.t.dir, this.commandLine(args) + (opts.tty ? '   (on a terminal: script -qec)' : ''), r, timeoutMs);
    const ok = r.code === 0 && !r.timedOut && !r.signal && !r.spawnError;
    return { ...r, ok, summary: `${this.program} ${args.find((a) => !a.startsWith('-')) ?? ''} ${describeExit(r, timeoutMs)}` };
  }

  /** A command that must succeed: else the case fails with the engine's own message. */
  async must(args: readonly string[], opts: EngineCallOptions = {}): Promise<CallResult> {
    const r = await this.call(args, opts);
    if (!r.ok) this.t.abort(callFailure(`${this.program} ${shellLine(args.slice(0, 3))}…`, r));
    return r;
  }
}

/** Polls `probe` until it returns a value (not undefined), or fails the case with `what` at the deadline. */
export async function waitFor<T>(t: CaseContext, what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const v = await poll(probe, { timeoutMs, pauseMs: 20, maxPauseMs: 200 });
  return v ?? t.abort(`${what}: not within ${Math.round(timeoutMs / 1000)}s`);
}
