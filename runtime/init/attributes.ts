// Scheduling and execution attributes of the process, all kept across execve:
// process.scheduler (sched_setattr), process.ioPriority (ioprio_set),
// linux.personality (personality), linux.memoryPolicy (set_mempolicy) and, for
// exec'd processes, process.execCPUAffinity (sched_setaffinity).
//
// Planned (values checked, names turned into numbers) by `create` before anything is
// made, and again by the init, which applies them before dropping capabilities
// (a negative nice, a real-time policy and the RT I/O class need CAP_SYS_NICE or
// CAP_SYS_ADMIN). The kernel's own refusals are errors naming the field.
import type { Linux, Scheduler } from '../../schemas/config.js';
import type { Process } from '../config/validate.js';
import { parseList } from '../cgroups/values.js';
import { ConfigError, oneLine } from '../errors.js';
import type { SchedAttr, Syscalls } from '../syscalls.js';
import { SCHED_POLICIES } from '../../linux/sched.js';

export const SCHED_FLAGS: Readonly<Record<string, number>> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};
export const IOPRIO_CLASSES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
const IOPRIO_CLASS_SHIFT = 13;
export const PERSONALITIES: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };
export const MPOL_MODES: Readonly<Record<string, number>> = {
  MPOL_DEFAULT: 0,
  MPOL_PREFERRED: 1,
  MPOL_BIND: 2,
  MPOL_INTERLEAVE: 3,
  MPOL_LOCAL: 4,
  MPOL_PREFERRED_MANY: 5,
  MPOL_WEIGHTED_INTERLEAVE: 6,
};
export const MPOL_FLAGS: Readonly<Record<string, number>> = {
  MPOL_F_NUMA_BALANCING: 1 << 13,
  MPOL_F_RELATIVE_NODES: 1 << 14,
  MPOL_F_STATIC_NODES: 1 << 15,
};

export interface AttributePlan {
  sched?: SchedAttr;
  ioprio?: number;
  personality?: number;
  mempolicy?: { mode: number; nodes: number[] };
  /** execCPUAffinity.final (exec only). */
  affinity?: number[];
}

function named(table: Readonly<Record<string, number>>, value: unknown, field: string): number {
  const n = typeof value === 'string' ? table[value] : undefined;
  if (n === undefined) throw new ConfigError(field, `${JSON.stringify(value)} is not one of ${Object.keys(table).join(', ')}`);
  return n;
}

function sched(s: Scheduler, at: string): SchedAttr {
  const u64 = (v: number | undefined, f: string): bigint => {
    if (v === undefined) return 0n;
    if (!Number.isInteger(v) || v < 0) throw new ConfigError(`${at}.${f}`, 'must be a uint64');
    return BigInt(v);
  };
  let flags = 0n;
  (s.flags ?? []).forEach((f, i) => {
    flags |= BigInt(named(SCHED_FLAGS, f, `${at}.flags[${i}]`));
  });
  const nice = s.nice ?? 0;
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) throw new ConfigError(`${at}.nice`, `must be from -20 to 19 (got ${nice})`);
  const priority = s.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0) throw new ConfigError(`${at}.priority`, `must be a non-negative integer (got ${priority})`);
  return {
    policy: named(SCHED_POLICIES, s.policy, `${at}.policy`),
    flags,
    nice,
    priority,
    runtime: u64(s.runtime, 'runtime'),
    deadline: u64(s.deadline, 'deadline'),
    period: u64(s.period, 'period'),
  };
}

/**
 * `linux` is the container's (personality, memoryPolicy apply to its init); `exec`
 * plans an exec'd process, the only one execCPUAffinity applies to.
 */
export function planAttributes(p: Process, linux: Linux | undefined, o: { exec: boolean; where?: string }): AttributePlan {
  const at = o.where ?? 'process';
  const plan: AttributePlan = {};
  if (p.scheduler) plan.sched = sched(p.scheduler, `${at}.scheduler`);
  if (p.ioPriority) {
    const cls = named(IOPRIO_CLASSES, p.ioPriority.class, `${at}.ioPriority.class`);
    const prio = p.ioPriority.priority;
    if (!Number.isInteger(prio) || prio < 0 || prio > 7) throw new ConfigError(`${at}.ioPriority.priority`, `must be from 0 to 7 (got ${prio})`);
    plan.ioprio = (cls << IOPRIO_CLASS_SHIFT) | prio;
  }
  const affinity = p.execCPUAffinity;
  if (affinity?.initial) parseList(affinity.initial, `${at}.execCPUAffinity.initial`);
  if (affinity?.final) {
    const cpus = parseList(affinity.final, `${at}.execCPUAffinity.final`);
    if (o.exec) plan.affinity = cpus;
  }
  if (!o.exec && linux?.personality) {
    plan.personality = named(PERSONALITIES, linux.personality.domain, 'linux.personality.domain');
    if (linux.personality.flags?.length) throw new ConfigError('linux.personality.flags', 'cannot be applied: the spec defines no flag values yet');
  }
  if (!o.exec && linux?.memoryPolicy) {
    const mp = linux.memoryPolicy;
    let mode = named(MPOL_MODES, mp.mode, 'linux.memoryPolicy.mode');
    (mp.flags ?? []).forEach((f, i) => {
      mode |= named(MPOL_FLAGS, f, `linux.memoryPolicy.flags[${i}]`);
    });
    plan.mempolicy = { mode, nodes: mp.nodes ? parseList(mp.nodes, 'linux.memoryPolicy.nodes') : [] };
  }
  return plan;
}

/** Applies the plan to the calling thread (the one that will execve). */
export function applyAttributes(sys: Syscalls, plan: AttributePlan, at = 'process'): void {
  const attempt = (field: string, f: () => void): void => {
    try {
      f();
    } catch (err) {
      throw new ConfigError(field, `cannot be applied: ${oneLine(err)}`);
    }
  };
  if (plan.personality !== undefined) attempt('linux.personality', () => sys.personality(plan.personality!));
  if (plan.mempolicy) attempt('linux.memoryPolicy', () => sys.setMempolicy(plan.mempolicy!.mode, plan.mempolicy!.nodes));
  if (plan.affinity) attempt(`${at}.execCPUAffinity.final`, () => sys.schedSetaffinity(0, plan.affinity!));
  if (plan.sched) attempt(`${at}.scheduler`, () => sys.schedSetattr(plan.sched!));
  if (plan.ioprio !== undefined) attempt(`${at}.ioPriority`, () => sys.ioprioSet(plan.ioprio!));
}
