// User namespaces that exist only to carry the mapping of an id-mapped mount
// (mount_setattr MOUNT_ATTR_IDMAP takes it from a user namespace fd). nsexec unshares
// one and reports "ready PID", waiting for a "go" that never comes; the runtime writes
// the mapping, the init opens /proc/PID/ns/user while it mounts, and closing the
// socket ends the process (and the namespace with it, once the mounts hold their own
// reference). Made and ended by `create`, on every path.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { RuntimeError } from '../errors.js';
import { CLONE_FLAGS, idMapText } from '../namespaces.js';
import { NSEXEC } from '../self.js';
import { LineReader } from '../commands/lines.js';
import type { PlannedMount } from './plan.js';

export class MappingNamespaces {
  private readonly children: ChildProcess[] = [];

  /** One user namespace per id-mapped mount; returns their /proc/PID/ns/user paths by mount index. */
  async make(mounts: readonly PlannedMount[]): Promise<Record<number, string>> {
    const out: Record<number, string> = {};
    for (const m of mounts) {
      if (!m.idmap) continue;
      const child = spawn(NSEXEC, ['-u', String(CLONE_FLAGS.user), '--', '/bin/true'], { stdio: ['ignore', 'ignore', 'inherit', 'pipe'], env: {}, cwd: '/' });
      this.children.push(child);
      const failed = new Promise<undefined>((resolve) => child.once('error', () => resolve(undefined)));
      const line = await Promise.race([new LineReader(child.stdio[3] as Readable).next(), failed]);
      const ready = /^ready (\d+)$/.exec(line ?? '');
      if (!ready) throw new RuntimeError(`mounts[${m.index}]: cannot make a user namespace for its id mapping: ${line?.replace(/^error /, '') ?? `${NSEXEC} did not start`}`);
      try {
        writeFileSync(`/proc/${ready[1]}/uid_map`, idMapText(m.idmap.uidMappings));
        writeFileSync(`/proc/${ready[1]}/gid_map`, idMapText(m.idmap.gidMappings));
      } catch (err) {
        throw new RuntimeError(`mounts[${m.index}]: the id mapping cannot be applied: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      out[m.index] = `/proc/${ready[1]}/ns/user`;
    }
    return out;
  }

  /** Ends every holder process (closing its socket makes nsexec exit; SIGKILL in case it does not). */
  close(): void {
    for (const c of this.children.splice(0)) {
      (c.stdio[3] as Readable | null)?.destroy();
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      c.unref();
    }
  }
}
