// Host-side facts for the cgroups suite: where a container's cgroups are (from
// /proc/PID/cgroup, through linux/cgroupfs.ts), what the machine has (CPUs, memory
// nodes, the root disk, huge page sizes), a throw-away cgroup that asks the kernel
// whether it accepts a value, and removal of the cgroup directories a case made.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { locateCgroup, parseCgroupMounts, parseProcCgroup, type CgroupMount } from '../../linux/cgroupfs.js';
import type { Env } from '../../harness/host/env.js';
import { namespacesOf } from '../../harness/host/hostfacts.js';

export type Version = 1 | 2;

/** The hierarchy resources of `controller` go to here: its v1 mount, else the unified one. */
export function versionFor(env: Env, controller: string): Version {
  const c = env.host.cgroup;
  if (c.mode === 'v2') return 2;
  return c.v1Controllers.includes(controller) ? 1 : 2;
}

export function cgroupMounts(): CgroupMount[] {
  return parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The directory of `pid`'s cgroup for `controller` ('' for the unified hierarchy), or undefined. */
export function cgroupDir(pid: number | 'self', controller: string): string | undefined {
  try {
    return locateCgroup(pid, controller).dir;
  } catch {
    return undefined;
  }
}

/** A file of `pid`'s cgroup for `controller`, trimmed, or undefined when it does not exist. */
export function readCgroupFile(pid: number, controller: string, file: string): string | undefined {
  const dir = cgroupDir(pid, controller);
  if (!dir) return undefined;
  try {
    return readFileSync(`${dir}/${file}`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export interface PlacedCgroup {
  /** v1 controllers joined by ',' ('name=…' for named hierarchies), '' for the unified one. */
  hierarchy: string;
  /** As /proc/PID/cgroup shows it. */
  path: string;
  /** On this host, when its hierarchy is mounted. */
  dir?: string;
}

/** Every hierarchy `pid` is in, with its path and directory. */
export function cgroupsOf(pid: number): PlacedCgroup[] {
  const mounts = cgroupMounts();
  const entries = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  return entries.map((e) => {
    const mount = e.controllers.length
      ? mounts.find((m) => m.version === 1 && e.controllers.every((c) => m.controllers.includes(c)))
      : mounts.find((m) => m.version === 2);
    const rel = mount ? posix.relative(mount.root, e.path) : '..';
    return { hierarchy: e.controllers.join(','), path: e.path, dir: mount && !rel.startsWith('..') ? posix.join(mount.mountPoint, rel) : undefined };
  });
}

/** The pids listed in a cgroup directory's cgroup.procs. */
export function procsOf(dir: string): number[] {
  return readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
}

/** Host pids of every process in the pid namespace of `pid`. */
export function pidsInNamespaceOf(pid: number): number[] {
  const ns = namespacesOf(pid).pid;
  if (!ns) return [];
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n) && namespacesOf(Number(n)).pid === ns)
    .map(Number)
    .sort((a, b) => a - b);
}

// --- what the machine has ---------------------------------------------------

/** Parses a kernel list like `0-3,7` into its members. */
export function parseList(text: string): number[] {
  const out: number[] = [];
  for (const part of text.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map((n) => parseInt(n, 10)) as [number, number | undefined];
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

/** CPUs the kernel could ever bring online. */
export function possibleCpus(): number[] {
  return parseList(readFileSync('/sys/devices/system/cpu/possible', 'utf8'));
}

export function onlineCpus(): number[] {
  return parseList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
}

/** Memory nodes the kernel could ever have ([0] without NUMA). */
export function possibleMems(): number[] {
  try {
    return parseList(readFileSync('/sys/devices/system/node/possible', 'utf8'));
  } catch {
    return [0];
  }
}

export interface BlockDevice {
  major: number;
  minor: number;
  name: string;
  /** The I/O scheduler in use, e.g. 'mq-deadline', 'bfq', 'none'. */
  scheduler?: string;
}

/**
 * The whole disk behind the root filesystem (a partition's parent), which block I/O
 * throttles can name; undefined when / is not on a block device (overlay, tmpfs, nfs).
 */
export function rootDisk(): BlockDevice | undefined {
  const dev = statSync('/').dev;
  // Linux's new_encode_dev: minor's low byte, major, then minor's high bits.
  const major = (dev >> 8) & 0xfff;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  const sys = `/sys/dev/block/${major}:${minor}`;
  if (!existsSync(sys)) return undefined;
  const disk = existsSync(`${sys}/partition`) ? `${sys}/..` : sys;
  const [maj, min] = readFileSync(`${disk}/dev`, 'utf8').trim().split(':').map(Number) as [number, number];
  const name = readFileSync(`${disk}/uevent`, 'utf8').match(/^DEVNAME=(.*)$/m)?.[1] ?? `${maj}:${min}`;
  let scheduler: string | undefined;
  try {
    scheduler = /\[([^\]]+)\]/.exec(readFileSync(`${disk}/queue/scheduler`, 'utf8'))?.[1];
  } catch {
    scheduler = undefined;
  }
  return { major: maj, minor: min, name, scheduler };
}

/** A block major:minor that no device on this host has. */
export function absentBlockDevice(): { major: number; minor: number } {
  const used = new Set(readdirSync('/sys/dev/block'));
  for (let minor = 4095; ; minor--) if (!used.has(`254:${minor}`) && !used.has(`253:${minor}`)) return { major: 254, minor };
}

/** Huge page sizes the kernel supports, as the spec writes them (2MB, 1GB). */
export function hugepageSizes(): string[] {
  let names: string[];
  try {
    names = readdirSync('/sys/kernel/mm/hugepages');
  } catch {
    return [];
  }
  return names
    .map((n) => Number(/^hugepages-(\d+)kB$/.exec(n)?.[1]))
    .filter((kb) => kb > 0)
    .sort((a, b) => a - b)
    .map((kb) => (kb >= 1 << 20 && kb % (1 << 20) === 0 ? `${kb >> 20}GB` : kb >= 1024 && kb % 1024 === 0 ? `${kb >> 10}MB` : `${kb}KB`));
}

/** Bytes in a spec page size (`2MB`: base 1024). */
export function pageSizeBytes(size: string): number {
  const m = /^(\d+)([KMG])B$/.exec(size);
  if (!m) throw new Error(`not a page size: ${size}`);
  return Number(m[1]) * { K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2] as 'K' | 'M' | 'G'];
}

// --- asking the kernel --------------------------------------------------------

/**
 * Whether the kernel takes these writes, in order, in a fresh cgroup of the v1
 * hierarchy of `controller` (made under its root and removed again). Tells a case
 * whether a runtime could apply a setting on this host, so that it knows whether to
 * expect the value or an error. Undefined when the controller has no v1 mount.
 */
export function kernelAcceptsV1(controller: string, writes: Array<[file: string, value: string]>): boolean | undefined {
  const mount = cgroupMounts().find((m) => m.version === 1 && m.controllers.includes(controller));
  if (!mount) return undefined;
  const dir = posix.join(mount.mountPoint, `conform-oracle-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  try {
    for (const [file, value] of writes) writeFileSync(`${dir}/${file}`, value);
    return true;
  } catch {
    return false;
  } finally {
    rmdirSync(dir);
  }
}

// --- cleaning up ---------------------------------------------------------------

/**
 * Removes cgroup directories a case made: for each directory, it and its parents up
 * to `levels` deep (the components of the cgroupsPath the case chose), deepest first.
 * Only empty cgroups can go (rmdir): one still in use is left and reported.
 */
export function removeCgroupDirs(dirs: Iterable<string>, levels: number): string[] {
  const notes: string[] = [];
  const all = new Set<string>();
  for (const d of dirs) {
    let cur = d;
    for (let i = 0; i < levels; i++, cur = posix.dirname(cur)) all.add(cur);
  }
  for (const d of [...all].sort((a, b) => b.length - a.length)) {
    if (!existsSync(d)) continue;
    try {
      rmdirSync(d);
    } catch (e) {
      notes.push(`cleanup: could not remove cgroup ${d} (${(e as NodeJS.ErrnoException).code})`);
    }
  }
  return notes;
}

// Where a cgroupsPath lands: the harness's model (cleanup uses it too).
export { dirsForAbsolute, dirsForRelative } from '../../harness/host/cgroups.js';
