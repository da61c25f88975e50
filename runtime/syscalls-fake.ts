// A recording fake of the syscall layer, for unit tests: every call is appended to
// `calls`; `failWith` makes chosen calls throw the errno a real kernel would.
// Calls on file descriptors that need no privilege (openat2, mkdirat, symlinkat,
// unlinkat) are carried out for real, in the test's own temp dir, so that the code
// resolving paths inside a rootfs is tested against the kernel's rules; mounts,
// device nodes and ownership are only recorded.
import { openSync, readlinkSync } from 'node:fs';
import { SyscallError } from './errors.js';
import type { MountAttr, SchedAttr, Syscalls } from './syscalls.js';
import { libc } from './syscalls-libc.js';

export interface RecordedCall {
  name: keyof Syscalls;
  args: unknown[];
  /** For each argument that names a file through an fd (`/proc/self/fd/N`, or an fd), the path it had then. */
  paths?: Record<number, string>;
}

const FD_PATH = /^\/proc\/self\/fd\/(\d+)$/;
/** Arguments that are file descriptors, by call. */
const FD_ARGS: Partial<Record<keyof Syscalls, number[]>> = {
  moveMount: [0, 1],
  cloneTree: [0],
  mountSetattr: [0],
  openat2: [0],
  mkdirat: [0],
  mknodat: [0],
  fchownat: [0],
  symlinkat: [1],
  readlinkat: [0],
  unlinkat: [0],
  fchdir: [0],
};

function fdPath(fd: number): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

export class FakeSyscalls implements Syscalls {
  readonly calls: RecordedCall[] = [];
  private readonly failures: Array<{ name: keyof Syscalls; match: (args: unknown[]) => boolean; code: string; errno: number }> = [];
  private mask = 0o022;
  rlimits = new Map<number, { soft: bigint; hard: bigint }>();
  caps = { effective: 0n, permitted: 0n, inheritable: 0n };

  /** Makes the next matching calls fail (all of them, until cleared). */
  failWith(name: keyof Syscalls, code: string, match: (args: unknown[]) => boolean = () => true): this {
    const errno = { EPERM: 1, ENOENT: 2, EEXIST: 17, EINVAL: 22, EBUSY: 16, EACCES: 13, ENOSYS: 38, ELOOP: 40 }[code] ?? 1;
    this.failures.push({ name, match, code, errno });
    return this;
  }

  /** Calls by name, e.g. `names()` → ['mount', 'mount', 'pivotRoot']. */
  names(): string[] {
    return this.calls.map((c) => c.name);
  }

  /** The calls with each fd (or /proc/self/fd/N) argument replaced by the path it named: what a test asserts. */
  resolved(): Array<[keyof Syscalls, ...unknown[]]> {
    return this.calls.map((c) => [c.name, ...c.args.map((a, i) => c.paths?.[i] ?? a)]);
  }

