// The processes in a set of cgroup directories: list, signal, and removing the
// directories once they are empty.
import { posix } from 'node:path';
import { CgroupError, errnoCode, type CgroupFs } from './fs.js';
import { freezerOf } from './freezer.js';

/** How long to wait for exiting processes to leave a cgroup. */
const SETTLE_MS = 2000;

function sleep(ms: number): void {
  // Synchronous on purpose: the init stage and delete run without the event loop.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** What a cgroup file call gives, or undefined where the file is gone (ENOENT). */
function unlessGone<T>(call: () => T): T | undefined {
  try {
    return call();
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** `dir` and every cgroup below it, parents before children; none if `dir` is gone. */
function walk(fs: CgroupFs, dir: string): string[] {
  const children = unlessGone(() => fs.children(dir));
  return children ? [dir, ...children.flatMap((c) => walk(fs, posix.join(dir, c)))] : [];
}

export function listPids(fs: CgroupFs, dirs: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const dir of dirs) {
    for (const d of walk(fs, dir)) {
      const procs = unlessGone(() => fs.read(posix.join(d, 'cgroup.procs')));
      for (const line of procs?.split('\n') ?? []) if (/^\d+$/.test(line.trim())) pids.add(Number(line.trim()));
    }
  }
  return [...pids].sort((a, b) => a - b);
}

function until(check: () => boolean): boolean {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    sleep(10);
  }
}

const SIGKILL = 9;

/**
 * Signals every process in the cgroups. Frozen first, so that nothing forks past the
 * list; with SIGKILL on v2, cgroup.kill does it in the kernel.
 */
export function killAllIn(
  fs: CgroupFs,
  dirs: ReadonlyArray<{ version: 1 | 2; controllers: string[]; dir: string }>,
  signal: number,
  kill: (pid: number, signal: number) => void,
): void {
  // No process in the cgroups: none can appear but from outside, so there is nothing to
  // freeze (a freeze and a thaw are two kernel round trips every delete would pay).
  if (
    listPids(
      fs,
      dirs.map((d) => d.dir),
    ).length === 0
  )
    return;
  const existing = dirs.filter((d) => fs.exists(d.dir));
  const v2 = existing.find((d) => d.version === 2);
  if (signal === SIGKILL && v2 && fs.exists(posix.join(v2.dir, 'cgroup.kill'))) fs.write(posix.join(v2.dir, 'cgroup.kill'), '1');
  const freezer = freezerOf(fs, existing);
  // A container the user paused stays paused for other signals; SIGKILL needs it thawed.
  const wasFrozen = freezer?.state() === 'frozen';
  try {
    try {
      if (!wasFrozen) freezer?.freeze();
    } catch {
      // Signalled unfrozen: a process forked meanwhile may be missed, as without a freezer.
    }
    for (const pid of listPids(
      fs,
      existing.map((d) => d.dir),
    )) {
      try {
        kill(pid, signal);
      } catch (e) {
        if (errnoCode(e) !== 'ESRCH') throw new CgroupError(`sending signal ${signal} to ${pid}: ${(e as Error).message}`, errnoCode(e));
      }
    }
  } finally {
    if (!wasFrozen || signal === SIGKILL) freezer?.thaw();
  }
}

/**
 * Removes `dir` and the cgroups below it, deepest first, waiting for exiting processes.
 * Most often `dir` is a leaf whose processes are gone: one rmdir, before any walk.
 */
export function removeTree(fs: CgroupFs, dir: string): void {
  let lastError: unknown;
  const removed = (d: string): boolean => {
    try {
      fs.rmdir(d);
      return true;
    } catch (e) {
      lastError = e;
      const code = errnoCode(e);
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') throw new CgroupError(`removing cgroup ${d}: ${(e as Error).message}`, code);
      return false;
    }
  };
  if (removed(dir)) return;
  for (const d of walk(fs, dir).reverse()) {
    const gone = until(() => removed(d));
    if (!gone)
      throw new CgroupError(
        `removing cgroup ${d}: still busy after ${SETTLE_MS} ms (processes left: ${listPids(fs, [d]).join(' ') || 'none listed'}): ${(lastError as Error).message}`,
        'EBUSY',
      );
  }
}
