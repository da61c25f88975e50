// The call sites of runtime/cgroups (owned by a colleague), kept in one place:
// plan early (config errors before anything is made), create + apply + join the
// init while it boots, before it reads its config (or nsexec before it forks, for a
// new cgroup namespace or a pids limit: create.ts says why), so that everything of the
// container's runs inside; and from the saved state: list, signal, destroy.
import { Cgroups, hostCgroupFs, ResourceCgroups, type CgroupsState } from './cgroups/index.js';
import type { Linux } from '../schemas/config.js';
import { ConfigError } from './errors.js';
import type { Syscalls } from './syscalls.js';

export { CGROUP_FEATURES } from './cgroups/index.js';
export type CgroupState = CgroupsState | undefined;

/** Resolves the paths and checks linux.resources against the host; touches nothing. */
export function planCgroups(id: string, linux: Linux | undefined, sys: Syscalls): ResourceCgroups {
  return ResourceCgroups.plan({ id, cgroupsPath: linux?.cgroupsPath, resources: linux?.resources, fs: hostCgroupFs(sys) });
}

/**
 * A cgroup that already holds processes is someone else's: sharing it would let the
 * container's limits, kill --all and delete reach them. config-linux.md lets a
 * runtime consider such cgroupsPath values invalid (with an error).
 */
export function checkCgroupFree(cg: Cgroups): void {
  // Most creates make their cgroups: nothing to list then, and no ENOENT error to make
  // and catch in each hierarchy (listPids reads first: delete finds them there).
  if (!cg.dirs.some((d) => cg.fs.exists(d.dir))) return;
  const pids = cg.pids();
  if (pids.length > 0) {
    const shown = `${pids.slice(0, 5).join(' ')}${pids.length > 5 ? ' …' : ''}`;
    throw new ConfigError('linux.cgroupsPath', `${cg.path} already has processes (${shown}): a container needs a cgroup of its own`);
  }
}

/**
 * Makes the cgroups, writes the limits but the device rules, moves `pid` in. On
 * failure the caller destroys `cg`.
 */
export function applyCgroups(cg: ResourceCgroups, pid: number): void {
  cg.create();
  cg.apply((controller) => controller !== 'devices');
  cg.join(pid);
}

/**
 * The device rules, once the init has made linux.devices (mknod is subject to them:
 * a deny-all would refuse it), before the hooks and the user's program; as runc.
 */
export function applyDeviceRules(cg: ResourceCgroups): void {
  cg.apply((controller) => controller === 'devices');
}

/** The pids in the container's cgroups (kill --all, and delete without a PID namespace). */
export function cgroupPids(state: CgroupState): number[] {
  if (!state) return [];
  try {
    return Cgroups.fromState(state).pids();
  } catch {
    return [];
  }
}

export function killCgroup(state: CgroupState, signal: number): void {
  if (state) Cgroups.fromState(state).killAll(signal);
}

/** Removes the container's cgroups when nothing is in them (Cgroups.destroyIfEmpty): true when they are gone. */
export function destroyEmptyCgroups(state: CgroupState): boolean {
  return !state || Cgroups.fromState(state).destroyIfEmpty();
}

/** Removes the cgroups the container created; the processes must be gone. */
export function destroyCgroups(state: CgroupState | Cgroups): void {
  if (!state) return;
  (state instanceof Cgroups ? state : Cgroups.fromState(state)).destroy();
}
