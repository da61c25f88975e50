// The only module that talks to libc (through koffi). Everything else takes a
// `Syscalls` and is unit-tested with the recording fake (./syscalls-fake.ts).
// Failures throw SyscallError naming the call, its main argument and the errno.
import { constants } from 'node:os';
import { createRequire } from 'node:module';
import { closeSync, constants as fsConstants, lchownSync, openSync, symlinkSync, unlinkSync } from 'node:fs';
import { SyscallError } from './errors.js';

export interface MountAttr {
  attrSet: bigint;
  attrClr: bigint;
  propagation: bigint;
}

/** struct sched_attr (SCHED_ATTR_SIZE_VER1). */
export interface SchedAttr {
  policy: number;
  flags: bigint;
  nice: number;
  priority: number;
  runtime: bigint;
  deadline: bigint;
  period: bigint;
}

export interface Syscalls {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  /** mount_setattr(2) with AT_RECURSIVE when `recursive`; a number is an fd (AT_EMPTY_PATH). */
  mountSetattr(target: string | number, recursive: boolean, attr: MountAttr): void;
  /**
   * An id-mapped copy of the mount tree at `source`, detached (open_tree OPEN_TREE_CLONE,
   * with its submounts when `rbind`), given the mapping of the user namespace `usernsFd`
   * (mount_setattr MOUNT_ATTR_IDMAP, on every mount of the copy when `recursive`).
   * Returns its fd, for moveMount (in this process or another one it is passed to).
   */
  idmappedTree(source: string, rbind: boolean, recursive: boolean, usernsFd: number): number;
  /** move_mount(2) of a detached tree (an open_tree or fsmount fd) onto the file `targetFd` refers to. */
  moveMount(treeFd: number, targetFd: number): void;
  /**
   * open_tree(2) with OPEN_TREE_CLONE: a detached copy of the mount at `path` relative to
   * `dirfd` ('' with AT_EMPTY_PATH: `dirfd` itself), with its submounts when `recursive`.
   */
  cloneTree(dirfd: number, path: string, recursive: boolean): number;
  /** A new, detached tmpfs (fsopen, fsconfig, fsmount), read-only when `readonly`: for move_mount. */
  newTmpfs(readonly: boolean): number;
  /**
   * openat2(2): `resolve` is RESOLVE_* (RESOLVE_IN_ROOT keeps every step, symlinks
   * included, inside `dirfd`). Returns the new fd.
   */
  openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number;
  mkdirat(dirfd: number, name: string, mode: number): void;
  /** mknodat(2) of a device or FIFO `name` in the directory `dirfd`. */
  mknodat(dirfd: number, name: string, mode: number, major: number, minor: number): void;
  /** fchownat(2) with AT_SYMLINK_NOFOLLOW (and AT_EMPTY_PATH when `name` is ''). */
  fchownat(dirfd: number, name: string, uid: number, gid: number): void;
  symlinkat(target: string, dirfd: number, name: string): void;
  /** readlinkat(2): the target of the symlink `name` in `dirfd`. */
  readlinkat(dirfd: number, name: string): string;
  unlinkat(dirfd: number, name: string, dir: boolean): void;
  /** statfs(2)'s f_flags (ST_RDONLY, ST_NOSUID… which have the values of the MS_ flags). */
  statfsFlags(path: string): number;
  pivotRoot(newRoot: string, putOld: string): void;
  chdir(path: string): void;
  fchdir(fd: number): void;
  chroot(path: string): void;
  unshare(flags: number): void;
  setns(fd: number, nstype: number): void;
  sethostname(name: string): void;
  setdomainname(name: string): void;
  /** prlimit(2) on the calling process. */
  setrlimit(resource: number, soft: bigint, hard: bigint): void;
  getrlimit(resource: number): { soft: bigint; hard: bigint };
  prctl(option: number, arg2: bigint | number, arg3?: bigint | number, arg4?: bigint | number, arg5?: bigint | number): number;
  /** capset(2), version 3: each set is a 64-bit mask. */
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void;
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint };
  setresuid(uid: number): void;
  setresgid(gid: number): void;
  setgroups(gids: readonly number[]): void;
  umask(mask: number): number;
  mknod(path: string, mode: number, major: number, minor: number): void;
  mkfifo(path: string, mode: number): void;
  /**
   * seccomp(SECCOMP_SET_MODE_FILTER, flags, prog): `program` is struct sock_filter[].
   * Returns the listener fd with SECCOMP_FILTER_FLAG_NEW_LISTENER, else 0.
   */
  seccompSetFilter(flags: number, program: Uint8Array): number;
  /**
   * bpf(2): loads `program` (struct bpf_insn[]) as a BPF_PROG_TYPE_CGROUP_DEVICE
   * program and attaches it to the cgroup v2 directory `cgroupDir` (BPF_F_ALLOW_MULTI:
   * the parents' programs still run). The attachment outlives the calling process.
   */
  attachCgroupDeviceFilter(cgroupDir: string, program: Uint8Array): void;
  /** Sets or clears FD_CLOEXEC. */
  setCloexec(fd: number, on: boolean): void;
  /** dup3(2) without O_CLOEXEC: `newFd` becomes a copy of `oldFd` that survives execve. */
  dup3(oldFd: number, newFd: number): void;
  /** Sets or clears O_NONBLOCK. */
  setNonblocking(fd: number, on: boolean): void;
  chown(path: string, uid: number, gid: number): void;
  unlink(path: string): void;
  symlink(target: string, path: string): void;
  flock(fd: number, operation: number): void;
  /** Resets a signal's disposition to SIG_DFL. */
  resetSignal(signal: number): void;
  /** Makes `signal` end the process with _exit(signal): see init/signals.ts for why. */
  exitOnSignal(signal: number): void;
  /** Unblocks every signal for the calling thread. */
  unblockAllSignals(): void;
  pidfdOpen(pid: number): number;
  pidfdSendSignal(pidfd: number, signal: number): void;
  /** pidfd_getfd(2): a copy of another process's descriptor `targetFd`. */
  pidfdGetfd(pidfd: number, targetFd: number): number;
  /** sched_setattr(2) on the calling thread. */
  schedSetattr(attr: SchedAttr): void;
  /** ioprio_set(2), IOPRIO_WHO_PROCESS, on the calling thread. */
  ioprioSet(ioprio: number): void;
  /** personality(2). */
  personality(persona: number): void;
  /** set_mempolicy(2) on the calling thread; `nodes` are memory node numbers. */
  setMempolicy(mode: number, nodes: readonly number[]): void;
  /** sched_setaffinity(2); pid 0 is the calling thread. */
  schedSetaffinity(pid: number, cpus: readonly number[]): void;
  /** dup2(2): `oldFd` also becomes `newFd` (without close-on-exec). */
  dup2(oldFd: number, newFd: number): void;
  /** A pseudoterminal master: unlocks its slave (unlockpt) and returns the slave's number (ptsname). */
  unlockPty(master: number): number;
  /** TIOCSWINSZ: the terminal's rows and columns. */
  setWinsize(fd: number, rows: number, cols: number): void;
  /** TIOCGWINSZ. */
  getWinsize(fd: number): { rows: number; cols: number };
  /** TIOCSCTTY: `fd`'s terminal becomes the controlling terminal of the calling session leader. */
  setControllingTerminal(fd: number): void;
  /** sendmsg(2) of `data` with `fd` attached (SCM_RIGHTS), on a connected unix socket. */
  sendFd(socket: number, fd: number, data: string): void;
  /** recvmsg(2) of one message with at most one descriptor attached (SCM_RIGHTS). */
  recvFd(socket: number): { data: string; fd?: number };
  /** A NETLINK_ROUTE socket, in the calling thread's network namespace. */
  netlinkSocket(): number;
  /** send(2) of one netlink request. */
  netlinkSend(fd: number, message: Uint8Array): void;
  /** recv(2) of the next datagram (one or more netlink messages); blocks. */
  netlinkRecv(fd: number): Buffer;
  execve(path: string, argv: readonly string[], envp: readonly string[]): never;
  getpid(): number;
  /** Blocking waitpid(2); returns the raw wait status. */
  waitpid(pid: number): number;
  /** waitpid(2) with WNOHANG: the raw wait status, or undefined while the child runs. */
  waitpidNohang(pid: number): number | undefined;
}

