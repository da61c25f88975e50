// The cgroups suite's expectations (suites/cgroups/expect.ts) against recorded cgroup
// trees: this project's machine is hybrid, so the v2 cases skip there and are checked
// here instead. For each setting: the files it names exist in a fresh v2 cgroup
// (fixtures/cgroups/v2.json), a cgroup a lazy runtime left alone fails the check, and
// one written as the kernel shows a correct runtime's values passes it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  blockIOExpectation,
  checkFiles,
  cpuExpectation,
  hugetlbExpectation,
  listMembers,
  memoryExpectation,
  networkExpectation,
  pidsExpectation,
  unifiedExpectation,
  weightLinear,
  weightQuadratic,
  type Expectation,
  type FileCheck,
} from '../../suites/cgroups/expect.js';
import { parseCgroupMounts } from '../../linux/cgroupfs.js';

interface Fixture {
  mountinfo: string;
  hierarchies: Record<string, { root: Record<string, string | null>; child: Record<string, string | null> }>;
}

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/cgroups');
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;

const v2 = load('v2');
/** A fresh child cgroup of the v2 tree, every controller enabled: what a lazy runtime leaves. */
const fresh = (): Record<string, string | null> => ({ ...v2.hierarchies['/sys/fs/cgroup']!.child });
const readerOf = (files: Record<string, string | null>) => (_controller: string, file: string) => {
  const v = files[file];
  return v === undefined || v === null ? undefined : v;
};

function filesOf(e: Expectation): FileCheck[] {
  if ('error' in e) throw new Error(`expected files, got the error "${e.error}"`);
  return e.files;
}

/** Each check names at least one file a v2 cgroup really has. */
function expectRealNames(checks: FileCheck[], tree: Record<string, unknown>): void {
  for (const c of checks)
    expect(
      c.files.some((f) => f in tree),
      `${c.files.join(' or ')} in the recorded v2 cgroup`,
    ).toBe(true);
}

interface Scenario {
  name: string;
  exp: Expectation;
  /** The files as the kernel shows them once a correct runtime wrote the setting. */
  written: Record<string, string>;
}

