// What the engines cases share: the long-running process they start detached, how they
// read the freezer, and the case data every engine case has.
import { readFileSync } from 'node:fs';
import { parseCgroupMounts, locateCgroup } from '../../linux/cgroupfs.js';
import type { CaseDef } from '../../harness/case/case.js';

/**
 * A container process that says `@@ready`, then reports the signals it catches
 * (`@@signal TERM` → exit 42, `@@signal USR1` → exit 43). As PID 1 of its pid namespace
 * it gets no default action for these: only its traps make them do anything.
 */
export const DETACHED = [
  'sh',
  '-c',
  `trap 'echo "@@signal TERM"; exit 42' TERM; trap 'echo "@@signal USR1"; exit 43' USR1; echo "@@ready"; while :; do sleep 1000 & wait $!; done`,
];

/** Prints `@@exec <uid> <cwd> <pid 1's command>`: who the exec'd process is and whose pid namespace it is in. */
export const EXEC_FACTS = ['sh', '-c', 'echo "@@exec $(id -u) $(pwd) $(tr "\\0" " " < /proc/1/cmdline)"'];

/**
 * Prints `@@tty yes <name>` when stdin and stdout are terminals (isatty). The name is only
 * information: gVisor's terminals are terminals that ttyname(3) cannot name.
 */
export const TTY_FACTS = ['sh', '-c', '[ -t 0 ] && [ -t 1 ] && echo "@@tty yes $(tty)"'];

/** Where TTY_FACTS_KEPT leaves its line inside the container. */
export const TTY_FACTS_FILE = '/tmp/.conform-tty-facts';

/**
 * TTY_FACTS, the line also written to TTY_FACTS_FILE in the container. ctr can lose the
 * output of a process exec'd on a terminal that exits at once: its copy from the pty races
 * the exit (once in a full reference run on a busy machine, ctr said only "resize pty:
 * cannot resize a stopped container", as in containerd#1449, and no line; never in 20
 * runs of the case under load). What the process found is the fact; the file keeps it.
 */
export const TTY_FACTS_KEPT = ['sh', '-c', `[ -t 0 ] && [ -t 1 ] && { echo "@@tty yes $(tty)"; echo "@@tty yes $(tty)" > ${TTY_FACTS_FILE}; }`];

/** Whether an engine's output says the process was on a terminal (TTY_FACTS). */
export const onTerminal = (output: string) => lineWith(output, '@@tty yes') !== undefined;

/** Prints the Seccomp and NoNewPrivs lines of the process's status. */
export const SECCOMP_FACTS = ['sh', '-c', 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'];

/** `FROZEN`/`THAWED` (cgroup v1 freezer), or `frozen 1`/`frozen 0` (v2 cgroup.events) for pid's cgroup. */
export function freezerState(pid: number): string {
  const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  const v1 = mounts.some((m) => m.version === 1 && m.controllers.includes('freezer'));
  const loc = locateCgroup(pid, v1 ? 'freezer' : '');
  if (v1) return readFileSync(`${loc.dir}/freezer.state`, 'utf8').trim();
  return (
    readFileSync(`${loc.dir}/cgroup.events`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('frozen ')) ?? 'frozen ?'
  );
}

export const isFrozen = (s: string) => s === 'FROZEN' || s === 'frozen 1';

/** The line that starts with `marker` in an engine's output (a terminal's \r stripped). */
export function lineWith(output: string, marker: string): string | undefined {
  const line = output
    .replace(/\r/g, '')
    .split('\n')
    .find((l) => l.includes(marker));
  return line?.slice(line.indexOf(marker)).trim();
}

/** Every engines case: the runc CLI convention (see README: what a failure means). */
export function engineCase(def: Omit<CaseDef, 'convention'>): CaseDef {
  return { ...def, convention: 'runc-cli' };
}
