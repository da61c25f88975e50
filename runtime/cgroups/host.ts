// Which cgroup hierarchies this host has, from /proc/self/mountinfo.
import { readFileSync } from 'node:fs';
import { cgroupMode, parseCgroupMounts, type CgroupMode } from '../../linux/cgroupfs.js';

export interface HostCgroups {
  mode: CgroupMode;
  /** v1 controller → the mount point of its hierarchy (co-mounted controllers share one). */
  v1: Record<string, string>;
  /** The cgroup2 mount point (v2 and hybrid hosts). */
  unified?: string;
}

export interface CgroupDir {
  /** The hierarchy's mount point. */
  mount: string;
  version: 1 | 2;
  /** v1: the controllers of this hierarchy; v2: []. */
  controllers: string[];
  /** The container's cgroup directory in this hierarchy. */
  dir: string;
}

export function detectHost(mountinfo?: string): HostCgroups {
  const mounts = parseCgroupMounts(mountinfo ?? readFileSync('/proc/self/mountinfo', 'utf8'));
  const mode = cgroupMode(mounts);
  if (!mode) throw new Error('no cgroup filesystem is mounted (looked for cgroup and cgroup2 in /proc/self/mountinfo)');
  const v1: Record<string, string> = {};
  for (const m of mounts) {
    if (m.version !== 1) continue;
    // Named hierarchies (name=systemd) have no controller to configure.
    for (const c of m.controllers) if (!c.startsWith('name=')) v1[c] = m.mountPoint;
  }
  const unified = mounts.find((m) => m.version === 2)?.mountPoint;
  return { mode, v1, ...(unified ? { unified } : {}) };
}
