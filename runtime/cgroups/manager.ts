// The container's cgroups as a handle: create, join, list, freeze, kill, destroy; and a
// state record so a later runtime call (kill, delete) finds exactly the same directories
// and knows which ones it created. Planning and writing linux.resources is
// ./resources.ts's (ResourceCgroups, a Cgroups that also applies them): the commands
// that only signal, freeze or remove a container (kill, start, delete, pause…) load
// none of the planners, ~25 kB of code in each of their bundles (~1 ms a call).
//
// Only directories this container created are removed (the spec: resources not created
// by the container MUST NOT be deleted); sub-cgroups the container made inside its own
// cgroup are removed with it.
import { posix } from 'node:path';
import type { CgroupMode } from '../../linux/cgroupfs.js';
import { CgroupError, errnoCode, realCgroupFs, type CgroupFs } from './fs.js';
import type { CgroupDir } from './host.js';
import { freezerOf, type Freezer } from './freezer.js';
import { killAllIn, listPids, removeTree } from './procs.js';

export interface CgroupsState {
  mode: CgroupMode;
  /** The resolved cgroup path, the same under every mount point. */
  path: string;
  dirs: CgroupDir[];
  /** Directories this container created, in creation order (parents first). */
  created: string[];
  /**
   * The runtime's own parent (DEFAULT_PARENT) when the container was placed under it
   * (cgroupsPath unset or relative). Containers share it, so whoever made it first is
   * an accident of timing: the last container out removes it when it is empty.
   */
  runtimeParent?: string;
}

export type SignalFn = (pid: number, signal: number) => void;

export const defaultKill: SignalFn = (pid, signal) => {
  process.kill(pid, signal);
};

export class Cgroups {
  protected constructor(
    protected readonly state: CgroupsState,
    /** The cgroup filesystem (tests pass a fake). */
    readonly fs: CgroupFs,
    private readonly kill: SignalFn,
  ) {}

  /** A handle on cgroups an earlier call created (kill, delete, pause). */
  static fromState(s: CgroupsState, opts: { fs?: CgroupFs; kill?: SignalFn } = {}): Cgroups {
    return new Cgroups(structuredClone(s), opts.fs ?? realCgroupFs, opts.kill ?? defaultKill);
  }

  /** The freezer of the container's cgroups (pause, resume, `paused`), if this host has one. */
  freezer(): Freezer | undefined {
    return freezerOf(
      this.fs,
      this.state.dirs.filter((d) => this.fs.exists(d.dir)),
    );
  }

  toJSON(): CgroupsState {
    return structuredClone(this.state);
  }

  get path(): string {
    return this.state.path;
  }

  get mode(): CgroupMode {
    return this.state.mode;
  }

  /** The container's directory per hierarchy. */
  get dirs(): readonly CgroupDir[] {
    return this.state.dirs;
  }

  /**
   * The state as it will be once create() has run: `created` lists the directories
   * missing now, which create() makes. Recorded before creating, so that a runtime
   * killed midway leaves what a later delete needs to remove them.
   */
  intent(): CgroupsState {
    const created: string[] = [];
    for (const d of this.state.dirs) {
      let cur = d.mount;
      for (const part of this.state.path.split('/').filter(Boolean)) {
        cur = child(cur, part);
        if (!this.fs.exists(cur)) created.push(cur);
      }
    }
    return { ...this.toJSON(), created };
  }

  /** Creates the cgroup in every hierarchy (with missing parents), recording what it made. */
  create(): void {
    for (const d of this.state.dirs) {
      // A parent that another container's delete removes between our check and our
      // mkdir (ENOENT), or while we read its files (ENODEV: a cgroup on its way out),
      // is made again.
      for (let attempt = 1; ; attempt++) {
        try {
          this.createIn(d);
          break;
        } catch (e) {
          if (!(e instanceof CgroupError && (e.code === 'ENOENT' || e.code === 'ENODEV') && attempt < 5)) throw e;
        }
      }
    }
  }

