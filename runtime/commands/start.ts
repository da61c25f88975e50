// `start`: opens exec.fifo for reading, which lets the init (blocked opening it for
// writing) go on to the startContainer hooks and exec the user's program. The init
// writes "0" when it is through the FIFO, then "E<message>" if a later step fails;
// the write end closes on a successful exec (close-on-exec). Then the poststart hooks.
import { closeSync, constants, openSync, readSync, unlinkSync } from 'node:fs';
import { RuntimeError, oneLine } from '../errors.js';
import { runHooks } from '../hooks.js';
import type { Logger } from '../log.js';
import { isAlive } from '../proc.js';
import { checkId, OCI_VERSION, StateStore, type StoredState } from '../state/store.js';
import type { Syscalls } from '../syscalls.js';
import { destroy } from './destroy.js';

/** How long the init may take to open the FIFO once we did (it is blocked in open(2) already). */
const OPEN_TIMEOUT_MS = 10_000;

export async function start(o: { root: string; id: string; log: Logger; sys: Syscalls }): Promise<void> {
  const id = checkId(o.id);
  const store = new StateStore(o.root);
  const { sys } = o;
  const lock = store.lock(id, sys);
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      lock.release();
    }
  };
  try {
    const s = store.read(id);
    const status = store.status(s);
    if (status !== 'created') throw new RuntimeError(`container ${id} is ${status}, not created: only a created container can be started`);
    // runtime.md#runtimeStart: "This operation MUST generate an error if `process` was not set."
    if (s.noProcess) throw new RuntimeError(`container ${id} has no process in its config.json: nothing to start (delete it)`);
    const problem = await handOver(store.fifoPath(id), s, sys);
    if (problem) {
      await destroy(store, s, o.log, release);
      throw new RuntimeError(`${problem}; the container was stopped and deleted`);
    }
    try {
      runHooks('poststart', s.hooks?.poststart, {
        ociVersion: OCI_VERSION,
        id,
        status: 'running',
        pid: s.pid,
        bundle: s.bundle,
        ...(s.annotations ? { annotations: s.annotations } : {}),
      });
    } catch (err) {
      await destroy(store, s, o.log, release);
      throw new RuntimeError(`${oneLine(err)}; the container was stopped and deleted`);
    }
  } finally {
    release();
  }
}

/**
 * Returns a problem, or undefined when the user's program is running. The reads
 * block the process (it has nothing else to do meanwhile; on libuv's thread pool they
 * cost its four threads' start, ~1.5 ms of start's CPU), so the exec is seen the moment
 * the write end closes: poststart hooks run right after the program started.
 */
async function handOver(fifo: string, s: StoredState, sys: Syscalls): Promise<string | undefined> {
  // Non-blocking open: a dead init never opens its end, and a blocking open would wait forever.
  const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    sys.setNonblocking(fd, false);
    const buf = Buffer.alloc(4096);
    let got = '';
    const deadline = Date.now() + OPEN_TIMEOUT_MS;
    for (let delay = 1; ;) {
      const n = readSync(fd, buf);
      if (n > 0) {
        got += buf.toString('utf8', 0, n);
        continue;
      }
      // End of file: every writer closed. After "0" that is the exec (or the init died);
      // before it, the init has not finished opening its end yet, or never will.
      if (got.startsWith('0')) break;
      if (!isAlive(s.pid!, s.pidStartTime)) return `container ${s.id}'s init exited before it could be started`;
      if (Date.now() > deadline) return `container ${s.id}'s init did not answer within ${OPEN_TIMEOUT_MS / 1000}s`;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 20);
    }
    try {
      unlinkSync(fifo);
    } catch {
      /* already gone */
    }
    const e = got.indexOf('E');
    if (e >= 0) return got.slice(e + 1);
    return undefined;
  } finally {
    closeSync(fd);
  }
}
