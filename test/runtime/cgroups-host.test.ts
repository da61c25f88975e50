// Host detection, path resolution, and the harness's read-back helpers (linux/cgroupfs.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { cgroupMode, locateCgroup, parseCgroupMounts, parseProcCgroup, readCgroupValue } from '../../linux/cgroupfs.js';
import { detectHost, resolveCgroupsPath } from '../../runtime/cgroups/index.js';
import { ConfigError } from '../../runtime/errors.js';
import { FakeCgroupTree, loadFixture } from './cgroups-fake.js';

describe('resolveCgroupsPath', () => {
  it('takes absolute paths as they are, under every mount point', () => {
    expect(resolveCgroupsPath('c1', '/myRuntime/myContainer')).toBe('/myRuntime/myContainer');
    expect(resolveCgroupsPath('c1', '//a/./b/')).toBe('/a/b');
  });

  it('puts relative paths and the default under /conform', () => {
    expect(resolveCgroupsPath('c1', 'pod1/c1')).toBe('/conform/pod1/c1');
    expect(resolveCgroupsPath('c1')).toBe('/conform/c1');
    expect(resolveCgroupsPath('c1', undefined, '/elsewhere')).toBe('/elsewhere/c1');
  });

  it('refuses paths that climb, the root, and ids that cannot name a directory', () => {
    const field = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        if (e instanceof ConfigError) return e.path;
      }
      return 'no error';
    };
    expect(field(() => resolveCgroupsPath('c1', '/a/../../etc'))).toBe('linux.cgroupsPath');
    expect(field(() => resolveCgroupsPath('c1', '/'))).toBe('linux.cgroupsPath');
    expect(field(() => resolveCgroupsPath('c1', ''))).toBe('linux.cgroupsPath');
    expect(field(() => resolveCgroupsPath('a/b'))).toBe('id');
    expect(field(() => resolveCgroupsPath('..'))).toBe('id');
  });
});

describe('host detection from mountinfo', () => {
  it('sees the recorded hybrid host', () => {
    const host = detectHost(loadFixture('hybrid-v1').mountinfo);
    expect(host.mode).toBe('hybrid');
    expect(host.unified).toBe('/sys/fs/cgroup/unified');
    expect(host.v1).toEqual({
      cpu: '/sys/fs/cgroup/cpu',
      cpuacct: '/sys/fs/cgroup/cpuacct',
      cpuset: '/sys/fs/cgroup/cpuset',
      memory: '/sys/fs/cgroup/memory',
      devices: '/sys/fs/cgroup/devices',
      freezer: '/sys/fs/cgroup/freezer',
      blkio: '/sys/fs/cgroup/blkio',
      pids: '/sys/fs/cgroup/pids',
    });
  });

  it('sees a pure v2 host', () => {
    expect(detectHost(loadFixture('v2').mountinfo)).toEqual({ mode: 'v2', v1: {}, unified: '/sys/fs/cgroup' });
  });

  it('sees a pure v1 host with co-mounted controllers, once per hierarchy', () => {
    const mi = [
      '25 20 0:22 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
      '26 20 0:23 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio',
      '27 20 0:24 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd',
      '99 80 0:22 / /run/x/cpu rw - cgroup cgroup rw,cpu,cpuacct',
      '30 20 0:25 / /mnt/with\\040space rw - cgroup cgroup rw,pids',
    ].join('\n');
    const mounts = parseCgroupMounts(mi);
    expect(mounts.map((m) => [m.mountPoint, m.controllers])).toEqual([
      ['/sys/fs/cgroup/cpu,cpuacct', ['cpu', 'cpuacct']],
      ['/sys/fs/cgroup/net_cls,net_prio', ['net_cls', 'net_prio']],
      ['/sys/fs/cgroup/systemd', ['name=systemd']],
      ['/mnt/with space', ['pids']],
    ]);
    expect(cgroupMode(mounts)).toBe('v1');
    const host = detectHost(mi);
    expect(host.v1.cpuacct).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(host.unified).toBeUndefined();
    expect(() => detectHost('22 1 8:1 / / rw - ext4 /dev/sda1 rw')).toThrow(/no cgroup filesystem/);
  });

  it('parses /proc/PID/cgroup', () => {
    expect(parseProcCgroup('4:memory:/a/b\n1:cpu,cpuacct:/\n0::/x\n')).toEqual([
      { hierarchyId: 4, controllers: ['memory'], path: '/a/b' },
      { hierarchyId: 1, controllers: ['cpu', 'cpuacct'], path: '/' },
      { hierarchyId: 0, controllers: [], path: '/x' },
    ]);
    expect(() => parseProcCgroup('garbage')).toThrow(/unexpected/);
  });
});

describe('linux/cgroupfs read-back on recorded trees', () => {
  let tree: FakeCgroupTree | undefined;
  afterEach(() => {
    tree?.cleanup();
    tree = undefined;
  });

  it("reads a v1 controller file from the pid's cgroup (hybrid)", () => {
    tree = new FakeCgroupTree(loadFixture('hybrid-v1'));
    const opts = { root: tree.root };
    expect(locateCgroup('self', 'memory', opts)).toEqual({
      version: 1,
      path: '/user.slice/session-1.scope',
      dir: '/sys/fs/cgroup/memory/user.slice/session-1.scope',
    });
    expect(readCgroupValue('self', 'memory', 'memory.limit_in_bytes', opts)).toBe('9223372036854771712');
    expect(readCgroupValue('self', 'cpu', 'cpu.shares', opts)).toBe('1024');
    // hugetlb is not a v1 hierarchy here: it is looked up in the unified one.
    expect(locateCgroup('self', 'hugetlb', opts).dir).toBe('/sys/fs/cgroup/unified');
    expect(readCgroupValue('self', '', 'cgroup.controllers', opts)).toBe('hugetlb');
    expect(() => readCgroupValue('self', 'memory', '../x', opts)).toThrow(/file name expected/);
  });

  it("reads v2 files from the pid's unified cgroup", () => {
    tree = new FakeCgroupTree(loadFixture('v2'));
    const opts = { root: tree.root };
    expect(locateCgroup('self', 'memory', opts).dir).toBe('/sys/fs/cgroup/user.slice/user-0.slice/session-1.scope');
    expect(readCgroupValue('self', 'memory', 'memory.max', opts)).toBe('max');
    expect(readCgroupValue('self', 'pids', 'pids.max', opts)).toBe('max');
  });

  it('follows a mount whose root is not the hierarchy root (inside a container)', () => {
    const t = (tree = new FakeCgroupTree(loadFixture('v2')));
    const mountinfo = '35 24 0:30 /user.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n';
    expect(locateCgroup('self', 'memory', { root: t.root, mountinfo }).dir).toBe('/sys/fs/cgroup/user-0.slice/session-1.scope');
    const outside = '35 24 0:30 /system.slice /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n';
    expect(() => locateCgroup('self', 'memory', { root: t.root, mountinfo: outside })).toThrow(/outside the mount/);
    expect(() => locateCgroup('self', 'memory', { root: t.root, mountinfo: '' })).toThrow(/no cgroup hierarchy/);
  });

  it.skipIf(process.platform !== 'linux')("reads this process's own cgroup on the real host", () => {
    const loc = locateCgroup('self', 'pids');
    expect(loc.dir.startsWith('/sys/fs/cgroup')).toBe(true);
  });
});
