// Linux resource limits: the config's names, their numbers, and the row names
// /proc/PID/limits uses for them.

export interface RlimitInfo {
  resource: number;
  /** The row label in /proc/PID/limits. */
  procName: string;
}

export const RLIMITS: Readonly<Record<string, RlimitInfo>> = {
  RLIMIT_CPU: { resource: 0, procName: 'Max cpu time' },
  RLIMIT_FSIZE: { resource: 1, procName: 'Max file size' },
  RLIMIT_DATA: { resource: 2, procName: 'Max data size' },
  RLIMIT_STACK: { resource: 3, procName: 'Max stack size' },
  RLIMIT_CORE: { resource: 4, procName: 'Max core file size' },
  RLIMIT_RSS: { resource: 5, procName: 'Max resident set' },
  RLIMIT_NPROC: { resource: 6, procName: 'Max processes' },
  RLIMIT_NOFILE: { resource: 7, procName: 'Max open files' },
  RLIMIT_MEMLOCK: { resource: 8, procName: 'Max locked memory' },
  RLIMIT_AS: { resource: 9, procName: 'Max address space' },
  RLIMIT_LOCKS: { resource: 10, procName: 'Max file locks' },
  RLIMIT_SIGPENDING: { resource: 11, procName: 'Max pending signals' },
  RLIMIT_MSGQUEUE: { resource: 12, procName: 'Max msgqueue size' },
  RLIMIT_NICE: { resource: 13, procName: 'Max nice priority' },
  RLIMIT_RTPRIO: { resource: 14, procName: 'Max realtime priority' },
  RLIMIT_RTTIME: { resource: 15, procName: 'Max realtime timeout' },
};

/** RLIM_INFINITY as the config's uint64 and as /proc prints it. */
export const RLIM_INFINITY = 18446744073709551615n;
