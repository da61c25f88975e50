// The syscall layer's interface: types only. The real layer is ./syscalls-libc.ts
// (libc through the addon runtime/native/syscalls.c), made once by the entry (runtime/cli.ts, runtime/main.ts) and passed
// to every command; tests pass the recording fake (./syscalls-fake.ts). Failures
// throw SyscallError naming the call, its main argument and the errno.

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
  /**
   * Ends the process with `code` at once, as process.exit() would after its 'exit'
   * listeners, but without Node's own teardown (its platform threads joined, libc's atexit
   * handlers): _exit(2). Nothing buffered may be left: the runtime writes synchronously.
   */
  exit(code: number): never;
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
  /**
   * posix_spawn(3): `path` with `argv` and `envp`, every signal at its default and none
   * blocked, the fds without close-on-exec inherited. No fork of this process's memory
   * (a vfork-style clone), and no child_process, net or stream to load. Returns the pid.
   */
  spawn(path: string, argv: readonly string[], envp: readonly string[]): number;
  /** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): two connected, blocking ends. */
  socketpair(): [number, number];
}