// <asm-generic/ioctls.h>
const TIOCSCTTY = 0x540e, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431;
const SOL_SOCKET = 1, SCM_RIGHTS = 1;

const NR = { pivot_root: 155, openat2: 437, fsopen: 430, fsconfig: 431, fsmount: 432, bpf: 321, set_mempolicy: 238, ioprio_set: 251, sched_setattr: 314, seccomp: 317, pidfd_send_signal: 424, pidfd_open: 434, pidfd_getfd: 438, mount_setattr: 442, open_tree: 428, move_mount: 429 } as const;

const errnoNames: Record<number, string> = Object.fromEntries(
  Object.entries(constants.errno).map(([name, num]) => [num, name]),
);

export function errnoName(errno: number): string {
  return errnoNames[errno] ?? `errno ${errno}`;
}

// koffi is CommonJS and a native addon; loading it costs tens of ms, so only the
// commands that make syscalls pay for it.
type Koffi = typeof import('koffi');
// koffi's functions are untyped (...args: any[]) => any; each wrapper below fixes the types.
type Fn = (...args: unknown[]) => number | bigint;

class LibcSyscalls implements Syscalls {
  private readonly koffi: Koffi;
  private readonly lib: ReturnType<Koffi['load']>;
  private readonly fns = new Map<string, Fn>();

