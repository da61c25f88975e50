// Which cgroup directories a case's config names: the ones the runtime may make for its
// container, and so the only ones (with those named after its container ids) that
// cleanup may empty and remove.
import { closeSync, openSync, readSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { cgroupDirsOf, parseCgroupMounts } from '../../linux/cgroupfs.js';

/** The directories an absolute cgroupsPath names, one in every mounted hierarchy. */
export function dirsForAbsolute(path: string): string[] {
  return parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => ({ m, rel: posix.relative(m.root, path) }))
    .filter(({ rel }) => !rel.startsWith('..'))
    .map(({ m, rel }) => posix.join(m.mountPoint, rel));
}

/** Where a relative cgroupsPath may land: under conform's own cgroup in each hierarchy, or at its root. */
export function dirsForRelative(rel: string): string[] {
  let own: string[] = [];
  try {
    own = cgroupDirsOf('self').map((d) => posix.join(d, rel));
  } catch {
    /* no cgroups */
  }
  return [...new Set([...own, ...dirsForAbsolute(`/${rel}`)])];
}

/**
 * The cgroup directories the cgroupsPath of a config.json names (none for a systemd
 * `slice:prefix:name`, or for a path that names a hierarchy's root). Reads at most
 * 1 MiB: the harness wrote the file, a bigger one names nothing usable.
 */
export function cgroupDirsNamedBy(configPath: string): string[] {
  let path: unknown;
  try {
    const fd = openSync(configPath, 'r');
    try {
      const buf = Buffer.alloc(1 << 20);
      const n = readSync(fd, buf, 0, buf.length, 0);
      path = (JSON.parse(buf.subarray(0, n).toString('utf8')) as { linux?: { cgroupsPath?: unknown } }).linux?.cgroupsPath;
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  if (typeof path !== 'string' || !path || (path.includes(':') && !path.startsWith('/'))) return [];
  const norm = posix.normalize(path);
  if (norm === '/' || norm === '.' || norm.startsWith('..')) return [];
  return norm.startsWith('/') ? dirsForAbsolute(norm) : dirsForRelative(norm);
}
