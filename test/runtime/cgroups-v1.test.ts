// The cgroup manager on the recorded hybrid host (v1 controllers + an empty unified hierarchy).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CgroupError, Cgroups, ResourceCgroups, type LinuxResources } from '../../runtime/cgroups/index.js';
import { ConfigError } from '../../runtime/errors.js';
import { DEFAULT_DEVICE_RULES } from '../../runtime/cgroups/v1.js';
import { checkCgroupFree } from '../../runtime/cgroups-bridge.js';
import { FakeCgroupTree, loadFixture } from './cgroups-fake.js';

const CG = '/sys/fs/cgroup';
let tree: FakeCgroupTree;
let signals: Array<[number, number]>;

beforeEach(() => {
  tree = new FakeCgroupTree(loadFixture('hybrid-v1'));
  signals = [];
});
afterEach(() => tree.cleanup());

function cgroups(resources?: LinuxResources, cgroupsPath?: string, id = 'c1'): ResourceCgroups {
  return ResourceCgroups.plan({ id, cgroupsPath, resources, host: tree.host(), fs: tree, kill: (pid, sig) => signals.push([pid, sig]) });
}

/** Creates and applies, returning the writes apply made under each controller's container dir. */
function applied(resources: LinuxResources): (controller: string) => Array<[string, string]> {
  const cg = cgroups(resources);
  cg.create();
  tree.writes.length = 0;
  cg.apply();
  return (controller) => tree.writesUnder(`${CG}/${controller}/conform/c1`);
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

describe('Cgroups on a hybrid v1 host: layout', () => {
  it('plans one directory per hierarchy plus the unified one, touching nothing', () => {
    const cg = cgroups();
    expect(cg.path).toBe('/conform/c1');
    expect(cg.dirs.map((d) => [d.dir, d.version])).toEqual([
      ...['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids'].map((c) => [`${CG}/${c}/conform/c1`, 1]),
      [`${CG}/unified/conform/c1`, 2],
    ]);
    expect(tree.writes).toEqual([]);
    expect(tree.exists(`${CG}/memory/conform`)).toBe(false);
  });

  it("creates missing parents, records them, and gives cpusets the parent's cpus and mems", () => {
    const cg = cgroups();
    cg.create();
    const state = cg.toJSON();
    expect(state.created).toContain(`${CG}/memory/conform`);
    expect(state.created).toContain(`${CG}/memory/conform/c1`);
    expect(state.created.indexOf(`${CG}/pids/conform`)).toBeLessThan(state.created.indexOf(`${CG}/pids/conform/c1`));
    const cpus = tree.read(`${CG}/cpuset/cpuset.cpus`).trim();
    expect(cpus).toMatch(/^\d/);
    expect(tree.read(`${CG}/cpuset/conform/c1/cpuset.cpus`).trim()).toBe(cpus);
    expect(tree.read(`${CG}/cpuset/conform/cpuset.mems`).trim()).toBe(tree.read(`${CG}/cpuset/cpuset.mems`).trim());
  });

  it('does not re-create or claim cgroups that exist', () => {
    tree.mkdir(`${CG}/pids/shared`);
    const cg = cgroups(undefined, '/shared/c1');
    cg.create();
    expect(cg.toJSON().created).not.toContain(`${CG}/pids/shared`);
    expect(cg.toJSON().created).toContain(`${CG}/pids/shared/c1`);
  });
});

describe('Cgroups on a hybrid v1 host: resources', () => {
  it('writes memory limits, memsw after memory on a fresh cgroup', () => {
    const w = applied({
      memory: {
        limit: 536870912,
        reservation: 268435456,
        swap: 1073741824,
        kernel: -1,
        kernelTCP: 1048576,
        swappiness: 0,
        disableOOMKiller: true,
        useHierarchy: true,
      },
    });
    expect(w('memory')).toEqual([
      ['memory.limit_in_bytes', '536870912'],
      ['memory.memsw.limit_in_bytes', '1073741824'],
      ['memory.soft_limit_in_bytes', '268435456'],
      ['memory.kmem.limit_in_bytes', '-1'],
      ['memory.kmem.tcp.limit_in_bytes', '1048576'],
      ['memory.swappiness', '0'],
      ['memory.oom_control', '1'],
      ['memory.use_hierarchy', '1'],
    ]);
  });

  it('raises memsw first when the new memory limit is above the current memsw', () => {
    const cg = cgroups({ memory: { limit: 2000000, swap: 3000000 } });
    cg.create();
    tree.write(`${CG}/memory/conform/c1/memory.memsw.limit_in_bytes`, '1000000');
    tree.writes.length = 0;
    cg.apply();
    expect(tree.writesUnder(`${CG}/memory/conform/c1`)).toEqual([
      ['memory.memsw.limit_in_bytes', '3000000'],
      ['memory.limit_in_bytes', '2000000'],
    ]);
  });

  it('unlimits memsw with an unlimited memory limit, as runc does', () => {
    expect(applied({ memory: { limit: -1 } })('memory')).toEqual([
      ['memory.memsw.limit_in_bytes', '-1'],
      ['memory.limit_in_bytes', '-1'],
    ]);
  });

  it('writes cpu in the order the kernel needs and checks shares were kept', () => {
    const w = applied({
      cpu: { shares: 512, quota: 50000, period: 100000, burst: 10000, realtimePeriod: 1000000, realtimeRuntime: 0, idle: 0, cpus: '0', mems: '0' },
    });
    expect(w('cpu')).toEqual([
      ['cpu.shares', '512'],
      ['cpu.cfs_period_us', '100000'],
      ['cpu.cfs_quota_us', '50000'],
      ['cpu.cfs_burst_us', '10000'],
      ['cpu.rt_period_us', '1000000'],
      ['cpu.rt_runtime_us', '0'],
      ['cpu.idle', '0'],
    ]);
    expect(w('cpuset')).toEqual([
      ['cpuset.cpus', '0'],
      ['cpuset.mems', '0'],
    ]);
  });

  it('fails when the kernel clamps cpu.shares', () => {
    const cg = cgroups({ cpu: { shares: 1 } });
    cg.create();
    tree.overrides.set(`${CG}/cpu/conform/c1/cpu.shares`, '2\n');
    const e = configError(() => cg.apply());
    expect(e.path).toBe('linux.resources.cpu.shares');
    expect(e.message).toMatch(/kernel set cpu.shares to 2 instead of 1/);
  });

  it('fails when the kernel ignores a byte limit, and allows its page rounding', () => {
    const cg = cgroups({ memory: { kernel: 67108864, limit: 1000000 } });
    cg.create();
    tree.overrides.set(`${CG}/memory/conform/c1/memory.limit_in_bytes`, '999424\n');
    // What 6.x kernels do with kmem limits: accept the write, keep "unlimited".
    tree.overrides.set(`${CG}/memory/conform/c1/memory.kmem.limit_in_bytes`, '9223372036854771712\n');
    const e = configError(() => cg.apply());
    expect(e.path).toBe('linux.resources.memory.kernel');
    expect(e.message).toMatch(/kernel set memory.kmem.limit_in_bytes to 9223372036854771712 instead of 67108864/);
  });

  it('writes pids.max: -1 is max, 0 is a limit', () => {
    expect(applied({ pids: { limit: -1 } })('pids')).toEqual([['pids.max', 'max']]);
    tree.cleanup();
    tree = new FakeCgroupTree(loadFixture('hybrid-v1'));
    expect(applied({ pids: { limit: 0 } })('pids')).toEqual([['pids.max', '0']]);
    expect(configError(() => cgroups({ pids: { limit: -2 } })).path).toBe('linux.resources.pids.limit');
  });

  it('writes device rules in order in the v1 syntax, then allows the default devices', () => {
    const w = applied({
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
        { allow: true, type: 'b', major: 8, access: 'r' },
        { allow: true, type: 'c', major: 1, minor: 3 },
        { allow: false },
      ],
    });
    expect(w('devices')).toEqual([
      ['devices.deny', 'a *:* rwm'],
      ['devices.allow', 'c 10:229 rw'],
      ['devices.allow', 'b 8:* r'],
      ['devices.allow', 'c 1:3 rwm'],
      ['devices.deny', 'a *:* rwm'],
      // The spec's default devices, after the list (as runc does).
      ...DEFAULT_DEVICE_RULES.map((r) => ['devices.allow', r]),
    ]);
    expect(DEFAULT_DEVICE_RULES).toContain('c 1:9 rwm');
    expect(configError(() => cgroups({ devices: [{ allow: true, access: 'rwx' }] })).path).toBe('linux.resources.devices[0].access');
    expect(configError(() => cgroups({ devices: [{ allow: true }, { allow: true, type: 'p' as 'a' }] })).path).toBe('linux.resources.devices[1].type');
  });

  it('writes blkio to the BFQ files this kernel has', () => {
    const w = applied({
      blockIO: {
        weight: 500,
        weightDevice: [{ major: 8, minor: 0, weight: 300 }],
        throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 600 }],
        throttleWriteBpsDevice: [{ major: 8, minor: 16, rate: 700 }],
        throttleReadIOPSDevice: [{ major: 8, minor: 0, rate: 10 }],
        throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 300 }],
      },
    });
    expect(w('blkio')).toEqual([
      ['blkio.bfq.weight', '500'],
      ['blkio.bfq.weight_device', '8:0 300'],
      ['blkio.throttle.read_bps_device', '8:0 600'],
      ['blkio.throttle.write_bps_device', '8:16 700'],
      ['blkio.throttle.read_iops_device', '8:0 10'],
      ['blkio.throttle.write_iops_device', '8:16 300'],
    ]);
  });

  it('refuses values whose file this kernel lacks, before writing anything', () => {
    const cg = cgroups({ pids: { limit: 10 }, blockIO: { leafWeight: 10 } });
    cg.create();
    tree.writes.length = 0;
    const e = configError(() => cg.apply());
    expect(e.path).toBe('linux.resources.blockIO.leafWeight');
    expect(e.message).toMatch(/no blkio.leaf_weight/);
    expect(tree.writes).toEqual([]);
  });

  it('refuses controllers the host has not mounted, at plan time', () => {
    expect(configError(() => cgroups({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }] })).message).toMatch(/hugetlb controller is not mounted/);
    expect(configError(() => cgroups({ network: { classID: 1 } })).path).toBe('linux.resources.network.classID');
    expect(configError(() => cgroups({ network: { priorities: [{ name: 'eth0', priority: 5 }] } })).path).toBe('linux.resources.network.priorities[0]');
    expect(configError(() => cgroups({ rdma: { mlx5_1: { hcaHandles: 3 } } })).path).toBe('linux.resources.rdma.mlx5_1');
  });

  it('refuses malformed values with the field named', () => {
    const cases: Array<[LinuxResources, string]> = [
      [{ memory: { swappiness: 101 } }, 'linux.resources.memory.swappiness'],
      [{ memory: { limit: -5 } }, 'linux.resources.memory.limit'],
      [{ memory: { limit: 100, swap: 50 } }, 'linux.resources.memory.swap'],
      [{ cpu: { quota: 0 } }, 'linux.resources.cpu.quota'],
      [{ cpu: { quota: 1000, burst: 2000 } }, 'linux.resources.cpu.burst'],
      [{ cpu: { cpus: 'all' } }, 'linux.resources.cpu.cpus'],
      [{ cpu: { idle: 2 } }, 'linux.resources.cpu.idle'],
      [{ blockIO: { weight: 5000 } }, 'linux.resources.blockIO.weight'],
      [{ blockIO: { weightDevice: [{ major: 8, minor: 0 }] } }, 'linux.resources.blockIO.weightDevice[0]'],
      [{ blockIO: { throttleReadBpsDevice: [{ major: -1, minor: 0, rate: 1 }] } }, 'linux.resources.blockIO.throttleReadBpsDevice[0].major'],
    ];
    for (const [r, field] of cases) expect(configError(() => cgroups(r)).path, JSON.stringify(r)).toBe(field);
  });

  it('reports a write the kernel refuses, with the field, file and value', () => {
    const cg = cgroups({ memory: { limit: 4096 } });
    cg.create();
    tree.failures.set(`${CG}/memory/conform/c1/memory.limit_in_bytes`, 'EBUSY');
    let err: unknown;
    try {
      cg.apply();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CgroupError);
    expect((err as CgroupError).code).toBe('EBUSY');
    expect((err as Error).message).toMatch(/linux\.resources\.memory\.limit: writing "4096" to \/sys\/fs\/cgroup\/memory\/conform\/c1\/memory.limit_in_bytes/);
  });
});

