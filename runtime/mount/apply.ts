// Carries out the rootfs setup in the init, in the container's mount namespace:
// propagation of /, the rootfs bind, the planned mounts in order, then (after the
// create-phase hooks) pivot_root, masked and read-only paths, and a read-only root.
// Synchronous fs calls only: the init must not use libuv's thread pool here.
//
// Every path inside the rootfs is resolved inside it and used through an fd
// (./inroot.ts): mount(2) gets the fd's /proc/self/fd link (the host's /proc, before
// pivot_root), and after pivot_root, where the container may have no /proc, mounts
// are cloned and moved onto fds (open_tree, fsmount, move_mount).
import { closeSync, constants, cpSync, fstatSync, mkdirSync, openSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { RuntimeError, SyscallError } from '../errors.js';
import type { Syscalls } from '../syscalls.js';
import { O_DIRECTORY, O_NOFOLLOW, procPath, RootDir, S_IFDIR, S_IFLNK, fileType } from './inroot.js';
import { MOUNT_ATTR, MS } from './options.js';
import type { PlannedMount } from './plan.js';

const MNT_DETACH = 2;
/** Per-mount flags a bind remount has to repeat (the kernel locks some of them in a user namespace). */
const LOCKABLE = MS.RDONLY | MS.NOSUID | MS.NODEV | MS.NOEXEC | MS.NOATIME | MS.NODIRATIME | MS.RELATIME;
/** statfs(2)'s ST_ flags → mount(2)'s MS_ flags (they differ from ST_RELATIME on). */
const ST_TO_MS: ReadonlyArray<[number, number]> = [
  [1, MS.RDONLY],
  [2, MS.NOSUID],
  [4, MS.NODEV],
  [8, MS.NOEXEC],
  [1024, MS.NOATIME],
  [2048, MS.NODIRATIME],
  [4096, MS.RELATIME],
];

/** A v1 cgroup hierarchy of the host, and the container's cgroup in it. */
export interface CgroupMountSource {
  /** Directory name under the container's cgroup mount (cpu, memory, name=systemd → systemd). */
  name: string;
  /** Host path of the container's cgroup directory in that hierarchy. */
  hostPath: string;
}

export interface RootfsContext {
  sys: Syscalls;
  /** The rootfs (after prepareRoot: the bind mount of it), where every container path is resolved. */
  root: RootDir;
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

/** The per-mount flags of the mount at `path` that a remount must keep, as MS_ flags. */
function lockedFlags(sys: Syscalls, path: string): number {
  const st = sys.statfsFlags(path);
  return ST_TO_MS.reduce((acc, [s, m]) => (st & s ? acc | m : acc), 0) & LOCKABLE;
}

/**
 * Step 1: nothing we mount may reach the host, then the rootfs becomes a mount of its
 * own; returns it, opened, for everything that follows.
 */
export function prepareRoot(sys: Syscalls, rootfs: string): RootDir {
  sys.mount(null, '/', null, MS.SLAVE | MS.REC, null);
  sys.mount(rootfs, rootfs, null, MS.BIND | MS.REC, null);
  return RootDir.open(sys, rootfs);
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

/** Runs `use` with an fd of `path` and closes it. */
function withFd<T>(fd: number, use: (fd: number) => T): T {
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `use` on what is at `destination` now that it is mounted: resolved again, since the
 * fd taken before the mount names the directory under it.
 */
function atMount(root: RootDir, destination: string, use: (fd: number) => void): void {
  withFd(root.open(destination), use);
}

function mountOne(ctx: RootfsContext, m: PlannedMount): void {
  const { sys, root } = ctx;
  if (m.kind === 'bind') {
    let isDir: boolean;
    try {
      isDir = statSync(m.source!).isDirectory();
    } catch {
      throw new RuntimeError(`bind source ${m.source} does not exist`);
    }
    withFd(root.ensure(m.destination, isDir ? 'dir' : 'file'), (target) => {
      if (m.idmap) idmappedBind(ctx, m, target);
      else sys.mount(m.source, procPath(target), null, m.flags, null);
    });
    if (m.remountFlags !== undefined) atMount(root, m.destination, (fd) => remountBind(sys, procPath(fd), m.remountFlags!));
  } else if (m.kind === 'cgroup') {
    mountCgroupV1(ctx, m);
  } else {
    withFd(root.ensure(m.destination, 'dir'), (target) => {
      if (m.tmpcopyup) mountTmpcopyup(ctx, m, target);
      else sys.mount(m.source, procPath(target), m.fstype, m.flags, m.data);
    });
  }
  if (m.propagation.length === 0 && !m.recursive) return;
  atMount(root, m.destination, (fd) => {
    for (const p of m.propagation) sys.mount(null, procPath(fd), null, p, null);
    if (m.recursive) sys.mountSetattr(fd, true, { ...m.recursive, propagation: 0n });
  });
}

function idmappedBind(ctx: RootfsContext, m: PlannedMount, target: number): void {
  if (!ctx.idmappedTree) throw new RuntimeError('id-mapped mounts need the runtime to make them');
  withFd(ctx.idmappedTree(m), (tree) => ctx.sys.moveMount(tree, target));
}

function remountBind(sys: Syscalls, path: string, flags: number): void {
  try {
    sys.mount(null, path, null, flags, null);
  } catch (err) {
    if (!(err instanceof SyscallError) || err.code !== 'EPERM') throw err;
    // Locked flags (user namespaces) must be repeated; the caller's own choice wins where it made one.
    sys.mount(null, path, null, flags | (lockedFlags(sys, path) & ~MS.RDONLY), null);
  }
}

/** tmpfs over a directory, seeded with what the directory held (the `tmpcopyup` option). */
function mountTmpcopyup(ctx: RootfsContext, m: PlannedMount, target: number): void {
  const { sys, root } = ctx;
  const stage = join(ctx.scratch, `tmpcopyup-${m.index}`);
  mkdirSync(stage, { recursive: true });
  sys.mount(procPath(target), stage, null, MS.BIND | MS.PRIVATE, null);
  try {
    sys.mount(m.source, procPath(target), m.fstype, m.flags & ~MS.RDONLY, m.data);
    atMount(root, m.destination, (fresh) => {
      // Into the new tmpfs through its fd; symlinks are copied as symlinks, never followed.
      for (const entry of readdirSync(stage)) {
        cpSync(join(stage, entry), `${procPath(fresh)}/${entry}`, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
      }
      if (m.flags & MS.RDONLY) sys.mount(null, procPath(fresh), null, MS.REMOUNT | m.flags, m.data);
    });
  } finally {
    sys.umount2(stage, MNT_DETACH);
    rmdirSync(stage);
  }
}

/**
 * A `cgroup` mount on a v1 host, the way runc does it: a tmpfs with the container's
 * cgroup of each hierarchy bound under it, carrying the mount's flags (ro…).
 */
function mountCgroupV1(ctx: RootfsContext, m: PlannedMount): void {
  const { sys, root } = ctx;
  const fsFlags = m.flags & (MS.NOSUID | MS.NODEV | MS.NOEXEC);
  withFd(root.ensure(m.destination, 'dir'), (target) => sys.mount('tmpfs', procPath(target), 'tmpfs', fsFlags, 'mode=755'));
  for (const c of ctx.cgroupSources) {
    const sub = posix.join(m.destination, c.name);
    withFd(root.ensure(sub, 'dir'), (fd) => sys.mount(c.hostPath, procPath(fd), null, MS.BIND | MS.REC, null));
    atMount(root, sub, (fd) => remountBind(sys, procPath(fd), MS.REMOUNT | MS.BIND | MS.REC | m.flags));
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
  /** Where it comes from, for errors: `linux.devices[2]`; absent for a default device. */
  field?: string;
}

export const DEFAULT_DEVICES: readonly DeviceSpec[] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
].map(([name, major, minor]) => ({
  path: `/dev/${name}`,
  type: 'c' as const,
  major: major as number,
  minor: minor as number,
  fileMode: 0o666,
  uid: 0,
  gid: 0,
}));

const S_IFMT = 0o170000;
const TYPE_BITS: Record<DeviceSpec['type'], number> = { c: 0o020000, u: 0o020000, b: 0o060000, p: 0o010000 };
/** One step below a directory fd, no symlink followed (openat2 RESOLVE_BENEATH | NO_SYMLINKS | NO_MAGICLINKS). */
const ONE_STEP = 0x08 | 0x04 | 0x02;
const O_PATH_NOFOLLOW = 0o10000000 | O_NOFOLLOW | 0o2000000;

/** An O_PATH fd of `name` in `dir` itself (a symlink is not followed), or undefined. */
function entryIn(sys: Syscalls, dir: number, name: string): number | undefined {
  try {
    return sys.openat2(dir, name, O_PATH_NOFOLLOW, 0, ONE_STEP);
  } catch (err) {
    if (err instanceof SyscallError && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * mknod each device (or, in a user namespace where mknod is refused, bind the
 * host's node). An existing file that is not the requested device is an error
 * (config-linux.md, devices).
 */
export function createDevices(ctx: RootfsContext, devices: readonly DeviceSpec[], userns: boolean): void {
  const { sys, root } = ctx;
  const oldMask = sys.umask(0);
  try {
    for (const d of devices) {
      const what = d.field ? `${d.field} (${d.path})` : `the default device ${d.path}`;
      try {
        createDevice(sys, root, d, userns);
      } catch (err) {
        throw new RuntimeError(`${what}: ${err instanceof RuntimeError ? err.message : String(err)}`, { cause: err });
      }
    }
  } finally {
    sys.umask(oldMask);
  }
}

function createDevice(sys: Syscalls, root: RootDir, d: DeviceSpec, userns: boolean): void {
  const path = posix.normalize(posix.join('/', d.path));
  const name = posix.basename(path);
  if (name === '') throw new RuntimeError('is not a file name');
  withFd(root.ensure(posix.dirname(path), 'dir'), (dir) => {
    if (fileType(dir) !== S_IFDIR) throw new RuntimeError(`${posix.dirname(path)} is not a directory`);
    const existing = entryIn(sys, dir, name);
    if (existing !== undefined) {
      const st = withFd(existing, (fd) => fstatSync(fd));
      const sameType = (st.mode & S_IFMT) === TYPE_BITS[d.type];
      const sameDev = d.type === 'p' || (major(st.rdev) === d.major && minor(st.rdev) === d.minor);
      if (!sameType || !sameDev) throw new RuntimeError('a different file already exists there');
      return;
    }
    if (userns && d.type !== 'p') {
      withFd(root.ensure(path, 'file'), (fd) => sys.mount(d.path, procPath(fd), null, MS.BIND, null));
      return;
    }
    sys.mknodat(dir, name, TYPE_BITS[d.type] | (d.fileMode & 0o7777), d.major, d.minor);
    sys.fchownat(dir, name, d.uid, d.gid);
  });
}

const major = (dev: number): number => ((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfff);
const minor = (dev: number): number => (dev & 0xff) | ((dev >> 12) & ~0xff);

/** /dev/ptmx → pts/ptmx and runtime-linux.md's /dev/fd, stdin, stdout, stderr links. */
export function devSymlinks(ctx: RootfsContext): void {
  const { sys, root } = ctx;
  const dev = root.tryOpen('/dev', O_DIRECTORY);
  if (dev === undefined) return;
  withFd(dev, () => {
    const has = (name: string): number | undefined => {
      const fd = entryIn(sys, dev, name);
      if (fd === undefined) return undefined;
      return withFd(fd, fileType);
    };
    if (has('pts/ptmx') !== undefined) {
      const ptmx = has('ptmx');
      if (ptmx !== S_IFLNK) {
        if (ptmx !== undefined) sys.unlinkat(dev, 'ptmx', false);
        sys.symlinkat('pts/ptmx', dev, 'ptmx');
      }
    }
    // "if the source file exists after processing mounts": the container's /proc.
    const fdDir = root.tryOpen('/proc/self/fd');
    if (fdDir === undefined) return;
    closeSync(fdDir);
    for (const [target, name] of [
      ['/proc/self/fd', 'fd'],
      ['/proc/self/fd/0', 'stdin'],
      ['/proc/self/fd/1', 'stdout'],
      ['/proc/self/fd/2', 'stderr'],
    ] as const) {
      if (has(name) === undefined) sys.symlinkat(target, dev, name);
    }
  });
}

/** pivot_root into the rootfs and detach the old root (runc's pivot_root(".", ".") way). */
export function pivotRoot(ctx: RootfsContext): void {
  const { sys } = ctx;
  const oldRoot = openSync('/', constants.O_DIRECTORY | constants.O_RDONLY);
  try {
    sys.fchdir(ctx.root.fd);
    sys.pivotRoot('.', '.');
    sys.fchdir(oldRoot);
    // The old root must not pass the unmount on to the host.
    sys.mount(null, '.', null, MS.SLAVE | MS.REC, null);
    sys.umount2('.', MNT_DETACH);
    sys.chdir('/');
  } finally {
    closeSync(oldRoot);
  }
}

const PROPAGATION: Record<string, number> = { shared: MS.SHARED, slave: MS.SLAVE, private: MS.PRIVATE, unbindable: MS.UNBINDABLE };

export interface FinishOptions {
  rootfsPropagation?: string;
  maskedPaths?: readonly string[];
  readonlyPaths?: readonly string[];
  readonlyRoot?: boolean;
}

/**
 * After pivot_root: the root's propagation, read-only and masked paths (each resolved
 * in the root, magic links refused, and mounted onto its fd), a read-only root.
 */
export function finishRootfs(sys: Syscalls, o: FinishOptions): void {
  if (o.rootfsPropagation) sys.mount(null, '/', null, PROPAGATION[o.rootfsPropagation]!, null);
  const root = RootDir.open(sys);
  try {
    (o.readonlyPaths ?? []).forEach((path, i) =>
      pathStep(root, 'readonlyPaths', i, path, (fd) => {
        // A bind of the path onto itself, made read-only before it is attached.
        withFd(sys.cloneTree(fd, '', true), (tree) => {
          sys.mountSetattr(tree, false, { attrSet: MOUNT_ATTR.RDONLY, attrClr: 0n, propagation: 0n });
          sys.moveMount(tree, fd);
        });
      }),
    );
    (o.maskedPaths ?? []).forEach((path, i) =>
      pathStep(root, 'maskedPaths', i, path, (fd) => {
        if (fileType(fd) === S_IFDIR) {
          withFd(sys.newTmpfs(true), (tmpfs) => sys.moveMount(tmpfs, fd));
          return;
        }
        withFd(nullDevice(root), (devNull) => withFd(sys.cloneTree(devNull, '', false), (tree) => sys.moveMount(tree, fd)));
      }),
    );
  } finally {
    root.close();
  }
  if (o.readonlyRoot) sys.mount(null, '/', null, MS.BIND | MS.REMOUNT | MS.RDONLY | lockedFlags(sys, '/'), null);
}

/** One masked or read-only path: skipped when it does not exist, errors naming the entry. */
function pathStep(root: RootDir, key: string, i: number, path: string, use: (fd: number) => void): void {
  try {
    const fd = root.tryOpen(path);
    if (fd !== undefined) withFd(fd, use);
  } catch (err) {
    throw new RuntimeError(`linux.${key}[${i}] (${path}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** The container's /dev/null (made by createDevices), checked to be the null device still. */
function nullDevice(root: RootDir): number {
  const fd = root.open('/dev/null');
  const st = fstatSync(fd);
  if ((st.mode & S_IFMT) !== TYPE_BITS.c || major(st.rdev) !== 1 || minor(st.rdev) !== 3) {
    closeSync(fd);
    throw new RuntimeError('/dev/null in the container is not the null device');
  }
  return fd;
}
