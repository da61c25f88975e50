// A recording fake of the syscall layer, for unit tests: every call is appended to
// `calls`; `failWith` makes chosen calls throw the errno a real kernel would.
import { SyscallError } from './errors.js';
import type { MountAttr, SchedAttr, Syscalls } from './syscalls.js';

export interface RecordedCall {
  name: keyof Syscalls;
  args: unknown[];
}

export class FakeSyscalls implements Syscalls {
  readonly calls: RecordedCall[] = [];
  private readonly failures: Array<{ name: keyof Syscalls; match: (args: unknown[]) => boolean; code: string; errno: number }> = [];
  private mask = 0o022;
  rlimits = new Map<number, { soft: bigint; hard: bigint }>();
  caps = { effective: 0n, permitted: 0n, inheritable: 0n };

  /** Makes the next matching calls fail (all of them, until cleared). */
  failWith(name: keyof Syscalls, code: string, match: (args: unknown[]) => boolean = () => true): this {
    const errno = { EPERM: 1, ENOENT: 2, EINVAL: 22, EBUSY: 16, EACCES: 13, ENOSYS: 38 }[code] ?? 1;
    this.failures.push({ name, match, code, errno });
    return this;
  }

  /** Calls by name, e.g. `names()` → ['mount', 'mount', 'pivotRoot']. */
  names(): string[] {
    return this.calls.map((c) => c.name);
  }

