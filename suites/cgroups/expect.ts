// What a container's cgroup files must say for a `linux.resources` setting, on
// cgroup v1 and on cgroup v2. Pure: the cases read the files of a live container
// through `read`, and test/suites/cgroups-v2.test.ts checks the v2 expectations
// against a recorded v2 tree (this project's machine is hybrid, so the v2 cases
// skip here).
//
// File names and formats are the kernel's (Documentation/admin-guide/cgroup-v1/*,
// cgroup-v2.rst). Where the spec leaves a v1-to-v2 conversion to the runtime
// ("MAY attempt a conversion"), the check accepts the conversions runtimes use.
import type { LinuxBlockIO, LinuxCPU, LinuxMemory, LinuxNetwork, HugepageLimit } from '../../schemas/config.js';
import type { Version } from './host.js';

/** One file of the container's cgroup and what it must say. */
export interface FileCheck {
  /** The v1 controller whose hierarchy holds the file (on v2 every file is in the unified one). */
  controller: string;
  /** Candidate names: the first that exists is read (e.g. blkio.weight, else blkio.bfq.weight). */
  files: string[];
  /** What it must say, for the report. */
  want: string;
  /** Undefined when the (trimmed) content is right, else what is wrong. */
  check(content: string): string | undefined;
}

/** Either files to read back, or an error the runtime must report (nothing to apply it to). */
export type Expectation = { files: FileCheck[] } | { error: string };

/** Reads a file of the container's cgroup: undefined when it does not exist. */
export type Reader = (controller: string, file: string) => string | undefined;

/** Problems, one line each; empty when every file says what it must. */
export function checkFiles(checks: readonly FileCheck[], read: Reader): string[] {
  const out: string[] = [];
  for (const c of checks) {
    const found = c.files.map((f) => [f, read(c.controller, f)] as const).find(([, v]) => v !== undefined);
    if (!found) {
      out.push(`${c.files.join(' or ')}: not in the container's cgroup (wanted ${c.want})`);
      continue;
    }
    const problem = c.check(found[1]!.trim());
    if (problem) out.push(`${found[0]}: ${problem} (wanted ${c.want})`);
  }
  return out;
}

// --- building blocks ------------------------------------------------------------

const show = (s: string) => JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);

function exact(controller: string, file: string | string[], value: string): FileCheck {
  return { controller, files: [file].flat(), want: show(value), check: (got) => (got === value ? undefined : `reads ${show(got)}`) };
}

/** v1 memory files report "unlimited" as the largest page-aligned counter, not -1. */
const V1_UNLIMITED = 9223372036854771712n;

function v1Bytes(controller: string, file: string, value: number): FileCheck {
  if (value === -1) {
    return { controller, files: [file], want: 'unlimited', check: (got) => (BigInt(got) >= V1_UNLIMITED ? undefined : `reads ${show(got)}`) };
  }
  return exact(controller, file, String(value));
}

/** A line of a keyed file (`oom_kill_disable 1`, `254:0 1048576`) must be present. */
function line(controller: string, file: string | string[], wanted: string): FileCheck {
  return {
    controller,
    files: [file].flat(),
    want: `a line ${show(wanted)}`,
    check: (got) => (got.split('\n').some((l) => l.trim().replace(/\s+/g, ' ') === wanted) ? undefined : `reads ${show(got)}`),
  };
}

