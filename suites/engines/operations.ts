// The operation cases every engine has (run, run -t, exec, exec -t, pause/resume, stop,
// kill, rm, seccomp): what each checks is the same whatever the engine, so it is said
// once here; an engine file gives only what differs, its command lines and how it reads
// results back (an Engine).
import { readFileSync } from 'node:fs';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { waitFor, type EngineCallOptions, type EngineSession } from '../../harness/engines/engine.js';
import { isAlive } from '../../harness/host/hostfacts.js';
import type { CallResult, Driver } from '../../harness/process/driver.js';
import { poll } from '../../harness/process/wait.js';
import {
  DETACHED,
  engineCase,
  EXEC_FACTS,
  freezerState,
  isFrozen,
  lineWith,
  onTerminal,
  SECCOMP_FACTS,
  TTY_FACTS,
  TTY_FACTS_FILE,
  TTY_FACTS_KEPT,
} from './common.js';

export type Operation = 'run' | 'run-tty' | 'exec' | 'exec-tty' | 'pause-resume' | 'stop' | 'kill' | 'rm' | 'seccomp';

/** A fact an engine read back, what the case expects of it, and where it was read (the assertion's words). */
export interface Reading {
  actual: unknown;
  expected: unknown;
  what: string;
}

/** How a shared case runs a process: plain (its exit code is the case's), on a terminal, or under the engine's default seccomp profile. */
export type RunMode = 'plain' | 'tty' | 'seccomp';

/** An exec'd process: its name (ctr's --exec-id), on a terminal or not, and the engine's own exec flags. */
export interface ExecMode {
  name: string;
  tty?: boolean;
  flags?: readonly string[];
}

/** What one engine says for the shared cases. Every case's container is named for the case (t.id). */
export interface Engine<S extends EngineSession> {
  /** The engine in case ids: `engines.<name>.<operation>`. */
  name: string;
  needs: readonly string[];
  /** Its `-t` commands need a terminal of their own (ctr refuses -t without one): they run under util-linux `script`. */
  ttyNeedsTerminal: boolean;
  titles: Readonly<Record<Operation, string>>;
  session(t: CaseContext): Promise<S>;
  /** The runtime as it knows the engine's containers (its --root): its `state` says whether it still has one. */
  runtime(s: S): Driver;

  /** The engine's arguments for `run --rm` of `argv` (called once per run). */
  runArgs(s: S, id: string, argv: readonly string[], mode: RunMode): string[];
  /** After a plain run: the runtime's id of the container it ran. */
  ranId(s: S, id: string): string;
  /** Starts DETACHED and waits until it has said @@ready: the runtime's id of the container and its process's pid. */
  detached(s: S, id: string): Promise<{ id: string; pid: number }>;
  exec(s: S, id: string, argv: readonly string[], mode: ExecMode): Promise<CallResult>;
  /** The flags of the exec case: the engine's exec options, a script that shows their effect, and the line expected. */
  execFlags: { flags: readonly string[]; script: string; expected: string };

  pause(s: S, id: string): Promise<void>;
  resume(s: S, id: string): Promise<void>;
  /** The engine's word for resume (`resume`, `unpause`), as the pause-resume case's messages say it. */
  resumeVerb: string;
  /** The container's status as the engine reports it, with where it is read and the words for paused and running. */
  status: { read(s: S, id: string): Promise<string | undefined>; from: string; paused: string; running: string };

  /** Stops the container (SIGTERM), until it has exited: what the engine reports about that, to check. */
  stop(s: S, id: string): Promise<Reading[]>;
  /** Sends SIGUSR1, until the container has exited: what the engine reports about that, to check. */
  kill(s: S, id: string): Promise<Reading[]>;
  /** The output of the detached container's process. */
  output(s: S, id: string): Promise<string>;
  /** Removes the running container, force: the engine's own view of it afterwards, to check. */
  remove(s: S, id: string): Promise<Reading>;
  /** The removal's command line, as messages say it (`podman rm -f`). */
  removeWords: string;
}

