// `kill`: a signal to the container's init, through a pidfd opened while the pid
// is known to be the init (checked by its start time), so a reused pid cannot be hit.
import { closeSync } from 'node:fs';
import { parseSignal } from '../../linux/signals.js';
import { cgroupPids, type CgroupState } from '../cgroups-bridge.js';
import { Cgroups, type CgroupsState } from '../cgroups/index.js';
import { RuntimeError } from '../errors.js';
import { isAlive } from '../proc.js';
import { checkId, StateStore, type StoredState } from '../state/store.js';
import type { Syscalls } from '../syscalls.js';

const SIGKILL = 9;

export function kill(o: { root: string; id: string; signal?: string; all: boolean; sys: Syscalls }): void {
  const id = checkId(o.id);
  const signal = parseSignal(o.signal ?? 'SIGTERM');
  if (signal === undefined) throw new RuntimeError(`invalid signal ${JSON.stringify(o.signal)}: use a name (TERM, SIGKILL) or a number from 1 to 64`);
  const store = new StateStore(o.root);
  const { sys } = o;
  const lock = store.lock(id, sys);
  try {
    const s = store.read(id);
    const status = store.status(s);
    // runc's --all on a stopped container signals what is left in its cgroups (exec'd
    // processes) and succeeds; containerd's shim sends it when it removes a task.
    if (status === 'stopped' && o.all) {
      signalCgroup(s, signal);
      return;
    }
    // "container not running" is runc's text, which containerd's shim looks for to
    // tell "already exited" from a failure.
    const notRunning = `container ${id} is stopped (container not running): only a created, running or paused container can get signals`;
    if (status !== 'created' && status !== 'running' && status !== 'paused')
      throw new RuntimeError(status === 'stopped' ? notRunning : `container ${id} is ${status}: only a created, running or paused container can get signals`);
    const pidfd = sys.pidfdOpen(s.pid!);
    try {
      if (!isAlive(s.pid!, s.pidStartTime)) throw new RuntimeError(notRunning);
      sys.pidfdSendSignal(pidfd, signal);
    } finally {
      closeSync(pidfd);
    }
    if (o.all) signalCgroup(s, signal);
    // A frozen process dies of SIGKILL only once thawed; other signals wait for resume.
    if (status === 'paused' && signal === SIGKILL && s.cgroup)
      Cgroups.fromState(s.cgroup as CgroupsState)
        .freezer()
        ?.thaw();
  } finally {
    lock.release();
  }
}

function signalCgroup(s: StoredState, signal: number): void {
  for (const pid of cgroupPids(s.cgroup as CgroupState)) {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}
