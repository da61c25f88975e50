// Carries out the rootfs setup in the init, in the container's mount namespace:
// propagation of /, the rootfs bind, the planned mounts in order, then (after the
// create-phase hooks) pivot_root, masked and read-only paths, and a read-only root.
// Synchronous fs calls only: the init must not use libuv's thread pool here.
import { closeSync, cpSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { constants, type Stats } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { RuntimeError, SyscallError } from '../errors.js';
import type { Syscalls } from '../syscalls.js';
import { mountFlags } from './mountinfo.js';
import { MS } from './options.js';
import type { PlannedMount } from './plan.js';
import { secureJoin } from './paths.js';

const MNT_DETACH = 2;
/** Per-mount flags a bind remount has to repeat (the kernel locks some of them in a user namespace). */
const LOCKABLE = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.NOATIME | MS.NODIRATIME | MS.RELATIME;

/** A v1 cgroup hierarchy of the host, and the container's cgroup in it. */
export interface CgroupMountSource {
  /** Directory name under the container's cgroup mount (cpu, memory, name=systemd → systemd). */
  name: string;
  /** Host path of the container's cgroup directory in that hierarchy. */
  hostPath: string;
}

export interface RootfsContext {
  sys: Syscalls;
  /** Absolute host path of the rootfs. */
  rootfs: string;
  /** Where tmpcopyup may stage a directory (in the state dir). */
  scratch: string;
  cgroupSources: readonly CgroupMountSource[];
  /**
   * A detached, id-mapped copy of an id-mapped mount's source (an fd, see
   * Syscalls.idmappedTree): the runtime's parent makes it, with the privileges over
   * the source's filesystem that the init lacks inside a user namespace.
   */
  idmappedTree?: (m: PlannedMount) => number;
}

function describe(m: PlannedMount): string {
  return `mounts[${m.index}] (${m.destination})`;
}

/** Step 1: nothing we mount may reach the host, then the rootfs becomes a mount of its own. */
export function prepareRoot(ctx: RootfsContext): void {
  ctx.sys.mount(null, '/', null, MS.SLAVE | MS.REC, null);
  ctx.sys.mount(ctx.rootfs, ctx.rootfs, null, MS.BIND | MS.REC, null);
}

export function mountAll(ctx: RootfsContext, plan: readonly PlannedMount[]): void {
  for (const m of plan) {
    try {
      mountOne(ctx, m);
    } catch (err) {
      if (err instanceof RuntimeError) throw new RuntimeError(`${describe(m)}: ${err.message}`, { cause: err });
      throw err;
    }
  }
}

function mountOne(ctx: RootfsContext, m: PlannedMount): void {
  const { sys } = ctx;
  const dest = secureJoin(ctx.rootfs, m.destination);
  if (m.kind === 'bind') {
    let isDir: boolean;
    try {
      isDir = statSync(m.source!).isDirectory();
    } catch {
      throw new RuntimeError(`bind source ${m.source} does not exist`);
    }
    ensureTarget(dest, isDir);
    if (m.idmap) idmappedBind(ctx, m, dest);
    else sys.mount(m.source, dest, null, m.flags, null);
    if (m.remountFlags !== undefined) remountBind(sys, dest, m.remountFlags);
  } else if (m.kind === 'cgroup') {
    mountCgroupV1(ctx, m, dest);
  } else {
    ensureTarget(dest, true);
    if (m.tmpcopyup) mountTmpcopyup(ctx, m, dest);
    else sys.mount(m.source, dest, m.fstype, m.flags, m.data);
  }
  for (const p of m.propagation) sys.mount(null, dest, null, p, null);
  if (m.recursive) sys.mountSetattr(dest, true, { ...m.recursive, propagation: 0n });
}

function idmappedBind(ctx: RootfsContext, m: PlannedMount, dest: string): void {
  if (!ctx.idmappedTree) throw new RuntimeError('id-mapped mounts need the runtime to make them');
  const tree = ctx.idmappedTree(m);
  try {
    ctx.sys.moveMount(tree, dest);
  } finally {
    closeSync(tree);
  }
}

function ensureTarget(path: string, dir: boolean): void {
  if (existsSync(path)) return;
  if (dir) {
    mkdirSync(path, { recursive: true, mode: 0o755 });
  } else {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    writeFileSync(path, '', { mode: 0o644, flag: 'a' });
  }
}

function remountBind(sys: Syscalls, dest: string, flags: number): void {
  try {
    sys.mount(null, dest, null, flags, null);
  } catch (err) {
    if (!(err instanceof SyscallError) || err.code !== 'EPERM') throw err;
    // Locked flags (user namespaces) must be repeated; the caller's own choice wins where it made one.
    sys.mount(null, dest, null, flags | (mountFlags(dest) & LOCKABLE & ~MS.RDONLY), null);
  }
}

/** tmpfs over a directory, seeded with what the directory held (the `tmpcopyup` option). */
function mountTmpcopyup(ctx: RootfsContext, m: PlannedMount, dest: string): void {
  const { sys } = ctx;
  const stage = join(ctx.scratch, `tmpcopyup-${m.index}`);
  mkdirSync(stage, { recursive: true });
  sys.mount(dest, stage, null, MS.BIND | MS.PRIVATE, null);
  try {
    sys.mount(m.source, dest, m.fstype, m.flags & ~MS.RDONLY, m.data);
    for (const entry of readdirSync(stage)) {
      cpSync(join(stage, entry), join(dest, entry), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    }
    if (m.flags & MS.RDONLY) sys.mount(null, dest, null, MS.REMOUNT | m.flags, m.data);
  } finally {
    sys.umount2(stage, MNT_DETACH);
    rmdirSync(stage);
  }
}

/**
 * A `cgroup` mount on a v1 host, the way runc does it: a tmpfs with the container's
 * cgroup of each hierarchy bound under it, carrying the mount's flags (ro…).
 */
function mountCgroupV1(ctx: RootfsContext, m: PlannedMount, dest: string): void {
  const { sys } = ctx;
  ensureTarget(dest, true);
  const fsFlags = m.flags & (MS.NOSUID | MS.NODEV | MS.NOEXEC);
  sys.mount('tmpfs', dest, 'tmpfs', fsFlags, 'mode=755');
  for (const c of ctx.cgroupSources) {
    const sub = posix.join(dest, c.name);
    mkdirSync(sub, { recursive: true });
    sys.mount(c.hostPath, sub, null, MS.BIND | MS.REC, null);
    remountBind(sys, sub, MS.REMOUNT | MS.BIND | MS.REC | m.flags);
  }
}

/** A device node to supply, in the container's terms. */
export interface DeviceSpec {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export const DEFAULT_DEVICES: readonly DeviceSpec[] = [
  ['null', 1, 3], ['zero', 1, 5], ['full', 1, 7], ['random', 1, 8], ['urandom', 1, 9], ['tty', 5, 0],
].map(([name, major, minor]) => ({ path: `/dev/${name}`, type: 'c' as const, major: major as number, minor: minor as number, fileMode: 0o666, uid: 0, gid: 0 }));

const S_IFMT = 0o170000;
const TYPE_BITS: Record<DeviceSpec['type'], number> = { c: 0o020000, u: 0o020000, b: 0o060000, p: 0o010000 };

/**
 * mknod each device (or, in a user namespace where mknod is refused, bind the
 * host's node). An existing file that is not the requested device is an error
 * (config-linux.md, devices).
 */
export function createDevices(ctx: RootfsContext, devices: readonly DeviceSpec[], userns: boolean): void {
  const { sys } = ctx;
  const oldMask = sys.umask(0);
  try {
    for (const d of devices) {
      const path = secureJoin(ctx.rootfs, d.path);
      const mode = TYPE_BITS[d.type] | (d.fileMode & 0o7777);
      const existing = lstatOrUndefined(path);
      if (existing) {
        const sameType = (existing.mode & S_IFMT) === TYPE_BITS[d.type];
        const sameDev = d.type === 'p' || (major(existing.rdev) === d.major && minor(existing.rdev) === d.minor);
        if (!sameType || !sameDev) throw new RuntimeError(`device ${d.path}: a different file already exists there`);
        continue;
      }
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
      if (userns && d.type !== 'p') {
        writeFileSync(path, '', { mode: 0o644 });
        sys.mount(d.path, path, null, MS.BIND, null);
        continue;
      }
      sys.mknod(path, mode, d.major, d.minor);
      sys.chown(path, d.uid, d.gid);
    }
  } finally {
    sys.umask(oldMask);
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

const major = (dev: number): number => ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff);
const minor = (dev: number): number => (dev & 0xff) | ((dev >> 12) & ~0xff);

/** /dev/ptmx → pts/ptmx and runtime-linux.md's /dev/fd, stdin, stdout, stderr links. */
export function devSymlinks(ctx: RootfsContext): void {
  const { sys } = ctx;
  const dev = secureJoin(ctx.rootfs, '/dev');
  if (!existsSync(dev)) return;
  const ptmx = join(dev, 'ptmx');
  if (existsSync(join(dev, 'pts/ptmx'))) {
    const st = lstatOrUndefined(ptmx);
    if (!st?.isSymbolicLink()) {
      if (st) sys.unlink(ptmx);
      sys.symlink('pts/ptmx', ptmx);
    }
  }
  // "if the source file exists after processing mounts": the container's /proc.
  if (!existsSync(secureJoin(ctx.rootfs, '/proc/self/fd'))) return;
  for (const [target, name] of [['/proc/self/fd', 'fd'], ['/proc/self/fd/0', 'stdin'], ['/proc/self/fd/1', 'stdout'], ['/proc/self/fd/2', 'stderr']] as const) {
    const link = join(dev, name);
    if (lstatOrUndefined(link)) continue;
    sys.symlink(target, link);
  }
}

/** pivot_root into the rootfs and detach the old root (runc's pivot_root(".", ".") way). */
export function pivotRoot(ctx: RootfsContext): void {
  const { sys } = ctx;
  const flags = constants.O_DIRECTORY | constants.O_RDONLY;
  const oldRoot = openSync('/', flags);
  const newRoot = openSync(ctx.rootfs, flags);
  try {
    sys.fchdir(newRoot);
    sys.pivotRoot('.', '.');
    sys.fchdir(oldRoot);
    // The old root must not pass the unmount on to the host.
    sys.mount(null, '.', null, MS.SLAVE | MS.REC, null);
    sys.umount2('.', MNT_DETACH);
    sys.chdir('/');
  } finally {
    closeSync(oldRoot);
    closeSync(newRoot);
  }
}

const PROPAGATION: Record<string, number> = { shared: MS.SHARED, slave: MS.SLAVE, private: MS.PRIVATE, unbindable: MS.UNBINDABLE };

export interface FinishOptions {
  rootfsPropagation?: string;
  maskedPaths?: readonly string[];
  readonlyPaths?: readonly string[];
  readonlyRoot?: boolean;
}

/** After pivot_root: the root's propagation, masked and read-only paths, a read-only root. */
export function finishRootfs(sys: Syscalls, o: FinishOptions): void {
  if (o.rootfsPropagation) sys.mount(null, '/', null, PROPAGATION[o.rootfsPropagation]!, null);
  for (const path of o.readonlyPaths ?? []) {
    if (!existsSync(path)) continue;
    sys.mount(path, path, null, MS.BIND | MS.REC, null);
    sys.mount(null, path, null, MS.BIND | MS.REMOUNT | MS.REC | MS.RDONLY | (mountFlags(path) & LOCKABLE), null);
  }
  for (const path of o.maskedPaths ?? []) {
    const st = lstatOrUndefined(path);
    if (!st) continue;
    if (st.isDirectory()) sys.mount('tmpfs', path, 'tmpfs', MS.RDONLY, null);
    else sys.mount('/dev/null', path, null, MS.BIND, null);
  }
  if (o.readonlyRoot) sys.mount(null, '/', null, MS.BIND | MS.REMOUNT | MS.RDONLY | (mountFlags('/') & LOCKABLE), null);
}