/** Sorted members of a kernel list (`0-2,5`), to compare lists however they are written. */
export function listMembers(text: string): number[] {
  const out = new Set<number>();
  for (const part of text.trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map((n) => parseInt(n, 10)) as [number, number | undefined];
    for (let i = a; i <= (b ?? a); i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

function list(controller: string, file: string, value: string): FileCheck {
  const want = listMembers(value).join(',');
  return { controller, files: [file], want: show(value), check: (got) => (listMembers(got).join(',') === want ? undefined : `reads ${show(got)}`) };
}

// --- memory ---------------------------------------------------------------------

export function memoryExpectation(m: LinuxMemory, v: Version): Expectation {
  const files: FileCheck[] = [];
  if (v === 1) {
    if (m.limit !== undefined) files.push(v1Bytes('memory', 'memory.limit_in_bytes', m.limit));
    if (m.reservation !== undefined) files.push(v1Bytes('memory', 'memory.soft_limit_in_bytes', m.reservation));
    if (m.swap !== undefined) files.push(v1Bytes('memory', 'memory.memsw.limit_in_bytes', m.swap));
    if (m.swappiness !== undefined) files.push(exact('memory', 'memory.swappiness', String(m.swappiness)));
    if (m.disableOOMKiller !== undefined) files.push(line('memory', 'memory.oom_control', `oom_kill_disable ${m.disableOOMKiller ? 1 : 0}`));
    if (m.useHierarchy !== undefined) files.push(exact('memory', 'memory.use_hierarchy', m.useHierarchy ? '1' : '0'));
    return { files };
  }
  // cgroup v2 has no swappiness, no per-cgroup OOM-killer switch and no non-hierarchical mode.
  if (m.swappiness !== undefined) return { error: 'cgroup v2 has no per-cgroup swappiness' };
  if (m.disableOOMKiller) return { error: 'cgroup v2 cannot disable the OOM killer of a cgroup' };
  if (m.useHierarchy === false) return { error: 'cgroup v2 accounting is always hierarchical' };
  const max = (n: number) => (n === -1 ? 'max' : String(n));
  if (m.limit !== undefined) files.push(exact('memory', 'memory.max', max(m.limit)));
  if (m.reservation !== undefined) files.push(exact('memory', 'memory.low', max(m.reservation)));
  if (m.swap !== undefined) {
    // v1's memsw is memory+swap; v2's swap.max is swap alone.
    if (m.swap === -1) files.push(exact('memory', 'memory.swap.max', 'max'));
    else if (m.limit !== undefined && m.limit !== -1) {
      if (m.swap < m.limit) return { error: 'memory+swap below the memory limit' };
      files.push(exact('memory', 'memory.swap.max', String(m.swap - m.limit)));
    }
  }
  return { files };
}

// --- cpu ------------------------------------------------------------------------

/** runc's linear map of shares [2, 262144] onto cpu.weight [1, 10000] (runc ≤ 1.2, crun < 1.23). */
export function weightLinear(shares: number): number {
  if (shares === 0) return 0;
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/** The later map that keeps 1024 shares at weight 100 (crun ≥ 1.23, runc ≥ 1.3). */
export function weightQuadratic(shares: number): number {
  if (shares === 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  return Math.ceil(10 ** ((l * l + 125 * l) / 612 - 7 / 34));
}

export function cpuExpectation(c: LinuxCPU, v: Version): Expectation {
  const files: FileCheck[] = [];
  if (c.cpus !== undefined) files.push(list('cpuset', 'cpuset.cpus', c.cpus));
  if (c.mems !== undefined) files.push(list('cpuset', 'cpuset.mems', c.mems));
  if (v === 1) {
    if (c.shares !== undefined) files.push(exact('cpu', 'cpu.shares', String(c.shares)));
    if (c.quota !== undefined) files.push(exact('cpu', 'cpu.cfs_quota_us', String(c.quota)));
    if (c.period !== undefined) files.push(exact('cpu', 'cpu.cfs_period_us', String(c.period)));
    if (c.burst !== undefined) files.push(exact('cpu', 'cpu.cfs_burst_us', String(c.burst)));
    if (c.realtimeRuntime !== undefined) files.push(exact('cpu', 'cpu.rt_runtime_us', String(c.realtimeRuntime)));
    if (c.realtimePeriod !== undefined) files.push(exact('cpu', 'cpu.rt_period_us', String(c.realtimePeriod)));
    if (c.idle !== undefined) files.push(exact('cpu', 'cpu.idle', String(c.idle)));
    return { files };
  }
  if (c.realtimeRuntime !== undefined || c.realtimePeriod !== undefined) return { error: 'cgroup v2 has no realtime CPU bandwidth' };
  if (c.shares !== undefined) {
    const accepted = [weightLinear(c.shares), weightQuadratic(c.shares)];
    files.push({
      controller: 'cpu',
      files: ['cpu.weight'],
      want: `the weight for ${c.shares} shares (${[...new Set(accepted)].join(' or ')})`,
      check: (got) => (accepted.includes(Number(got)) ? undefined : `reads ${show(got)}`),
    });
  }
  if (c.quota !== undefined || c.period !== undefined) {
    const quota = c.quota === undefined || c.quota < 0 ? 'max' : String(c.quota);
    const period = c.period;
    files.push({
      controller: 'cpu',
      files: ['cpu.max'],
      want: `${show(`${quota} ${period ?? '<period>'}`)}`,
      check: (got) => {
        const [q, p] = got.split(/\s+/);
        if (c.quota !== undefined && q !== quota) return `reads ${show(got)}`;
        if (period !== undefined && p !== String(period)) return `reads ${show(got)}`;
        return undefined;
      },
    });
  }
  if (c.burst !== undefined) files.push(exact('cpu', 'cpu.max.burst', String(c.burst)));
  if (c.idle !== undefined) files.push(exact('cpu', 'cpu.idle', String(c.idle)));
  return { files };
}

// --- pids -----------------------------------------------------------------------

export function pidsExpectation(limit: number): Expectation {
  return { files: [exact('pids', 'pids.max', limit < 0 ? 'max' : String(limit))] };
}

// --- block I/O --------------------------------------------------------------------

/** runc's map of blkio weight [10, 1000] onto io.weight [1, 10000]. */
export function ioWeightFromBlkio(weight: number): number {
  return Math.floor(1 + ((weight - 10) * 9999) / 990);
}

type Throttle = keyof Pick<LinuxBlockIO, 'throttleReadBpsDevice' | 'throttleWriteBpsDevice' | 'throttleReadIOPSDevice' | 'throttleWriteIOPSDevice'>;
const V1_THROTTLE: Record<Throttle, string> = {
  throttleReadBpsDevice: 'blkio.throttle.read_bps_device',
  throttleWriteBpsDevice: 'blkio.throttle.write_bps_device',
  throttleReadIOPSDevice: 'blkio.throttle.read_iops_device',
  throttleWriteIOPSDevice: 'blkio.throttle.write_iops_device',
};
const V2_THROTTLE: Record<Throttle, string> = {
  throttleReadBpsDevice: 'rbps',
  throttleWriteBpsDevice: 'wbps',
  throttleReadIOPSDevice: 'riops',
  throttleWriteIOPSDevice: 'wiops',
};

export function blockIOExpectation(b: LinuxBlockIO, v: Version): Expectation {
  const files: FileCheck[] = [];
  const throttles = (Object.keys(V1_THROTTLE) as Throttle[]).flatMap((k) => (b[k] ?? []).map((d) => ({ k, ...d })));
  if (v === 1) {
    if (b.weight !== undefined) files.push(exact('blkio', ['blkio.weight', 'blkio.bfq.weight'], String(b.weight)));
    if (b.leafWeight !== undefined) files.push(exact('blkio', 'blkio.leaf_weight', String(b.leafWeight)));
    for (const d of b.weightDevice ?? []) {
      if (d.weight !== undefined) files.push(line('blkio', ['blkio.weight_device', 'blkio.bfq.weight_device'], `${d.major}:${d.minor} ${d.weight}`));
      if (d.leafWeight !== undefined) files.push(line('blkio', 'blkio.leaf_weight_device', `${d.major}:${d.minor} ${d.leafWeight}`));
    }
    for (const t of throttles) files.push(line('blkio', V1_THROTTLE[t.k], `${t.major}:${t.minor} ${t.rate}`));
    return { files };
  }
  if (b.leafWeight !== undefined || (b.weightDevice ?? []).some((d) => d.leafWeight !== undefined)) return { error: 'cgroup v2 has no leaf weights' };
  if (b.weight !== undefined) {
    const w = b.weight;
    files.push({
      controller: 'blkio',
      files: ['io.bfq.weight', 'io.weight'],
      want: `default ${w} (io.bfq.weight) or default ${ioWeightFromBlkio(w)} (io.weight)`,
      check: (got) => {
        const def = /^default (\d+)$/m.exec(got)?.[1] ?? (/^\d+$/.test(got) ? got : undefined);
        return def === String(w) || def === String(ioWeightFromBlkio(w)) ? undefined : `reads ${show(got)}`;
      },
    });
  }
  for (const d of b.weightDevice ?? []) {
    if (d.weight !== undefined) files.push(line('blkio', ['io.bfq.weight', 'io.weight'], `${d.major}:${d.minor} ${d.weight}`));
  }
  // io.max: one line per device, every key shown (unset ones as max).
  const byDev = new Map<string, string[]>();
  for (const t of throttles) byDev.set(`${t.major}:${t.minor}`, [...(byDev.get(`${t.major}:${t.minor}`) ?? []), `${V2_THROTTLE[t.k]}=${t.rate}`]);
  for (const [dev, keys] of byDev) {
    files.push({
      controller: 'blkio',
      files: ['io.max'],
      want: `a line for ${dev} with ${keys.join(' ')}`,
      check: (got) => {
        const l = got.split('\n').find((x) => x.startsWith(`${dev} `));
        if (!l) return `has no line for ${dev}: ${show(got)}`;
        const have = new Set(l.split(/\s+/).slice(1));
        const missing = keys.filter((k) => !have.has(k));
        return missing.length ? `reads ${show(l)}, without ${missing.join(' ')}` : undefined;
      },
    });
  }
  return { files };
}

// --- huge pages -------------------------------------------------------------------

/**
 * `hugepageLimits` limit reservations where the kernel accounts them (the rsvd file
 * exists), else page faults. `exists` tells which files the container's cgroup has.
 */
export function hugetlbExpectation(limits: readonly HugepageLimit[], v: Version, exists: (file: string) => boolean): Expectation {
  const files = limits.map((h) => {
    const plain = v === 1 ? `hugetlb.${h.pageSize}.limit_in_bytes` : `hugetlb.${h.pageSize}.max`;
    const rsvd = v === 1 ? `hugetlb.${h.pageSize}.rsvd.limit_in_bytes` : `hugetlb.${h.pageSize}.rsvd.max`;
    return exact('hugetlb', exists(rsvd) ? rsvd : plain, String(h.limit));
  });
  return { files };
}

// --- network ------------------------------------------------------------------------

export function networkExpectation(n: LinuxNetwork, v: Version): Expectation {
  if (v === 2) return { error: 'cgroup v2 has no net_cls or net_prio controller' };
  const files: FileCheck[] = [];
  if (n.classID !== undefined) files.push(exact('net_cls', 'net_cls.classid', String(n.classID)));
  for (const p of n.priorities ?? []) files.push(line('net_prio', 'net_prio.ifpriomap', `${p.name} ${p.priority}`));
  return { files };
}

// --- unified ----------------------------------------------------------------------------

/** Each key is a file of the unified cgroup holding the value (as the kernel echoes it). */
export function unifiedExpectation(unified: Readonly<Record<string, string>>): Expectation {
  return { files: Object.entries(unified).map(([file, value]) => exact(file.split('.')[0]!, file, value.trim())) };
}
