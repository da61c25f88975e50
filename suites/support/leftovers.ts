// What a failed operation left on the host: runtime.md#runtimeErrors, "generating an
// error MUST leave the state of the environment as if the operation were never
// attempted". A create that failed never showed us a pid, so leftovers are found by
// name: conform's container ids are unique per run (they carry the run's tag), so a
// cgroup, a process or a mount that names one belongs to that container.
import { readdirSync, readFileSync } from 'node:fs';
import type { CaseContext } from '../../harness/case/context.js';
import { cgroupsMatching, mountsUnder } from '../../harness/host/cleanup.js';
import { parseMountinfo } from '../../harness/probe/mountinfo.js';
import { reaperPath } from '../../harness/process/spawn.js';

export interface Leftovers {
  /** Cgroup directories, in every mounted hierarchy, whose name contains the id (runc's `<id>`, systemd's `runc-<id>.scope`). */
  cgroups: string[];
  /**
   * Live processes whose command line names the id (`runc init`, `runsc-sandbox … <id>`, a
   * shim), conform's own reapers (which run each runtime call, its argv theirs) aside.
   */
  processes: string[];
  /** Host mounts whose path names the id, or that sit below the case's directory. */
  mounts: string[];
}

/** What is on the host for container `id` (which must not exist) right now. */
export function leftoversOf(t: CaseContext, id: string): Leftovers {
  const cgroups = cgroupsMatching((name) => name.includes(id));
  const processes: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue; // gone meanwhile
    }
    if (argv[0] !== reaperPath && argv.some((a) => a.includes(id))) processes.push(`${entry} ${argv.join(' ')}`);
  }
  const named = parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p.includes(id));
  const mounts = [...new Set([...named, ...mountsUnder(t.dir)])].sort();
  return { cgroups, processes, mounts };
}

/** Records a failure of `t`'s requirement for each kind of leftover of `id` after `what`. */
export function expectNoLeftovers(t: CaseContext, id: string, what: string): void {
  const left = leftoversOf(t, id);
  t.equal(left.cgroups, [], `cgroups named after container ${id} after ${what}`);
  t.equal(left.processes, [], `processes naming container ${id} after ${what}`);
  t.equal(left.mounts, [], `mounts of container ${id} after ${what}`);
}