describe('Cgroups on a hybrid v1 host: unified', () => {
  it('writes unified keys into the unified hierarchy, enabling the controller along the path', () => {
    const cg = cgroups({ unified: { 'hugetlb.2MB.max': '1073741824', 'cgroup.max.depth': '3' } });
    cg.create();
    tree.writes.length = 0;
    cg.apply();
    expect(tree.writes).toEqual([
      { path: `${CG}/unified/cgroup.subtree_control`, value: '+hugetlb' },
      { path: `${CG}/unified/conform/cgroup.subtree_control`, value: '+hugetlb' },
      { path: `${CG}/unified/conform/c1/hugetlb.2MB.max`, value: '1073741824' },
      { path: `${CG}/unified/conform/c1/cgroup.max.depth`, value: '3' },
    ]);
  });

  it('refuses unified keys for controllers the v2 hierarchy does not have', () => {
    const cg = cgroups({ unified: { 'memory.max': '100' } });
    cg.create();
    const e = configError(() => cg.apply());
    expect(e.path).toBe('linux.resources.unified["memory.max"]');
    expect(e.message).toMatch(/memory controller is not available .*\(it has: hugetlb\)/);
  });

  it('refuses unified keys that are not file names, and unified on a pure v1 host', () => {
    expect(configError(() => cgroups({ unified: { '../escape': '1' } })).path).toBe('linux.resources.unified["../escape"]');
    const v1only = { ...tree.host(), mode: 'v1' as const, unified: undefined };
    const e = configError(() => ResourceCgroups.plan({ id: 'c1', resources: { unified: { 'pids.max': '1' } }, host: v1only, fs: tree }));
    expect(e.message).toMatch(/needs cgroup v2/);
  });
});

