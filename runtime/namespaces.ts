// linux.namespaces → what nsexec does (runtime/native/nsexec.c): which namespace
// files to join, which namespaces to unshare, the time offsets, and what the init
// does about the mount namespace.
import { statSync } from 'node:fs';
import type { Linux, NamespaceType } from '../schemas/config.js';
import { ConfigError } from './errors.js';

export const CLONE_FLAGS: Record<NamespaceType, number> = {
  mount: 0x00020000,
  cgroup: 0x02000000,
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  time: 0x00000080,
};

/** nsexec's and /proc/PID/ns's names. */
export const NS_FILE: Record<NamespaceType, string> = {
  mount: 'mnt',
  cgroup: 'cgroup',
  uts: 'uts',
  ipc: 'ipc',
  user: 'user',
  pid: 'pid',
  network: 'net',
  time: 'time',
};

export interface NamespacePlan {
  /** nsexec arguments before `--`. */
  args: string[];
  /** A new user namespace whose id maps the parent must write. */
  newUserns: boolean;
  /** The container is in some user namespace other than ours (new or joined). */
  userns: boolean;
  /**
   * A new cgroup namespace: its root is the cgroup nsexec is in when it unshares, so the
   * container's cgroups must hold nsexec before then.
   */
  newCgroupns: boolean;
  mount: 'new' | { path: string };
}

export function planNamespaces(linux: Linux | undefined): NamespacePlan {
  const list = linux?.namespaces ?? [];
  const args: string[] = [];
  let unshare = 0;
  let mount: NamespacePlan['mount'] | undefined;
  for (const ns of list) {
    if (ns.type === 'mount') {
      mount = ns.path ? { path: ns.path } : 'new';
      if (!ns.path) unshare |= CLONE_FLAGS.mount;
      continue;
    }
    if (ns.path) args.push('-j', `${NS_FILE[ns.type]}:${ns.path}`);
    else unshare |= CLONE_FLAGS[ns.type];
  }
  if (!mount) {
    throw new ConfigError(
      'linux.namespaces',
      "needs a mount namespace: this runtime sets up the rootfs with pivot_root, which must not touch the host's mounts",
    );
  }
  const newUserns = (unshare & CLONE_FLAGS.user) !== 0;
  if (newUserns && !(linux?.uidMappings?.length && linux?.gidMappings?.length)) {
    throw new ConfigError('linux.uidMappings', 'and linux.gidMappings are required with a new user namespace');
  }
  if (linux?.timeOffsets && !list.some((n) => n.type === 'time' && !n.path)) {
    throw new ConfigError('linux.timeOffsets', 'needs a new time namespace in linux.namespaces');
  }
  if (unshare) args.push('-u', String(unshare));
  const offsets = timeOffsets(linux);
  if (offsets) args.push('-t', offsets);
  return { args, newUserns, userns: list.some((n) => n.type === 'user'), newCgroupns: (unshare & CLONE_FLAGS.cgroup) !== 0, mount };
}

function timeOffsets(linux: Linux | undefined): string | undefined {
  const entries = Object.entries(linux?.timeOffsets ?? {});
  if (entries.length === 0) return undefined;
  return entries.map(([clock, o]) => `${clock} ${o.secs ?? 0} ${o.nanosecs ?? 0}`).join('\n');
}

/** /proc/PID/uid_map text. */
export function idMapText(maps: readonly { containerID: number; hostID: number; size: number }[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/** A namespace's identity (`dev:ino` of its file), or undefined if it cannot be read. */
export function nsId(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** Whether the namespace file `path` is the runtime's own namespace of that type. */
export function isRuntimesNamespace(type: NamespaceType, path: string): boolean {
  const ours = nsId(`/proc/self/ns/${NS_FILE[type]}`);
  return ours !== undefined && nsId(path) === ours;
}
