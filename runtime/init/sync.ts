// A line-based channel over a socket, read and written synchronously: the init blocks on
// it between steps (and must not use libuv's thread pool), and so does create.
import { readSync, writeSync, closeSync } from 'node:fs';
import { SyscallError } from '../errors.js';
import type { Syscalls } from '../syscalls.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

export class SyncChannel {
  private buffered = '';
  private closed = false;

  constructor(readonly fd: number) {}

  send(message: object): void {
    this.sendLine(JSON.stringify(message));
  }

  /** One line as it is (nsexec's own protocol is plain words). */
  sendLine(text: string): void {
    const buf = Buffer.from(`${text}\n`);
    for (let off = 0; off < buf.length;) {
      try {
        off += writeSync(this.fd, buf, off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        Atomics.wait(sleeper, 0, 0, 5);
      }
    }
  }

  /** The next line, or undefined at end of stream (the peer went away). */
  readLine(): string | undefined {
    const buf = Buffer.alloc(4096);
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return line;
      }
      if (this.closed) return undefined;
      let n: number;
      try {
        n = readSync(this.fd, buf, 0, buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          Atomics.wait(sleeper, 0, 0, 5);
          continue;
        }
        if (code === 'EINTR') continue;
        throw err;
      }
      if (n === 0) {
        this.closed = true;
        continue;
      }
      this.buffered += buf.toString('utf8', 0, n);
    }
  }

  /** The next JSON message; undefined at end of stream. */
  read<T>(): T | undefined {
    const line = this.readLine();
    return line === undefined ? undefined : (JSON.parse(line) as T);
  }

  /**
   * The parent's next message, which carries an fd (recvmsg: a plain read would drop
   * it): `{"type": type}` and the fd. The parent sends it only when asked, so nothing
   * of it can be in the buffer already.
   */
  readFd(sys: Syscalls, type: string): number {
    if (this.buffered !== '') throw new Error(`expected ${type} with an fd from the runtime, but other lines came first`);
    for (;;) {
      let r: { data: string; fd?: number };
      try {
        r = sys.recvFd(this.fd);
      } catch (err) {
        if (err instanceof SyscallError && (err.code === 'EAGAIN' || err.code === 'EINTR')) {
          Atomics.wait(sleeper, 0, 0, 5);
          continue;
        }
        throw err;
      }
      if (r.data === '') process.exit(1); // the parent went away
      const m = JSON.parse(r.data) as { type?: string };
      if (m.type !== type || r.fd === undefined) throw new Error(`expected ${type} with an fd from the runtime, got ${r.data.trim()}`);
      return r.fd;
    }
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}
