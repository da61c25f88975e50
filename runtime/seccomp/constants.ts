// The names the spec borrows from libseccomp, and what they mean to the kernel
// (linux/seccomp.h, linux/audit.h).
import { X32_SYSCALLS } from '../../linux/syscalls/x32.js';
import { X86_SYSCALLS } from '../../linux/syscalls/x86.js';
import { X86_64_SYSCALLS } from '../../linux/syscalls/x86_64.js';

export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  USER_NOTIF: 0x7fc00000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
  DATA: 0x0000ffff,
} as const;

export interface ActionDef {
  ret: number;
  /** Whether the low 16 bits carry errnoRet (ERRNO: the errno; TRACE: the tracer's message). */
  takesErrno: boolean;
}

export const ACTIONS: Readonly<Record<string, ActionDef>> = {
  // libseccomp defines SCMP_ACT_KILL as SCMP_ACT_KILL_THREAD.
  SCMP_ACT_KILL: { ret: SECCOMP_RET.KILL_THREAD, takesErrno: false },
  SCMP_ACT_KILL_THREAD: { ret: SECCOMP_RET.KILL_THREAD, takesErrno: false },
  SCMP_ACT_KILL_PROCESS: { ret: SECCOMP_RET.KILL_PROCESS, takesErrno: false },
  SCMP_ACT_TRAP: { ret: SECCOMP_RET.TRAP, takesErrno: false },
  SCMP_ACT_ERRNO: { ret: SECCOMP_RET.ERRNO, takesErrno: true },
  SCMP_ACT_TRACE: { ret: SECCOMP_RET.TRACE, takesErrno: true },
  SCMP_ACT_ALLOW: { ret: SECCOMP_RET.ALLOW, takesErrno: false },
  SCMP_ACT_LOG: { ret: SECCOMP_RET.LOG, takesErrno: false },
  SCMP_ACT_NOTIFY: { ret: SECCOMP_RET.USER_NOTIF, takesErrno: false },
};

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const X32_SYSCALL_BIT = 0x40000000;

export interface ArchDef {
  /** seccomp_data.arch for this ABI (x32 shares x86_64's). */
  audit: number;
  /** libseccomp compares only the low 32 bits of arguments on 32-bit ABIs. */
  bits: 32 | 64;
  syscalls: Readonly<Record<string, number>>;
}

/**
 * The architectures a filter may name. Their names apart from their tables: `features`
 * lists the names, and a bundle that names no table does not carry the three (28 kB).
 */
const ARCH_NAMES = ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] as const;

export const ARCHES: Readonly<Record<string, ArchDef>> = {
  SCMP_ARCH_X86_64: { audit: AUDIT_ARCH_X86_64, bits: 64, syscalls: X86_64_SYSCALLS },
  SCMP_ARCH_X86: { audit: AUDIT_ARCH_I386, bits: 32, syscalls: X86_SYSCALLS },
  SCMP_ARCH_X32: { audit: AUDIT_ARCH_X86_64, bits: 32, syscalls: X32_SYSCALLS },
} satisfies Record<(typeof ARCH_NAMES)[number], ArchDef>;

export const NATIVE_ARCH = 'SCMP_ARCH_X86_64';

export const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type Operator = (typeof OPERATORS)[number];

export const SECCOMP_FILTER_FLAG = {
  TSYNC: 1 << 0,
  LOG: 1 << 1,
  SPEC_ALLOW: 1 << 2,
  NEW_LISTENER: 1 << 3,
  TSYNC_ESRCH: 1 << 4,
  WAIT_KILLABLE_RECV: 1 << 5,
} as const;

/** The config's flag names (the spec's list); NEW_LISTENER and TSYNC_ESRCH are ours to add. */
export const FLAGS: Readonly<Record<string, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: SECCOMP_FILTER_FLAG.TSYNC,
  SECCOMP_FILTER_FLAG_LOG: SECCOMP_FILTER_FLAG.LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: SECCOMP_FILTER_FLAG.SPEC_ALLOW,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: SECCOMP_FILTER_FLAG.WAIT_KILLABLE_RECV,
};

/** For the runtime's `features` output. */
export const SUPPORTED_ACTIONS: readonly string[] = Object.keys(ACTIONS);
export const SUPPORTED_ARCHES: readonly string[] = ARCH_NAMES;
export const SUPPORTED_OPERATORS: readonly string[] = OPERATORS;
export const SUPPORTED_FLAGS: readonly string[] = Object.keys(FLAGS);

/** EPERM: the spec's default for defaultErrnoRet and errnoRet. */
export const EPERM = 1;

/** seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]. */
export const SECCOMP_DATA = {
  nr: 0,
  arch: 4,
  argLo: (i: number): number => 16 + 8 * i,
  argHi: (i: number): number => 20 + 8 * i,
} as const;
