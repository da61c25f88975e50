// The syscall layer (./syscalls.ts) over libc, through koffi: the only module that
// talks to libc. The structs it passes are packed by ./syscalls-structs.ts; the numbers
// of the calls libc has no wrapper for come from the generated x86_64 table.
// Failures throw SyscallError naming the call, its main argument and the errno.
import { createRequire } from 'node:module';
import { closeSync, existsSync, constants as fsConstants, lchownSync, openSync, symlinkSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { X86_64_SYSCALLS } from '../linux/syscalls/x86_64.js';
import { errnoName, SyscallError } from './errors.js';
import { phase } from './phases.js';
import type { MountAttr, SchedAttr, Syscalls } from './syscalls.js';
import {
  cmsgSpace,
  makedev,
  MOUNT_ATTR_SIZE,
  msghdrControllen,
  OPEN_HOW_SIZE,
  packBitMask,
  packBpfProgAttach,
  packBpfProgLoad,
  packCapData,
  packCapHeader,
  packGids,
  packIovec,
  packMountAttr,
  packMsghdr,
  packOpenHow,
  packRlimit,
  packSchedAttr,
  packSockFprog,
  packWinsize,
  readScmRights,
  setBpfLog,
  STATFS_SIZE,
  statfsFlags,
  unpackCapData,
  unpackRlimit,
  unpackWinsize,
  writeScmRights,
} from './syscalls-structs.js';

// <asm-generic/ioctls.h>
const TIOCSCTTY = 0x540e,
  TIOCGWINSZ = 0x5413,
  TIOCSWINSZ = 0x5414,
  TIOCGPTN = 0x80045430,
  TIOCSPTLCK = 0x40045431;

/** The number of a syscall called through syscall(2) (libc has no wrapper, or not in glibc 2.36). */
function nr(name: string): number {
  const n = X86_64_SYSCALLS[name];
  if (n === undefined) throw new Error(`internal: no x86_64 syscall ${name}`);
  return n;
}
const NR = {
  pivot_root: nr('pivot_root'),
  openat2: nr('openat2'),
  fsopen: nr('fsopen'),
  fsconfig: nr('fsconfig'),
  fsmount: nr('fsmount'),
  bpf: nr('bpf'),
  set_mempolicy: nr('set_mempolicy'),
  ioprio_set: nr('ioprio_set'),
  sched_setattr: nr('sched_setattr'),
  seccomp: nr('seccomp'),
  pidfd_send_signal: nr('pidfd_send_signal'),
  pidfd_open: nr('pidfd_open'),
  pidfd_getfd: nr('pidfd_getfd'),
  mount_setattr: nr('mount_setattr'),
  open_tree: nr('open_tree'),
  move_mount: nr('move_mount'),
} as const;

// koffi is CommonJS and a native addon; loading it costs tens of ms, so only the
// commands that make syscalls pay for it.
type Koffi = typeof import('koffi');
// koffi's functions are untyped (...args: any[]) => any; each wrapper below fixes the types.
type Fn = (...args: unknown[]) => number | bigint;

/**
 * koffi's native module, straight from its x86_64 glibc package where npm puts it (beside
 * this checkout's or this package's dependencies): koffi's own loader resolves two
 * packages and reads Node's ELF header twice to choose between glibc and musl, ~7 ms of
 * every runtime call, for what libc.so.6 already decides. Its exports are the native
 * module's own; anywhere else, koffi's loader finds it.
 */
function loadKoffi(): Koffi {
  const require = createRequire(import.meta.url);
  const here = dirname(fileURLToPath(import.meta.url));
  for (const modules of [join(here, '..', 'node_modules'), join(here, '..', '..')]) {
    const file = join(modules, '@koromix', 'koffi-linux-x64', 'linux_x64', 'koffi.node');
    if (!existsSync(file)) continue;
    const native = require(file) as Koffi;
    if (typeof native.load === 'function' && typeof native.errno === 'function') return native;
  }
  return require('koffi') as Koffi;
}

class LibcSyscalls implements Syscalls {
  private loaded?: { koffi: Koffi; lib: ReturnType<Koffi['load']> };
  private readonly fns = new Map<string, Fn>();

  /** koffi and libc, loaded at the first call: a command that makes none never pays for them. */
  private get koffi(): Koffi {
    return this.load().koffi;
  }

  private load(): { koffi: Koffi; lib: ReturnType<Koffi['load']> } {
    if (!this.loaded) {
      if (process.arch !== 'x64') throw new Error(`conform-runtime supports x86_64 only (this is ${process.arch})`);
      phase('syscalls');
      const koffi = loadKoffi();
      this.loaded = { koffi, lib: koffi.load('libc.so.6') };
      phase('syscalls loaded');
    }
    return this.loaded;
  }

  private fn(key: string, proto: string | [string, string, string[]]): Fn {
    let f = this.fns.get(key);
    if (!f) {
      const { lib } = this.load();
      f = (typeof proto === 'string' ? lib.func(proto) : lib.func(...proto)) as Fn;
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
    this.call(
      'mount',
      'int mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data)',
      target,
      source,
      target,
      fstype,
      flags,
      data,
    );
  }
  umount2(target: string, flags: number): void {
    this.call('umount2', 'int umount2(const char *target, int flags)', target, target, flags);
  }
  mountSetattr(target: string | number, recursive: boolean, attr: MountAttr): void {
    const buf = packMountAttr(attr);
    const AT_FDCWD = -100,
      AT_EMPTY_PATH = 0x1000,
      AT_RECURSIVE = 0x8000;
    const [dirfd, path, empty] = typeof target === 'number' ? [target, '', AT_EMPTY_PATH] : [AT_FDCWD, target, 0];
    this.call(
      'mount_setattr#',
      ['syscall', 'long', ['long', 'int', 'str', 'uint', 'void *', 'size_t']],
      String(target),
      NR.mount_setattr,
      dirfd,
      path,
      empty | (recursive ? AT_RECURSIVE : 0),
      buf,
      MOUNT_ATTR_SIZE,
    );
  }
  idmappedTree(source: string, rbind: boolean, recursive: boolean, usernsFd: number): number {
    const AT_FDCWD = -100,
      AT_EMPTY_PATH = 0x1000,
      AT_RECURSIVE = 0x8000,
      OPEN_TREE_CLONE = 1,
      OPEN_TREE_CLOEXEC = 0o2000000;
    const MOUNT_ATTR_IDMAP = 0x100000n;
    const tree = this.call(
      'open_tree#',
      ['syscall', 'long', ['long', 'int', 'str', 'uint']],
      source,
      NR.open_tree,
      AT_FDCWD,
      source,
      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rbind ? AT_RECURSIVE : 0),
    );
    try {
      const attr = packMountAttr({ attrSet: MOUNT_ATTR_IDMAP, attrClr: 0n, propagation: 0n }, usernsFd);
      this.call(
        'mount_setattr#fd',
        ['syscall', 'long', ['long', 'int', 'str', 'uint', 'void *', 'size_t']],
        `${source} (MOUNT_ATTR_IDMAP)`,
        NR.mount_setattr,
        tree,
        '',
        AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
        attr,
        MOUNT_ATTR_SIZE,
      );
      return tree;
    } catch (err) {
      closeSync(tree);
      throw err;
    }
  }
  moveMount(treeFd: number, targetFd: number): void {
    const MOVE_MOUNT_F_EMPTY_PATH = 0x4,
      MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    this.call(
      'move_mount#',
      ['syscall', 'long', ['long', 'int', 'str', 'int', 'str', 'uint']],
      `fd ${targetFd}`,
      NR.move_mount,
      treeFd,
      '',
      targetFd,
      '',
      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH,
    );
  }
  cloneTree(dirfd: number, path: string, recursive: boolean): number {
    const AT_EMPTY_PATH = 0x1000,
      AT_RECURSIVE = 0x8000,
      OPEN_TREE_CLONE = 1,
      OPEN_TREE_CLOEXEC = 0o2000000;
    return this.call(
      'open_tree#clone',
      ['syscall', 'long', ['long', 'int', 'str', 'uint']],
      path || `fd ${dirfd}`,
      NR.open_tree,
      dirfd,
      path,
      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (path === '' ? AT_EMPTY_PATH : 0) | (recursive ? AT_RECURSIVE : 0),
    );
  }
  newTmpfs(readonly: boolean): number {
    const FSOPEN_CLOEXEC = 1,
      FSCONFIG_SET_FLAG = 0,
      FSCONFIG_SET_STRING = 1,
      FSCONFIG_CMD_CREATE = 6,
      FSMOUNT_CLOEXEC = 1,
      MOUNT_ATTR_RDONLY = 1;
    const fs = this.call('fsopen#', ['syscall', 'long', ['long', 'str', 'uint']], 'tmpfs', NR.fsopen, 'tmpfs', FSOPEN_CLOEXEC);
    const config = (cmd: number, key: string | null, value: string | null): void => {
      this.call(
        'fsconfig#',
        ['syscall', 'long', ['long', 'int', 'uint', 'str', 'str', 'int']],
        `tmpfs ${key ?? 'create'}`,
        NR.fsconfig,
        fs,
        cmd,
        key,
        value,
        0,
      );
    };
    try {
      config(FSCONFIG_SET_STRING, 'source', 'tmpfs');
      if (readonly) config(FSCONFIG_SET_FLAG, 'ro', null);
      config(FSCONFIG_CMD_CREATE, null, null);
      return this.call(
        'fsmount#',
        ['syscall', 'long', ['long', 'int', 'uint', 'uint']],
        'tmpfs',
        NR.fsmount,
        fs,
        FSMOUNT_CLOEXEC,
        readonly ? MOUNT_ATTR_RDONLY : 0,
      );
    } finally {
      closeSync(fs);
    }
  }
  openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
    const how = packOpenHow(flags, mode, resolve);
    return this.call('openat2#', ['syscall', 'long', ['long', 'int', 'str', 'void *', 'size_t']], path, NR.openat2, dirfd, path, how, OPEN_HOW_SIZE);
  }
  mkdirat(dirfd: number, name: string, mode: number): void {
    this.call('mkdirat', 'int mkdirat(int dirfd, const char *path, uint mode)', name, dirfd, name, mode);
  }
  mknodat(dirfd: number, name: string, mode: number, major: number, minor: number): void {
    this.call('mknodat', 'int mknodat(int dirfd, const char *path, uint mode, uint64_t dev)', name, dirfd, name, mode, makedev(major, minor));
  }
  fchownat(dirfd: number, name: string, uid: number, gid: number): void {
    const AT_SYMLINK_NOFOLLOW = 0x100,
      AT_EMPTY_PATH = 0x1000;
    this.call(
      'fchownat',
      'int fchownat(int dirfd, const char *path, uint uid, uint gid, int flags)',
      name || `fd ${dirfd}`,
      dirfd,
      name,
      uid,
      gid,
      AT_SYMLINK_NOFOLLOW | (name === '' ? AT_EMPTY_PATH : 0),
    );
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
    const buf = Buffer.alloc(STATFS_SIZE);
    this.call('statfs', 'int statfs(const char *path, void *buf)', path, path, buf);
    return statfsFlags(buf);
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
    const buf = packRlimit(soft, hard);
    this.call('prlimit', 'int prlimit(int pid, int resource, const void *new_limit, void *old_limit)', `resource ${resource}`, 0, resource, buf, null);
  }
  getrlimit(resource: number): { soft: bigint; hard: bigint } {
    const buf = Buffer.alloc(16);
    this.call('prlimit#get', 'int prlimit(int pid, int resource, const void *new_limit, void *old_limit)', `resource ${resource}`, 0, resource, null, buf);
    return unpackRlimit(buf);
  }
  prctl(option: number, arg2: bigint | number, arg3: bigint | number = 0, arg4: bigint | number = 0, arg5: bigint | number = 0): number {
    return this.call(
      'prctl',
      'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
      `option ${option}`,
      option,
      BigInt(arg2),
      BigInt(arg3),
      BigInt(arg4),
      BigInt(arg5),
    );
  }
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
    this.call('capset', 'int capset(void *hdr, const void *data)', 'v3', packCapHeader(), packCapData({ effective, permitted, inheritable }));
  }
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint } {
    const d = Buffer.alloc(24);
    this.call('capget', 'int capget(void *hdr, void *data)', 'v3', packCapHeader(), d);
    return unpackCapData(d);
  }
  setresuid(uid: number): void {
    this.call('setresuid', 'int setresuid(uint r, uint e, uint s)', String(uid), uid, uid, uid);
  }
  setresgid(gid: number): void {
    this.call('setresgid', 'int setresgid(uint r, uint e, uint s)', String(gid), gid, gid, gid);
  }
  setgroups(gids: readonly number[]): void {
    this.call('setgroups', 'int setgroups(size_t n, const void *list)', gids.join(','), gids.length, packGids(gids));
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
    const filter = Buffer.from(program);
    const fprog = packSockFprog(program, this.koffi.address(filter));
    const SECCOMP_SET_MODE_FILTER = 1;
    const r = this.call(
      'seccomp#',
      ['syscall', 'long', ['long', 'uint', 'uint', 'void *']],
      'SET_MODE_FILTER',
      NR.seccomp,
      SECCOMP_SET_MODE_FILTER,
      flags,
      fprog,
    );
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- keeps `filter` alive until the kernel has copied it
    filter.length;
    return r;
  }
  attachCgroupDeviceFilter(cgroupDir: string, program: Uint8Array): void {
    const BPF_PROG_LOAD = 5,
      BPF_PROG_ATTACH = 8;
    const bpf = (cmd: number, attr: Buffer, what: string) =>
      this.call('bpf#', ['syscall', 'long', ['long', 'int', 'void *', 'uint']], what, NR.bpf, cmd, attr, attr.length);
    const insns = Buffer.from(program);
    const license = Buffer.from('Apache-2.0\0');
    const load = packBpfProgLoad(program, this.koffi.address(insns), this.koffi.address(license));
    const dir = openSync(cgroupDir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
    let prog: number | undefined;
    try {
      try {
        prog = bpf(BPF_PROG_LOAD, load, `BPF_PROG_LOAD (device program, ${program.length / 8} instructions)`);
      } catch (e) {
        // Again with the verifier's log, for an error that says why.
        const log = Buffer.alloc(1 << 16);
        setBpfLog(load, log.length, this.koffi.address(log));
        try {
          bpf(BPF_PROG_LOAD, load, 'BPF_PROG_LOAD');
        } catch {
          /* expected */
        }
        const why = log
          .toString('utf8', 0, Math.max(0, log.indexOf(0)))
          .trim()
          .split('\n')
          .slice(-3)
          .join(' | ');
        if (why && e instanceof SyscallError) throw new SyscallError(e.syscall, `${e.what}: verifier: ${why}`, e.errno, e.code);
        throw e;
      }
      bpf(BPF_PROG_ATTACH, packBpfProgAttach(dir, prog), `BPF_PROG_ATTACH ${cgroupDir}`);
    } finally {
      if (prog !== undefined) closeSync(prog);
      closeSync(dir);
    }
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- both stay alive until the kernel has copied them
    insns.length + license.length;
  }
  setCloexec(fd: number, on: boolean): void {
    const F_GETFD = 1,
      F_SETFD = 2,
      FD_CLOEXEC = 1;
    const flags = this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_GETFD, 0);
    this.call('fcntl', 'int fcntl(int fd, int cmd, int arg)', String(fd), fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
  }
  dup3(oldFd: number, newFd: number): void {
    this.call('dup3', 'int dup3(int oldfd, int newfd, int flags)', `${oldFd} to ${newFd}`, oldFd, newFd, 0);
  }
  setNonblocking(fd: number, on: boolean): void {
    const F_GETFL = 3,
      F_SETFL = 4,
      O_NONBLOCK = 0o4000;
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
    this.call(
      'pidfd_send_signal#',
      ['syscall', 'long', ['long', 'int', 'int', 'void *', 'uint']],
      String(signal),
      NR.pidfd_send_signal,
      pidfd,
      signal,
      null,
      0,
    );
  }
  pidfdGetfd(pidfd: number, targetFd: number): number {
    return this.call('pidfd_getfd#', ['syscall', 'long', ['long', 'int', 'int', 'uint']], String(targetFd), NR.pidfd_getfd, pidfd, targetFd, 0);
  }
  schedSetattr(a: SchedAttr): void {
    const attr = packSchedAttr(a);
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
    const mask = packBitMask(nodes, 8);
    this.call(
      'set_mempolicy#',
      ['syscall', 'long', ['long', 'int', 'void *', 'ulong']],
      `mode 0x${mode.toString(16)}`,
      NR.set_mempolicy,
      mode,
      nodes.length ? mask : null,
      nodes.length ? mask.length * 8 + 1 : 0,
    );
  }
  schedSetaffinity(pid: number, cpus: readonly number[]): void {
    const mask = packBitMask(cpus, 128); // at least a glibc cpu_set_t
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
    this.ioctl(fd, TIOCSWINSZ, packWinsize(rows, cols), 'TIOCSWINSZ');
  }
  getWinsize(fd: number): { rows: number; cols: number } {
    const ws = Buffer.alloc(8);
    this.ioctl(fd, TIOCGWINSZ, ws, 'TIOCGWINSZ');
    return unpackWinsize(ws);
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
    writeScmRights(keep[1]!, fd);
    this.call('sendmsg', 'long sendmsg(int fd, const void *msg, int flags)', String(socket), socket, msg, MSG_NOSIGNAL);
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- the buffers msg points into stay alive until sendmsg returned
    keep.length;
  }
  netlinkSocket(): number {
    const AF_NETLINK = 16,
      SOCK_RAW = 3,
      SOCK_CLOEXEC = 0o2000000,
      NETLINK_ROUTE = 0;
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
    const out: { data: string; fd?: number } = { data: payload.toString('utf8', 0, n) };
    const fd = readScmRights(keep[1]!, msghdrControllen(msg));
    if (fd !== undefined) out.fd = fd;
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
  spawn(path: string, argv: readonly string[], envp: readonly string[]): number {
    // glibc's opaque types, with room to spare: posix_spawnattr_t is 336 bytes, sigset_t 128.
    // Every bit set, not sigfillset's set: that leaves out glibc's own signals (32, 33),
    // which the child would then keep ignored across the exec (child_process resets all).
    const attr = Buffer.alloc(512);
    const all = Buffer.alloc(128, 0xff);
    const none = Buffer.alloc(128);
    const POSIX_SPAWN_SETSIGDEF = 0x04,
      POSIX_SPAWN_SETSIGMASK = 0x08;
    // These return an error number rather than -1 and errno.
    const check = (r: unknown, what: string): void => {
      if (Number(r) !== 0) throw new SyscallError(what, path, Number(r), errnoName(Number(r)));
    };
    check(this.fn('posix_spawnattr_init', 'int posix_spawnattr_init(void *attr)')(attr), 'posix_spawnattr_init');
    try {
      check(this.fn('posix_spawnattr_setsigdefault', 'int posix_spawnattr_setsigdefault(void *attr, void *set)')(attr, all), 'posix_spawnattr_setsigdefault');
      check(this.fn('posix_spawnattr_setsigmask', 'int posix_spawnattr_setsigmask(void *attr, void *set)')(attr, none), 'posix_spawnattr_setsigmask');
      check(
        this.fn('posix_spawnattr_setflags', 'int posix_spawnattr_setflags(void *attr, short flags)')(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK),
        'posix_spawnattr_setflags',
      );
      const pid = Buffer.alloc(4);
      const spawn = this.fn('posix_spawn', 'int posix_spawn(void *pid, const char *path, void *actions, void *attr, const char **argv, const char **envp)');
      check(spawn(pid, path, null, attr, [...argv, null], [...envp, null]), 'posix_spawn');
      return pid.readInt32LE(0);
    } finally {
      this.fn('posix_spawnattr_destroy', 'int posix_spawnattr_destroy(void *attr)')(attr);
    }
  }
  socketpair(): [number, number] {
    const AF_UNIX = 1,
      SOCK_STREAM = 1,
      SOCK_CLOEXEC = 0o2000000;
    const fds = Buffer.alloc(8);
    this.call('socketpair', 'int socketpair(int domain, int type, int protocol, void *sv)', 'AF_UNIX', AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
    return [fds.readInt32LE(0), fds.readInt32LE(4)];
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

const MSG_NOSIGNAL = 0x4000,
  MSG_CMSG_CLOEXEC = 0x40000000;

/**
 * struct msghdr with one iovec over `payload` and room for `fds` descriptors of
 * control data. `keep` holds the buffers it points into.
 */
function msghdr(koffi: Koffi, payload: Buffer, fds: number): { msg: Buffer; keep: Buffer[] } {
  const iov = packIovec(koffi.address(payload), payload.length);
  const control = Buffer.alloc(cmsgSpace(fds));
  const msg = packMsghdr(koffi.address(iov), koffi.address(control), control.length);
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

/**
 * The real syscall layer, made by the entry and passed to the commands. koffi is loaded
 * at its first call, not here: `state` and `list` make none.
 */
export function libc(): Syscalls {
  instance ??= new LibcSyscalls();
  return instance;
}
