// Facts read from the host side: namespaces of a pid (our lsns), its cgroups.
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { poll } from '../process/wait.js';

export type NamespaceKind = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';

/** The config's namespace types → the names of their files in /proc/PID/ns. */
export const NS_FILE: Readonly<Record<NamespaceKind, string>> = {
  pid: 'pid',
  network: 'net',
  mount: 'mnt',
  ipc: 'ipc',
  uts: 'uts',
  user: 'user',
  cgroup: 'cgroup',
  time: 'time',
};

export const NAMESPACE_KINDS = Object.keys(NS_FILE) as NamespaceKind[];

/** `pid:[4026531836]` for each namespace of a process (absent when the kernel lacks the type). */
export function namespacesOf(pid: number | 'self'): Partial<Record<NamespaceKind, string>> {
  const out: Partial<Record<NamespaceKind, string>> = {};
  for (const kind of NAMESPACE_KINDS) {
    try {
      out[kind] = readlinkSync(`/proc/${pid}/ns/${NS_FILE[kind]}`);
    } catch {
      /* not supported by this kernel, or the process is gone */
    }
  }
  return out;
}

export function kernelHasNamespace(kind: NamespaceKind): boolean {
  return existsSync(`/proc/self/ns/${NS_FILE[kind]}`);
}

/** Lines of /proc/PID/cgroup (`N:controllers:/path`), or undefined when the process is gone. */
export function cgroupLines(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** True while a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Waits until none of `pids` is alive (a zombie counts as gone); whether none is, at the deadline. */
export async function pidsGone(pids: readonly number[], timeoutMs: number): Promise<boolean> {
  return (await poll(() => !pids.some(isAlive), { timeoutMs, pauseMs: 10, maxPauseMs: 20 })) ?? false;
}

/** /proc/PID/stat's start time, to tell a pid from a later process that reused it. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Open fds of a process → what they point to (readlink of /proc/PID/fd/N). */
export function fdsOf(pid: number): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.set(Number(name), readlinkSync(`/proc/${pid}/fd/${name}`));
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

/** argv of a live process, from /proc/PID/cmdline. */
export function cmdlineOf(pid: number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return (raw.endsWith('\0') ? raw.slice(0, -1) : raw).split('\0');
  } catch {
    return undefined;
  }
}
