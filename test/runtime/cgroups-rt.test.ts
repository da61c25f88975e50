// Real-time bandwidth on cgroup v1 (runtime/cgroups/rt.ts): ancestors are raised,
// top down, to what their children need, as the kernel's tg_rt_schedulable checks.
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CgroupFs } from '../../runtime/cgroups/fs.js';
import { makeRtRoom } from '../../runtime/cgroups/rt.js';

/** cgroup dirs → their rt files; writes are logged in order. */
function tree(dirs: Record<string, [runtime: number, period: number]>): CgroupFs & { writes: string[]; files: Map<string, string> } {
  const files = new Map<string, string>();
  for (const [d, [rt, period]] of Object.entries(dirs)) {
    files.set(`${d}/cpu.rt_runtime_us`, String(rt));
    files.set(`${d}/cpu.rt_period_us`, String(period));
  }
  const writes: string[] = [];
  const isDir = (d: string) => files.has(`${d}/cpu.rt_period_us`);
  return {
    writes,
    files,
    exists: (p) => files.has(p) || isDir(p),
    read: (p) => files.get(p) ?? '',
    write: (p, v) => {
      writes.push(`${p}=${v}`);
      files.set(p, v);
    },
    mkdir: () => undefined,
    rmdir: () => undefined,
    attachDeviceFilter: () => undefined,
    children: (p) => [...new Set([...files.keys()].map((f) => posix.dirname(f)).filter((d) => posix.dirname(d) === p))].map((d) => posix.basename(d)),
  };
}

const M = '/sys/fs/cgroup/cpu';

describe('makeRtRoom', () => {
  it('raises a new parent (no budget) so that the container fits, and nothing above the root', () => {
    const fs = tree({ [M]: [950000, 1000000], [`${M}/conform`]: [0, 1000000], [`${M}/conform/c1`]: [0, 500000] });
    makeRtRoom(fs, M, `${M}/conform/c1`, 10000n, 500000n);
    // 10000/500000 is 2% of a CPU: 20000 of the parent's 1000000 µs period.
    expect(fs.writes).toEqual([`${M}/conform/cpu.rt_runtime_us=20000`]);
  });

  it("counts the siblings' bandwidth, and raises grandparents first", () => {
    const fs = tree({
      [M]: [950000, 1000000],
      [`${M}/a`]: [0, 1000000],
      [`${M}/a/b`]: [30000, 1000000],
      [`${M}/a/b/other`]: [30000, 1000000],
      [`${M}/a/b/c1`]: [0, 1000000],
    });
    makeRtRoom(fs, M, `${M}/a/b/c1`, 20000n, 1000000n);
    expect(fs.writes).toEqual([`${M}/a/cpu.rt_runtime_us=50000`, `${M}/a/b/cpu.rt_runtime_us=50000`]);
  });

  it('leaves ancestors that already allow it alone', () => {
    const fs = tree({ [M]: [950000, 1000000], [`${M}/conform`]: [100000, 1000000], [`${M}/conform/c1`]: [0, 1000000] });
    makeRtRoom(fs, M, `${M}/conform/c1`, 10000n, 1000000n);
    expect(fs.writes).toEqual([]);
  });
});
