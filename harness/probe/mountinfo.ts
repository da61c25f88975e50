// /proc/PID/mountinfo, as proc(5) describes it. Shared by the probe parser and host facts.

export interface MountEntry {
  id: number;
  parent: number;
  /** major:minor of st_dev. */
  dev: string;
  /** The root of the mount within its filesystem (for bind mounts, the bound subdirectory). */
  root: string;
  mountPoint: string;
  /** Per-mount options (ro, nosuid, nodev, noexec, relatime…). */
  options: string[];
  /** Optional fields: shared:N, master:N, propagate_from:N, unbindable. */
  optional: string[];
  fsType: string;
  source: string;
  /** Per-superblock options (size=…, mode=…). */
  superOptions: string[];
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
export function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    if (sep < 6 || f.length < sep + 3) continue;
    out.push({
      id: Number(f[0]),
      parent: Number(f[1]),
      dev: f[2]!,
      root: unescapeOctal(f[3]!),
      mountPoint: unescapeOctal(f[4]!),
      options: f[5]!.split(','),
      optional: f.slice(6, sep),
      fsType: f[sep + 1]!,
      source: unescapeOctal(f[sep + 2]!),
      superOptions: (f[sep + 3] ?? '').split(',').filter(Boolean),
    });
  }
  return out;
}

/** The mount that is visible at `path` (the last one mounted there). */
export function mountAt(mounts: readonly MountEntry[], path: string): MountEntry | undefined {
  return mounts.filter((m) => m.mountPoint === path).at(-1);
}

/** The mount that holds `path` (a real path): the last one mounted at the longest mount point above it. */
export function mountHolding(mounts: readonly MountEntry[], path: string): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const p = m.mountPoint;
    const above = path === p || path.startsWith(p === '/' ? '/' : `${p}/`);
    if (above && (!best || p.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** Propagation of a mount, from its optional fields. */
export function propagation(m: MountEntry): 'shared' | 'slave' | 'private' | 'unbindable' | 'shared+slave' {
  const shared = m.optional.some((o) => o.startsWith('shared:'));
  const slave = m.optional.some((o) => o.startsWith('master:'));
  if (m.optional.includes('unbindable')) return 'unbindable';
  if (shared && slave) return 'shared+slave';
  if (shared) return 'shared';
  if (slave) return 'slave';
  return 'private';
}
