// runtime-linux.md: file descriptors and /dev symlinks, in spec order.
import type { Level, Requirement } from './types.js';

const r = (id: string, section: string, level: Level, summary: string): Requirement => ({
  id,
  spec: 'runtime-linux.md',
  section,
  level,
  summary,
});

export const requirements: Requirement[] = [
  // File descriptors
  r(
    'runtime-linux:fds.stdio-only',
    'runtimeLinuxFileDescriptors',
    'MUST',
    'Unless asked otherwise, the container process starts with fds 0, 1 and 2 open and no others.',
  ),
  r('runtime-linux:fds.extra', 'runtimeLinuxFileDescriptors', 'MAY', 'The runtime may hand the process further fds, e.g. for socket activation.'),
  r('runtime-linux:fds.dev-null', 'runtimeLinuxFileDescriptors', 'MAY', 'Some of the open stdio fds may point at /dev/null.'),

  // Dev symbolic links
  r(
    'runtime-linux:dev-symlinks.fd',
    'runtimeLinuxDevSymbolicLinks',
    'MUST',
    'At create, /dev/fd is a symlink to /proc/self/fd when that exists after the mounts.',
  ),
  r(
    'runtime-linux:dev-symlinks.stdin',
    'runtimeLinuxDevSymbolicLinks',
    'MUST',
    'At create, /dev/stdin is a symlink to /proc/self/fd/0 when that exists after the mounts.',
  ),
  r(
    'runtime-linux:dev-symlinks.stdout',
    'runtimeLinuxDevSymbolicLinks',
    'MUST',
    'At create, /dev/stdout is a symlink to /proc/self/fd/1 when that exists after the mounts.',
  ),
  r(
    'runtime-linux:dev-symlinks.stderr',
    'runtimeLinuxDevSymbolicLinks',
    'MUST',
    'At create, /dev/stderr is a symlink to /proc/self/fd/2 when that exists after the mounts.',
  ),
];

/** Entries whose level is not an upper-case keyword of the sentence they come from. */
export const inferred: readonly string[] = [
  // A plain statement ("only ... are kept open") with no keyword.
  'runtime-linux:fds.stdio-only',
];
