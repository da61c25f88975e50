// Reads /proc/self/mountinfo: which mount holds a path, and its per-mount flags
// (a bind remount must keep the flags the kernel locks, e.g. in a user namespace).
import { readFileSync } from 'node:fs';
import { MS } from './options.js';

export interface MountInfo {
  mountPoint: string;
  root: string;
  fstype: string;
  source: string;
  options: string[];
  /** Filesystem options after the source (a v1 cgroup mount's controllers are there). */
  superOptions: string[];
}

/** Unescapes mountinfo's octal escapes (\040 for a space…). */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const r = right.split(' ');
    out.push({ root: unescape(f[3] ?? ''), mountPoint: unescape(f[4] ?? ''), options: (f[5] ?? '').split(','), fstype: r[0] ?? '', source: unescape(r[1] ?? ''), superOptions: (r[2] ?? '').split(',') });
  }
  return out;
}

export function readMountinfo(): MountInfo[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** The mount that holds `path` (the last one mounted at the longest matching point). */
export function mountOf(path: string, mounts: readonly MountInfo[] = readMountinfo()): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const m of mounts) {
    const mp = m.mountPoint;
    const inside = path === mp || mp === '/' || path.startsWith(mp.endsWith('/') ? mp : `${mp}/`);
    if (inside && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

const PER_MOUNT: Record<string, number> = {
  ro: MS.RDONLY, nosuid: MS.NOSUID, nodev: MS.NODEV, noexec: MS.NOEXEC, noatime: MS.NOATIME,
  nodiratime: MS.NODIRATIME, relatime: MS.RELATIME, nosymfollow: MS.NOSYMFOLLOW,
};

/** The per-mount flags of the mount holding `path`, as mount(2) flags. */
export function mountFlags(path: string, mounts?: readonly MountInfo[]): number {
  const m = mountOf(path, mounts);
  if (!m) return 0;
  return m.options.reduce((acc, o) => acc | (PER_MOUNT[o] ?? 0), 0);
}
