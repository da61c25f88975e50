// A run that is killed outright (SIGKILL, the OOM killer, a CI job's hard timeout)
// cannot clean up after itself. Every run directory names its owner in OWNER_FILE; a
// later run in the same work directory removes the directories whose owner is gone,
// with what they left: processes working there or named after them (hooks, holders,
// agents, runtime calls), processes in cgroups named after their containers (see
// isRunContainer) or below them (an engine's containers), those cgroups, mounts under the directory, and the
// directory itself (a --keep run's files stay). Directories without an owner file are
// never touched; a --keep run drops its owner file when it ends normally.
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanupCgroups, cgroupsMatching, removeIfEmpty, removeTree, unmountUnder, withDescendants } from './cleanup.js';
import { isAlive, startTime } from './hostfacts.js';

export const OWNER_FILE = '.conform-run';

/**
 * A short path to something in a run directory, for tools that refuse long paths
 * (podman's runroot): a symbolic link named after the run's tag, which the sweep removes.
 */
export const runLink = (name: string, tag: string) => `/run/conform-${name}-${tag}`;

function removeRunLinks(tag: string): void {
  let names: string[];
  try {
    names = readdirSync('/run').filter((n) => n.startsWith('conform-') && n.endsWith(`-${tag}`));
  } catch {
    return;
  }
  for (const n of names) {
    try {
      if (lstatSync(`/run/${n}`).isSymbolicLink()) rmSync(`/run/${n}`);
    } catch {
      /* gone meanwhile */
    }
  }
}

/**
 * Whether `name` (a cgroup's) is the id of a container of the run tagged `tag`: a case's
 * container id ends in the tag (harness/run/runner.ts containerId), its other containers
 * add `-N` (CaseContext.newId) or `-control` (the control create of suites/support/refuse.ts).
 */
export function isRunContainer(name: string, tag: string): boolean {
  return new RegExp(`-${tag}(?:-[0-9]+|-control)?$`).test(name);
}

interface Owner {
  pid: number;
  startTime?: string;
  /** The run's tag: the suffix of its container ids. */
  tag: string;
  /** A --keep run: its files are the user's; a sweep stops what runs and unmounts, and leaves them. */
  keep?: boolean;
}

/** Marks `runDir` as this process's, for the sweep of a later run. */
export function writeOwner(runDir: string, tag: string, keep = false): void {
  const owner: Owner = { pid: process.pid, startTime: startTime(process.pid), tag, ...(keep ? { keep } : {}) };
  writeFileSync(join(runDir, OWNER_FILE), JSON.stringify(owner));
}

/** The run is over and its directory the user's (--keep): no later sweep touches it. */
export function releaseOwner(runDir: string): void {
  rmSync(join(runDir, OWNER_FILE), { force: true });
}

function ownerOf(dir: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<Owner>;
    // Six hex digits, as every run's tag (cli/run-command.ts): the sweep kills what runs in
    // cgroups named after it, and a shorter one would match other names.
    return typeof o.pid === 'number' && typeof o.tag === 'string' && /^[0-9a-f]{6}$/.test(o.tag) ? (o as Owner) : undefined;
  } catch {
    return undefined;
  }
}

const gone = (o: Owner) => !isAlive(o.pid) || (o.startTime !== undefined && startTime(o.pid) !== o.startTime);

/** Processes whose working directory is under `dir` or whose command line names a path under it. */
export function processesUsing(dir: string): number[] {
  const prefix = `${dir}/`;
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cwd === dir || cwd.startsWith(prefix) || args.some((a) => a === dir || a.includes(prefix))) out.push(pid);
    } catch {
      /* gone, or a kernel thread */
    }
  }
  return out;
}

/**
 * Removes what runs killed outright left in `workdir`; returns one note per directory.
 * `outside` names what a run's engines made outside its directory, from what the
 * directory holds (engines/containerd.ts: the shims' sockets, removed too, and the
 * directories its containerd made for them, removed if empty).
 */
export async function sweepStaleRuns(
  workdir: string,
  outside: (runDir: string, tag: string) => { files: string[]; dirs: string[] } = () => ({ files: [], dirs: [] }),
): Promise<string[]> {
  const notes: string[] = [];
  let names: string[];
  try {
    names = readdirSync(workdir).filter((n) => /^conform-[A-Za-z0-9]{6}$/.test(n));
  } catch {
    return notes;
  }
  for (const name of names) {
    const dir = join(workdir, name);
    const owner = ownerOf(dir);
    if (!owner || !gone(owner)) continue;
    const killed = processesUsing(dir);
    for (const pid of killed) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone meanwhile */
      }
    }
    const cgroupNotes = await cleanupCgroups(new Set(withDescendants(cgroupsMatching((n) => isRunContainer(n, owner.tag)))));
    const left = outside(dir, owner.tag);
    const files = left.files.filter((f) => existsSync(f));
    for (const f of files) rmSync(f, { force: true });
    const dirs = removeIfEmpty(left.dirs);
    const treeNotes = owner.keep ? unmountUnder(dir) : removeTree(dir);
    removeRunLinks(owner.tag);
    if (owner.keep) releaseOwner(dir);
    const unmounted = treeNotes.filter((n) => n.startsWith('cleanup: unmounted')).length;
    const stuck = treeNotes.filter((n) => !n.startsWith('cleanup: unmounted'));
    const inCgroups = cgroupNotes.reduce((n, note) => n + Number(/killed (\d+) process/.exec(note)?.[1] ?? 0), 0);
    const what = [
      `${killed.length + inCgroups} process(es)`,
      `${cgroupNotes.filter((n) => n.includes('removed cgroup')).length} cgroup(s)`,
      `${unmounted} mount(s)`,
      ...(files.length ? [`${files.length} file(s) outside it (${files.join(', ')})`] : []),
      ...(dirs.length ? [`${dirs.length} empty directory(ies) its engines made (${dirs.join(', ')})`] : []),
    ].join(', ');
    const done = owner.keep ? `cleaned up ${dir} (kept: its files stay)` : `removed ${dir}`;
    notes.push(`${done}, left by a run (pid ${owner.pid}) that was killed: ${what}${stuck.length ? `; ${stuck.join('; ')}` : ''}`);
  }
  return notes;
}
