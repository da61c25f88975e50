// Node's sockets cannot attach fds to what they send (SCM_RIGHTS). libuv keeps each
// socket's fd in its handle; sendmsg(2) through the Syscalls layer goes past the stream.
import type { Socket } from 'node:net';
import { RuntimeError } from './errors.js';
import type { Syscalls } from './syscalls.js';

/** One message with `fd` attached, on a connected Node socket (nothing else may be queued on it). */
export function sendWithFd(sys: Syscalls, sock: object, fd: number, text: string): void {
  sys.sendFd(socketFd(sock), fd, text);
}

/** The fd of a connected Node socket (libuv keeps it in the handle). */
export function socketFd(sock: object): number {
  const fd = (sock as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== 'number' || fd < 0) throw new RuntimeError('the socket has no descriptor');
  return fd;
}

/**
 * A connection to the unix stream socket at `path` (rejects with the connect error).
 * node:net is imported here, by the calls that connect (--console-socket, a seccomp
 * agent): the others (socketFd) are on every create's way.
 */
export async function connectUnix(path: string): Promise<Socket> {
  const { createConnection } = await import('node:net');
  return new Promise((resolve, reject) => {
    const sock = createConnection(path);
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}