describe('Cgroups on a hybrid v1 host: processes and removal', () => {
  it('joins a pid in every hierarchy, lists it, and lists processes of sub-cgroups', () => {
    const cg = cgroups();
    cg.create();
    tree.writes.length = 0;
    cg.join(4242);
    expect(tree.writes.map((w) => w.path)).toEqual(cg.dirs.map((d) => `${d.dir}/cgroup.procs`));
    expect(tree.read(`${CG}/memory/conform/c1/cgroup.procs`)).toBe('4242\n');
    tree.mkdir(`${CG}/pids/conform/c1/sub`);
    tree.addProc(`${CG}/pids/conform/c1/sub`, 4343);
    expect(cg.pids()).toEqual([4242, 4343]);
  });

  it('freezes, signals every process, and thaws', () => {
    const cg = cgroups();
    cg.create();
    cg.join(4242);
    tree.addProc(`${CG}/memory/conform/c1`, 4343);
    tree.writes.length = 0;
    cg.killAll(15);
    expect(signals).toEqual([
      [4242, 15],
      [4343, 15],
    ]);
    expect(tree.writes).toEqual([
      { path: `${CG}/freezer/conform/c1/freezer.state`, value: 'FROZEN' },
      { path: `${CG}/freezer/conform/c1/freezer.state`, value: 'THAWED' },
    ]);
  });

  it('uses cgroup.kill of the unified cgroup for SIGKILL, and signals what v1 still lists', () => {
    const cg = cgroups();
    cg.create();
    cg.join(4242);
    tree.writes.length = 0;
    cg.killAll(9);
    expect(tree.writes[0]).toEqual({ path: `${CG}/unified/conform/c1/cgroup.kill`, value: '1' });
    expect(signals).toEqual([[4242, 9]]);
  });

  it('removes what it created, leaf first, sub-cgroups included, and nothing else', () => {
    const before = tree.allDirs();
    const cg = cgroups();
    cg.create();
    tree.mkdir(`${CG}/memory/conform/c1/inner`);
    cg.destroy();
    expect(tree.allDirs()).toEqual(before);
  });

  it('removes empty cgroups with one rmdir each; a busy one leaves the rest, the freezer among them, for killAll', () => {
    const before = tree.allDirs();
    const empty = cgroups();
    empty.create();
    tree.rmdirs.length = 0;
    expect(empty.destroyIfEmpty()).toBe(true);
    expect(tree.allDirs()).toEqual(before);
    // Each of its cgroups and their parent (conform/) once: nothing asked twice.
    expect(tree.rmdirs.length).toBeGreaterThan(0);
    expect(tree.rmdirs).toEqual([...new Set(tree.rmdirs)]);

    const busy = cgroups();
    busy.create();
    tree.addProc(`${CG}/pids/conform/c1`, 4242);
    expect(busy.destroyIfEmpty()).toBe(false);
    expect(tree.exists(`${CG}/pids/conform/c1`)).toBe(true);
    expect(tree.exists(`${CG}/freezer/conform/c1`)).toBe(true);
    tree.removeProc(`${CG}/pids/conform/c1`, 4242);
    busy.destroy();
    expect(tree.allDirs()).toEqual(before);

    // A cgroup below the container's (its own processes made it) is busy too.
    const nested = cgroups();
    nested.create();
    tree.mkdir(`${CG}/memory/conform/c1/inner`);
    expect(nested.destroyIfEmpty()).toBe(false);
    nested.destroy();
    expect(tree.allDirs()).toEqual(before);
    expect(signals).toEqual([]);
  });

  it("does not remove a cgroup it did not create by emptiness: its processes are the container's to kill", () => {
    tree.mkdir(`${CG}/pids/existing`);
    const joined = cgroups(undefined, '/existing');
    joined.create();
    expect(joined.destroyIfEmpty()).toBe(false);
    expect(tree.exists(`${CG}/pids/existing`)).toBe(true);
    expect(tree.exists(`${CG}/memory/existing`)).toBe(true);
    joined.destroy();
  });

  it('records what it will create before creating: a manager from that record removes a half-made tree', () => {
    const before = tree.allDirs();
    tree.mkdir(`${CG}/pids/shared`);
    const cg = cgroups(undefined, '/shared/deep/c1');
    const intent = cg.intent();
    expect(intent.created).toContain(`${CG}/pids/shared/deep`);
    expect(intent.created).toContain(`${CG}/pids/shared/deep/c1`);
    expect(intent.created).not.toContain(`${CG}/pids/shared`);
    // create killed after the first hierarchies: some of the recorded directories exist, some not.
    tree.mkdir(`${CG}/pids/shared/deep`);
    tree.mkdir(`${CG}/pids/shared/deep/c1`);
    Cgroups.fromState(intent, { fs: tree }).destroy();
    expect(tree.exists(`${CG}/pids/shared`)).toBe(true);
    expect(tree.exists(`${CG}/pids/shared/deep`)).toBe(false);
    tree.rmdir(`${CG}/pids/shared`);
    expect(tree.allDirs()).toEqual(before);
  });

  it("keeps a parent another container still uses and a cgroup it did not create; the last one out removes the runtime's own parent", () => {
    const before = tree.allDirs();
    const a = cgroups(undefined, undefined, 'a');
    const b = cgroups(undefined, undefined, 'b');
    a.create();
    b.create();
    a.destroy();
    expect(tree.exists(`${CG}/pids/conform/b`)).toBe(true);
    b.destroy();
    // /conform is the runtime's own placement for unset and relative paths, not something
    // a user asked for: once empty it goes, whichever container happened to make it.
    expect(tree.exists(`${CG}/pids/conform`)).toBe(false);
    expect(tree.exists(`${CG}/pids/conform/b`)).toBe(false);

    tree.mkdir(`${CG}/pids/existing`);
    const joined = cgroups(undefined, '/existing');
    joined.create();
    joined.destroy();
    expect(tree.exists(`${CG}/pids/existing`)).toBe(true);
    expect(before.length).toBeGreaterThan(0);
  });

  it("makes a parent again when another container's delete removes it between the check and the mkdir", () => {
    const pids = `${CG}/pids/conform`;
    tree.mkdir(pids);
    // The other delete's rmdir lands right after create saw /conform there.
    let raced = false;
    const racing = Object.create(tree) as FakeCgroupTree;
    racing.mkdir = (path: string) => {
      if (!raced && path === `${pids}/c1`) {
        raced = true;
        tree.rmdir(pids);
      }
      tree.mkdir(path);
    };
    const cg = ResourceCgroups.plan({ id: 'c1', host: tree.host(), fs: racing, kill: () => undefined });
    cg.create();
    expect(raced).toBe(true);
    expect(tree.exists(`${pids}/c1`)).toBe(true);
    cg.destroy();
    expect(tree.exists(pids)).toBe(false); // c1 made it the second time
  });

  it("makes a cpuset parent again when another container's delete removes it while its cpus and mems are read (ENODEV)", () => {
    const cpuset = `${CG}/cpuset/conform`;
    tree.mkdir(cpuset);
    let raced = false;
    const racing = Object.create(tree) as FakeCgroupTree;
    racing.read = (path: string) => {
      if (!raced && path === `${cpuset}/cpuset.mems`) {
        raced = true;
        tree.rmdir(cpuset);
        throw Object.assign(new Error(`ENODEV: no such device, read`), { code: 'ENODEV' });
      }
      return tree.read(path);
    };
    const cg = ResourceCgroups.plan({ id: 'c1', host: tree.host(), fs: racing, kill: () => undefined });
    cg.create();
    expect(raced).toBe(true);
    expect(tree.exists(`${cpuset}/c1`)).toBe(true);
    expect(tree.read(`${cpuset}/c1/cpuset.mems`)).toBe(tree.read(`${CG}/cpuset/cpuset.mems`));
    cg.destroy();
    expect(tree.exists(cpuset)).toBe(false);
  });

  it("makes RT room again when another container's create takes it between the room and the write (EINVAL)", () => {
    const cpu = `${CG}/cpu/conform`;
    let raced = 0;
    const racing = Object.create(tree) as FakeCgroupTree;
    racing.write = (path: string, value: string) => {
      if (path === `${cpu}/c1/cpu.rt_runtime_us` && raced++ === 0) {
        // c2's create, in between: its cgroup and its budget, which the parent cannot cover for both.
        tree.mkdir(`${cpu}/c2`);
        tree.write(`${cpu}/c2/cpu.rt_runtime_us`, '10000');
        throw Object.assign(new Error('EINVAL: invalid argument, write'), { code: 'EINVAL' });
      }
      tree.write(path, value);
    };
    const cg = ResourceCgroups.plan({ id: 'c1', resources: { cpu: { realtimeRuntime: 10000 } }, host: tree.host(), fs: racing, kill: () => undefined });
    cg.create();
    cg.apply();
    expect(raced).toBe(2);
    expect(tree.read(`${cpu}/c1/cpu.rt_runtime_us`).trim()).toBe('10000');
    // Room for both: the kernel's fixed-point sum of 10000/1000000 twice (./cgroups-rt.test.ts).
    expect(tree.read(`${cpu}/cpu.rt_runtime_us`).trim()).toBe('19999');
  });

  it('survives a state round trip: a later call destroys what create made', () => {
    const before = tree.allDirs();
    const cg = cgroups({ pids: { limit: 5 } });
    cg.create();
    cg.apply();
    const state = JSON.parse(JSON.stringify(cg.toJSON()));
    const later = Cgroups.fromState(state, { fs: tree, kill: (p, s) => signals.push([p, s]) });
    expect(later.pids()).toEqual([]);
    later.destroy();
    expect(tree.allDirs()).toEqual(before);
    // A second delete finds nothing to do.
    later.destroy();
  });

  it('refuses to remove a cgroup that still has processes', () => {
    const cg = cgroups();
    cg.create();
    cg.join(4242);
    expect(() => cg.destroy()).toThrow(/still busy .*4242/);
  });

  it("refuses a cgroup that holds processes, and lists none where the container's cgroups do not exist yet", () => {
    const listed: string[] = [];
    const children = tree.children.bind(tree);
    tree.children = (dir: string) => (listed.push(dir), children(dir));
    checkCgroupFree(cgroups());
    expect(listed).toEqual([]);
    const other = cgroups();
    other.create();
    other.join(4242);
    const e = configError(() => checkCgroupFree(cgroups()));
    expect(e.message).toMatch(/already has processes \(4242\)/);
    expect(listed.length).toBeGreaterThan(0);
  });
});
