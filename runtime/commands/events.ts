// `events` (runc's): `--stats` prints the container's resource usage once, as one
// JSON event {"type":"stats","id":…,"data":…} in runc's shape (cgroups/stats.ts);
// without it, a stats event every --interval and an {"type":"oom"} event when the
// kernel's OOM killer struck in the container's memory cgroup, until the container stops.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { Cgroups, cgroupStats, type CgroupsState } from '../cgroups/index.js';
import { statsJson } from '../cgroups/stats.js';
import { RuntimeError } from '../errors.js';
import { stdout } from '../log.js';
import { checkId, StateStore, type StoredState } from '../state/store.js';

export async function events(o: { root: string; id: string; stats: boolean; interval: string }): Promise<void> {
  const id = checkId(o.id);
  const store = new StateStore(o.root);
  const s = store.read(id);
  if (store.status(s) === 'stopped') throw new RuntimeError(`container ${id} is stopped: events needs a container that runs`);
  if (!s.cgroup) throw new RuntimeError(`container ${id} has no cgroups to read`);
  const cg = Cgroups.fromState(s.cgroup as CgroupsState);
  const emit = (type: string, data?: unknown): void => stdout(`${statsJson({ type, id, ...(data !== undefined ? { data } : {}) })}\n`);
  if (o.stats) {
    emit('stats', cgroupStats(cg));
    return;
  }
  const ms = parseDuration(o.interval);
  let ooms = oomKills(s);
  for (;;) {
    if (store.status(s) === 'stopped' || !store.exists(id)) return;
    emit('stats', cgroupStats(cg));
    const now = oomKills(s);
    if (now > ooms) emit('oom');
    ooms = now;
    await new Promise((r) => setTimeout(r, ms));
  }
}

/** Go's duration notation, as runc's --interval takes it: 5s, 100ms, 1m30s. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text)
    throw new RuntimeError(`--interval ${JSON.stringify(text)}: use a duration such as 5s or 500ms`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
  if (ms <= 0) throw new RuntimeError(`--interval ${text}: must be more than zero`);
  return ms;
}

/** The OOM kill count of the container's memory cgroup (v1 memory.oom_control, v2 memory.events). */
function oomKills(s: StoredState): number {
  for (const d of (s.cgroup as CgroupsState).dirs) {
    const file = d.version === 1 ? (d.controllers.includes('memory') ? 'memory.oom_control' : undefined) : 'memory.events';
    if (!file) continue;
    try {
      const m = /^oom_kill (\d+)$/m.exec(readFileSync(posix.join(d.dir, file), 'utf8'));
      if (m) return Number(m[1]);
    } catch {
      // No memory controller there.
    }
  }
  return 0;
}