const MiB = 1024 * 1024;
const dev = '254:0';
const scenarios: Scenario[] = [
  { name: 'memory.limit', exp: memoryExpectation({ limit: 256 * MiB }, 2), written: { 'memory.max': `${256 * MiB}\n` } },
  {
    name: 'memory.limit -1',
    exp: memoryExpectation({ limit: 256 * MiB, reservation: -1 }, 2),
    written: { 'memory.max': `${256 * MiB}\n`, 'memory.low': 'max\n' },
  },
  {
    name: 'memory.reservation',
    exp: memoryExpectation({ limit: 256 * MiB, reservation: 128 * MiB }, 2),
    written: { 'memory.max': `${256 * MiB}\n`, 'memory.low': `${128 * MiB}\n` },
  },
  // v1's swap is memory+swap: v2's swap.max is the difference.
  {
    name: 'memory.swap',
    exp: memoryExpectation({ limit: 256 * MiB, swap: 512 * MiB }, 2),
    written: { 'memory.max': `${256 * MiB}\n`, 'memory.swap.max': `${256 * MiB}\n` },
  },
  { name: 'cpu.shares', exp: cpuExpectation({ shares: 512 }, 2), written: { 'cpu.weight': `${weightLinear(512)}\n` } },
  { name: 'cpu.shares (quadratic map)', exp: cpuExpectation({ shares: 512 }, 2), written: { 'cpu.weight': `${weightQuadratic(512)}\n` } },
  { name: 'cpu.quota and period', exp: cpuExpectation({ quota: 25000, period: 50000 }, 2), written: { 'cpu.max': '25000 50000\n' } },
  {
    name: 'cpu.burst',
    exp: cpuExpectation({ quota: 50000, period: 100000, burst: 20000 }, 2),
    written: { 'cpu.max': '50000 100000\n', 'cpu.max.burst': '20000\n' },
  },
  { name: 'cpu.cpus', exp: cpuExpectation({ cpus: '1' }, 2), written: { 'cpuset.cpus': '1\n' } },
  { name: 'cpu.mems', exp: cpuExpectation({ mems: '0-1' }, 2), written: { 'cpuset.mems': '0,1\n' } },
  { name: 'cpu.idle', exp: cpuExpectation({ idle: 1 }, 2), written: { 'cpu.idle': '1\n' } },
  { name: 'pids.limit', exp: pidsExpectation(8), written: { 'pids.max': '8\n' } },
  { name: 'pids.limit 0', exp: pidsExpectation(0), written: { 'pids.max': '0\n' } },
  { name: 'blockIO.weight', exp: blockIOExpectation({ weight: 500 }, 2), written: { 'io.weight': 'default 4950\n' } },
  {
    name: 'blockIO throttles',
    exp: blockIOExpectation(
      { throttleReadBpsDevice: [{ major: 254, minor: 0, rate: MiB }], throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 200 }] },
      2,
    ),
    written: { 'io.max': `${dev} rbps=${MiB} wbps=max riops=max wiops=200\n` },
  },
  {
    name: 'hugepageLimits',
    exp: hugetlbExpectation([{ pageSize: '2MB', limit: 4 * MiB }], 2, (f) => f in fresh()),
    written: { 'hugetlb.2MB.rsvd.max': `${4 * MiB}\n` },
  },
  {
    name: 'unified',
    exp: unifiedExpectation({ 'pids.max': '9', 'memory.high': String(192 * MiB) }),
    written: { 'pids.max': '9\n', 'memory.high': `${192 * MiB}\n` },
  },
  { name: 'unified unknown key', exp: unifiedExpectation({ 'memory.oom.group': '1' }), written: { 'memory.oom.group': '1\n' } },
];

describe('cgroup v2 expectations against a recorded v2 cgroup', () => {
  for (const s of scenarios) {
    describe(s.name, () => {
      it('names files a v2 cgroup has', () => expectRealNames(filesOf(s.exp), fresh()));
      it('fails a cgroup the runtime left alone', () => expect(checkFiles(filesOf(s.exp), readerOf(fresh())).length).toBeGreaterThan(0));
      it('passes the cgroup a correct runtime leaves', () => expect(checkFiles(filesOf(s.exp), readerOf({ ...fresh(), ...s.written }))).toEqual([]));
    });
  }

  it('fails a value off by one', () => {
    expect(checkFiles(filesOf(pidsExpectation(8)), readerOf({ ...fresh(), 'pids.max': '9\n' }))).toHaveLength(1);
    expect(checkFiles(filesOf(cpuExpectation({ quota: 25000, period: 50000 }, 2)), readerOf({ ...fresh(), 'cpu.max': '25000 100000\n' }))).toHaveLength(1);
  });

  it('fails an io.max line that lacks a configured key', () => {
    const exp = blockIOExpectation(
      { throttleReadBpsDevice: [{ major: 254, minor: 0, rate: MiB }], throttleWriteBpsDevice: [{ major: 254, minor: 0, rate: 2 * MiB }] },
      2,
    );
    expect(checkFiles(filesOf(exp), readerOf({ ...fresh(), 'io.max': `${dev} rbps=${MiB} wbps=max riops=max wiops=max\n` }))).toHaveLength(1);
  });

  it('reads hugetlb reservations where the kernel has them, page faults elsewhere', () => {
    const withRsvd = filesOf(hugetlbExpectation([{ pageSize: '2MB', limit: 4 * MiB }], 2, () => true));
    const without = filesOf(hugetlbExpectation([{ pageSize: '2MB', limit: 4 * MiB }], 2, (f) => !f.includes('rsvd')));
    expect(withRsvd[0]!.files).toEqual(['hugetlb.2MB.rsvd.max']);
    expect(without[0]!.files).toEqual(['hugetlb.2MB.max']);
  });

  it('wants an error where a v1 setting has no v2 equivalent', () => {
    const errors: Array<[string, Expectation]> = [
      ['realtime', cpuExpectation({ realtimeRuntime: 10000, realtimePeriod: 500000 }, 2)],
      ['swappiness', memoryExpectation({ swappiness: 37 }, 2)],
      ['disableOOMKiller', memoryExpectation({ disableOOMKiller: true }, 2)],
      ['useHierarchy false', memoryExpectation({ useHierarchy: false }, 2)],
      ['leafWeight', blockIOExpectation({ leafWeight: 500 }, 2)],
      ['swap below limit', memoryExpectation({ limit: 256 * MiB, swap: 128 * MiB }, 2)],
      ['network', networkExpectation({ classID: 1 }, 2)],
    ];
    for (const [name, e] of errors) expect('error' in e, name).toBe(true);
  });
});