  private rec(name: keyof Syscalls, args: unknown[]): void {
    this.calls.push({ name, args });
    const f = this.failures.find((x) => x.name === name && x.match(args));
    if (f) throw new SyscallError(name, String(args.find((a) => typeof a === 'string') ?? ''), f.errno, f.code);
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.rec('mount', [source, target, fstype, flags, data]);
  }
  umount2(target: string, flags: number): void { this.rec('umount2', [target, flags]); }
  mountSetattr(path: string, recursive: boolean, attr: MountAttr): void { this.rec('mountSetattr', [path, recursive, attr]); }
  idmappedTree(source: string, rbind: boolean, recursive: boolean, usernsFd: number): number { this.rec('idmappedTree', [source, rbind, recursive, usernsFd]); return 500; }
  moveMount(treeFd: number, target: string): void { this.rec('moveMount', [treeFd, target]); }
  pivotRoot(newRoot: string, putOld: string): void { this.rec('pivotRoot', [newRoot, putOld]); }
  chdir(path: string): void { this.rec('chdir', [path]); }
  fchdir(fd: number): void { this.rec('fchdir', [fd]); }
  chroot(path: string): void { this.rec('chroot', [path]); }
  unshare(flags: number): void { this.rec('unshare', [flags]); }
  setns(fd: number, nstype: number): void { this.rec('setns', [fd, nstype]); }
  sethostname(name: string): void { this.rec('sethostname', [name]); }
  setdomainname(name: string): void { this.rec('setdomainname', [name]); }
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
  setresuid(uid: number): void { this.rec('setresuid', [uid]); }
  setresgid(gid: number): void { this.rec('setresgid', [gid]); }
  setgroups(gids: readonly number[]): void { this.rec('setgroups', [[...gids]]); }
  umask(mask: number): number {
    this.rec('umask', [mask]);
    const old = this.mask;
    this.mask = mask;
    return old;
  }
  mknod(path: string, mode: number, major: number, minor: number): void { this.rec('mknod', [path, mode, major, minor]); }
  mkfifo(path: string, mode: number): void { this.rec('mkfifo', [path, mode]); }
  /** What seccompSetFilter returns: a listener fd with NEW_LISTENER (8), else 0. */
  listenerFd = 0;
  seccompSetFilter(flags: number, program: Uint8Array): number { this.rec('seccompSetFilter', [flags, program.length / 8]); return flags & 8 ? this.listenerFd || 200 : 0; }
  setCloexec(fd: number, on: boolean): void { this.rec('setCloexec', [fd, on]); }
  dup3(oldFd: number, newFd: number): void { this.rec('dup3', [oldFd, newFd]); }
  setNonblocking(fd: number, on: boolean): void { this.rec('setNonblocking', [fd, on]); }
  chown(path: string, uid: number, gid: number): void { this.rec('chown', [path, uid, gid]); }
  unlink(path: string): void { this.rec('unlink', [path]); }
  symlink(target: string, path: string): void { this.rec('symlink', [target, path]); }
  flock(fd: number, operation: number): void { this.rec('flock', [fd, operation]); }
  resetSignal(signal: number): void { this.rec('resetSignal', [signal]); }
  exitOnSignal(signal: number): void { this.rec('exitOnSignal', [signal]); }
  unblockAllSignals(): void { this.rec('unblockAllSignals', []); }
  attachCgroupDeviceFilter(cgroupDir: string, program: Uint8Array): void { this.rec('attachCgroupDeviceFilter', [cgroupDir, program]); }
  pidfdOpen(pid: number): number { this.rec('pidfdOpen', [pid]); return 100; }
  pidfdSendSignal(pidfd: number, signal: number): void { this.rec('pidfdSendSignal', [pidfd, signal]); }
  pidfdGetfd(pidfd: number, targetFd: number): number { this.rec('pidfdGetfd', [pidfd, targetFd]); return 300; }
  schedSetattr(attr: SchedAttr): void { this.rec('schedSetattr', [{ ...attr }]); }
  ioprioSet(ioprio: number): void { this.rec('ioprioSet', [ioprio]); }
  personality(persona: number): void { this.rec('personality', [persona]); }
  setMempolicy(mode: number, nodes: readonly number[]): void { this.rec('setMempolicy', [mode, [...nodes]]); }
  schedSetaffinity(pid: number, cpus: readonly number[]): void { this.rec('schedSetaffinity', [pid, [...cpus]]); }
  dup2(oldFd: number, newFd: number): void { this.rec('dup2', [oldFd, newFd]); }
  ptyNumber = 3;
  unlockPty(master: number): number { this.rec('unlockPty', [master]); return this.ptyNumber; }
  winsize = { rows: 24, cols: 80 };
  setWinsize(fd: number, rows: number, cols: number): void { this.rec('setWinsize', [fd, rows, cols]); this.winsize = { rows, cols }; }
  getWinsize(fd: number): { rows: number; cols: number } { this.rec('getWinsize', [fd]); return { ...this.winsize }; }
  setControllingTerminal(fd: number): void { this.rec('setControllingTerminal', [fd]); }
  sendFd(socket: number, fd: number, data: string): void { this.rec('sendFd', [socket, fd, data]); }
  recvFd(socket: number): { data: string; fd?: number } { this.rec('recvFd', [socket]); return { data: '' }; }
  netlinkSocket(): number { this.rec('netlinkSocket', []); return 400; }
  netlinkSend(fd: number, message: Uint8Array): void { this.rec('netlinkSend', [fd, message.length]); }
  /** Answers every netlink request with an empty NLMSG_DONE (tests of the logic use a fake Netlink instead). */
  netlinkRecv(fd: number): Buffer { this.rec('netlinkRecv', [fd]); const b = Buffer.alloc(20); b.writeUInt32LE(20, 0); b.writeUInt16LE(3, 4); return b; }
  execve(path: string, argv: readonly string[], envp: readonly string[]): never {
    this.rec('execve', [path, [...argv], [...envp]]);
    throw new FakeExec(path);
  }
  getpid(): number { return 1; }
  waitpid(pid: number): number { this.rec('waitpid', [pid]); return 0; }
  waitpidNohang(pid: number): number | undefined { this.rec('waitpidNohang', [pid]); return 0; }
}

/** Thrown by the fake's execve, which cannot replace the test process. */
export class FakeExec extends Error {
  constructor(readonly path: string) {
    super(`execve ${path}`);
  }
}
