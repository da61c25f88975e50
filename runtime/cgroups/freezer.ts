// The cgroup freezer, for `pause`/`resume`, for `state` (a frozen container is
// `paused`, runc's status), and to hold still a container whose processes are signalled.
// v1: freezer.state; v2: cgroup.freeze, confirmed by `frozen 1` in cgroup.events.
// Hybrid hosts use the v1 freezer when it is mounted, as runc does.
//
// runc's habits, kept for the same reasons:
// - v1 may stay in FREEZING while processes keep appearing: writing FROZEN is retried
//   (up to 1000 times, thawing and pausing 10 ms every 50 tries), and a freeze that
//   never settles is undone (THAWED) and reported, never left half frozen.
// - v1 FROZEN is the container's own only when freezer.self_freezing is 1 (otherwise an
//   ancestor froze it, and the container itself is thawed).
// - v2 waits up to 10 s for `frozen 1`.
import { posix } from 'node:path';
import { CgroupError, errnoCode, type CgroupFs } from './fs.js';

export type FreezerState = 'thawed' | 'frozen' | 'freezing';

export interface Freezer {
  /** The control file (freezer.state or cgroup.freeze), for messages. */
  readonly file: string;
  state(): FreezerState;
  /** Throws CgroupError when the cgroup does not freeze; it is thawed again then. */
  freeze(): void;
  thaw(): void;
}

interface Dir {
  version: 1 | 2;
  controllers: readonly string[];
  dir: string;
}

function sleep(ms: number): void {
  // Synchronous on purpose: delete and kill run their cgroup work without the event loop.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const V1_TRIES = 1000;
const V2_WAIT_MS = 10_000;

/** The container's freezer: v1's if that hierarchy is mounted, else v2's; undefined without either. */
export function freezerOf(fs: CgroupFs, dirs: readonly Dir[]): Freezer | undefined {
  const v1 = dirs.find((d) => d.version === 1 && d.controllers.includes('freezer'));
  if (v1 && fs.exists(posix.join(v1.dir, 'freezer.state'))) return v1Freezer(fs, v1.dir);
  const v2 = dirs.find((d) => d.version === 2);
  if (v2 && fs.exists(posix.join(v2.dir, 'cgroup.freeze'))) return v2Freezer(fs, v2.dir);
  return undefined;
}

function v1Freezer(fs: CgroupFs, dir: string): Freezer {
  const file = posix.join(dir, 'freezer.state');
  const read = (): string => fs.read(file).trim();
  const thaw = (): void => fs.write(file, 'THAWED');
  return {
    file,
    state() {
      const s = read();
      if (s === 'THAWED') return 'thawed';
      if (s === 'FREEZING') return 'freezing';
      try {
        return fs.read(posix.join(dir, 'freezer.self_freezing')).trim() === '0' ? 'thawed' : 'frozen';
      } catch {
        // Kernels without self_freezing: frozen is frozen.
        return 'frozen';
      }
    },
    freeze() {
      try {
        for (let i = 0; i < V1_TRIES; i++) {
          if (i % 50 === 49) {
            thaw();
            sleep(10);
          }
          fs.write(file, 'FROZEN');
          const s = read();
          if (s === 'FROZEN') return;
          if (s !== 'FREEZING') throw new CgroupError(`${file} reads ${s} after writing FROZEN`);
        }
        throw new CgroupError(`${file} stayed FREEZING after ${V1_TRIES} tries (processes keep appearing in the container)`);
      } catch (e) {
        try {
          thaw();
        } catch {
          /* the error below says what went wrong */
        }
        throw e instanceof CgroupError ? e : new CgroupError(`freezing ${file}: ${(e as Error).message}`, errnoCode(e));
      }
    },
    thaw,
  };
}

function v2Freezer(fs: CgroupFs, dir: string): Freezer {
  const file = posix.join(dir, 'cgroup.freeze');
  const events = posix.join(dir, 'cgroup.events');
  const frozenEvent = (): boolean => /^frozen 1$/m.test(fs.read(events));
  return {
    file,
    state() {
      if (fs.read(file).trim() !== '1') return 'thawed';
      return frozenEvent() ? 'frozen' : 'freezing';
    },
    freeze() {
      fs.write(file, '1');
      const deadline = Date.now() + V2_WAIT_MS;
      while (!frozenEvent()) {
        if (Date.now() > deadline) {
          try {
            fs.write(file, '0');
          } catch {
            /* reported below */
          }
          throw new CgroupError(`${dir} did not freeze within ${V2_WAIT_MS / 1000} s (cgroup.events never said frozen 1)`);
        }
        sleep(10);
      }
    },
    thaw: () => fs.write(file, '0'),
  };
}
