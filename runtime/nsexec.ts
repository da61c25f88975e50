// nsexec (runtime/native/nsexec.c) started from a runtime process: by posix_spawn
// through the syscall layer, its line protocol on a socketpair read and written
// synchronously (SyncChannel). Node's child_process would load child_process, net and
// stream for the pipe and fork this whole process: ~15 ms of create's CPU for what one
// clone and one socket do. posix_spawn does not place fds, so nsexec does (-f).
import { closeSync } from 'node:fs';
import { RuntimeError, oneLine } from './errors.js';
import { SyncChannel } from './init/sync.js';
import { NSEXEC } from './self.js';
import type { Syscalls } from './syscalls.js';

export interface Nsexec {
  pid: number;
  /** Our end of its fd 3. */
  chan: SyncChannel;
}

/**
 * Starts `nsexec -f … ARGS` with its fd 3 a socket to us and `slots` (our fds, -1 for
 * none) as its fds 4, 5, …; its stdio is ours. The caller reaps it (waitpid).
 */
export function spawnNsexec(sys: Syscalls, args: readonly string[], slots: readonly number[] = []): Nsexec {
  const [mine, theirs] = sys.socketpair();
  const fds = [theirs, ...slots];
  // Node marks every fd it inherited close-on-exec (child_process places them with
  // dup2, which clears the mark): what nsexec must inherit, our stdio included, is
  // unmarked for the spawn and marked again after.
  const inherited = [0, 1, 2, ...fds.filter((fd) => fd >= 0)];
  try {
    for (const fd of inherited) sys.setCloexec(fd, false);
    return { pid: sys.spawn(NSEXEC, [NSEXEC, '-f', fds.join(','), ...args], []), chan: new SyncChannel(mine) };
  } catch (e) {
    closeSync(mine);
    throw new RuntimeError(`cannot start ${NSEXEC}: ${oneLine(e)} (run npm run build)`);
  } finally {
    closeSync(theirs);
    for (const fd of inherited) if (fd !== theirs) sys.setCloexec(fd, true);
  }
}

/** Ends nsexec if it still runs (it exits by itself once it said the pid, or at EOF) and reaps it. */
export function reapNsexec(sys: Syscalls, pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already exited: a zombie until the waitpid below */
  }
  sys.waitpid(pid);
}
