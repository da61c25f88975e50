// Undoing a container (runtime.md lifecycle steps 12 and 13): stop what is left
// of it, remove its cgroups and state, then run the poststop hooks, whose failures
// are warnings only.
import { destroyCgroups, killCgroup, type CgroupState } from '../cgroups-bridge.js';
import { oneLine } from '../errors.js';
import { runHooksWarning } from '../hooks.js';
import type { Logger } from '../log.js';
import { isAlive, waitGone } from '../proc.js';
import { OCI_VERSION, type StateStore, type StoredState } from '../state/store.js';

/** SIGKILL the init and anything else in the container's cgroups, and wait for the init. */
export async function killAll(s: StoredState): Promise<void> {
  try {
    killCgroup(s.cgroup as CgroupState, 9);
  } catch {
    // The cgroups may be gone already; the init is still killed below.
  }
  if (s.pid !== undefined && isAlive(s.pid, s.pidStartTime)) {
    try { process.kill(s.pid, 'SIGKILL'); } catch { /* gone */ }
    await waitGone(s.pid, s.pidStartTime, 10_000);
  }
}

/** Steps 12-13 for a stopped container. The caller holds the lock; it is released before poststop. */
export async function destroy(store: StateStore, s: StoredState, log: Logger, release: () => void): Promise<void> {
  await killAll(s);
  try {
    destroyCgroups(s.cgroup as CgroupState);
  } catch (err) {
    log.warn(`removing the cgroups of ${s.id}: ${oneLine(err)}`);
  }
  store.remove(s.id);
  release();
  const state = { ociVersion: OCI_VERSION, id: s.id, status: 'stopped' as const, bundle: s.bundle, ...(s.annotations ? { annotations: s.annotations } : {}) };
  runHooksWarning('poststop', s.hooks?.poststop, state, (m) => log.warn(oneLine(m)));
}
