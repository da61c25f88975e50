// errno numbers as the runtime names them, and the one retry that depends on a name:
// openat2's EAGAIN (a rename anywhere on the host raced with ".." in RESOLVE_IN_ROOT).
import { closeSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ERRNO_NAMES, errnoName, SyscallError } from '../../runtime/errors.js';
import { RootDir } from '../../runtime/mount/inroot.js';
import type { Syscalls } from '../../runtime/syscalls.js';

describe('errno names', () => {
  it("are glibc's for the numbers Linux names twice, and errno N for an unknown one", () => {
    expect([2, 11, 35, 95].map(errnoName)).toEqual(['ENOENT', 'EAGAIN', 'EDEADLK', 'EOPNOTSUPP']);
    expect(errnoName(99999)).toBe('errno 99999');
    expect([0, 15, -1, 1.5].map(errnoName)).toEqual(['errno 0', 'errno 15', 'errno -1', 'errno 1.5']);
  });

  it("are Node's (node:os constants.errno), but for the second names of one number", () => {
    const second = new Set(['EWOULDBLOCK', 'EDEADLOCK', 'ENOTSUP']);
    const node = Object.entries(constants.errno).filter(([name]) => !second.has(name));
    for (const [name, num] of node) expect(errnoName(num), name).toBe(name);
    expect(ERRNO_NAMES.split(' ').filter((n) => n !== '-')).toHaveLength(node.length);
  });

  it('a path opened in the rootfs is tried again when openat2 says EAGAIN, and the error named after too many', () => {
    let fails = 2;
    const calls: string[] = [];
    const sys = {
      openat2(_dirfd: number, path: string) {
        calls.push(path);
        if (path !== '/' && fails-- > 0) throw new SyscallError('openat2', path, 11, errnoName(11));
        return openSync('/', 'r');
      },
    } as unknown as Syscalls;
    const root = RootDir.open(sys);
    closeSync(root.open('/etc'));
    expect(calls).toEqual(['/', 'etc', 'etc', 'etc']);
    fails = Infinity;
    expect(() => root.open('/etc')).toThrow('cannot be opened in the rootfs (EAGAIN)');
    root.close();
  });
});