  constructor() {
    if (process.arch !== 'x64') throw new Error(`conform-runtime supports x86_64 only (this is ${process.arch})`);
    const require = createRequire(import.meta.url);
    this.koffi = require('koffi') as Koffi;
    this.lib = this.koffi.load('libc.so.6');
  }

  private fn(key: string, proto: string | [string, string, string[]]): Fn {
    let f = this.fns.get(key);
    if (!f) {
      f = (typeof proto === 'string' ? this.lib.func(proto) : this.lib.func(...proto)) as Fn;
      this.fns.set(key, f);
    }
    return f;
  }

  /** Calls and throws on a -1 result. */
  private call(key: string, proto: string | [string, string, string[]], what: string, ...args: unknown[]): number {
    const r = Number(this.fn(key, proto)(...args));
    if (r === -1) {
      const errno = this.koffi.errno();
      throw new SyscallError(key.replace(/#.*/, ''), what, errno, errnoName(errno));
    }
    return r;
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.call('mount', 'int mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)', target, source, target, fstype, flags, data);
  }
  umount2(target: string, flags: number): void {
    this.call('umount2', 'int umount2(const char *target, int flags)', target, target, flags);
  }
  mountSetattr(target: string | number, recursive: boolean, attr: MountAttr): void {
    const buf = Buffer.alloc(32);
    buf.writeBigUInt64LE(attr.attrSet, 0);
    buf.writeBigUInt64LE(attr.attrClr, 8);
    buf.writeBigUInt64LE(attr.propagation, 16);
    const AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000;
    const [dirfd, path, empty] = typeof target === 'number' ? [target, '', AT_EMPTY_PATH] : [AT_FDCWD, target, 0];
    this.call('mount_setattr#', ['syscall', 'long', ['long', 'int', 'str', 'uint', 'void *', 'size_t']], String(target),
      NR.mount_setattr, dirfd, path, empty | (recursive ? AT_RECURSIVE : 0), buf, 32);
  }
  idmappedTree(source: string, rbind: boolean, recursive: boolean, usernsFd: number): number {
    const AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000, OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 0o2000000;
    const MOUNT_ATTR_IDMAP = 0x100000n;
    const tree = this.call('open_tree#', ['syscall', 'long', ['long', 'int', 'str', 'uint']], source,
      NR.open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rbind ? AT_RECURSIVE : 0));
    try {
      const attr = Buffer.alloc(32);
      attr.writeBigUInt64LE(MOUNT_ATTR_IDMAP, 0);
      attr.writeBigUInt64LE(BigInt(usernsFd), 24);
      this.call('mount_setattr#fd', ['syscall', 'long', ['long', 'int', 'str', 'uint', 'void *', 'size_t']], `${source} (MOUNT_ATTR_IDMAP)`,
        NR.mount_setattr, tree, '', AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attr, 32);
      return tree;
    } catch (err) {
      closeSync(tree);
      throw err;
    }
  }
  moveMount(treeFd: number, targetFd: number): void {
    const MOVE_MOUNT_F_EMPTY_PATH = 0x4, MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    this.call('move_mount#', ['syscall', 'long', ['long', 'int', 'str', 'int', 'str', 'uint']], `fd ${targetFd}`,
      NR.move_mount, treeFd, '', targetFd, '', MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  }
  cloneTree(dirfd: number, path: string, recursive: boolean): number {
    const AT_EMPTY_PATH = 0x1000, AT_RECURSIVE = 0x8000, OPEN_TREE_CLONE = 1, OPEN_TREE_CLOEXEC = 0o2000000;
    return this.call('open_tree#clone', ['syscall', 'long', ['long', 'int', 'str', 'uint']], path || `fd ${dirfd}`,
      NR.open_tree, dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (path === '' ? AT_EMPTY_PATH : 0) | (recursive ? AT_RECURSIVE : 0));
  }
  newTmpfs(readonly: boolean): number {
    const FSOPEN_CLOEXEC = 1, FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6, FSMOUNT_CLOEXEC = 1, MOUNT_ATTR_RDONLY = 1;
    const fs = this.call('fsopen#', ['syscall', 'long', ['long', 'str', 'uint']], 'tmpfs', NR.fsopen, 'tmpfs', FSOPEN_CLOEXEC);
    const config = (cmd: number, key: string | null, value: string | null): void => {
      this.call('fsconfig#', ['syscall', 'long', ['long', 'int', 'uint', 'str', 'str', 'int']], `tmpfs ${key ?? 'create'}`, NR.fsconfig, fs, cmd, key, value, 0);
    };
    try {
      config(FSCONFIG_SET_STRING, 'source', 'tmpfs');
      if (readonly) config(FSCONFIG_SET_FLAG, 'ro', null);
      config(FSCONFIG_CMD_CREATE, null, null);
      return this.call('fsmount#', ['syscall', 'long', ['long', 'int', 'uint', 'uint']], 'tmpfs', NR.fsmount, fs, FSMOUNT_CLOEXEC, readonly ? MOUNT_ATTR_RDONLY : 0);
    } finally {
      closeSync(fs);
    }
  }
  openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
    const how = Buffer.alloc(24); // struct open_how { u64 flags, mode, resolve; }
    how.writeBigUInt64LE(BigInt(flags), 0);
    how.writeBigUInt64LE(BigInt(mode), 8);
    how.writeBigUInt64LE(BigInt(resolve), 16);
    return this.call('openat2#', ['syscall', 'long', ['long', 'int', 'str', 'void *', 'size_t']], path, NR.openat2, dirfd, path, how, 24);
  }
  mkdirat(dirfd: number, name: string, mode: number): void {
    this.call('mkdirat', 'int mkdirat(int dirfd, const char *path, uint mode)', name, dirfd, name, mode);
  }
  mknodat(dirfd: number, name: string, mode: number, major: number, minor: number): void {
    this.call('mknodat', 'int mknodat(int dirfd, const char *path, uint mode, uint64_t dev)', name, dirfd, name, mode, makedev(major, minor));
  }
  fchownat(dirfd: number, name: string, uid: number, gid: number): void {
    const AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000;
    this.call('fchownat', 'int fchownat(int dirfd, const char *path, uint uid, uint gid, int flags)', name || `fd ${dirfd}`,
      dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW | (name === '' ? AT_EMPTY_PATH : 0));
  }
  symlinkat(target: string, dirfd: number, name: string): void {
    this.call('symlinkat', 'int symlinkat(const char *target, int dirfd, const char *path)', name, target, dirfd, name);
  }
  readlinkat(dirfd: number, name: string): string {
    const buf = Buffer.alloc(4096);
    const n = this.call('readlinkat', 'long readlinkat(int dirfd, const char *path, void *buf, size_t size)', name, dirfd, name, buf, buf.length);
    return buf.toString('utf8', 0, n);
  }
  unlinkat(dirfd: number, name: string, dir: boolean): void {
    const AT_REMOVEDIR = 0x200;
    this.call('unlinkat', 'int unlinkat(int dirfd, const char *path, int flags)', name, dirfd, name, dir ? AT_REMOVEDIR : 0);
  }
  statfsFlags(path: string): number {
    const buf = Buffer.alloc(120); // struct statfs on x86_64; f_flags at offset 80
    this.call('statfs', 'int statfs(const char *path, void *buf)', path, path, buf);
    return Number(buf.readBigUInt64LE(80));
  }
  pivotRoot(newRoot: string, putOld: string): void {
    this.call('pivot_root#', ['syscall', 'long', ['long', 'str', 'str']], newRoot, NR.pivot_root, newRoot, putOld);
  }
  chdir(path: string): void {
    this.call('chdir', 'int chdir(const char *path)', path, path);
  }
  fchdir(fd: number): void {
    this.call('fchdir', 'int fchdir(int fd)', String(fd), fd);
  }
  chroot(path: string): void {
    this.call('chroot', 'int chroot(const char *path)', path, path);
  }
  unshare(flags: number): void {
    this.call('unshare', 'int unshare(int flags)', `0x${flags.toString(16)}`, flags);
  }
  setns(fd: number, nstype: number): void {
    this.call('setns', 'int setns(int fd, int nstype)', String(fd), fd, nstype);
  }
  sethostname(name: string): void {
    const b = Buffer.from(name);
    this.call('sethostname', 'int sethostname(const char *name, size_t len)', name, b, b.length);
  }
  setdomainname(name: string): void {
    const b = Buffer.from(name);
    this.call('setdomainname', 'int setdomainname(const char *name, size_t len)', name, b, b.length);
  }
  setrlimit(resource: number, soft: bigint, hard: bigint): void {
    const buf = Buffer.alloc(16);
    buf.writeBigUInt64LE(soft, 0);
    buf.writeBigUInt64LE(hard, 8);
    this.call('prlimit', 'int prlimit(int pid, int resource, const void *new_limit, void *old_limit)', `resource ${resource}`, 0, resource, buf, null);
  }
  getrlimit(resource: number): { soft: bigint; hard: bigint } {
    const buf = Buffer.alloc(16);
    this.call('prlimit#get', 'int prlimit(int pid, int resource, const void *new_limit, void *old_limit)', `resource ${resource}`, 0, resource, null, buf);
    return { soft: buf.readBigUInt64LE(0), hard: buf.readBigUInt64LE(8) };
  }
  prctl(option: number, arg2: bigint | number, arg3: bigint | number = 0, arg4: bigint | number = 0, arg5: bigint | number = 0): number {
    return this.call('prctl', 'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
      `option ${option}`, option, BigInt(arg2), BigInt(arg3), BigInt(arg4), BigInt(arg5));
  }
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32LE(0x20080522, 0); // _LINUX_CAPABILITY_VERSION_3
    const data = Buffer.alloc(24);
    const lo = (v: bigint) => Number(v & 0xffffffffn);
    const hi = (v: bigint) => Number((v >> 32n) & 0xffffffffn);
    data.writeUInt32LE(lo(effective), 0); data.writeUInt32LE(lo(permitted), 4); data.writeUInt32LE(lo(inheritable), 8);
    data.writeUInt32LE(hi(effective), 12); data.writeUInt32LE(hi(permitted), 16); data.writeUInt32LE(hi(inheritable), 20);
    this.call('capset', 'int capset(void *hdr, const void *data)', 'v3', hdr, data);
  }
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint } {
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32LE(0x20080522, 0);
    const d = Buffer.alloc(24);
    this.call('capget', 'int capget(void *hdr, void *data)', 'v3', hdr, d);
    const get = (o: number) => BigInt(d.readUInt32LE(o)) | (BigInt(d.readUInt32LE(o + 12)) << 32n);
    return { effective: get(0), permitted: get(4), inheritable: get(8) };
  }
  setresuid(uid: number): void {
    this.call('setresuid', 'int setresuid(uint r, uint e, uint s)', String(uid), uid, uid, uid);
  }
  setresgid(gid: number): void {
    this.call('setresgid', 'int setresgid(uint r, uint e, uint s)', String(gid), gid, gid, gid);
  }
  setgroups(gids: readonly number[]): void {
    const buf = Buffer.alloc(Math.max(4, gids.length * 4));
    gids.forEach((g, i) => buf.writeUInt32LE(g, i * 4));
    this.call('setgroups', 'int setgroups(size_t n, const void *list)', gids.join(','), gids.length, buf);
  }
  umask(mask: number): number {
    return Number(this.fn('umask', 'uint umask(uint mask)')(mask));
  }
  mknod(path: string, mode: number, major: number, minor: number): void {
    this.call('mknod', 'int mknod(const char *path, uint mode, uint64_t dev)', path, path, mode, makedev(major, minor));
  }
  mkfifo(path: string, mode: number): void {
    this.call('mkfifo', 'int mkfifo(const char *path, uint mode)', path, path, mode);
  }
  seccompSetFilter(flags: number, program: Uint8Array): number {
    const fprog = Buffer.alloc(16);
    fprog.writeUInt16LE(program.length / 8, 0);
    const filter = Buffer.from(program);
    fprog.writeBigUInt64LE(this.koffi.address(filter), 8);
    const SECCOMP_SET_MODE_FILTER = 1;
    const r = this.call('seccomp#', ['syscall', 'long', ['long', 'uint', 'uint', 'void *']], 'SET_MODE_FILTER', NR.seccomp, SECCOMP_SET_MODE_FILTER, flags, fprog);
    filter.length; // keeps `filter` alive until the kernel has copied it
    return r;
  }
  attachCgroupDeviceFilter(cgroupDir: string, program: Uint8Array): void {
    const BPF_PROG_LOAD = 5, BPF_PROG_ATTACH = 8, BPF_PROG_TYPE_CGROUP_DEVICE = 15, BPF_CGROUP_DEVICE = 6, BPF_F_ALLOW_MULTI = 2;
    const bpf = (cmd: number, attr: Buffer, what: string) => this.call('bpf#', ['syscall', 'long', ['long', 'int', 'void *', 'uint']], what, NR.bpf, cmd, attr, attr.length);
    const insns = Buffer.from(program);
    const license = Buffer.from('Apache-2.0\0');
    const load = Buffer.alloc(128); // union bpf_attr, the BPF_PROG_LOAD part
    load.writeUInt32LE(BPF_PROG_TYPE_CGROUP_DEVICE, 0);
    load.writeUInt32LE(program.length / 8, 4);
    load.writeBigUInt64LE(this.koffi.address(insns), 8);
    load.writeBigUInt64LE(this.koffi.address(license), 16);
    load.writeUInt32LE(BPF_CGROUP_DEVICE, 68); // expected_attach_type
    const dir = openSync(cgroupDir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
    let prog: number | undefined;
    try {
      try {
        prog = bpf(BPF_PROG_LOAD, load, `BPF_PROG_LOAD (device program, ${program.length / 8} instructions)`);
      } catch (e) {
        // Again with the verifier's log, for an error that says why.
        const log = Buffer.alloc(1 << 16);
        load.writeUInt32LE(1, 24); // log_level
        load.writeUInt32LE(log.length, 28);
        load.writeBigUInt64LE(this.koffi.address(log), 32);
        try {
          bpf(BPF_PROG_LOAD, load, 'BPF_PROG_LOAD');
        } catch {
          /* expected */
        }
        const why = log.toString('utf8', 0, Math.max(0, log.indexOf(0))).trim().split('\n').slice(-3).join(' | ');
        if (why && e instanceof SyscallError) throw new SyscallError(e.syscall, `${e.what}: verifier: ${why}`, e.errno, e.code);
        throw e;
      }
      const attach = Buffer.alloc(20);
      attach.writeUInt32LE(dir, 0); // target_fd
      attach.writeUInt32LE(prog, 4); // attach_bpf_fd
      attach.writeUInt32LE(BPF_CGROUP_DEVICE, 8);
      attach.writeUInt32LE(BPF_F_ALLOW_MULTI, 12);
      bpf(BPF_PROG_ATTACH, attach, `BPF_PROG_ATTACH ${cgroupDir}`);
    } finally {
      if (prog !== undefined) closeSync(prog);
      closeSync(dir);
    }
    insns.length + license.length; // both stay alive until the kernel has copied them
  }
  setCloexec(fd: number, on: boolean): void {
    const F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;
    const flags = this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_GETFD, 0);
    this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
  }
  dup3(oldFd: number, newFd: number): void {
    this.call('dup3', 'int dup3(int oldfd, int newfd, int flags)', `${oldFd} to ${newFd}`, oldFd, newFd, 0);
  }
  setNonblocking(fd: number, on: boolean): void {
    const F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0o4000;
    const flags = this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_GETFL, 0);
    this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
  }
  // Plain file calls go through node:fs (synchronous, on the calling thread); they are
  // here so that the recording fake sees them in order with the mounts.
  chown(path: string, uid: number, gid: number): void {
    wrapFs('chown', path, () => lchownSync(path, uid, gid));
  }
  unlink(path: string): void {
    wrapFs('unlink', path, () => unlinkSync(path));
  }
  symlink(target: string, path: string): void {
    wrapFs('symlink', path, () => symlinkSync(target, path));
  }
  flock(fd: number, operation: number): void {
    this.call('flock', 'int flock(int fd, int op)', String(fd), fd, operation);
  }
  resetSignal(signal: number): void {
    const SIG_DFL = 0;
    const r = this.fn('signal', ['signal', 'intptr_t', ['int', 'intptr_t']])(signal, SIG_DFL);
    if (BigInt(r) === -1n) throw new SyscallError('signal', String(signal), this.koffi.errno(), errnoName(this.koffi.errno()));
  }
  exitOnSignal(signal: number): void {
    const dlsym = this.fn('dlsym', ['dlsym', 'intptr_t', ['intptr_t', 'str']]);
    const exitAddr = dlsym(0n, '_exit'); // RTLD_DEFAULT
    this.fn('signal', ['signal', 'intptr_t', ['int', 'intptr_t']])(signal, exitAddr);
  }
  unblockAllSignals(): void {
    const set = Buffer.alloc(128);
    const SIG_SETMASK = 2;
    this.call('sigprocmask', 'int sigprocmask(int how, const void *set, void *old)', 'SIG_SETMASK', SIG_SETMASK, set, null);
  }
  pidfdOpen(pid: number): number {
    return this.call('pidfd_open#', ['syscall', 'long', ['long', 'int', 'uint']], String(pid), NR.pidfd_open, pid, 0);
  }
  pidfdSendSignal(pidfd: number, signal: number): void {
    this.call('pidfd_send_signal#', ['syscall', 'long', ['long', 'int', 'int', 'void *', 'uint']], String(signal), NR.pidfd_send_signal, pidfd, signal, null, 0);
  }
  pidfdGetfd(pidfd: number, targetFd: number): number {
    return this.call('pidfd_getfd#', ['syscall', 'long', ['long', 'int', 'int', 'uint']], String(targetFd), NR.pidfd_getfd, pidfd, targetFd, 0);
  }
  schedSetattr(a: SchedAttr): void {
    const attr = Buffer.alloc(56);
    attr.writeUInt32LE(56, 0); // size
    attr.writeUInt32LE(a.policy, 4);
    attr.writeBigUInt64LE(a.flags, 8);
    attr.writeInt32LE(a.nice, 16);
    attr.writeUInt32LE(a.priority, 20);
    attr.writeBigUInt64LE(a.runtime, 24);
    attr.writeBigUInt64LE(a.deadline, 32);
    attr.writeBigUInt64LE(a.period, 40);
    this.call('sched_setattr#', ['syscall', 'long', ['long', 'int', 'void *', 'uint']], `policy ${a.policy}`, NR.sched_setattr, 0, attr, 0);
  }
  ioprioSet(ioprio: number): void {
    const IOPRIO_WHO_PROCESS = 1;
    this.call('ioprio_set#', ['syscall', 'long', ['long', 'int', 'int', 'int']], String(ioprio), NR.ioprio_set, IOPRIO_WHO_PROCESS, 0, ioprio);
  }
  personality(persona: number): void {
    this.call('personality', 'int personality(unsigned long persona)', `0x${persona.toString(16)}`, persona);
  }
  setMempolicy(mode: number, nodes: readonly number[]): void {
    // An unsigned long mask; the kernel reads maxnode - 1 bits of it.
    const bits = nodes.length ? Math.max(...nodes) + 1 : 0;
    const mask = Buffer.alloc(Math.max(8, Math.ceil(bits / 64) * 8));
    for (const n of nodes) mask[n >> 3]! |= 1 << (n & 7);
    this.call('set_mempolicy#', ['syscall', 'long', ['long', 'int', 'void *', 'ulong']], `mode 0x${mode.toString(16)}`,
      NR.set_mempolicy, mode, nodes.length ? mask : null, nodes.length ? mask.length * 8 + 1 : 0);
  }
  schedSetaffinity(pid: number, cpus: readonly number[]): void {
    const mask = Buffer.alloc(Math.max(128, Math.ceil((Math.max(0, ...cpus) + 1) / 64) * 8));
    for (const c of cpus) mask[c >> 3]! |= 1 << (c & 7);
    this.call('sched_setaffinity', 'int sched_setaffinity(int pid, size_t size, const void *mask)', String(pid), pid, mask.length, mask);
  }
  dup2(oldFd: number, newFd: number): void {
    this.call('dup2', 'int dup2(int oldfd, int newfd)', `${oldFd} ${newFd}`, oldFd, newFd);
  }
  private ioctl(fd: number, request: number, arg: Buffer | null, what: string): void {
    this.call('ioctl', 'int ioctl(int fd, unsigned long request, void *arg)', what, fd, request, arg);
  }
  unlockPty(master: number): number {
    this.ioctl(master, TIOCSPTLCK, Buffer.alloc(4), 'TIOCSPTLCK');
    const n = Buffer.alloc(4);
    this.ioctl(master, TIOCGPTN, n, 'TIOCGPTN');
    return n.readUInt32LE(0);
  }
  setWinsize(fd: number, rows: number, cols: number): void {
    // struct winsize { unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel; }
    const ws = Buffer.alloc(8);
    ws.writeUInt16LE(rows, 0);
    ws.writeUInt16LE(cols, 2);
    this.ioctl(fd, TIOCSWINSZ, ws, 'TIOCSWINSZ');
  }
  getWinsize(fd: number): { rows: number; cols: number } {
    const ws = Buffer.alloc(8);
    this.ioctl(fd, TIOCGWINSZ, ws, 'TIOCGWINSZ');
    return { rows: ws.readUInt16LE(0), cols: ws.readUInt16LE(2) };
  }
  setControllingTerminal(fd: number): void {
    this.ioctl(fd, TIOCSCTTY, null, 'TIOCSCTTY');
  }
  sendFd(socket: number, fd: number, data: string): void {
    // Buffer.alloc, never a slice of Node's shared pool: its address goes to the kernel.
    const text = Buffer.from(data.length > 0 ? data : '\0');
    const payload = Buffer.alloc(text.length);
    text.copy(payload);
    const { msg, keep } = msghdr(this.koffi, payload, 1);
    const control = keep[1]!;
    control.writeBigUInt64LE(BigInt(CMSG_HDR + 4), 0); // cmsg_len = CMSG_LEN(sizeof(int))
    control.writeInt32LE(SOL_SOCKET, 8);
    control.writeInt32LE(SCM_RIGHTS, 12);
    control.writeInt32LE(fd, CMSG_HDR);
    this.call('sendmsg', 'long sendmsg(int fd, const void *msg, int flags)', String(socket), socket, msg, MSG_NOSIGNAL);
    keep.length; // the buffers msg points into stay alive until sendmsg returned
  }
  netlinkSocket(): number {
    const AF_NETLINK = 16, SOCK_RAW = 3, SOCK_CLOEXEC = 0o2000000, NETLINK_ROUTE = 0;
    return this.call('socket', 'int socket(int domain, int type, int protocol)', 'AF_NETLINK', AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  }
  netlinkSend(fd: number, message: Uint8Array): void {
    const buf = Buffer.alloc(message.length);
    buf.set(message);
    const n = this.call('send', 'long send(int fd, const void *buf, size_t len, int flags)', 'netlink', fd, buf, buf.length, 0);
    if (n !== buf.length) throw new SyscallError('send', 'netlink', 0, 'a short write');
  }
  netlinkRecv(fd: number): Buffer {
    const buf = Buffer.alloc(1 << 16);
    const n = this.call('recv', 'long recv(int fd, void *buf, size_t len, int flags)', 'netlink', fd, buf, buf.length, 0);
    return buf.subarray(0, n);
  }
  recvFd(socket: number): { data: string; fd?: number } {
    const payload = Buffer.alloc(4096);
    const { msg, keep } = msghdr(this.koffi, payload, 1);
    const n = this.call('recvmsg', 'long recvmsg(int fd, void *msg, int flags)', String(socket), socket, msg, MSG_CMSG_CLOEXEC);
    const control = keep[1]!;
    const controllen = Number(msg.readBigUInt64LE(40));
    const out: { data: string; fd?: number } = { data: payload.toString('utf8', 0, n) };
    if (controllen >= CMSG_HDR + 4 && control.readInt32LE(8) === SOL_SOCKET && control.readInt32LE(12) === SCM_RIGHTS) out.fd = control.readInt32LE(CMSG_HDR);
    return out;
  }
  execve(path: string, argv: readonly string[], envp: readonly string[]): never {
    this.call('execve', 'int execve(const char *path, const char **argv, const char **envp)', path, path, [...argv, null], [...envp, null]);
    throw new Error('unreachable: execve returned without an error');
  }
  getpid(): number {
    return Number(this.fn('getpid', 'int getpid()')());
  }
  waitpidNohang(pid: number): number | undefined {
    const status = Buffer.alloc(4);
    const WNOHANG = 1;
    const r = this.call('waitpid', 'int waitpid(int pid, void *status, int options)', String(pid), pid, status, WNOHANG);
    return Number(r) === 0 ? undefined : status.readInt32LE(0);
  }
  waitpid(pid: number): number {
    const status = Buffer.alloc(4);
    for (;;) {
      try {
        this.call('waitpid', 'int waitpid(int pid, void *status, int options)', String(pid), pid, status, 0);
        return status.readInt32LE(0);
      } catch (err) {
        if (!(err instanceof SyscallError && err.code === 'EINTR')) throw err;
      }
    }
  }
}

