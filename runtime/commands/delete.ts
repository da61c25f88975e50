// `delete`: only a stopped container (runtime.md: deleting one that is not stopped
// must fail and change nothing), unless --force, which kills it first.
import { RuntimeError } from '../errors.js';
import { tookShortcut } from '../launcher.js';
import type { Logger } from '../log.js';
import { checkId, StateStore } from '../state/store.js';
import type { Syscalls } from '../syscalls.js';
import { destroy } from './destroy.js';

export async function del(o: { root: string; id: string; force: boolean; log: Logger; sys: Syscalls }): Promise<void> {
  const id = checkId(o.id);
  const store = new StateStore(o.root);
  let lock;
  try {
    lock = store.lock(id, o.sys);
  } catch (err) {
    // runc: --force on a missing container is not an error
    if (o.force) return tookShortcut();
    throw err;
  }
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      lock.release();
    }
  };
  try {
    if (!store.exists(id)) {
      // A create killed before it wrote anything: its directory is all there is (and we
      // hold its lock, so no create is still working on it).
      store.remove(id);
      if (o.force) return tookShortcut();
      throw new RuntimeError(`container ${id} does not exist`);
    }
    const s = store.read(id);
    const status = store.status(s);
    if (status !== 'stopped' && !o.force) {
      throw new RuntimeError(`container ${id} is ${status}: stop it first (kill), or delete --force`);
    }
    await destroy(store, s, o.log, release);
  } finally {
    release();
  }
}