/** The runtime itself no longer knows the container (its `state` fails), within the deadline. */
async function runtimeForgets(t: CaseContext, rt: Driver, id: string, what: string): Promise<void> {
  const forgot = await poll(async () => !(await rt.state(id)).ok, { timeoutMs: t.rt.rt.timeoutMs * 3, pauseMs: 100, maxPauseMs: 100 });
  if (!forgot)
    t.req('runtime:delete.removes-resources').ok(
      false,
      `${what}: the runtime still has container ${id} (its state succeeds): the engine's delete did not remove it`,
    );
}

/** The engine's cases, one per operation, in this order. */
export function engineCases<S extends EngineSession>(e: Engine<S>): Case[] {
  const ttyCall: EngineCallOptions = e.ttyNeedsTerminal ? { tty: true } : {};
  /** The case of `op` (`tty`: its engine command wants a terminal): its check runs with the engine's session for the case. */
  const at = (op: Operation, requirements: string[], exercises: string[], check: (t: CaseContext, s: S) => Promise<void>, tty = false) =>
    defineCase(
      engineCase({
        id: `engines.${e.name}.${op}`,
        title: e.titles[op],
        requirements,
        exercises,
        needs: tty && e.ttyNeedsTerminal ? [...e.needs, 'tool:script'] : [...e.needs],
        check: async (t) => check(t, await e.session(t)),
      }),
    );
  return [
    at('run', ['runtime:create.new-container', 'runtime:start.runs-program', 'runtime:delete.removes-resources'], ['process.args'], async (t, s) => {
      const r = await s.call(e.runArgs(s, t.id, ['sh', '-c', 'echo "@@ran pid=$$"; exit 3'], 'plain'));
      if (r.code !== 3)
        t.req('runtime:start.runs-program').fail(
          `${s.program} run: expected the process's exit code 3, but ${r.summary}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`,
        );
      t.req('runtime:create.new-container', 'runtime:start.runs-program').equal(
        lineWith(r.stdout, '@@ran'),
        '@@ran pid=1',
        "the process's output (pid 1 of its own pid namespace)",
      );
      await runtimeForgets(t, e.runtime(s), e.ranId(s, t.id), `after ${s.program} run --rm`);
    }),
    at(
      'run-tty',
      ['config:process.terminal', 'runtime:start.runs-program'],
      ['process.terminal'],
      async (t, s) => {
        const r = await s.must(e.runArgs(s, t.id, TTY_FACTS, 'tty'), ttyCall);
        t.req('config:process.terminal').ok(onTerminal(r.stdout), 'stdin and stdout of the process are a terminal', {
          expected: '@@tty yes …',
          actual: r.stdout.trim(),
        });
      },
      true,
    ),
    at('exec', ['runtime:operations.supported', 'runtime:state.status-running'], ['op:exec'], async (t, s) => {
      await e.detached(s, t.id);
      const r = await e.exec(s, t.id, EXEC_FACTS, { name: 'facts' });
      t.req('runtime:operations.supported').equal(
        lineWith(r.stdout, '@@exec'),
        `@@exec 0 / ${DETACHED.join(' ')}`,
        "the exec'd process: uid, cwd, and pid 1 of its pid namespace (the container's process)",
      );
      const { flags, script, expected } = e.execFlags;
      const f = await e.exec(s, t.id, ['sh', '-c', script], { name: 'flags', flags });
      t.req('runtime:operations.supported').equal(lineWith(f.stdout, '@@flags'), expected, `exec ${flags.join(' ')}`);
    }),
    at(
      'exec-tty',
      ['runtime:operations.supported'],
      // Refused, not skipped: an exec on a terminal that says it ran and did not keeps the engine waiting.
      ['refuse:exec'],
      async (t, s) => {
        const { pid } = await e.detached(s, t.id);
        const r = await e.exec(s, t.id, TTY_FACTS_KEPT, { name: 'tty', tty: true });
        // When the engine lost the line, what the process left in the container (through
        // the container's root as its init sees it; gVisor's is not there, and then only
        // the output counts).
        const kept = onTerminal(r.stdout) ? undefined : keptInContainer(pid, TTY_FACTS_FILE);
        if (kept !== undefined)
          t.note(
            `${s.program} printed ${JSON.stringify(r.stdout.trim())}, not the process's line; the process left ${JSON.stringify(kept.trim())} in ${TTY_FACTS_FILE}`,
          );
        t.ok(onTerminal(r.stdout) || (kept !== undefined && onTerminal(kept)), 'stdin and stdout of the process are a terminal', {
          expected: '@@tty yes …',
          actual: r.stdout.trim(),
        });
      },
      true,
    ),
    at('pause-resume', ['runtime:operations.supported', 'runtime:state.status-extra'], ['op:pause', 'op:resume'], async (t, s) => {
      const { pid } = await e.detached(s, t.id);
      const ops = t.req('runtime:operations.supported');
      await e.pause(s, t.id);
      ops.equal(await e.status.read(s, t.id), e.status.paused, `${e.status.from} after pause`);
      const frozen = freezerState(pid);
      ops.ok(isFrozen(frozen), `after pause the container's cgroup is not frozen (${frozen})`, { expected: 'FROZEN', actual: frozen });
      await e.resume(s, t.id);
      ops.equal(await e.status.read(s, t.id), e.status.running, `${e.status.from} after ${e.resumeVerb}`);
      const thawed = freezerState(pid);
      ops.ok(!isFrozen(thawed), `after ${e.resumeVerb} the container's cgroup is still frozen (${thawed})`, { expected: 'THAWED', actual: thawed });
      const r = await e.exec(s, t.id, ['echo', '@@after-resume'], { name: 'after' });
      ops.ok(r.stdout.includes('@@after-resume'), `a process runs in the container after ${e.resumeVerb}`, { actual: r.stdout });
    }),
    ...(['stop', 'kill'] as const).map((op) =>
      at(op, ['runtime:kill.sends-signal'], ['refuse:kill'], async (t, s) => {
        await e.detached(s, t.id);
        for (const x of await e[op](s, t.id)) t.equal(x.actual, x.expected, x.what);
        t.equal(lineWith(await e.output(s, t.id), '@@signal'), op === 'stop' ? '@@signal TERM' : '@@signal USR1', 'the signal the process caught');
      }),
    ),
    at('rm', ['runtime:kill.sends-signal', 'runtime:delete.removes-resources'], ['refuse:delete'], async (t, s) => {
      const { id, pid } = await e.detached(s, t.id);
      const gone = await e.remove(s, t.id);
      t.req('runtime:delete.removes-resources').equal(gone.actual, gone.expected, gone.what);
      await waitFor(
        t.req('runtime:kill.sends-signal'),
        `the container's process ${pid} to be gone`,
        async () => (isAlive(pid) ? undefined : true),
        s.timeoutMs,
      );
      await runtimeForgets(t, e.runtime(s), id, `after ${e.removeWords}`);
    }),
    at('seccomp', ['config-linux:seccomp.default-action', 'runtime:create.apply-config'], ['linux.seccomp'], async (t, s) => {
      const r = await s.must(e.runArgs(s, t.id, SECCOMP_FACTS, 'seccomp'));
      t.all().equal(lineWith(r.stdout, 'Seccomp:')?.replace(/\s+/g, ' '), 'Seccomp: 2', "the process's seccomp mode (2: a filter)");
    }),
  ];
}

/** A file in the container of the process `pid` (/proc/PID/root), if it is there. */
function keptInContainer(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/root${file}`, 'utf8');
  } catch {
    return undefined;
  }
}