/** makedev() as glibc encodes it. */
function makedev(major: number, minor: number): bigint {
  return (BigInt(major & 0xfff) << 8n) | (BigInt(major & ~0xfff) << 32n) | BigInt(minor & 0xff) | (BigInt(minor & ~0xff) << 12n);
}

const CMSG_HDR = 16; // sizeof(struct cmsghdr) on x86_64
const MSG_NOSIGNAL = 0x4000, MSG_CMSG_CLOEXEC = 0x40000000;

/**
 * struct msghdr (56 bytes on x86_64) with one iovec over `payload` and room for `fds`
 * descriptors of control data. `keep` holds the buffers it points into.
 */
function msghdr(koffi: Koffi, payload: Buffer, fds: number): { msg: Buffer; keep: Buffer[] } {
  const iov = Buffer.alloc(16);
  iov.writeBigUInt64LE(koffi.address(payload), 0);
  iov.writeBigUInt64LE(BigInt(payload.length), 8);
  const space = CMSG_HDR + Math.ceil((4 * fds) / 8) * 8; // CMSG_SPACE
  const control = Buffer.alloc(space);
  const msg = Buffer.alloc(56);
  msg.writeBigUInt64LE(koffi.address(iov), 16); // msg_iov
  msg.writeBigUInt64LE(1n, 24); // msg_iovlen
  msg.writeBigUInt64LE(koffi.address(control), 32); // msg_control
  msg.writeBigUInt64LE(BigInt(space), 40); // msg_controllen
  return { msg, keep: [iov, control, payload] };
}

function wrapFs(name: string, path: string, f: () => void): void {
  try {
    f();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SyscallError(name, path, -(e.errno ?? 0), e.code ?? 'EIO');
  }
}

let instance: Syscalls | undefined;

/** The real syscall layer (loads koffi on first use). */
export function libc(): Syscalls {
  instance ??= new LibcSyscalls();
  return instance;
}
