// The cgroup manager on a pure cgroup v2 host (fixtures/cgroups/v2.json).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ResourceCgroups, blkioToIoWeight, sharesToWeight, type LinuxResources } from '../../runtime/cgroups/index.js';
import { ConfigError } from '../../runtime/errors.js';
import { FakeCgroupTree, loadFixture } from './cgroups-fake.js';

const CG = '/sys/fs/cgroup';
const LEAF = `${CG}/conform/c1`;
let tree: FakeCgroupTree;
let signals: Array<[number, number]>;

beforeEach(() => {
  tree = new FakeCgroupTree(loadFixture('v2'));
  signals = [];
});
afterEach(() => tree.cleanup());

function cgroups(resources?: LinuxResources, cgroupsPath?: string): ResourceCgroups {
  return ResourceCgroups.plan({ id: 'c1', cgroupsPath, resources, host: tree.host(), fs: tree, kill: (pid, sig) => signals.push([pid, sig]) });
}

/** Creates and applies; returns the resource writes in the leaf (subtree_control writes left out). */
function applied(resources: LinuxResources): Array<[string, string]> {
  const cg = cgroups(resources);
  cg.create();
  tree.writes.length = 0;
  cg.apply();
  return tree.writesUnder(LEAF);
}

function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no ConfigError');
}

describe("cgroup v2 conversions (runc's formulas)", () => {
  it('maps cpu shares to cpu.weight', () => {
    expect(sharesToWeight(2)).toBe(1);
    expect(sharesToWeight(1024)).toBe(39);
    expect(sharesToWeight(262144)).toBe(10000);
  });
  it('maps blkio weight to io.weight', () => {
    expect(blkioToIoWeight(10)).toBe(1);
    expect(blkioToIoWeight(500)).toBe(4950);
    expect(blkioToIoWeight(1000)).toBe(10000);
  });
});

