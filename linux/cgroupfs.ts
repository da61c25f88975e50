// Where the cgroup hierarchies are mounted and where a process sits in them:
// /proc/self/mountinfo + /proc/PID/cgroup. Read-only. The harness uses it to read
// a container's cgroup values back; the runtime uses the mount parsing to find the
// hierarchies it manages.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** The v1 controllers the kernel knows (a v1 mount's super options name them). */
export const V1_CONTROLLERS: readonly string[] = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'net_cls',
  'net_prio',
  'blkio',
  'perf_event',
  'hugetlb',
  'pids',
  'rdma',
  'misc',
  'debug',
];

export interface CgroupMount {
  mountPoint: string;
  /** The cgroup this mount shows at its mount point (mountinfo's root field). */
  root: string;
  version: 1 | 2;
  /** v1: the controllers bound to this hierarchy, plus `name=…` for named ones; v2: []. */
  controllers: string[];
}

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The cgroup and cgroup2 mounts of a mountinfo text, first mount of each hierarchy only. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  const seen = new Set<string>();
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const root = unescape(pre[3] ?? '/');
    const mountPoint = unescape(pre[4] ?? '');
    const controllers = fstype === 'cgroup' ? superOpts.split(',').filter((o) => V1_CONTROLLERS.includes(o) || o.startsWith('name=')) : [];
    // A hierarchy bind-mounted twice (containers, /run mounts) counts once.
    const key = fstype === 'cgroup2' ? 'cgroup2' : controllers.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ mountPoint, root, version: fstype === 'cgroup2' ? 2 : 1, controllers });
  }
  return out;
}

/** v1 (controllers only on v1 mounts), v2 (one unified mount) or hybrid (both), or undefined without cgroups. */
export function cgroupMode(mounts: readonly CgroupMount[]): CgroupMode | undefined {
  const v1 = mounts.some((m) => m.version === 1 && m.controllers.some((c) => !c.startsWith('name=')));
  const v2 = mounts.some((m) => m.version === 2);
  if (v1 && v2) return 'hybrid';
  if (v1) return 'v1';
  if (v2) return 'v2';
  return undefined;
}

export interface ProcCgroupEntry {
  hierarchyId: number;
  /** v1 controllers (and `name=…`); empty for the v2 entry `0::`. */
  controllers: string[];
  path: string;
}

/** Parses /proc/PID/cgroup (`4:memory:/a/b`, `0::/a/b`). */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) throw new Error(`unexpected /proc/PID/cgroup line ${JSON.stringify(line)}`);
    out.push({ hierarchyId: Number(m[1]), controllers: m[2] ? m[2].split(',') : [], path: m[3]! });
  }
  return out;
}

export interface CgroupLookupOptions {
  /** Prefix for every path read (/proc and the mount points): for tests on recorded trees. */
  root?: string;
  /** The mountinfo to use; default `<root>/proc/self/mountinfo`. */
  mountinfo?: string;
}

export interface CgroupLocation {
  version: 1 | 2;
  /** The cgroup path as /proc/PID/cgroup shows it. */
  path: string;
  /** The directory on this host (without the test root prefix). */
  dir: string;
}

/**
 * Finds the cgroup directory of `pid` for `controller`: its v1 hierarchy when the
 * controller is mounted as v1, else the unified (v2) hierarchy. `controller` may be
 * '' for the unified hierarchy itself.
 */
export function locateCgroup(pid: number | 'self', controller: string, opts: CgroupLookupOptions = {}): CgroupLocation {
  const prefix = opts.root ?? '';
  const mounts = parseCgroupMounts(opts.mountinfo ?? readFileSync(`${prefix}/proc/self/mountinfo`, 'utf8'));
  const entries = parseProcCgroup(readFileSync(`${prefix}/proc/${pid}/cgroup`, 'utf8'));

  const v1 = controller ? mounts.find((m) => m.version === 1 && m.controllers.includes(controller)) : undefined;
  const entry = v1 ? entries.find((e) => e.controllers.includes(controller)) : entries.find((e) => e.hierarchyId === 0 && e.controllers.length === 0);
  const mount = v1 ?? mounts.find((m) => m.version === 2);
  if (!mount || !entry) {
    throw new Error(
      `no cgroup hierarchy for ${controller ? `controller ${controller}` : 'cgroup v2'} of pid ${pid} (mounted: ${mounts.map((m) => m.mountPoint).join(', ') || 'none'})`,
    );
  }
  // The mount shows the hierarchy from its root down; a path outside it is invisible here.
  const rel = posix.relative(mount.root, entry.path);
  if (rel.startsWith('..')) throw new Error(`pid ${pid}'s cgroup ${entry.path} is outside the mount of ${mount.mountPoint} (root ${mount.root})`);
  return { version: mount.version, path: entry.path, dir: posix.join(mount.mountPoint, rel) };
}

/** Reads one file of `pid`'s cgroup, trimmed: `readCgroupValue(pid, 'memory', 'memory.limit_in_bytes')`. */
export function readCgroupValue(pid: number | 'self', controller: string, file: string, opts: CgroupLookupOptions = {}): string {
  if (file.includes('/')) throw new Error(`cgroup file name expected, got ${JSON.stringify(file)}`);
  const { dir } = locateCgroup(pid, controller, opts);
  return readFileSync(`${opts.root ?? ''}${dir}/${file}`, 'utf8').trim();
}

/** Every cgroup directory `pid` is in, one per mounted hierarchy (v1 controllers and the unified one). */
export function cgroupDirsOf(pid: number | 'self', opts: CgroupLookupOptions = {}): string[] {
  const prefix = opts.root ?? '';
  const mounts = parseCgroupMounts(opts.mountinfo ?? readFileSync(`${prefix}/proc/self/mountinfo`, 'utf8'));
  const dirs: string[] = [];
  for (const e of parseProcCgroup(readFileSync(`${prefix}/proc/${pid}/cgroup`, 'utf8'))) {
    const mount =
      e.hierarchyId === 0
        ? mounts.find((m) => m.version === 2)
        : mounts.find((m) => m.version === 1 && e.controllers.length > 0 && e.controllers.every((c) => m.controllers.includes(c)));
    if (!mount) continue;
    const rel = posix.relative(mount.root, e.path);
    if (!rel.startsWith('..')) dirs.push(posix.join(mount.mountPoint, rel));
  }
  return dirs;
}
