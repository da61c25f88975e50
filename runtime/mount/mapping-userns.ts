// The parent's half of an id-mapped mount: a detached copy of the source with the
// mapping applied (Syscalls.idmappedTree), which the init then moves into place. The
// parent makes it because MOUNT_ATTR_IDMAP needs CAP_SYS_ADMIN over the source's
// filesystem, which the init no longer has inside a user namespace.
//
// The mapping comes from a user namespace: the container's own when the mount has no
// mappings, else one made for the purpose: nsexec unshares it and reports "ready PID",
// waiting for a "go" that never comes; the mapping is written, the namespace opened,
// and closing the socket ends the process (the mount keeps the namespace alive).
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { RuntimeError, oneLine } from '../errors.js';
import { CLONE_FLAGS, idMapText } from '../namespaces.js';
import { reapNsexec, spawnNsexec } from '../nsexec.js';
import { NSEXEC } from '../self.js';
import type { Syscalls } from '../syscalls.js';
import type { IDMapping as IdMapping } from '../../schemas/config.js';
import { MS } from './options.js';
import type { PlannedMount } from './plan.js';

/** Runs `use` with an fd of a user namespace that has the given mapping. */
function withMappingNamespace<T>(sys: Syscalls, uidMappings: IdMapping[], gidMappings: IdMapping[], use: (usernsFd: number) => T): T {
  const { pid, chan } = spawnNsexec(sys, ['-u', String(CLONE_FLAGS.user), '--', '/bin/true']);
  try {
    const line = chan.readLine();
    const ready = /^ready (\d+)$/.exec(line ?? '');
    if (!ready) throw new Error(`cannot make a user namespace for it: ${line?.replace(/^error /, '') ?? `${NSEXEC} exited`}`);
    writeFileSync(`/proc/${ready[1]}/uid_map`, idMapText(uidMappings));
    writeFileSync(`/proc/${ready[1]}/gid_map`, idMapText(gidMappings));
    const fd = openSync(`/proc/${ready[1]}/ns/user`, 'r');
    try {
      return use(fd);
    } finally {
      closeSync(fd);
    }
  } finally {
    chan.close();
    reapNsexec(sys, pid);
  }
}

/** The detached id-mapped tree for mount `m` of the container whose init is `initPid`; the caller closes it. */
export function idmappedTreeFor(sys: Syscalls, m: PlannedMount, initPid: number): number {
  const idmap = m.idmap!;
  const rbind = (m.flags & MS.REC) !== 0;
  const make = (usernsFd: number) => sys.idmappedTree(m.source!, rbind, idmap.recursive, usernsFd);
  try {
    if (idmap.uidMappings && idmap.gidMappings) return withMappingNamespace(sys, idmap.uidMappings, idmap.gidMappings, make);
    const own = openSync(`/proc/${initPid}/ns/user`, 'r');
    try {
      return make(own);
    } finally {
      closeSync(own);
    }
  } catch (err) {
    throw new RuntimeError(`mounts[${m.index}] (${m.destination}): the id-mapped mount cannot be made: ${oneLine(err)}`);
  }
}
