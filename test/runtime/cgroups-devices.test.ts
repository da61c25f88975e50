// linux.resources.devices on cgroup v2: the eBPF device program, run by an interpreter
// of its instruction subset (./ebpf.ts) against the reference decision (`decide`), and
// attached by the manager on a recorded v2 tree.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileDeviceFilter, decide } from '../../runtime/cgroups/devicefilter.js';
import { ResourceCgroups } from '../../runtime/cgroups/index.js';
import { ConfigError } from '../../runtime/errors.js';
import { DEFAULT_DEVICES } from '../../runtime/cgroups/v1.js';
import { ACC_MKNOD, ACC_READ, ACC_WRITE, DEV_BLOCK, DEV_CHAR, deviceMatch, deviceRule } from '../../runtime/cgroups/values.js';
import type { LinuxDeviceCgroup } from '../../runtime/cgroups/types.js';
import { FakeCgroupTree, loadFixture } from './cgroups-fake.js';
import { runDeviceProgram } from './ebpf.js';

const defaults = DEFAULT_DEVICES.map((d) => deviceMatch(d, 'default'));
const matches = (rules: LinuxDeviceCgroup[]) => rules.map((d, i) => deviceMatch(d, `devices[${i}]`));
const R = ACC_READ,
  W = ACC_WRITE,
  M = ACC_MKNOD,
  RW = R | W;

/** Whether the compiled program allows the request (1) or not (0), checked against `decide`. */
function allows(rules: LinuxDeviceCgroup[], type: number, major: number, minor: number, access: number): boolean {
  const req = { type, major, minor, access };
  const got = runDeviceProgram(compileDeviceFilter(matches(rules), defaults), req) === 1;
  expect(got, `program vs decide for ${JSON.stringify(req)}`).toBe(decide(matches(rules), defaults, req));
  return got;
}

describe('the cgroup v2 device program', () => {
  const denyAll: LinuxDeviceCgroup = { allow: false, access: 'rwm' };

  it('without rules that match, leaves the decision to the parents (allows)', () => {
    expect(allows([], DEV_CHAR, 10, 229, RW)).toBe(true);
    expect(allows([{ allow: false, type: 'b', major: 8, access: 'rwm' }], DEV_CHAR, 8, 0, RW)).toBe(true);
  });

  it('deny-all then allow one: only that one (and the default devices) open', () => {
    const rules: LinuxDeviceCgroup[] = [denyAll, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }];
    expect(allows(rules, DEV_CHAR, 10, 229, RW)).toBe(true);
    expect(allows(rules, DEV_CHAR, 10, 229, M)).toBe(false);
    expect(allows(rules, DEV_CHAR, 10, 237, R)).toBe(false);
    expect(allows(rules, DEV_BLOCK, 10, 229, R)).toBe(false);
    for (const [major, minor] of [
      [1, 3],
      [1, 5],
      [1, 7],
      [1, 8],
      [1, 9],
      [5, 0],
      [5, 2],
      [136, 4],
    ] as const) {
      expect(allows(rules, DEV_CHAR, major, minor, RW | M), `c ${major}:${minor}`).toBe(true);
    }
  });

  it('the last matching rule wins, in the listed order', () => {
    const fuse = { type: 'c' as const, major: 10, minor: 229 };
    expect(
      allows(
        [
          { allow: true, access: 'rwm' },
          { allow: false, ...fuse, access: 'rwm' },
        ],
        DEV_CHAR,
        10,
        229,
        R,
      ),
    ).toBe(false);
    expect(
      allows(
        [
          { allow: false, ...fuse, access: 'rwm' },
          { allow: true, access: 'rwm' },
        ],
        DEV_CHAR,
        10,
        229,
        R,
      ),
    ).toBe(true);
    expect(
      allows(
        [
          { allow: true, access: 'rwm' },
          { allow: false, ...fuse, access: 'rwm' },
        ],
        DEV_CHAR,
        10,
        237,
        R,
      ),
    ).toBe(true);
  });

  it('a partial deny refuses a request that asks for any of it; a partial allow only a request within it', () => {
    const allowR: LinuxDeviceCgroup[] = [denyAll, { allow: true, type: 'c', major: 10, minor: 229, access: 'r' }];
    expect(allows(allowR, DEV_CHAR, 10, 229, R)).toBe(true);
    expect(allows(allowR, DEV_CHAR, 10, 229, RW)).toBe(false);
    const denyW: LinuxDeviceCgroup[] = [{ allow: false, type: 'c', major: 10, minor: 229, access: 'w' }];
    expect(allows(denyW, DEV_CHAR, 10, 229, R)).toBe(true);
    expect(allows(denyW, DEV_CHAR, 10, 229, RW)).toBe(false);
  });

  it('wildcards: major or minor unset or -1, type a', () => {
    const rules: LinuxDeviceCgroup[] = [denyAll, { allow: true, type: 'b', major: 7, minor: -1, access: 'rwm' }];
    expect(allows(rules, DEV_BLOCK, 7, 12, RW)).toBe(true);
    expect(allows(rules, DEV_CHAR, 7, 12, RW)).toBe(false);
    expect(allows([denyAll, { allow: true, type: 'a', minor: 3, access: 'r' }], DEV_BLOCK, 99, 3, R)).toBe(true);
  });

  it('formats the same rules for v1 and refuses bad ones naming the field', () => {
    expect(deviceRule({ allow: true, type: 'c', major: 10, minor: 229, access: 'wr' }, 'd')).toBe('c 10:229 rw');
    expect(deviceRule({ allow: false }, 'd')).toBe('a *:* rwm');
    expect(() => deviceMatch({ allow: true, type: 'x' as 'a' }, 'linux.resources.devices[0]')).toThrow(/devices\[0\]\.type/);
    expect(() => deviceMatch({ allow: true, access: 'rr' }, 'linux.resources.devices[0]')).toThrow(/devices\[0\]\.access/);
    expect(() => deviceMatch({ allow: 'yes' as unknown as boolean }, 'linux.resources.devices[0]')).toThrow(/devices\[0\]\.allow/);
  });
});

describe('the manager on a v2 host', () => {
  let tree: FakeCgroupTree;
  beforeEach(() => {
    tree = new FakeCgroupTree(loadFixture('v2'));
  });
  afterEach(() => tree.cleanup());
  const plan = (devices: LinuxDeviceCgroup[]) => ResourceCgroups.plan({ id: 'c1', resources: { devices }, host: tree.host(), fs: tree, kill: () => undefined });

  it('attaches one device program to the container cgroup, only when devices are applied', () => {
    const cg = plan([{ allow: false, access: 'rwm' }]);
    cg.create();
    cg.apply((c) => c !== 'devices');
    expect(tree.programs).toEqual([]);
    cg.apply((c) => c === 'devices');
    expect(tree.programs.map((p) => p.dir)).toEqual(['/sys/fs/cgroup/conform/c1']);
    expect(runDeviceProgram(tree.programs[0]!.program, { type: DEV_CHAR, major: 10, minor: 229, access: R })).toBe(0);
    expect(runDeviceProgram(tree.programs[0]!.program, { type: DEV_CHAR, major: 1, minor: 3, access: RW })).toBe(1);
  });

  it('refuses a bad rule at plan time, before anything is made', () => {
    expect(() => plan([{ allow: true, access: 'x' }])).toThrow(ConfigError);
    expect(tree.writes).toEqual([]);
  });
});
