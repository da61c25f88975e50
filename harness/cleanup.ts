// Leaving nothing behind: containers, processes, mounts and directories, on every path.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, type Dirent } from 'node:fs';
import { cgroupDirsOf, parseCgroupMounts } from '../linux/cgroupfs.js';
import type { Driver } from './driver.js';
import { isAlive, startTime } from './hostfacts.js';
import { parseMountinfo } from './probe/mountinfo.js';
import { pause } from './wait.js';

/**
 * Kills and deletes every container the driver created, through the runtime's own
 * operations first (kill, delete, then runc's `delete --force` convention), then
 * SIGKILLs any container process that survived. Returns what had to be forced, as
 * notes for the case's report.
 */
export async function cleanupContainers(driver: Driver, pids: Map<number, string | undefined>): Promise<string[]> {
  const notes: string[] = [];
  for (const id of driver.created) {
    const st = await driver.state(id);
    if (!st.ok || !st.state) {
      // Never created, already deleted — or a runtime whose `state` does not work.
      // Ask it to kill and delete anyway; for an id it does not know these just fail.
      await driver.kill(id, 'SIGKILL');
      await driver.delete(id, true);
      continue;
    }
    const pid = st.state.pid;
    if (typeof pid === 'number' && pid > 0 && !pids.has(pid)) pids.set(pid, startTime(pid));
    if (st.state.status !== 'stopped') {
      await driver.kill(id, 'SIGKILL');
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && (await driver.state(id)).state?.status !== 'stopped') await pause(50);
    }
    let d = await driver.delete(id);
    if (!d.ok) d = await driver.delete(id, true);
    if (!d.ok) notes.push(`cleanup: the runtime could not delete container ${id} (${d.summary})`);
  }
  for (const [pid, started] of pids) {
    if (pid === process.pid || !isAlive(pid) || startTime(pid) !== started) continue;
    try {
      process.kill(pid, 'SIGKILL');
      notes.push(`cleanup: container process ${pid} was still alive after delete and was killed`);
    } catch {
      /* gone meanwhile */
    }
  }
  return notes;
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
 * After delete, a container's cgroups should be gone with their processes. Kills what
 * a runtime left in them and removes the directories it left, never touching a cgroup
 * that holds conform itself (a runtime without cgroups puts containers in ours).
 */
export async function cleanupCgroups(dirs: ReadonlySet<string>, ids: Iterable<string> = []): Promise<string[]> {
  const notes: string[] = [];
  dirs = new Set([...dirs, ...cgroupsNamed(new Set(ids))]);
  const ours = cgroupDirsOf('self');
  const isOurs = (d: string) => ours.some((o) => o === d || o.startsWith(`${d}/`));
  for (const dir of [...dirs].filter((d) => !isOurs(d) && existsSync(d)).sort((a, b) => b.length - a.length)) {
    const procs = () => readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
    let left: number[] = [];
    try {
      left = procs();
    } catch {
      continue;
    }
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (left.length) notes.push(`cleanup: killed ${left.length} process(es) left in ${dir} after delete`);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && procs().length) await pause(20);
    try {
      rmdirSync(dir);
      notes.push(`cleanup: removed cgroup ${dir}, left after delete`);
    } catch {
      /* busy, or has children that are not ours to judge */
    }
  }
  return notes;
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

/** Cgroup directories whose name `match`es, up to four levels deep in every hierarchy (not below a match). */
export function cgroupsMatching(match: (name: string) => boolean): string[] {
  const found: string[] = [];
  const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  const walk = (dir: string, depth: number) => {
    let entries: Dirent[];
    try {
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