describe('Cgroups on a v2 host', () => {
  it('plans one directory and creates it with its parents', () => {
    const cg = cgroups();
    expect(cg.dirs).toEqual([{ mount: CG, version: 2, controllers: [], dir: LEAF }]);
    cg.create();
    expect(cg.toJSON()).toMatchObject({ mode: 'v2', path: '/conform/c1', created: [`${CG}/conform`, LEAF] });
  });

  it('enables the needed controllers down the path, then writes memory', () => {
    const cg = cgroups({ memory: { limit: 536870912, reservation: 268435456, swap: 1073741824, kernel: -1, disableOOMKiller: false, useHierarchy: true } });
    cg.create();
    tree.writes.length = 0;
    cg.apply();
    expect(tree.writes).toEqual([
      // The root already enables memory (systemd does); /conform does not yet.
      { path: `${CG}/conform/cgroup.subtree_control`, value: '+memory' },
      { path: `${LEAF}/memory.max`, value: '536870912' },
      { path: `${LEAF}/memory.swap.max`, value: '536870912' },
      { path: `${LEAF}/memory.low`, value: '268435456' },
    ]);
  });

  it('writes unlimited memory as max, with swap', () => {
    expect(applied({ memory: { limit: -1 } })).toEqual([
      ['memory.max', 'max'],
      ['memory.swap.max', 'max'],
    ]);
  });

  it('writes cpu.weight, cpu.max, burst, idle and cpuset', () => {
    expect(applied({ cpu: { shares: 1024, quota: 50000, period: 100000, burst: 1000, idle: 1, cpus: '0-1', mems: '0' } })).toEqual([
      ['cpuset.cpus', '0-1'],
      ['cpuset.mems', '0'],
      ['cpu.weight', '39'],
      ['cpu.max', '50000 100000'],
      ['cpu.max.burst', '1000'],
      ['cpu.idle', '1'],
    ]);
  });

  it('writes cpu.max with max for an unlimited or unset quota', () => {
    expect(applied({ cpu: { quota: -1, period: 20000 } })).toEqual([['cpu.max', 'max 20000']]);
  });

  it('writes pids.max', () => {
    expect(applied({ pids: { limit: 0 } })).toEqual([['pids.max', '0']]);
  });

  it('writes io.weight (converted) and io.max', () => {
    expect(
      applied({
        blockIO: {
          weight: 500,
          weightDevice: [{ major: 8, minor: 0, weight: 1000 }],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }],
          throttleWriteIOPSDevice: [{ major: 253, minor: 0, rate: 120 }],
        },
      }),
    ).toEqual([
      ['io.weight', '4950'],
      ['io.weight', '8:0 10000'],
      ['io.max', '8:0 rbps=2097152'],
      ['io.max', '253:0 wiops=120'],
    ]);
  });

  it('writes hugetlb limits, reservations included', () => {
    expect(applied({ hugepageLimits: [{ pageSize: '2MB', limit: 209715200 }] })).toEqual([
      ['hugetlb.2MB.max', '209715200'],
      ['hugetlb.2MB.rsvd.max', '209715200'],
    ]);
    expect(configError(() => cgroups({ hugepageLimits: [{ pageSize: '2M', limit: 1 }] })).path).toBe('linux.resources.hugepageLimits[0].pageSize');
  });

  it('refuses a page size the kernel has no file for', () => {
    const cg = cgroups({ hugepageLimits: [{ pageSize: '64KB', limit: 1 }] });
    cg.create();
    expect(configError(() => cg.apply()).message).toMatch(/no hugetlb.64KB.max/);
  });

  it('writes rdma.max, which needs the rdma controller enabled on the way', () => {
    const cg = cgroups({ rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, rxe3: { hcaObjects: 1 } } });
    cg.create();
    tree.writes.length = 0;
    cg.apply();
    expect(tree.writes).toEqual([
      { path: `${CG}/cgroup.subtree_control`, value: '+rdma' },
      { path: `${CG}/conform/cgroup.subtree_control`, value: '+rdma' },
      { path: `${LEAF}/rdma.max`, value: 'mlx5_1 hca_handle=3 hca_object=10000' },
      { path: `${LEAF}/rdma.max`, value: 'rxe3 hca_object=1' },
    ]);
  });

  it('writes unified keys verbatim, last, unknown ones too', () => {
    const cg = cgroups({
      pids: { limit: 10 },
      unified: { 'io.max': '259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120', 'pids.max': '20', 'memory.oom.group': '1' },
    });
    cg.create();
    tree.writes.length = 0;
    cg.apply();
    expect(tree.writesUnder(LEAF)).toEqual([
      ['pids.max', '10'],
      ['io.max', '259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120'],
      ['pids.max', '20'],
      ['memory.oom.group', '1'],
    ]);
    expect(tree.read(`${CG}/conform/cgroup.subtree_control`).trim().split(' ').sort()).toEqual(['io', 'memory', 'pids']);
  });

  it('refuses a unified key whose controller the host lacks, naming the key', () => {
    const cg = cgroups({ unified: { 'blkio.weight': '10' } });
    cg.create();
    const e = configError(() => cg.apply());
    expect(e.path).toBe('linux.resources.unified["blkio.weight"]');
    expect(e.message).toMatch(/blkio controller is not available/);
  });

  it('refuses what v2 cannot do, naming the field', () => {
    const cases: Array<[LinuxResources, string]> = [
      [{ memory: { kernel: 1000 } }, 'linux.resources.memory.kernel'],
      [{ memory: { kernelTCP: 1000 } }, 'linux.resources.memory.kernelTCP'],
      [{ memory: { swappiness: 10 } }, 'linux.resources.memory.swappiness'],
      [{ memory: { disableOOMKiller: true } }, 'linux.resources.memory.disableOOMKiller'],
      [{ memory: { useHierarchy: false } }, 'linux.resources.memory.useHierarchy'],
      [{ memory: { swap: 100 } }, 'linux.resources.memory.swap'],
      [{ memory: { limit: 200, swap: 100 } }, 'linux.resources.memory.swap'],
      [{ cpu: { realtimeRuntime: 1 } }, 'linux.resources.cpu.realtimeRuntime'],
      [{ cpu: { realtimePeriod: 1 } }, 'linux.resources.cpu.realtimePeriod'],
      [{ cpu: { shares: 1 } }, 'linux.resources.cpu.shares'],
      [{ blockIO: { leafWeight: 10 } }, 'linux.resources.blockIO.leafWeight'],
      [{ blockIO: { weightDevice: [{ major: 8, minor: 0, leafWeight: 10 }] } }, 'linux.resources.blockIO.weightDevice[0].leafWeight'],
      [{ network: { classID: 1 } }, 'linux.resources.network.classID'],
      [{ network: { priorities: [{ name: 'eth0', priority: 1 }] } }, 'linux.resources.network.priorities'],
      [{ rdma: { mlx: {} } }, 'linux.resources.rdma.mlx'],
    ];
    for (const [r, field] of cases) expect(configError(() => cgroups(r)).path, JSON.stringify(r)).toBe(field);
    expect(() => cgroups({ devices: [] })).not.toThrow();
  });

  it('refuses a new limit below the usage with checkBeforeUpdate', () => {
    const cg = cgroups({ memory: { limit: 1000, checkBeforeUpdate: true } });
    cg.create();
    tree.overrides.set(`${LEAF}/memory.current`, '5000\n');
    expect(configError(() => cg.apply()).message).toMatch(/below the current usage 5000/);
  });

  it('kills with cgroup.kill, freezes for other signals, and removes everything it made', () => {
    const before = tree.allDirs();
    const cg = cgroups();
    cg.create();
    cg.join(777);
    tree.writes.length = 0;
    cg.killAll(15);
    expect(signals).toEqual([[777, 15]]);
    expect(tree.writes).toEqual([
      { path: `${LEAF}/cgroup.freeze`, value: '1' },
      { path: `${LEAF}/cgroup.freeze`, value: '0' },
    ]);
    cg.killAll(9);
    expect(tree.writes.at(-3)).toEqual({ path: `${LEAF}/cgroup.kill`, value: '1' });
    expect(cg.pids()).toEqual([]);
    cg.destroy();
    expect(tree.allDirs()).toEqual(before);
  });
});