  private rec(name: keyof Syscalls, args: unknown[]): void {
    const paths: Record<number, string> = {};
    args.forEach((a, i) => {
      const fd = typeof a === 'string' ? FD_PATH.exec(a)?.[1] : FD_ARGS[name]?.includes(i) && typeof a === 'number' && a >= 0 ? String(a) : undefined;
      const p = fd !== undefined ? fdPath(Number(fd)) : undefined;
      if (p !== undefined) paths[i] = p;
    });
    this.calls.push(Object.keys(paths).length ? { name, args, paths } : { name, args });
    const f = this.failures.find((x) => x.name === name && x.match(args));
    if (f) throw new SyscallError(name, String(args.find((a) => typeof a === 'string') ?? ''), f.errno, f.code);
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.rec('mount', [source, target, fstype, flags, data]);
  }
  umount2(target: string, flags: number): void {
    this.rec('umount2', [target, flags]);
  }
  mountSetattr(target: string | number, recursive: boolean, attr: MountAttr): void {
    this.rec('mountSetattr', [target, recursive, attr]);
  }
  idmappedTree(source: string, rbind: boolean, recursive: boolean, usernsFd: number): number {
    this.rec('idmappedTree', [source, rbind, recursive, usernsFd]);
    return 500;
  }
  moveMount(treeFd: number, targetFd: number): void {
    this.rec('moveMount', [treeFd, targetFd]);
  }
  /** A real fd (of /dev/null) stands for the detached tree, so that the caller can close it. */
  cloneTree(dirfd: number, path: string, recursive: boolean): number {
    this.rec('cloneTree', [dirfd, path, recursive]);
    return openSync('/dev/null', 'r');
  }
  newTmpfs(readonly: boolean): number {
    this.rec('newTmpfs', [readonly]);
    return openSync('/dev/null', 'r');
  }
  openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
    this.rec('openat2', [dirfd, path, flags, mode, resolve]);
    return libc().openat2(dirfd, path, flags, mode, resolve);
  }
  mkdirat(dirfd: number, name: string, mode: number): void {
    this.rec('mkdirat', [dirfd, name, mode]);
    libc().mkdirat(dirfd, name, mode);
  }
  mknodat(dirfd: number, name: string, mode: number, major: number, minor: number): void {
    this.rec('mknodat', [dirfd, name, mode, major, minor]);
  }
  fchownat(dirfd: number, name: string, uid: number, gid: number): void {
    this.rec('fchownat', [dirfd, name, uid, gid]);
  }
  symlinkat(target: string, dirfd: number, name: string): void {
    this.rec('symlinkat', [target, dirfd, name]);
    libc().symlinkat(target, dirfd, name);
  }
  readlinkat(dirfd: number, name: string): string {
    this.rec('readlinkat', [dirfd, name]);
    return libc().readlinkat(dirfd, name);
  }
  unlinkat(dirfd: number, name: string, dir: boolean): void {
    this.rec('unlinkat', [dirfd, name, dir]);
    libc().unlinkat(dirfd, name, dir);
  }
  /** What statfsFlags answers (the locked per-mount flags a remount must repeat). */
  mountFlags = 0;
  statfsFlags(path: string): number {
    this.rec('statfsFlags', [path]);
    return this.mountFlags;
  }
  pivotRoot(newRoot: string, putOld: string): void {
    this.rec('pivotRoot', [newRoot, putOld]);
  }
  chdir(path: string): void {
    this.rec('chdir', [path]);
  }
  fchdir(fd: number): void {
    this.rec('fchdir', [fd]);
  }
  chroot(path: string): void {
    this.rec('chroot', [path]);
  }
  unshare(flags: number): void {
    this.rec('unshare', [flags]);
  }
  setns(fd: number, nstype: number): void {
    this.rec('setns', [fd, nstype]);
  }
  sethostname(name: string): void {
    this.rec('sethostname', [name]);
  }
  setdomainname(name: string): void {
    this.rec('setdomainname', [name]);
  }
  setrlimit(resource: number, soft: bigint, hard: bigint): void {
    this.rec('setrlimit', [resource, soft, hard]);
    this.rlimits.set(resource, { soft, hard });
  }
  getrlimit(resource: number): { soft: bigint; hard: bigint } {
    this.rec('getrlimit', [resource]);
    return this.rlimits.get(resource) ?? { soft: 1024n, hard: 4096n };
  }
  prctl(option: number, arg2: bigint | number, arg3: bigint | number = 0, arg4: bigint | number = 0, arg5: bigint | number = 0): number {
    this.rec('prctl', [option, arg2, arg3, arg4, arg5]);
    return 0;
  }
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
    this.rec('capset', [effective, permitted, inheritable]);
    this.caps = { effective, permitted, inheritable };
  }
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint } {
    this.rec('capget', []);
    return { ...this.caps };
  }
  setresuid(uid: number): void {
    this.rec('setresuid', [uid]);
  }
  setresgid(gid: number): void {
    this.rec('setresgid', [gid]);
  }
  setgroups(gids: readonly number[]): void {
    this.rec('setgroups', [[...gids]]);
  }
  umask(mask: number): number {
    this.rec('umask', [mask]);
    const old = this.mask;
    this.mask = mask;
    return old;
  }
  mknod(path: string, mode: number, major: number, minor: number): void {
    this.rec('mknod', [path, mode, major, minor]);
  }
  mkfifo(path: string, mode: number): void {
    this.rec('mkfifo', [path, mode]);
  }
  /** What seccompSetFilter returns: a listener fd with NEW_LISTENER (8), else 0. */
  listenerFd = 0;
  seccompSetFilter(flags: number, program: Uint8Array): number {
    this.rec('seccompSetFilter', [flags, program.length / 8]);
    return flags & 8 ? this.listenerFd || 200 : 0;
  }
  setCloexec(fd: number, on: boolean): void {
    this.rec('setCloexec', [fd, on]);
  }
  dup3(oldFd: number, newFd: number): void {
    this.rec('dup3', [oldFd, newFd]);
  }
  setNonblocking(fd: number, on: boolean): void {
    this.rec('setNonblocking', [fd, on]);
  }
  chown(path: string, uid: number, gid: number): void {
    this.rec('chown', [path, uid, gid]);
  }
  unlink(path: string): void {
    this.rec('unlink', [path]);
  }
  symlink(target: string, path: string): void {
    this.rec('symlink', [target, path]);
  }
  flock(fd: number, operation: number): void {
    this.rec('flock', [fd, operation]);
  }
  resetSignal(signal: number): void {
    this.rec('resetSignal', [signal]);
  }
  exit(code: number): never {
    this.rec('exit', [code]);
    throw new Error(`exit ${code}`);
  }
  exitOnSignal(signal: number): void {
    this.rec('exitOnSignal', [signal]);
  }
  unblockAllSignals(): void {
    this.rec('unblockAllSignals', []);
  }
  attachCgroupDeviceFilter(cgroupDir: string, program: Uint8Array): void {
    this.rec('attachCgroupDeviceFilter', [cgroupDir, program]);
  }
  pidfdOpen(pid: number): number {
    this.rec('pidfdOpen', [pid]);
    return 100;
  }
  pidfdSendSignal(pidfd: number, signal: number): void {
    this.rec('pidfdSendSignal', [pidfd, signal]);
  }
  pidfdGetfd(pidfd: number, targetFd: number): number {
    this.rec('pidfdGetfd', [pidfd, targetFd]);
    return 300;
  }
  schedSetattr(attr: SchedAttr): void {
    this.rec('schedSetattr', [{ ...attr }]);
  }
  ioprioSet(ioprio: number): void {
    this.rec('ioprioSet', [ioprio]);
  }
  personality(persona: number): void {
    this.rec('personality', [persona]);
  }
  setMempolicy(mode: number, nodes: readonly number[]): void {
    this.rec('setMempolicy', [mode, [...nodes]]);
  }
  schedSetaffinity(pid: number, cpus: readonly number[]): void {
    this.rec('schedSetaffinity', [pid, [...cpus]]);
  }
  dup2(oldFd: number, newFd: number): void {
    this.rec('dup2', [oldFd, newFd]);
  }
  ptyNumber = 3;
  unlockPty(master: number): number {
    this.rec('unlockPty', [master]);
    return this.ptyNumber;
  }
  winsize = { rows: 24, cols: 80 };
  setWinsize(fd: number, rows: number, cols: number): void {
    this.rec('setWinsize', [fd, rows, cols]);
    this.winsize = { rows, cols };
  }
  getWinsize(fd: number): { rows: number; cols: number } {
    this.rec('getWinsize', [fd]);
    return { ...this.winsize };
  }
  setControllingTerminal(fd: number): void {
    this.rec('setControllingTerminal', [fd]);
  }
  sendFd(socket: number, fd: number, data: string): void {
    this.rec('sendFd', [socket, fd, data]);
  }
  recvFd(socket: number): { data: string; fd?: number } {
    this.rec('recvFd', [socket]);
    return { data: '' };
  }
  netlinkSocket(): number {
    this.rec('netlinkSocket', []);
    return 400;
  }
  netlinkSend(fd: number, message: Uint8Array): void {
    this.rec('netlinkSend', [fd, message.length]);
  }
  /** Answers every netlink request with an empty NLMSG_DONE (tests of the logic use a fake Netlink instead). */
  netlinkRecv(fd: number): Buffer {
    this.rec('netlinkRecv', [fd]);
    const b = Buffer.alloc(20);
    b.writeUInt32LE(20, 0);
    b.writeUInt16LE(3, 4);
    return b;
  }
  execve(path: string, argv: readonly string[], envp: readonly string[]): never {
    this.rec('execve', [path, [...argv], [...envp]]);
    throw new FakeExec(path);
  }
  getpid(): number {
    return 1;
  }
  waitpid(pid: number): number {
    this.rec('waitpid', [pid]);
    return 0;
  }
  waitpidNohang(pid: number): number | undefined {
    this.rec('waitpidNohang', [pid]);
    return 0;
  }
  spawn(path: string, argv: readonly string[], envp: readonly string[]): number {
    this.rec('spawn', [path, argv, envp]);
    return 2;
  }
  socketpair(): [number, number] {
    this.rec('socketpair', []);
    return [100, 101];
  }
}

/** Thrown by the fake's execve, which cannot replace the test process. */
export class FakeExec extends Error {
  constructor(readonly path: string) {
    super(`execve ${path}`);
  }
}
