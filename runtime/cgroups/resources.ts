// linux.resources on the container's cgroups: checked against the host before anything
// is made (create), and written (create, update). A ResourceCgroups is a Cgroups
// (./manager.ts) that also has the resources; the commands that only signal, freeze or
// remove a container use the plain handle and never load the planners below.
//
// Device rules: v1 writes devices.allow/deny; v2 attaches an eBPF program (./devicefilter.ts).
//
// Hybrid hosts: resources go to the v1 hierarchies, and the container also gets a
// cgroup in the unified hierarchy (as runc does there), where `unified` keys are
// written. Pure v1 hosts refuse `unified`.
import { posix } from 'node:path';
import { ConfigError } from '../errors.js';
import { CgroupError, errnoCode, realCgroupFs, type CgroupFs } from './fs.js';
import { detectHost, type CgroupDir, type HostCgroups } from './host.js';
import { Cgroups, defaultKill, type CgroupsState, type SignalFn } from './manager.js';
import { DEFAULT_PARENT, resolveCgroupsPath } from './path.js';
import { BLIND_VIEW, type CgroupWrite, type PlanView } from './plan-types.js';
import { makeRtRoom } from './rt.js';
import type { LinuxResources } from './types.js';
import { planV1 } from './v1.js';
import { deviceProgram, planUnified, planV2 } from './v2.js';

export interface CgroupsPlanOptions {
  id: string;
  cgroupsPath?: string;
  resources?: LinuxResources;
  host?: HostCgroups;
  fs?: CgroupFs;
  /** Where relative and unset cgroupsPath values go; default /conform. */
  parent?: string;
  /** How to signal a process; default process.kill (tests record instead). */
  kill?: SignalFn;
}

const PAGE = 4096n;
/** How often writeRt makes room again after another container's create took it. */
const RT_TRIES = 5;

/** Whether a value read back is what was written, allowing for the kernel's page rounding of byte limits. */
function kept(mode: 'exact' | 'bytes', wrote: string, got: string): boolean {
  if (got === wrote) return true;
  if (mode === 'exact' || !/^\d+$/.test(got)) return false;
  const g = BigInt(got);
  // "-1" reads back as the page-rounded maximum, 9223372036854771712.
  if (wrote === '-1') return g >= 1n << 62n;
  const w = BigInt(wrote);
  return g <= w && g >= (w / PAGE) * PAGE;
}

/** v2 files present without enabling any controller. */
const CORE_FILES = new Set(['cpu.pressure', 'cpu.stat', 'cpu.stat.local', 'io.pressure', 'memory.pressure', 'irq.pressure']);

export class ResourceCgroups extends Cgroups {
  private constructor(
    state: CgroupsState,
    private readonly resources: LinuxResources | undefined,
    fs: CgroupFs,
    kill: SignalFn,
  ) {
    super(state, fs, kill);
  }

  /** Resolves the paths and checks the resources against the host's mode; touches nothing. */
  static plan(opts: CgroupsPlanOptions): ResourceCgroups {
    const host = opts.host ?? detectHost();
    const parent = opts.parent ?? DEFAULT_PARENT;
    const path = resolveCgroupsPath(opts.id, opts.cgroupsPath, parent);
    const runtimeParent = opts.cgroupsPath?.startsWith('/') ? undefined : parent;
    const dirs: CgroupDir[] = [];
    if (host.mode !== 'v2') {
      const byMount = new Map<string, string[]>();
      for (const [c, mount] of Object.entries(host.v1)) byMount.set(mount, [...(byMount.get(mount) ?? []), c]);
      for (const [mount, controllers] of byMount) dirs.push({ mount, version: 1, controllers, dir: below(mount, path) });
    }
    if (host.unified) dirs.push({ mount: host.unified, version: 2, controllers: [], dir: below(host.unified, path) });

    const r = opts.resources;
    if (r) {
      if (host.mode === 'v2') planV2(r, BLIND_VIEW);
      else {
        const writes = planV1(r, BLIND_VIEW);
        planUnified(r.unified);
        if (r.unified && Object.keys(r.unified).length > 0 && !host.unified) {
          throw new ConfigError('linux.resources.unified', 'needs cgroup v2, and this host has only v1 hierarchies');
        }
        // Controllers this v1 host does not have are found here, before anything is made.
        for (const w of writes) {
          if (!host.v1[w.controller]) throw new ConfigError(w.field, `the ${w.controller} controller is not mounted on this host (cgroup ${host.mode})`);
        }
      }
    }
    return new ResourceCgroups({ mode: host.mode, path, dirs, created: [], runtimeParent }, r, opts.fs ?? realCgroupFs, opts.kill ?? defaultKill);
  }

  /** Cgroups an earlier call created, with new values for `update` (apply writes only the fields they have). */
  static withResources(s: CgroupsState, resources: LinuxResources, opts: { fs?: CgroupFs; kill?: SignalFn } = {}): ResourceCgroups {
    return new ResourceCgroups(structuredClone(s), resources, opts.fs ?? realCgroupFs, opts.kill ?? defaultKill);
  }

