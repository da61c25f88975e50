// process.terminal: true, the way runc does it (and crun, youki, runsc after it): the
// spec says a pseudoterminal is allocated and duplicated on the process's standard
// streams, and (config-linux.md) bind-mounted to /dev/console; how the caller gets
// the master is runc's convention: over the unix socket named by --console-socket.
//
// Done in the container (after pivot_root), so the pty comes from the container's
// own devpts through its /dev/ptmx:
// 1. open /dev/ptmx (the master), unlock the slave, /dev/pts/N;
// 2. consoleSize, when given, on the master (TIOCSWINSZ);
// 3. the container's init only: bind /dev/pts/N onto /dev/console (made if missing);
// 4. send the master with SCM_RIGHTS over the socket, one message whose data is
//    "/dev/ptmx" (runc sends the master's name), then close both;
// 5. open the slave, chown it to the process's user (so that it controls its
//    terminal), make it fds 0, 1 and 2 and the controlling terminal (the process is a
//    session leader: nsexec -S).
import { closeSync, constants, fchownSync, openSync } from 'node:fs';
import { RuntimeError, oneLine } from '../errors.js';
import { RootDir } from '../mount/inroot.js';
import type { Syscalls } from '../syscalls.js';

const O_CLOEXEC = 0o2000000;
/** What runc sends as the message's data. */
export const CONSOLE_MASTER_NAME = '/dev/ptmx';

export interface ConsoleSetup {
  /** The connected --console-socket, inherited from the runtime. */
  socketFd: number;
  size?: { height: number; width: number };
  /** The process's user, who should own the slave. */
  uid: number;
  /** Bind the slave on /dev/console (the container's init, not exec). */
  mountConsole: boolean;
}

export function setUpConsole(sys: Syscalls, c: ConsoleSetup): void {
  let slavePath: string;
  const master = open('/dev/ptmx', constants.O_RDWR | constants.O_NOCTTY | O_CLOEXEC, "open the container's /dev/ptmx");
  try {
    slavePath = `/dev/pts/${sys.unlockPty(master)}`;
    if (c.size) sys.setWinsize(master, c.size.height, c.size.width);
    if (c.mountConsole) bindConsole(sys, slavePath);
    sys.sendFd(c.socketFd, master, CONSOLE_MASTER_NAME);
  } catch (err) {
    throw new RuntimeError(`process.terminal: ${oneLine(err)}`);
  } finally {
    closeSync(master);
    closeSync(c.socketFd);
  }
  const slave = open(slavePath, constants.O_RDWR | constants.O_NOCTTY | O_CLOEXEC, `open ${slavePath}`);
  try {
    // gid -1: the devpts mount's gid= option (tty) stays.
    fchownSync(slave, c.uid, -1);
    for (const fd of [0, 1, 2]) sys.dup2(slave, fd);
    sys.setControllingTerminal(0);
  } catch (err) {
    throw new RuntimeError(`process.terminal: ${oneLine(err)}`);
  } finally {
    closeSync(slave);
  }
}

/** The slave onto /dev/console (made if missing), both resolved in the root and bound through fds. */
function bindConsole(sys: Syscalls, slavePath: string): void {
  const root = RootDir.open(sys);
  const fds: number[] = [];
  try {
    const consoleFd = root.ensure('/dev/console', 'file');
    fds.push(consoleFd);
    const slave = root.open(slavePath);
    fds.push(slave);
    const tree = sys.cloneTree(slave, '', false);
    fds.push(tree);
    sys.moveMount(tree, consoleFd);
  } finally {
    for (const fd of fds) closeSync(fd);
    root.close();
  }
}

function open(path: string, flags: number, what: string): number {
  try {
    return openSync(path, flags);
  } catch (err) {
    throw new RuntimeError(`process.terminal: cannot ${what}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`);
  }
}
