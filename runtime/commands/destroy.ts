// Undoing a container (runtime.md lifecycle steps 12 and 13): stop what is left
// of it, remove its cgroups and state, then run the poststop hooks, whose failures
// are warnings only. Also what a killed `create` left (its state records what it
// made before making it): delete must not report success while any of it remains,
// so a failure keeps the state for another try.
import { destroyCgroups, destroyEmptyCgroups, killCgroup, type CgroupState } from '../cgroups-bridge.js';
import { RuntimeError, oneLine } from '../errors.js';
import { runHooksWarning } from '../hooks.js';
import type { Logger } from '../log.js';
import { isAlive, waitGone } from '../proc.js';
import { OCI_VERSION, type StateStore, type StoredState } from '../state/store.js';

/** SIGKILL the init and anything else in the container's cgroups; false if the init outlives the wait. */
export async function killAll(s: StoredState): Promise<boolean> {
  try {
    killCgroup(s.cgroup as CgroupState, 9);
  } catch {
    // The cgroups may be gone already; the init is still killed below.
  }
  if (s.pid !== undefined && isAlive(s.pid, s.pidStartTime)) {
    try {
      process.kill(s.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    return waitGone(s.pid, s.pidStartTime, 10_000);
  }
  return true;
}

/** Steps 12-13 for a stopped container. The caller holds the lock; it is released before poststop. */
export async function destroy(store: StateStore, s: StoredState, log: Logger, release: () => void): Promise<void> {
  const keep = 'the container is kept, so that delete can be tried again';
  const cgroups = <T>(remove: () => T): T => {
    try {
      return remove();
    } catch (err) {
      throw new RuntimeError(`container ${s.id}: removing its cgroups: ${oneLine(err)}; ${keep}`);
    }
  };
  // Most often the init is gone and its cgroups are empty: removing them proves it,
  // without listing every hierarchy for processes to kill first (~1 ms a delete).
  const initGone = s.pid === undefined || !isAlive(s.pid, s.pidStartTime);
  if (!(initGone && cgroups(() => destroyEmptyCgroups(s.cgroup as CgroupState)))) {
    if (!(await killAll(s))) throw new RuntimeError(`container ${s.id}: its process ${s.pid} is still there after SIGKILL; ${keep}`);
    cgroups(() => destroyCgroups(s.cgroup as CgroupState));
  }
  store.remove(s.id);
  release();
  // Only a container that was created has poststop hooks owed to it: a create that was
  // killed midway never reported one.
  if (s.created === undefined) return;
  const state = { ociVersion: OCI_VERSION, id: s.id, status: 'stopped' as const, bundle: s.bundle, ...(s.annotations ? { annotations: s.annotations } : {}) };
  runHooksWarning('poststop', s.hooks?.poststop, state, (m) => log.warn(oneLine(m)));
}
