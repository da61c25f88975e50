// SCMP_ACT_NOTIFY: the filter's listener fd goes to the seccomp agent listening at
// linux.seccomp.listenerPath, with the container process state (config-linux.md "The
// Container Process State"), in one message on a new connection that is then closed.
// The init loads the filter and keeps the fd open until this is done; the runtime
// (create or exec, in the runtime namespace, where listenerPath is) takes a copy
// with pidfd_getfd, so that no descriptor travels over the init's line protocol.
import { closeSync } from 'node:fs';
import type { Socket } from 'node:net';
import { RuntimeError, oneLine } from '../errors.js';
import { connectUnix, sendWithFd } from '../fd-passing.js';
import type { OciState } from '../state/store.js';
import type { Syscalls } from '../syscalls.js';

export interface ProcessState {
  ociVersion: string;
  fds: string[];
  /** The process the filter belongs to (the container's init, or an exec'd process). */
  pid: number;
  metadata?: string;
  state: OciState;
}

/** Copies `pid`'s descriptor `fd` (its listener) and sends it with the process state to the agent. */
export async function sendToAgent(sys: Syscalls, listenerPath: string, pid: number, fd: number, state: OciState, metadata?: string): Promise<void> {
  let listener: number | undefined;
  let sock: Socket | undefined;
  try {
    const pidfd = sys.pidfdOpen(pid);
    try {
      listener = sys.pidfdGetfd(pidfd, fd);
    } finally {
      closeSync(pidfd);
    }
    sock = await connectUnix(listenerPath);
    const message: ProcessState = { ociVersion: state.ociVersion, fds: ['seccompFd'], pid, ...(metadata !== undefined ? { metadata } : {}), state };
    sendWithFd(sys, sock, listener, JSON.stringify(message));
  } catch (err) {
    throw new RuntimeError(
      `linux.seccomp.listenerPath: cannot pass the seccomp listener to ${listenerPath}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`,
    );
  } finally {
    sock?.destroy();
    if (listener !== undefined) closeSync(listener);
  }
}
