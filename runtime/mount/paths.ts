// Resolves a container path to a host path under the rootfs, following symlinks as
// the container would see them (an absolute link target restarts at the rootfs, and
// ".." never climbs above it), so that a hostile rootfs cannot point a mount or a
// device outside itself.
import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { RuntimeError } from '../errors.js';

const MAX_LINKS = 255;

export function secureJoin(root: string, unsafe: string): string {
  let pending = unsafe.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === '..') { done.pop(); continue; }
    const candidate = posix.join(root, ...done, c);
    let isLink = false;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      // Missing components are taken literally: the caller may create them.
    }
    if (!isLink) { done.push(c); continue; }
    if (++links > MAX_LINKS) throw new RuntimeError(`${unsafe}: too many levels of symbolic links`);
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) done.length = 0;
    pending = [...target.split('/').filter((x) => x !== '' && x !== '.'), ...pending];
  }
  return posix.join(root, ...done);
}
