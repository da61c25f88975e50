// Shared by the seccomp, extensibility and features suites: the allow list that lets
// the probe live under a deny-by-default filter, shell snippets whose outcome shows
// what a filter did to one syscall, and writing the i386 programs of `architectures` into a rootfs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Seccomp } from '../../schemas/config.js';
import type { CaseContext } from '../../harness/case/context.js';
import { callFailure } from '../../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';
import { errnosIn } from '../../linux/errno.js';
import { SIGNALS } from '../../linux/signals.js';

/**
 * What busybox sh, the probe (meta and status sections, `--cmd` snippets with
 * command substitution, pipes, cat, touch, tr) and a runtime's last steps before
 * execve need, so that a deny-by-default filter still lets the container run.
 * Found empirically: strace -f of `runc run` with defaultAction SCMP_ACT_LOG, the
 * calls made after the filter was loaded; then a margin of harmless calls that Go
 * runtimes (runc's init) or another libc may make in the same window. It leaves out
 * every syscall a case uses as its target (mkdir, chmod, setpriority, personality,
 * kill, sethostname, utimensat), so their fate is the default action's.
 */
export const PROBE_SYSCALLS: readonly string[] = [
  // seen in the trace
  'arch_prctl',
  'brk',
  'clone',
  'close',
  'dup2',
  'epoll_ctl',
  'execve',
  'exit_group',
  'fcntl',
  'fstatfs',
  'futex',
  'getcwd',
  'getdents64',
  'getpid',
  'getppid',
  'getrandom',
  'getuid',
  'ioctl',
  'mmap',
  'mprotect',
  'munmap',
  'newfstatat',
  'openat',
  'pipe2',
  'prctl',
  'prlimit64',
  'read',
  'readlink',
  'rseq',
  'rt_sigaction',
  'rt_sigreturn',
  'sendfile',
  'set_robust_list',
  'set_tid_address',
  'uname',
  'wait4',
  'write',
  // margin
  'access',
  'clock_gettime',
  'clock_nanosleep',
  'clone3',
  'dup',
  'dup3',
  'epoll_pwait',
  'exit',
  'faccessat',
  'faccessat2',
  'fstat',
  'getdents',
  'getegid',
  'geteuid',
  'getgid',
  'getpgid',
  'getpgrp',
  'gettid',
  'gettimeofday',
  'lseek',
  'lstat',
  'madvise',
  'nanosleep',
  'pipe',
  'poll',
  'ppoll',
  'readlinkat',
  'rt_sigprocmask',
  'sched_yield',
  'setpgid',
  'sigaltstack',
  'stat',
  'statx',
  'tgkill',
  'vfork',
];

/** Syscalls no probe run makes, for rules that must load but never fire. */
export const UNUSED_SYSCALLS: readonly string[] = [
  'acct',
  'swapon',
  'swapoff',
  'kexec_load',
  'init_module',
  'delete_module',
  'vhangup',
  'quotactl',
  'iopl',
  'ioperm',
  'settimeofday',
  'adjtimex',
];

/** errnos no probed syscall produces by itself, so seeing one proves the filter chose it. */
export const ERRNO_A = { name: 'EDOM', code: 33 } as const;
export const ERRNO_B = { name: 'ENODATA', code: 61 } as const;

/** The shell's status for a process killed by SIGSYS. */
export const SIGSYS_STATUS = 128 + SIGNALS.SIGSYS!;

/**
 * A shell function for `--cmd` snippets: `t_ LABEL CMD…` runs CMD and prints one line,
 * `@try LABEL RC OUTPUT`, with the output on one line.
 */
export const TRY_FN = `t_() { l=$1; shift; o=$("$@" 2>&1); r=$?; echo "@try $l $r $(printf '%s' "$o" | tr '\\n' ' ')"; }`;

export interface Attempt {
  rc: number;
  output: string;
  /** errno names whose glibc message is in the output. */
  errnos: string[];
}

/** The `@try` lines of a snippet's output. */
export function parseAttempts(output: string): Map<string, Attempt> {
  const out = new Map<string, Attempt>();
  for (const line of output.split('\n')) {
    const m = /^@try (\S+) (\d+) ?(.*)$/.exec(line);
    if (m) out.set(m[1]!, { rc: Number(m[2]), output: m[3]!, errnos: errnosIn(m[3]!) });
  }
  return out;
}

/** How an attempt ended, in words, for messages: `ok`, `EDOM`, `killed by SIGSYS`, `rc 1 (…)`. */
export function outcome(a: Attempt | undefined): string {
  if (!a) return 'no result (the snippet did not get that far)';
  if (a.rc === 0) return 'ok';
  if (a.rc === SIGSYS_STATUS) return 'killed by SIGSYS';
  if (a.errnos.length === 1) return a.errnos[0]!;
  return `rc ${a.rc} (${a.output || 'no output'})`;
}

/** A deny-by-default filter that still lets the probe run. */
export function denyByDefault(defaultAction: Seccomp['defaultAction'], extra: Partial<Seccomp> = {}): Seccomp {
  return { defaultAction, ...extra, syscalls: [{ names: [...PROBE_SYSCALLS], action: 'SCMP_ACT_ALLOW' }, ...(extra.syscalls ?? [])] };
}

/** The names of things the runtime's features list, or undefined without features. */
export function claimed(t: CaseContext, list: 'actions' | 'operators' | 'archs' | 'knownFlags' | 'supportedFlags', value: string): boolean {
  const got = t.env.runtime.features?.linux?.seccomp?.[list];
  return Array.isArray(got) && got.includes(value as never);
}

/**
 * create, where a refusal is allowed: config.md "Valid values" lets a runtime support
 * a subset of the valid values, as long as it reports an error for the rest. A refusal
 * fails the case only when the runtime's features claim the value.
 */
export async function createOrUnsupported(t: CaseContext, what: string, isClaimed: boolean, opts: { stateUnlessHeld?: boolean } = {}): Promise<void> {
  const r = await t.rt.create(t.id, t.bundle.dir);
  if (r.ok) {
    // Records the pid, checks the state parses (for a probe, only when needed: t.stateUnlessHeld).
    await (opts.stateUnlessHeld ? t.stateUnlessHeld() : t.state());
    return;
  }
  if (isClaimed) t.fail(callFailure(`create with ${what}, which the runtime's features list`, r));
  t.skip(`the runtime refused ${what} at create, which config.md "Valid values" allows for a value it does not support (its features do not claim it)`);
}

/** create (refusal allowed, see createOrUnsupported), start, wait for the probe's end, as t.probe(). */
export async function probeUnder(t: CaseContext, what: string, isClaimed: boolean): Promise<ProbeFacts> {
  await createOrUnsupported(t, what, isClaimed, { stateUnlessHeld: true });
  await t.start();
  const out = await t.waitOutput('@@done');
  await t.waitEnded();
  return parseProbe(out);
}

/** The attempts of the probe's `--cmd` snippet `name`. */
export function attemptsOf(facts: ProbeFacts, name = 'try'): Map<string, Attempt> {
  return parseAttempts(facts.cmds[name]?.output ?? '');
}

/** Writes a binary file into the case's rootfs (the builder's files are text). */
export function writeRootfsBinary(t: CaseContext, path: string, content: Buffer): void {
  const file = join(t.bundle.dir, t.bundle.config.root?.path ?? 'rootfs', path);
  writeFileSync(file, content, { mode: 0o755 });
}