  private createIn(d: CgroupDir): void {
    const parts = this.state.path.split('/').filter(Boolean);
    let cur = d.mount;
    for (const part of parts) {
      const parent = cur;
      cur = child(cur, part);
      if (!this.fs.exists(cur)) {
        try {
          this.fs.mkdir(cur);
          this.state.created.push(cur);
        } catch (e) {
          // Another container may make a shared parent at the same moment.
          if (errnoCode(e) !== 'EEXIST') throw new CgroupError(`creating cgroup ${cur}: ${(e as Error).message}`, errnoCode(e));
        }
      }
      // A v1 cpuset starts with no CPUs and no memory nodes, and no task can join it
      // until it has some: inherit the parent's.
      if (d.version === 1 && d.controllers.includes('cpuset')) {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          const inherited = this.read(child(parent, f)).trim();
          if (inherited && this.read(child(cur, f)).trim() === '') this.write(child(cur, f), inherited, `cgroup ${cur}`);
        }
      }
    }
  }

  /** Moves `pid` into the container's cgroup in every hierarchy. */
  join(pid: number): void {
    for (const d of this.state.dirs) this.write(child(d.dir, 'cgroup.procs'), String(pid), `cgroup ${d.dir}`);
  }

  /** How many processes the kernel killed for lack of memory in the container's cgroup (0 when unknown). */
  oomKills(): number {
    const files = this.state.dirs.flatMap((d) =>
      d.version === 2 ? [posix.join(d.dir, 'memory.events')] : d.controllers.includes('memory') ? [posix.join(d.dir, 'memory.oom_control')] : [],
    );
    let kills = 0;
    for (const f of files) {
      try {
        kills += Number(/^oom_kill (\d+)$/m.exec(this.fs.read(f))?.[1] ?? 0);
      } catch {
        // gone, or no such file on this kernel
      }
    }
    return kills;
  }

  /** Every process in the container's cgroups (and their sub-cgroups). */
  pids(): number[] {
    return listPids(
      this.fs,
      this.state.dirs.map((d) => d.dir),
    );
  }

  /** Sends `signal` to every process in the cgroups, freezing them first where a freezer exists. */
  killAll(signal: number): void {
    killAllIn(this.fs, this.state.dirs, signal, this.kill);
  }

  /**
   * Removes the container's cgroups if they are empty, as a stopped container's are (with
   * a PID namespace, the kernel killed them all with the init): one rmdir each, which
   * fails (EBUSY) while a process or a cgroup below is there, instead of listing every
   * hierarchy for processes to kill first. True when they are all gone; false, with the
   * rest left for killAll and destroy, at the first busy one, and at once when one is not
   * the container's own (its processes are the container's to kill). The freezer goes
   * last, for killAll to freeze with.
   */
  destroyIfEmpty(): boolean {
    const created = new Set(this.state.created);
    if (!this.state.dirs.every((d) => created.has(d.dir))) return false;
    const freezerLast = [...this.state.dirs].sort((a, b) => Number(a.controllers.includes('freezer')) - Number(b.controllers.includes('freezer')));
    for (const d of freezerLast) {
      try {
        this.fs.rmdir(d.dir);
      } catch (e) {
        const code = errnoCode(e);
        if (code === 'EBUSY') return false;
        if (code !== 'ENOENT') throw new CgroupError(`removing cgroup ${d.dir}: ${(e as Error).message}`, code);
      }
    }
    this.destroy(true);
    return true;
  }

  /**
   * Removes the directories this container created, leaf first. Call after the processes
   * are gone; `leavesGone` when destroyIfEmpty has removed the container's own already.
   */
  destroy(leavesGone = false): void {
    const created = new Set(this.state.created);
    if (!leavesGone) for (const d of this.state.dirs) if (created.has(d.dir)) removeTree(this.fs, d.dir);
    for (const dir of [...this.state.created].reverse()) {
      if (this.state.dirs.some((d) => d.dir === dir)) continue;
      // A parent shared with another container stays; a missing one is already gone.
      this.rmdirIfEmpty(dir);
    }
    this.state.created = [];
    if (this.state.runtimeParent) {
      for (const d of this.state.dirs) {
        const parent = posix.join(d.mount, this.state.runtimeParent);
        // Tried just above when this container made it.
        if (!created.has(parent)) this.rmdirIfEmpty(parent);
      }
    }
  }

  private rmdirIfEmpty(dir: string): void {
    try {
      this.fs.rmdir(dir);
    } catch (e) {
      const code = errnoCode(e);
      if (code !== 'ENOENT' && code !== 'EBUSY' && code !== 'ENOTEMPTY') throw new CgroupError(`removing cgroup ${dir}: ${(e as Error).message}`, code);
    }
  }

  protected read(file: string): string {
    try {
      return this.fs.read(file);
    } catch (e) {
      throw new CgroupError(`reading ${file}: ${(e as Error).message}`, errnoCode(e));
    }
  }

  protected write(file: string, value: string, what: string): void {
    try {
      this.fs.write(file, value);
    } catch (e) {
      throw new CgroupError(`${what}: writing ${JSON.stringify(value)} to ${file}: ${(e as Error).message}`, errnoCode(e));
    }
  }
}

/**
 * `dir/name` for a directory from mountinfo or made here (absolute, normalized) and one
 * path component (no slash, not `.` or `..`), as posix.join would make it. create joins
 * a hundred paths; posix.join's normalizing loop then becomes hot enough for V8 to spend
 * ~11 ms of a background thread optimizing it, in a process that exits right after.
 */
function child(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
