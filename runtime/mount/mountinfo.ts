// Parses /proc/PID/mountinfo (create reads the host's v1 cgroup hierarchies from it).

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
    out.push({
      root: unescape(f[3] ?? ''),
      mountPoint: unescape(f[4] ?? ''),
      options: (f[5] ?? '').split(','),
      fstype: r[0] ?? '',
      source: unescape(r[1] ?? ''),
      superOptions: (r[2] ?? '').split(','),
    });
  }
  return out;
}
