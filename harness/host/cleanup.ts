// Leaving nothing behind: containers, processes, mounts and directories, on every path.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync, type Dirent } from 'node:fs';
import { promisify } from 'node:util';
import { cgroupDirsOf, parseCgroupMounts } from '../../linux/cgroupfs.js';
import type { Driver } from '../process/driver.js';
import { cmdlineOf, isAlive, startTime } from './hostfacts.js';
import { parseMountinfo } from '../probe/mountinfo.js';
import { reaperPath } from '../process/spawn.js';

const execFileP = promisify(execFile);

/**
 * Kills and deletes every container the driver created, through the runtime's own
 * operations first (kill, delete, then runc's `delete --force` convention), then kills
 * whatever the create calls left that still runs (harness/native/reaper.c keeps it
 * below conform: provably the case's). Never kills a pid because `state` named it: a
 * runtime that lies there would turn conform against the host. Each step stands
 * alone: one that fails is noted and the others still run. Returns notes for the case.
 */
export async function cleanupContainers(driver: Driver): Promise<string[]> {
  const notes: string[] = [];
  for (const id of driver.created) {
    await step(notes, `container ${id}`, async () => {
      // Refused (or deleted) and already confirmed gone by a `state` of the case's own,
      // nothing asked of it since: the question below, answered.
      if (driver.goneSinceState(id)) return;
      // Stopped at the case's last look (stopped is final), or its process seen gone since
      // (a host fact): delete it without asking again, one runtime call less for most
      // cases. Anything unexpected (a delete refused) takes the long way.
      const known = driver.lastStatus.get(id);
      if ((known === 'stopped' || driver.exitedSinceState(id)) && (await driver.delete(id)).ok) return;
      // Created or running at the case's last look, its process still there: kill, wait
      // until it stopped or its process is gone, delete — without a `state` first.
      // Anything unexpected (kill refused, delete refused) takes the long way below.
      if ((known === 'created' || known === 'running') && driver.pidRuns(id) && (await driver.kill(id, 'SIGKILL')).ok) {
        await driver.waitStopped(id, 5000, undefined, { exitSuffices: true });
        if ((await driver.delete(id)).ok) return;
      }
      const st = await driver.state(id);
      // Refused or deleted, and `state` agrees (a clean error): nothing to kill or delete.
      if (driver.saidGone(id) && !st.ok && st.code !== null && !st.timedOut) return;
      if (!st.ok || !st.state) {
        // Never created, already deleted — or a runtime whose `state` does not work.
        // Ask it to kill and delete anyway; for an id it does not know these just fail.
        await driver.kill(id, 'SIGKILL');
        await driver.delete(id, true);
        return;
      }
      if (st.state.status !== 'stopped') {
        // A runtime that refuses kill here (runsc, in `created`) gets `delete --force` at once.
        const killed = await driver.kill(id, 'SIGKILL');
        if (killed.ok) await driver.waitStopped(id, 5000);
      }
      let d = await driver.delete(id);
      if (!d.ok) d = await driver.delete(id, true);
      if (!d.ok) notes.push(`cleanup: the runtime could not delete container ${id} (${d.summary})`);
    });
  }
  await step(notes, 'what create left', async () => notes.push(...(await driver.releaseHeld())));
  return notes;
}

/**
 * Pids a `state` reported that still run after cleanup: not provably the container's
 * (not below a runtime call of the case, not in a cgroup it made), so left alone and
 * noted (a runtime that reports a host process's pid, or whose container escaped it).
 */
export function strayPids(pids: ReadonlyMap<number, string | undefined>): string[] {
  const notes: string[] = [];
  for (const [pid, started] of pids) {
    if (pid === process.pid || !isAlive(pid) || startTime(pid) !== started) continue;
    const args = cmdlineOf(pid)?.join(' ').slice(0, 120) ?? '?';
    notes.push(
      `cleanup: state reported pid ${pid} (${args}), which still runs after delete and is not provably this container's (no runtime call of the case started it, it is in no cgroup the case made): left alone`,
    );
  }
  return notes;
}

/** Runs one cleanup step; a failure becomes a note and never stops the steps after it. */
export async function step(notes: string[], what: string, fn: () => unknown): Promise<void> {
  try {
    await fn();
  } catch (e) {
    notes.push(`cleanup: ${what}: ${(e as Error).message}`);
  }
}

/** Mount points at or below dir, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p === dir || p.startsWith(prefix))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes a directory tree, first detaching anything mounted inside it: a recursive
 * delete through a bind mount would delete the bound host files.
 */
export function removeTree(dir: string): string[] {
  const notes = unmountUnder(dir);
  if (mountsUnder(dir).length === 0) rmSync(dir, { recursive: true, force: true });
  return notes;
}