  /**
   * Writes linux.resources (those of the controllers `only` accepts, by default all).
   * Every file is checked before the first value is written; on v2 that is after
   * enabling the controllers, since their files appear only then.
   */
  apply(only: (controller: string) => boolean = () => true): void {
    const r = this.resources;
    if (!r) return;
    const pick = (ws: CgroupWrite[]): CgroupWrite[] => ws.filter((w) => only(w.controller));
    const writes: Array<CgroupWrite & { target: string }> = [];
    if (this.state.mode === 'v2') {
      const d = this.v2Dir()!;
      this.enableControllers(d, pick(planV2(r, BLIND_VIEW)));
      writes.push(
        ...this.checked(
          pick(
            planV2(
              r,
              this.view(() => d.dir),
            ),
          ),
          () => d.dir,
        ),
      );
      const program = only('devices') ? deviceProgram(r) : undefined;
      if (program) {
        try {
          this.fs.attachDeviceFilter(d.dir, program);
        } catch (e) {
          throw new CgroupError(`linux.resources.devices: attaching the device program to ${d.dir}: ${(e as Error).message}`, errnoCode(e));
        }
      }
    } else {
      const dirOf = (controller: string): string | undefined => this.state.dirs.find((d) => d.controllers.includes(controller))?.dir;
      writes.push(...this.checked(pick(planV1(r, this.view(dirOf))), dirOf));
      const unified = pick(planUnified(r.unified));
      if (unified.length > 0) {
        const d = this.v2Dir();
        if (!d) throw new ConfigError('linux.resources.unified', 'needs cgroup v2, and this host has only v1 hierarchies');
        this.enableControllers(d, unified);
        writes.push(...this.checked(unified, () => d.dir));
      }
    }
    for (const w of writes) {
      const file = posix.join(w.target, w.file);
      if (w.file === 'cpu.rt_runtime_us' && this.state.mode !== 'v2') this.writeRt(w.target, w.value, w.field);
      else this.write(file, w.value, w.field);
      if (w.verify && !kept(w.verify, w.value, this.read(file).trim())) {
        throw new ConfigError(w.field, `the kernel set ${w.file} to ${this.read(file).trim()} instead of ${w.value}`);
      }
    }
  }

  /**
   * cpu.rt_runtime_us, once the ancestors have room for it (rtRoom). Another container's
   * create may take that room between the two (its budget written after this one summed
   * the siblings): the kernel then says EINVAL, and the room is made again from what is
   * there now, a few times; an EINVAL that stays is the config's or the host's.
   */
  private writeRt(dir: string, runtime: string, field: string): void {
    for (let attempt = 1; ; attempt++) {
      this.rtRoom(dir, runtime, field);
      try {
        this.write(posix.join(dir, 'cpu.rt_runtime_us'), runtime, field);
        return;
      } catch (e) {
        if (attempt >= RT_TRIES || errnoCode(e) !== 'EINVAL') throw e;
      }
    }
  }

  /** Raises the RT bandwidth of the ancestors so that `runtime` fits (./rt.ts). */
  private rtRoom(dir: string, runtime: string, field: string): void {
    const d = this.state.dirs.find((x) => x.dir === dir);
    if (!d || BigInt(runtime) <= 0n) return;
    const period = this.resources?.cpu?.realtimePeriod;
    try {
      makeRtRoom(this.fs, d.mount, dir, BigInt(runtime), period !== undefined ? BigInt(period) : BigInt(this.read(posix.join(dir, 'cpu.rt_period_us')).trim()));
    } catch (e) {
      throw new CgroupError(`${field}: making room for ${runtime} µs in the parent cgroups of ${dir}: ${(e as Error).message}`, errnoCode(e));
    }
  }

  /** Where each write goes, refusing any whose controller or file this host lacks. */
  private checked(writes: CgroupWrite[], dirOf: (controller: string) => string | undefined): Array<CgroupWrite & { target: string }> {
    return writes.map((w) => {
      const target = dirOf(w.controller);
      if (!target) throw new ConfigError(w.field, `the ${w.controller} controller is not mounted on this host (cgroup ${this.state.mode})`);
      if (!this.fs.exists(posix.join(target, w.file))) {
        throw new ConfigError(w.field, `cannot be applied: this host's cgroup has no ${w.file} (${target})`);
      }
      return { ...w, target };
    });
  }

  private v2Dir(): CgroupDir | undefined {
    return this.state.dirs.find((d) => d.version === 2);
  }

  private view(dirOf: (controller: string) => string | undefined): PlanView {
    return {
      has: (c, f) => {
        const dir = dirOf(c);
        return dir !== undefined && this.fs.exists(posix.join(dir, f));
      },
      read: (c, f) => {
        const dir = dirOf(c);
        const p = dir && posix.join(dir, f);
        return p && this.fs.exists(p) ? this.fs.read(p) : undefined;
      },
    };
  }

  /** The spec (Unified): the runtime MUST ensure the needed controllers are enabled, and fail when one is absent. */
  private enableControllers(d: CgroupDir, writes: CgroupWrite[]): void {
    const needed = new Map<string, string>();
    for (const w of writes) if (w.controller !== 'cgroup' && !CORE_FILES.has(w.file) && !needed.has(w.controller)) needed.set(w.controller, w.field);
    if (needed.size === 0) return;
    const available = this.read(posix.join(d.mount, 'cgroup.controllers')).split(/\s+/).filter(Boolean);
    for (const [c, field] of needed) {
      if (!available.includes(c)) {
        throw new ConfigError(
          field,
          `the ${c} controller is not available in the cgroup v2 hierarchy at ${d.mount} (it has: ${available.join(' ') || 'none'})`,
        );
      }
    }
    const parts = this.state.path.split('/').filter(Boolean);
    let cur = d.mount;
    for (const part of parts) {
      const enabled = this.read(posix.join(cur, 'cgroup.subtree_control')).split(/\s+/);
      for (const c of needed.keys()) {
        if (!enabled.includes(c)) this.write(posix.join(cur, 'cgroup.subtree_control'), `+${c}`, `enabling ${c} for ${this.state.path}`);
      }
      cur = posix.join(cur, part);
    }
  }
}

/** A cgroup path from ./path.ts (absolute, normalized: `/a/b`) under a mount point. */
function below(mount: string, path: string): string {
  return mount === '/' ? path : `${mount}${path}`;
}