describe('shares to cpu.weight', () => {
  it('keeps both known maps within the v2 range and ordered', () => {
    for (const f of [weightLinear, weightQuadratic]) {
      expect(f(2)).toBe(1);
      expect(f(262144)).toBe(10000);
      expect(f(512)).toBeLessThan(f(1024));
    }
    expect(weightLinear(1024)).toBe(39);
    expect(weightQuadratic(1024)).toBe(100);
  });
});

describe('cgroup v1 expectations against the recorded hybrid host', () => {
  const h = load('hybrid-v1');
  const mounts = parseCgroupMounts(h.mountinfo);
  /** The fresh child of the v1 hierarchy that has `controller`. */
  const childOf = (controller: string) => {
    const m = mounts.find((x) => x.version === 1 && x.controllers.includes(controller));
    return m ? h.hierarchies[m.mountPoint]!.child : undefined;
  };
  const v1: Array<[string, Expectation]> = [
    ['memory', memoryExpectation({ limit: 256 * MiB, reservation: MiB, swap: 512 * MiB, swappiness: 37, disableOOMKiller: true, useHierarchy: true }, 1)],
    ['cpu', cpuExpectation({ shares: 512, quota: 1, period: 2, burst: 3, realtimeRuntime: 4, realtimePeriod: 5, idle: 1 }, 1)],
    ['cpuset', cpuExpectation({ cpus: '0', mems: '0' }, 1)],
    ['pids', pidsExpectation(8)],
    [
      'blkio',
      blockIOExpectation(
        {
          weight: 500,
          weightDevice: [{ major: 254, minor: 0, weight: 500 }],
          throttleReadBpsDevice: [{ major: 254, minor: 0, rate: 1 }],
          throttleWriteIOPSDevice: [{ major: 254, minor: 0, rate: 1 }],
        },
        1,
      ),
    ],
  ];
  for (const [name, exp] of v1) {
    it(`${name}: names files of a fresh v1 cgroup`, () => {
      for (const c of filesOf(exp)) {
        const tree = childOf(c.controller);
        expect(tree, `a v1 hierarchy with ${c.controller}`).toBeDefined();
        expect(
          c.files.some((f) => f in tree!),
          `${c.files.join(' or ')} in the ${c.controller} hierarchy`,
        ).toBe(true);
      }
    });
  }

  it('reads v1 unlimited memory as the largest page-aligned counter', () => {
    const exp = filesOf(memoryExpectation({ limit: -1 }, 1));
    expect(checkFiles(exp, () => '9223372036854771712')).toEqual([]);
    expect(checkFiles(exp, () => String(256 * MiB))).toHaveLength(1);
  });

  it('compares cpu lists by their members', () => {
    expect(listMembers('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(checkFiles(filesOf(cpuExpectation({ cpus: '0,1,2' }, 1)), () => '0-2')).toEqual([]);
  });
});
