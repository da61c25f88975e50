// The libc addon (runtime/native/syscalls.c, dist/syscalls.node) on its own: how each
// kind of JavaScript argument reaches C, and how results and errors come back. The
// syscall layer's wrappers are tested through the runtime (core-integration, nsexec-spawn,
// cgroups-kernel…); these pin the marshalling they all rest on.
import { closeSync, mkdtempSync, openSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

type Arg = number | bigint | string | Uint8Array | readonly string[] | null | object;
const mod = { exports: {} as { call(name: string, ...args: Arg[]): number; errno(): number; address(b: Uint8Array): bigint } };
process.dlopen(mod, join(import.meta.dirname, '..', '..', 'dist', 'syscalls.node'));
const native = mod.exports;

const dir = mkdtempSync(join(tmpdir(), 'conform-addon-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AT_FDCWD = -100;
const SYS_LSEEK = 8;

describe('the libc addon', () => {
  it('passes a string as a C string, and says errno when a call fails', () => {
    expect(native.call('chdir', join(dir, 'missing'))).toBe(-1);
    expect(native.errno()).toBe(2); // ENOENT
    expect(native.call('mkdirat', AT_FDCWD, join(dir, 'made'), 0o700)).toBe(0);
    expect(native.call('chdir', join(dir, 'made', 'missing'))).toBe(-1);
    expect(native.call('unlinkat', AT_FDCWD, join(dir, 'made'), 0x200)).toBe(0); // AT_REMOVEDIR
  });

  it('passes a buffer as a pointer to its bytes, which the call fills', () => {
    const buf = Buffer.alloc(4096);
    const n = native.call('readlinkat', AT_FDCWD, '/proc/self/exe', buf, buf.length);
    expect(buf.toString('utf8', 0, n)).toBe(realpathSync(process.execPath));
  });

  it('passes numbers and BigInts with all their bits (lseek returns the offset it was given)', () => {
    const fd = openSync(join(dir, 'sparse'), 'w');
    try {
      expect(native.call('syscall', SYS_LSEEK, fd, 2 ** 40 + 3, 0)).toBe(2 ** 40 + 3);
      expect(native.call('syscall', SYS_LSEEK, fd, 2n ** 42n + 5n, 0)).toBe(2 ** 42 + 5);
      expect(native.call('syscall', SYS_LSEEK, fd, -1, 0)).toBe(-1); // EINVAL: a negative offset stays negative
      expect(native.errno()).toBe(22);
    } finally {
      closeSync(fd);
    }
  });

  it('passes null as a null pointer', () => {
    const limits = Buffer.alloc(16);
    expect(native.call('prlimit', 0, 7, null, limits)).toBe(0); // RLIMIT_NOFILE, read only
    const soft = limits.readBigUInt64LE(0);
    expect(soft).toBeGreaterThan(0n);
    expect(soft).toBeLessThanOrEqual(limits.readBigUInt64LE(8));
  });

  it('passes arrays of strings as NULL-terminated char ** (posix_spawn: argv and envp)', () => {
    const pid = native.call('posix_spawn', '/bin/sh', ['/bin/sh', '-c', 'exit $((X + $#))', 'sh', 'a', 'b'], ['X=5']);
    expect(pid).toBeGreaterThan(0);
    const status = Buffer.alloc(4);
    expect(native.call('waitpid', pid, status, 0)).toBe(pid);
    expect(status.readInt32LE(0)).toBe(7 << 8);
    expect(native.call('posix_spawn', join(dir, 'missing'), ['x'], [])).toBe(-1);
    expect(native.errno()).toBe(2);
  });

  it("gives a buffer's address, offset included", () => {
    const buf = Buffer.alloc(64);
    expect(native.address(buf.subarray(16)) - native.address(buf)).toBe(16n);
  });

  it('refuses what it cannot pass, and a name it does not know', () => {
    expect(() => native.call('chdir', {})).toThrow(TypeError);
    expect(() => native.call('chdir', [1, 2])).toThrow(TypeError);
    expect(() => native.call('no_such_function')).toThrow(/no such function/);
    expect(() => native.address(new ArrayBuffer(8) as unknown as Uint8Array)).toThrow(TypeError);
  });
});
