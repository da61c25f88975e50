// The syscall layer (./syscalls.ts) over libc, through the addon runtime/native/syscalls.c
// (dist/syscalls.node): the only module that talks to libc. The structs it passes are
// packed by ./syscalls-structs.ts; the calls glibc has no wrapper for are the addon's too,
// by their numbers in <sys/syscall.h>. Failures throw SyscallError naming the call, its
// main argument and the errno.
import { closeSync, constants as fsConstants, lchownSync, openSync, symlinkSync, unlinkSync } from 'node:fs';
import { addon, exitNow, type Arg, type Native } from './addon.js';
import { errnoName, SyscallError } from './errors.js';
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

class LibcSyscalls implements Syscalls {
  /** The addon, loaded at the first call: a command that makes none loads it only to exit. */
  private get native(): Native {
    return addon();
  }

  /** Calls libc's `name` and throws on a -1 result; `what` names its main argument in the error. */
  private call(name: string, what: string, ...args: Arg[]): number {
    const r = this.native.call(name, ...args);
    if (r === -1) throw this.error(name, what);
    return r;
  }

  private error(name: string, what: string): SyscallError {
    const errno = this.native.errno();
    return new SyscallError(name, what, errno, errnoName(errno));
  }

  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void {
    this.call('mount', target, source, target, fstype, flags, data);
  }
  umount2(target: string, flags: number): void {
    this.call('umount2', target, target, flags);
  }
  mountSetattr(target: string | number, recursive: boolean, attr: MountAttr): void {
    const buf = packMountAttr(attr);
    const AT_FDCWD = -100,
      AT_EMPTY_PATH = 0x1000,
      AT_RECURSIVE = 0x8000;
    const [dirfd, path, empty] = typeof target === 'number' ? [target, '', AT_EMPTY_PATH] : [AT_FDCWD, target, 0];
    this.call('mount_setattr', String(target), dirfd, path, empty | (recursive ? AT_RECURSIVE : 0), buf, MOUNT_ATTR_SIZE);
  }
  idmappedTree(source: string, rbind: boolean, recursive: boolean, usernsFd: number): number {
    const AT_FDCWD = -100,
      AT_EMPTY_PATH = 0x1000,
      AT_RECURSIVE = 0x8000,
      OPEN_TREE_CLONE = 1,
      OPEN_TREE_CLOEXEC = 0o2000000;
    const MOUNT_ATTR_IDMAP = 0x100000n;
    const tree = this.call('open_tree', source, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rbind ? AT_RECURSIVE : 0));
    try {
      const attr = packMountAttr({ attrSet: MOUNT_ATTR_IDMAP, attrClr: 0n, propagation: 0n }, usernsFd);
      this.call('mount_setattr', `${source} (MOUNT_ATTR_IDMAP)`, tree, '', AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attr, MOUNT_ATTR_SIZE);
      return tree;
    } catch (err) {
      closeSync(tree);
      throw err;
    }
  }
  moveMount(treeFd: number, targetFd: number): void {
    const MOVE_MOUNT_F_EMPTY_PATH = 0x4,
      MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    this.call('move_mount', `fd ${targetFd}`, treeFd, '', targetFd, '', MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  }
  cloneTree(dirfd: number, path: string, recursive: boolean): number {
    const AT_EMPTY_PATH = 0x1000,
      AT_RECURSIVE = 0x8000,
      OPEN_TREE_CLONE = 1,
      OPEN_TREE_CLOEXEC = 0o2000000;
    return this.call(
      'open_tree',
      path || `fd ${dirfd}`,
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
    const fs = this.call('fsopen', 'tmpfs', 'tmpfs', FSOPEN_CLOEXEC);
    const config = (cmd: number, key: string | null, value: string | null): void => {
      this.call('fsconfig', `tmpfs ${key ?? 'create'}`, fs, cmd, key, value, 0);
    };
    try {
      config(FSCONFIG_SET_STRING, 'source', 'tmpfs');
      if (readonly) config(FSCONFIG_SET_FLAG, 'ro', null);
      config(FSCONFIG_CMD_CREATE, null, null);
      return this.call('fsmount', 'tmpfs', fs, FSMOUNT_CLOEXEC, readonly ? MOUNT_ATTR_RDONLY : 0);
    } finally {
      closeSync(fs);
    }
  }
  openat2(dirfd: number, path: string, flags: number, mode: number, resolve: number): number {
    const how = packOpenHow(flags, mode, resolve);
    return this.call('openat2', path, dirfd, path, how, OPEN_HOW_SIZE);
  }
  mkdirat(dirfd: number, name: string, mode: number): void {
    this.call('mkdirat', name, dirfd, name, mode);
  }
  mknodat(dirfd: number, name: string, mode: number, major: number, minor: number): void {
    this.call('mknodat', name, dirfd, name, mode, makedev(major, minor));
  }
  fchownat(dirfd: number, name: string, uid: number, gid: number): void {
    const AT_SYMLINK_NOFOLLOW = 0x100,
      AT_EMPTY_PATH = 0x1000;
    this.call('fchownat', name || `fd ${dirfd}`, dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW | (name === '' ? AT_EMPTY_PATH : 0));
  }
  symlinkat(target: string, dirfd: number, name: string): void {
    this.call('symlinkat', name, target, dirfd, name);
  }
  readlinkat(dirfd: number, name: string): string {
    const buf = Buffer.alloc(4096);
    const n = this.call('readlinkat', name, dirfd, name, buf, buf.length);
    return buf.toString('utf8', 0, n);
  }
  unlinkat(dirfd: number, name: string, dir: boolean): void {
    const AT_REMOVEDIR = 0x200;
    this.call('unlinkat', name, dirfd, name, dir ? AT_REMOVEDIR : 0);
  }
  statfsFlags(path: string): number {
    const buf = Buffer.alloc(STATFS_SIZE);
    this.call('statfs', path, path, buf);
    return statfsFlags(buf);
  }
  pivotRoot(newRoot: string, putOld: string): void {
    this.call('pivot_root', newRoot, newRoot, putOld);
  }
  chdir(path: string): void {
    this.call('chdir', path, path);
  }
  fchdir(fd: number): void {
    this.call('fchdir', String(fd), fd);
  }
  chroot(path: string): void {
    this.call('chroot', path, path);
  }
  unshare(flags: number): void {
    this.call('unshare', `0x${flags.toString(16)}`, flags);
  }
  setns(fd: number, nstype: number): void {
    this.call('setns', String(fd), fd, nstype);
  }
  sethostname(name: string): void {
    const b = Buffer.from(name);
    this.call('sethostname', name, b, b.length);
  }
  setdomainname(name: string): void {
    const b = Buffer.from(name);
    this.call('setdomainname', name, b, b.length);
  }
  setrlimit(resource: number, soft: bigint, hard: bigint): void {
    const buf = packRlimit(soft, hard);
    this.call('prlimit', `resource ${resource}`, 0, resource, buf, null);
  }
  getrlimit(resource: number): { soft: bigint; hard: bigint } {
    const buf = Buffer.alloc(16);
    this.call('prlimit', `resource ${resource}`, 0, resource, null, buf);
    return unpackRlimit(buf);
  }
  prctl(option: number, arg2: bigint | number, arg3: bigint | number = 0, arg4: bigint | number = 0, arg5: bigint | number = 0): number {
    return this.call('prctl', `option ${option}`, option, BigInt(arg2), BigInt(arg3), BigInt(arg4), BigInt(arg5));
  }
  capset(effective: bigint, permitted: bigint, inheritable: bigint): void {
    this.call('capset', 'v3', packCapHeader(), packCapData({ effective, permitted, inheritable }));
  }
  capget(): { effective: bigint; permitted: bigint; inheritable: bigint } {
    const d = Buffer.alloc(24);
    this.call('capget', 'v3', packCapHeader(), d);
    return unpackCapData(d);
  }
  setresuid(uid: number): void {
    this.call('setresuid', String(uid), uid, uid, uid);
  }
  setresgid(gid: number): void {
    this.call('setresgid', String(gid), gid, gid, gid);
  }
  setgroups(gids: readonly number[]): void {
    this.call('setgroups', gids.join(','), gids.length, packGids(gids));
  }
  umask(mask: number): number {
    return this.native.call('umask', mask);
  }
  mknod(path: string, mode: number, major: number, minor: number): void {
    this.call('mknod', path, path, mode, makedev(major, minor));
  }
  mkfifo(path: string, mode: number): void {
    this.call('mkfifo', path, path, mode);
  }
  seccompSetFilter(flags: number, program: Uint8Array): number {
    const filter = Buffer.from(program);
    const fprog = packSockFprog(program, this.native.address(filter));
    const SECCOMP_SET_MODE_FILTER = 1;
    const r = this.call('seccomp', 'SET_MODE_FILTER', SECCOMP_SET_MODE_FILTER, flags, fprog);
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- keeps `filter` alive until the kernel has copied it
    filter.length;
    return r;
  }
  attachCgroupDeviceFilter(cgroupDir: string, program: Uint8Array): void {
    const BPF_PROG_LOAD = 5,
      BPF_PROG_ATTACH = 8;
    const bpf = (cmd: number, attr: Buffer, what: string) => this.call('bpf', what, cmd, attr, attr.length);
    const insns = Buffer.from(program);
    const license = Buffer.from('Apache-2.0\0');
    const load = packBpfProgLoad(program, this.native.address(insns), this.native.address(license));
    const dir = openSync(cgroupDir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
    let prog: number | undefined;
    try {
      try {
        prog = bpf(BPF_PROG_LOAD, load, `BPF_PROG_LOAD (device program, ${program.length / 8} instructions)`);
      } catch (e) {
        // Again with the verifier's log, for an error that says why.
        const log = Buffer.alloc(1 << 16);
        setBpfLog(load, log.length, this.native.address(log));
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
    const flags = this.call('fcntl', String(fd), fd, F_GETFD, 0);
    this.call('fcntl', String(fd), fd, F_SETFD, on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC);
  }
  dup3(oldFd: number, newFd: number): void {
    this.call('dup3', `${oldFd} to ${newFd}`, oldFd, newFd, 0);
  }
  setNonblocking(fd: number, on: boolean): void {
    const F_GETFL = 3,
      F_SETFL = 4,
      O_NONBLOCK = 0o4000;
    const flags = this.call('fcntl', String(fd), fd, F_GETFL, 0);
    this.call('fcntl', String(fd), fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK);
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
    this.call('flock', String(fd), fd, operation);
  }
  resetSignal(signal: number): void {
    if (this.native.call('reset_signal', signal) === -1) throw this.error('signal', String(signal));
  }
  exitOnSignal(signal: number): void {
    this.native.call('exit_on_signal', signal);
  }
  exit(code: number): never {
    return exitNow(code);
  }
  unblockAllSignals(): void {
    const set = Buffer.alloc(128);
    const SIG_SETMASK = 2;
    this.call('sigprocmask', 'SIG_SETMASK', SIG_SETMASK, set, null);
  }
  pidfdOpen(pid: number): number {
    return this.call('pidfd_open', String(pid), pid, 0);
  }
  pidfdSendSignal(pidfd: number, signal: number): void {
    this.call('pidfd_send_signal', String(signal), pidfd, signal, null, 0);
  }
  pidfdGetfd(pidfd: number, targetFd: number): number {
    return this.call('pidfd_getfd', String(targetFd), pidfd, targetFd, 0);
  }
  schedSetattr(a: SchedAttr): void {
    const attr = packSchedAttr(a);
    this.call('sched_setattr', `policy ${a.policy}`, 0, attr, 0);
  }
  ioprioSet(ioprio: number): void {
    const IOPRIO_WHO_PROCESS = 1;
    this.call('ioprio_set', String(ioprio), IOPRIO_WHO_PROCESS, 0, ioprio);
  }
  personality(persona: number): void {
    this.call('personality', `0x${persona.toString(16)}`, persona);
  }
  setMempolicy(mode: number, nodes: readonly number[]): void {
    // An unsigned long mask; the kernel reads maxnode - 1 bits of it.
    const mask = packBitMask(nodes, 8);
    this.call('set_mempolicy', `mode 0x${mode.toString(16)}`, mode, nodes.length ? mask : null, nodes.length ? mask.length * 8 + 1 : 0);
  }
  schedSetaffinity(pid: number, cpus: readonly number[]): void {
    const mask = packBitMask(cpus, 128); // at least a glibc cpu_set_t
    this.call('sched_setaffinity', String(pid), pid, mask.length, mask);
  }
  dup2(oldFd: number, newFd: number): void {
    this.call('dup2', `${oldFd} ${newFd}`, oldFd, newFd);
  }
  private ioctl(fd: number, request: number, arg: Buffer | null, what: string): void {
    this.call('ioctl', what, fd, request, arg);
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
    const { msg, keep } = msghdr(this.native, payload, 1);
    writeScmRights(keep[1]!, fd);
    this.call('sendmsg', String(socket), socket, msg, MSG_NOSIGNAL);
    // eslint-disable-next-line @typescript-eslint/no-unused-expressions -- the buffers msg points into stay alive until sendmsg returned
    keep.length;
  }
  netlinkSocket(): number {
    const AF_NETLINK = 16,
      SOCK_RAW = 3,
      SOCK_CLOEXEC = 0o2000000,
      NETLINK_ROUTE = 0;
    return this.call('socket', 'AF_NETLINK', AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  }
  netlinkSend(fd: number, message: Uint8Array): void {
    const buf = Buffer.alloc(message.length);
    buf.set(message);
    const n = this.call('send', 'netlink', fd, buf, buf.length, 0);
    if (n !== buf.length) throw new SyscallError('send', 'netlink', 0, 'a short write');
  }
  netlinkRecv(fd: number): Buffer {
    const buf = Buffer.alloc(1 << 16);
    const n = this.call('recv', 'netlink', fd, buf, buf.length, 0);
    return buf.subarray(0, n);
  }
  recvFd(socket: number): { data: string; fd?: number } {
    const payload = Buffer.alloc(4096);
    const { msg, keep } = msghdr(this.native, payload, 1);
    const n = this.call('recvmsg', String(socket), socket, msg, MSG_CMSG_CLOEXEC);
    const out: { data: string; fd?: number } = { data: payload.toString('utf8', 0, n) };
    const fd = readScmRights(keep[1]!, msghdrControllen(msg));
    if (fd !== undefined) out.fd = fd;
    return out;
  }
  execve(path: string, argv: readonly string[], envp: readonly string[]): never {
    this.call('execve', path, path, argv, envp);
    throw new Error('unreachable: execve returned without an error');
  }
  getpid(): number {
    return this.native.call('getpid');
  }
  waitpidNohang(pid: number): number | undefined {
    const status = Buffer.alloc(4);
    const WNOHANG = 1;
    const r = this.call('waitpid', String(pid), pid, status, WNOHANG);
    return Number(r) === 0 ? undefined : status.readInt32LE(0);
  }
  spawn(path: string, argv: readonly string[], envp: readonly string[]): number {
    // posix_spawn with every signal's disposition the default and none blocked, as
    // child_process does (runtime/native/syscalls.c).
    return this.call('posix_spawn', path, path, argv, envp);
  }
  socketpair(): [number, number] {
    const AF_UNIX = 1,
      SOCK_STREAM = 1,
      SOCK_CLOEXEC = 0o2000000;
    const fds = Buffer.alloc(8);
    this.call('socketpair', 'AF_UNIX', AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
    return [fds.readInt32LE(0), fds.readInt32LE(4)];
  }
  waitpid(pid: number): number {
    const status = Buffer.alloc(4);
    for (;;) {
      try {
        this.call('waitpid', String(pid), pid, status, 0);
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
function msghdr(native: Native, payload: Buffer, fds: number): { msg: Buffer; keep: Buffer[] } {
  const iov = packIovec(native.address(payload), payload.length);
  const control = Buffer.alloc(cmsgSpace(fds));
  const msg = packMsghdr(native.address(iov), native.address(control), control.length);
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
 * The real syscall layer, made by the entry and passed to the commands. The addon is loaded
 * at its first call, not here: `state` and `list` make none.
 */
export function libc(): Syscalls {
  instance ??= new LibcSyscalls();
  return instance;
}