/** Detaches everything mounted at or below dir, deepest first. */
export function unmountUnder(dir: string): string[] {
  const notes: string[] = [];
  for (const m of mountsUnder(dir)) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      notes.push(`cleanup: unmounted ${m}, which was left mounted`);
    } catch {
      notes.push(`cleanup: could not unmount ${m}; left it and its directory in place`);
    }
  }
  return notes;
}

/**
 * After delete, a container's cgroups should be gone with their processes. Empties and
 * removes the ones provably the case's: `dirs` (cgroupsPath directories a create made,
 * Driver.cgroupsMade) and those named after one of `ids` (unique per run) — never a
 * cgroup that holds conform itself (a runtime without cgroups puts containers in ours).
 * Processes are killed through pidfds (harness/native/reaper.c --kill-cgroups), so a
 * pid reused meanwhile is never hit. Every directory is its own step: one that vanished
 * meanwhile (another case cleaning it) or stays busy is noted and the rest go on.
 */
export async function cleanupCgroups(dirs: ReadonlySet<string>, ids: Iterable<string> = []): Promise<string[]> {
  const notes: string[] = [];
  let all: string[] = [...dirs];
  await step(notes, 'cgroups named after the containers', () => (all = [...new Set([...dirs, ...cgroupsNamed(new Set(ids))])]));
  let ours: string[] = [];
  await step(notes, "conform's own cgroups", () => (ours = cgroupDirsOf('self')));
  const isOurs = (d: string) => ours.some((o) => o === d || o.startsWith(`${d}/`));
  for (const dir of all.filter((d) => !isOurs(d)).sort((a, b) => b.length - a.length)) {
    await step(notes, dir, async () => {
      if (!existsSync(dir)) return;
      const killed = await killCgroups([dir]);
      if (killed.length)
        notes.push(
          `cleanup: killed ${killed.length} process(es) left in ${dir} after delete: ${killed.slice(0, 5).join('; ')}${killed.length > 5 ? '; …' : ''}`,
        );
      try {
        rmdirSync(dir);
        notes.push(`cleanup: removed cgroup ${dir}, left after delete`);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // Gone meanwhile is fine; busy or with children of its own is not ours to force.
        if (code !== 'ENOENT') notes.push(`cleanup: could not remove cgroup ${dir} (${code})`);
      }
    });
  }
  return notes;
}

/** SIGKILLs every process of the cgroup directories through pidfds; returns `PID ARGS` of each. */
export async function killCgroups(dirs: string[]): Promise<string[]> {
  const { stdout } = await execFileP(reaperPath, ['--kill-cgroups', ...dirs], { timeout: 30_000 });
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('killed '))
    .map((l) => l.slice('killed '.length));
}

/**
 * Cgroup directories named after one of `ids`, up to four levels deep in every
 * hierarchy. Runtimes name a container's cgroup after its id by default, and a create
 * that failed never showed us a pid whose cgroups we could note; conform's ids are
 * unique per run, so a directory with that name is the container's.
 */
export function cgroupsNamed(ids: ReadonlySet<string>): string[] {
  return ids.size ? cgroupsMatching((name) => ids.has(name)) : [];
}

/**
 * The directories and every cgroup below them: a cgroup named after a run holds the
 * cgroups an engine made for the run's containers (podman's cgroup parent, containerd's
 * namespace), whatever their own names.
 */
export function withDescendants(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    out.push(dir);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) walk(`${dir}/${e.name}`);
  };
  for (const d of dirs) walk(d);
  return out;
}

/**
 * Cgroup directories whose name `match`es, up to four levels deep in every hierarchy (not
 * below a match). Every case's cleanup walks them: a directory with no cgroup below it
 * (cgroupfs counts subdirectories in a directory's link count, as kernfs does since it
 * came) is not listed, as listing a v1 cgroup means dozens of control files.
 */
export function cgroupsMatching(match: (name: string) => boolean): string[] {
  const found: string[] = [];
  const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
      if (depth > 1 && statSync(dir).nlink <= 2) return;
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = `${dir}/${e.name}`;
      if (match(e.name)) found.push(path);
      else if (depth < 4) walk(path, depth + 1);
    }
  };
  for (const m of mounts) walk(m.mountPoint, 1);
  return found;
}

/** Removes those of `dirs` (deepest first) that are empty; returns them. */
export function removeIfEmpty(dirs: readonly string[]): string[] {
  const removed: string[] = [];
  for (const p of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(p); // an empty directory only
      removed.push(p);
    } catch {
      /* gone, or not empty (in use by another run or program): left alone */
    }
  }
  return removed;
}
