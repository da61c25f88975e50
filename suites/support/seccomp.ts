// Shared by the seccomp, extensibility and features suites: the allow list that lets
// the probe live under a deny-by-default filter, shell snippets whose outcome shows
// what a filter did to one syscall, and the tiny i386 program for `architectures`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Seccomp } from '../../schemas/config.js';
import type { CaseContext } from '../../harness/context.js';
import { callFailure } from '../../harness/context.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';
import { errnosIn } from '../../linux/errno.js';
import { SIGNALS } from '../../linux/signals.js';
import { X86_SYSCALLS } from '../../linux/syscalls/x86.js';

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
  'arch_prctl', 'brk', 'clone', 'close', 'dup2', 'epoll_ctl', 'execve', 'exit_group', 'fcntl', 'fstatfs', 'futex',
  'getcwd', 'getdents64', 'getpid', 'getppid', 'getrandom', 'getuid', 'ioctl', 'mmap', 'mprotect', 'munmap',
  'newfstatat', 'openat', 'pipe2', 'prctl', 'prlimit64', 'read', 'readlink', 'rseq', 'rt_sigaction', 'rt_sigreturn',
  'sendfile', 'set_robust_list', 'set_tid_address', 'uname', 'wait4', 'write',
  // margin
  'access', 'clock_gettime', 'clock_nanosleep', 'clone3', 'dup', 'dup3', 'epoll_pwait', 'exit', 'faccessat',
  'faccessat2', 'fstat', 'getdents', 'getegid', 'geteuid', 'getgid', 'getpgid', 'getpgrp', 'gettid', 'gettimeofday',
  'lseek', 'lstat', 'madvise', 'nanosleep', 'pipe', 'poll', 'ppoll', 'readlinkat', 'rt_sigprocmask', 'sched_yield',
  'setpgid', 'sigaltstack', 'stat', 'statx', 'tgkill', 'vfork',
];

/** Syscalls no probe run makes, for rules that must load but never fire. */
export const UNUSED_SYSCALLS: readonly string[] = ['acct', 'swapon', 'swapoff', 'kexec_load', 'init_module', 'delete_module', 'vhangup', 'quotactl', 'iopl', 'ioperm', 'settimeofday', 'adjtimex'];

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
export async function createOrUnsupported(t: CaseContext, what: string, isClaimed: boolean): Promise<void> {
  const r = await t.rt.create(t.id, t.bundle.dir);
  if (r.ok) {
    await t.state(); // records the pid for cleanup, checks the state parses
    return;
  }
  if (isClaimed) t.fail(callFailure(`create with ${what}, which the runtime's features list`, r));
  t.skip(`the runtime refused ${what} at create, which config.md "Valid values" allows for a value it does not support (its features do not claim it)`);
}

/** create (refusal allowed, see createOrUnsupported), start, wait for the probe's end. */
export async function probeUnder(t: CaseContext, what: string, isClaimed: boolean): Promise<ProbeFacts> {
  await createOrUnsupported(t, what, isClaimed);
  await t.start();
  const out = await t.waitOutput('@@done');
  await t.waitStatus('stopped');
  return parseProbe(out);
}

/** The attempts of the probe's `--cmd` snippet `name`. */
export function attemptsOf(facts: ProbeFacts, name = 'try'): Map<string, Attempt> {
  return parseAttempts(facts.cmds[name]?.output ?? '');
}

/**
 * A static i386 ELF program (84-byte headers and 30-odd bytes of code, no libc) that
 * calls mkdir(path, 0755) through int 0x80 and exits with the errno it got (0 on
 * success): the only way to make a 32-bit syscall from a 64-bit busybox rootfs.
 */
export function i386MkdirProgram(path: string): Buffer {
  const base = 0x08048000;
  const headers = 52 + 32;
  const code = (pathAddr: number) => {
    const b = Buffer.alloc(29);
    let o = 0;
    o = b.writeUInt8(0xb8, o); // mov eax, SYS_mkdir
    o = b.writeUInt32LE(X86_SYSCALLS.mkdir!, o);
    o = b.writeUInt8(0xbb, o); // mov ebx, path
    o = b.writeUInt32LE(pathAddr, o);
    o = b.writeUInt8(0xb9, o); // mov ecx, 0755
    o = b.writeUInt32LE(0o755, o);
    for (const byte of [0xcd, 0x80, 0xf7, 0xd8, 0x89, 0xc3]) o = b.writeUInt8(byte, o); // int 0x80; neg eax; mov ebx, eax
    o = b.writeUInt8(0xb8, o); // mov eax, SYS_exit
    o = b.writeUInt32LE(X86_SYSCALLS.exit!, o);
    for (const byte of [0xcd, 0x80]) o = b.writeUInt8(byte, o); // int 0x80
    return b;
  };
  const body = Buffer.concat([code(base + headers + 29), Buffer.from(`${path}\0`)]);
  const total = headers + body.length;
  const ehdr = Buffer.alloc(52);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]).copy(ehdr, 0); // ELF, 32-bit, little-endian, SYSV
  ehdr.writeUInt16LE(2, 16); // ET_EXEC
  ehdr.writeUInt16LE(3, 18); // EM_386
  ehdr.writeUInt32LE(1, 20); // EV_CURRENT
  ehdr.writeUInt32LE(base + headers, 24); // entry
  ehdr.writeUInt32LE(52, 28); // phoff
  ehdr.writeUInt16LE(52, 40); // ehsize
  ehdr.writeUInt16LE(32, 42); // phentsize
  ehdr.writeUInt16LE(1, 44); // phnum
  const phdr = Buffer.alloc(32);
  [1, 0, base, base, total, total, 5, 0x1000].forEach((v, i) => phdr.writeUInt32LE(v, i * 4)); // PT_LOAD, R+X
  return Buffer.concat([ehdr, phdr, body]);
}

/** Writes a binary file into the case's rootfs (the builder's files are text). */
export function writeRootfsBinary(t: CaseContext, path: string, content: Buffer): void {
  const file = join(t.bundle.dir, t.bundle.config.root?.path ?? 'rootfs', path);
  writeFileSync(file, content, { mode: 0o755 });
}
