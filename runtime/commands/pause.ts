// `pause` and `resume` (runc's): freeze and thaw the container's cgroups; `state`
// reads `paused` while frozen (state/store.ts). As runc: only a running (or created)
// container can be paused, only a paused one resumed.
import { Cgroups, type CgroupsState } from '../cgroups/index.js';
import { RuntimeError, oneLine } from '../errors.js';
import { checkId, StateStore } from '../state/store.js';
import type { Syscalls } from '../syscalls.js';

export function pause(o: { root: string; id: string; resume: boolean; sys: Syscalls }): void {
  const id = checkId(o.id);
  const store = new StateStore(o.root);
  const lock = store.lock(id, o.sys);
  try {
    const s = store.read(id);
    const status = store.status(s);
    if (o.resume && status !== 'paused') throw new RuntimeError(`container ${id} is ${status}, not paused: only a paused container can be resumed`);
    if (!o.resume && status !== 'running' && status !== 'created')
      throw new RuntimeError(`container ${id} is ${status}: only a running or created container can be paused`);
    const freezer = s.cgroup ? Cgroups.fromState(s.cgroup as CgroupsState).freezer() : undefined;
    if (!freezer)
      throw new RuntimeError(
        `container ${id} cannot be ${o.resume ? 'resumed' : 'paused'}: its cgroups have no freezer (no v1 freezer hierarchy, no cgroup.freeze)`,
      );
    try {
      if (o.resume) freezer.thaw();
      else freezer.freeze();
    } catch (err) {
      throw new RuntimeError(`${o.resume ? 'resuming' : 'pausing'} container ${id}: ${oneLine(err)}`);
    }
  } finally {
    lock.release();
  }
}
