// The only module that talks to libc (through koffi). Everything else takes a
// `Syscalls` and is unit-tested with the recording fake (./syscalls-fake.ts).
// Failures throw SyscallError naming the call, its main argument and the errno.
import { constants } from 'node:os';
import { createRequire } from 'node:module';
import { lchownSync, symlinkSync, unlinkSync } from 'node:fs';
import { SyscallError } from './errors.js';

export interface MountAttr {
  attrSet: bigint;
  attrClr: bigint;
  propagation: bigint;
}

export interface Syscalls {
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  umount2(target: string, flags: number): void;
  /** mount_setattr(2) with AT_RECURSIVE when `recursive`. */
  mountSetattr(path: string, recursive: boolean, attr: MountAttr): void;
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
  /** seccomp(SECCOMP_SET_MODE_FILTER, flags, prog): `program` is struct sock_filter[]. */
  seccompSetFilter(flags: number, program: Uint8Array): void;
  /** Sets or clears FD_CLOEXEC. */
  setCloexec(fd: number, on: boolean): void;
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
  execve(path: string, argv: readonly string[], envp: readonly string[]): never;
  getpid(): number;
  /** Blocking waitpid(2); returns the raw wait status. */
  waitpid(pid: number): number;
}

const NR = { pivot_root: 155, seccomp: 317, pidfd_send_signal: 424, pidfd_open: 434, mount_setattr: 442 } as const;

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
  mountSetattr(path: string, recursive: boolean, attr: MountAttr): void {
    const buf = Buffer.alloc(32);
    buf.writeBigUInt64LE(attr.attrSet, 0);
    buf.writeBigUInt64LE(attr.attrClr, 8);
    buf.writeBigUInt64LE(attr.propagation, 16);
    const AT_FDCWD = -100, AT_RECURSIVE = 0x8000;
    this.call('mount_setattr#', ['syscall', 'long', ['long', 'int', 'str', 'uint', 'void *', 'size_t']], path,
      NR.mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, buf, 32);
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
    // makedev() as glibc encodes it.
    const dev = (BigInt(major & 0xfff) << 8n) | (BigInt(major & ~0xfff) << 32n) | BigInt(minor & 0xff) | (BigInt(minor & ~0xff) << 12n);
    this.call('mknod', 'int mknod(const char *path, uint mode, uint64_t dev)', path, path, mode, dev);
  }
  mkfifo(path: string, mode: number): void {
    this.call('mkfifo', 'int mkfifo(const char *path, uint mode)', path, path, mode);
  }
  seccompSetFilter(flags: number, program: Uint8Array): void {
    const fprog = Buffer.alloc(16);
    fprog.writeUInt16LE(program.length / 8, 0);
    const filter = Buffer.from(program);
    fprog.writeBigUInt64LE(this.koffi.address(filter), 8);
    const SECCOMP_SET_MODE_FILTER = 1;
    this.call('seccomp#', ['syscall', 'long', ['long', 'uint', 'uint', 'void *']], 'SET_MODE_FILTER', NR.seccomp, SECCOMP_SET_MODE_FILTER, flags, fprog);
    filter.length; // keeps `filter` alive until the kernel has copied it
  }
  setCloexec(fd: number, on: boolean): void {
    const F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;
    const flags = this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_GETFD, 0);
    this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
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
  execve(path: string, argv: readonly string[], envp: readonly string[]): never {
    this.call('execve', 'int execve(const char *path, const char **argv, const char **envp)', path, path, [...argv, null], [...envp, null]);
    throw new Error('unreachable: execve returned without an error');
  }
  getpid(): number {
    return Number(this.fn('getpid', 'int getpid()')());
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
