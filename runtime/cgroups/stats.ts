// Resource usage of the container's cgroups, in the shape runc's `events --stats`
// prints (runc's types/events.go: the same keys, the same fields left out when zero),
// so that tools written for runc read it. Counters are uint64: kept as bigint and
// written as exact JSON numbers (statsJson), never rounded through a double.
import { readdirSync } from 'node:fs';
import { posix } from 'node:path';
import type { CgroupFs } from './fs.js';
import { parseList } from './values.js';
import type { CgroupDir } from './host.js';
import type { Cgroups } from './manager.js';

type N = bigint;
export interface MemoryEntry {
  limit: N;
  usage?: N;
  max?: N;
  failcnt: N;
}
export interface BlkioEntry {
  major?: N;
  minor?: N;
  op?: string;
  value?: N;
}
export interface Stats {
  cpu: {
    usage: { total?: N; percpu?: N[]; percpu_kernel?: N[]; percpu_user?: N[]; kernel: N; user: N };
    throttling: { periods?: N; throttledPeriods?: N; throttledTime?: N };
  };
  cpuset: Record<string, N | number | number[] | undefined>;
  memory: { cache?: N; usage: MemoryEntry; swap: MemoryEntry; kernel: MemoryEntry; kernelTCP: MemoryEntry; raw?: Record<string, N> };
  pids: { current?: N; limit?: N };
  blkio: Record<string, BlkioEntry[]>;
  hugetlb: Record<string, { usage?: N; max?: N; failcnt: N }>;
  intel_rdt: Record<string, never>;
  network_interfaces: null;
}

const U64_MAX = (1n << 64n) - 1n;
/** Linux's USER_HZ: cpuacct.stat counts in these ticks. */
const USER_HZ = 100n;

/** JSON with bigint written as exact numbers, fields whose value is undefined left out. */
export function statsJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${v}` : v)).replace(/"\\u0000(\d+)"/g, '$1');
}

/** Drops zero counters, as Go's omitempty does. */
const nz = (v: N | undefined): N | undefined => (v ? v : undefined);
const nzList = <T>(v: T[] | undefined): T[] | undefined => (v && v.length > 0 ? v : undefined);

function num(text: string | undefined): N | undefined {
  const t = text?.trim();
  if (t === undefined || t === '') return undefined;
  if (t === 'max') return U64_MAX;
  return /^\d+$/.test(t) ? BigInt(t) : undefined;
}

/** "key value" lines (memory.stat, cpu.stat, …). */
export function keyValues(text: string | undefined): Record<string, N> {
  const out: Record<string, N> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    const n = num(v);
    if (k && n !== undefined) out[k] = n;
  }
  return out;
}

/** v1 blkio files: "MAJ:MIN Op value" or "MAJ:MIN value"; the "Total" line is left out. */
export function blkioEntries(text: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const [op, value] = f.length >= 3 ? [f[1], f[2]] : [undefined, f[1]];
    out.push({ major: nz(BigInt(dev[1]!)), minor: nz(BigInt(dev[2]!)), op, value: nz(num(value)) });
  }
  return out;
}

/** v2 io.stat: "MAJ:MIN rbytes=… wbytes=… rios=… wios=…" → runc's two lists. */
export function ioStatEntries(text: string | undefined): Record<string, BlkioEntry[]> {
  const bytes: BlkioEntry[] = [];
  const ios: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [devField, ...pairs] = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(devField ?? '');
    if (!dev) continue;
    const kv = Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]));
    const entry = (op: string, v: string | undefined): BlkioEntry => ({ major: nz(BigInt(dev[1]!)), minor: nz(BigInt(dev[2]!)), op, value: nz(num(v)) });
    bytes.push(entry('Read', kv.rbytes), entry('Write', kv.wbytes));
    ios.push(entry('Read', kv.rios), entry('Write', kv.wios));
  }
  return { ...(bytes.length ? { ioServiceBytesRecursive: bytes } : {}), ...(ios.length ? { ioServicedRecursive: ios } : {}) };
}

/** The host's huge page sizes in cgroup file notation (2MB, 1GB). */
function hugePageSizes(): string[] {
  try {
    return readdirSync('/sys/kernel/mm/hugepages').flatMap((d) => {
      const kb = /^hugepages-(\d+)kB$/.exec(d);
      if (!kb) return [];
      const n = Number(kb[1]);
      return [n >= 1 << 20 ? `${n >> 20}GB` : n >= 1024 ? `${n >> 10}MB` : `${n}KB`];
    });
  } catch {
    return [];
  }
}

export function readStats(fs: CgroupFs, dirs: readonly CgroupDir[], mode: 'v1' | 'v2' | 'hybrid'): Stats {
  const v1 = (controller: string): string | undefined =>
    mode === 'v2' ? undefined : dirs.find((d) => d.version === 1 && d.controllers.includes(controller))?.dir;
  const v2 = mode === 'v2' ? dirs.find((d) => d.version === 2)?.dir : undefined;
  const read = (dir: string | undefined, file: string): string | undefined => {
    if (!dir) return undefined;
    try {
      return fs.read(posix.join(dir, file));
    } catch {
      return undefined;
    }
  };
  const list = (t: string | undefined): N[] | undefined =>
    t
      ?.trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((x) => BigInt(x));

  const stats: Stats = {
    cpu: { usage: { kernel: 0n, user: 0n }, throttling: {} },
    cpuset: {},
    memory: { usage: { limit: 0n, failcnt: 0n }, swap: { limit: 0n, failcnt: 0n }, kernel: { limit: 0n, failcnt: 0n }, kernelTCP: { limit: 0n, failcnt: 0n } },
    pids: {},
    blkio: {},
    hugetlb: {},
    intel_rdt: {},
    network_interfaces: null,
  };

  // cpu
  if (v2) {
    const s = keyValues(read(v2, 'cpu.stat'));
    stats.cpu.usage = { total: nz((s.usage_usec ?? 0n) * 1000n), kernel: (s.system_usec ?? 0n) * 1000n, user: (s.user_usec ?? 0n) * 1000n };
    stats.cpu.throttling = { periods: nz(s.nr_periods), throttledPeriods: nz(s.nr_throttled), throttledTime: nz((s.throttled_usec ?? 0n) * 1000n) };
  } else {
    const acct = v1('cpuacct');
    const ticks = keyValues(read(acct, 'cpuacct.stat'));
    const all = (read(acct, 'cpuacct.usage_all') ?? '')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) =>
        l
          .trim()
          .split(/\s+/)
          .map((x) => BigInt(x)),
      );
    stats.cpu.usage = {
      total: nz(num(read(acct, 'cpuacct.usage'))),
      percpu: nzList(list(read(acct, 'cpuacct.usage_percpu'))),
      percpu_kernel: nzList(all.map((r) => r[2] ?? 0n)),
      percpu_user: nzList(all.map((r) => r[1] ?? 0n)),
      kernel: ((ticks.system ?? 0n) * 1_000_000_000n) / USER_HZ,
      user: ((ticks.user ?? 0n) * 1_000_000_000n) / USER_HZ,
    };
    const s = keyValues(read(v1('cpu'), 'cpu.stat'));
    stats.cpu.throttling = { periods: nz(s.nr_periods), throttledPeriods: nz(s.nr_throttled), throttledTime: nz(s.throttled_time) };
  }

  // cpuset
  const cs = v2 ?? v1('cpuset');
  if (cs) {
    const ids = (t: string | undefined): number[] | undefined => (t && t.trim() ? parseList(t.trim(), 'cpuset') : undefined);
    const flag = (f: string): N => num(read(cs, `cpuset.${f}`)) ?? 0n;
    stats.cpuset = v2
      ? { cpus: ids(read(cs, 'cpuset.cpus.effective')), mems: ids(read(cs, 'cpuset.mems.effective')) }
      : {
          cpus: ids(read(cs, 'cpuset.cpus')),
          cpu_exclusive: flag('cpu_exclusive'),
          mems: ids(read(cs, 'cpuset.mems')),
          mem_hardwall: flag('mem_hardwall'),
          mem_exclusive: flag('mem_exclusive'),
          memory_migrate: flag('memory_migrate'),
          memory_spread_page: flag('memory_spread_page'),
          memory_spread_slab: flag('memory_spread_slab'),
          memory_pressure: flag('memory_pressure'),
          sched_load_balance: flag('sched_load_balance'),
        };
    if (!v2) {
      const relax = read(cs, 'cpuset.sched_relax_domain_level')?.trim();
      // Signed: -1 is the kernel's default.
      stats.cpuset.sched_relax_domain_level = relax && /^-?\d+$/.test(relax) ? Number(relax) : 0;
    }
  }

  // memory
  if (v2) {
    const raw = keyValues(read(v2, 'memory.stat'));
    stats.memory = {
      cache: nz(raw.file),
      usage: { limit: num(read(v2, 'memory.max')) ?? 0n, usage: nz(num(read(v2, 'memory.current'))), failcnt: keyValues(read(v2, 'memory.events')).max ?? 0n },
      swap: { limit: num(read(v2, 'memory.swap.max')) ?? 0n, usage: nz(num(read(v2, 'memory.swap.current'))), failcnt: 0n },
      kernel: { limit: 0n, failcnt: 0n },
      kernelTCP: { limit: 0n, failcnt: 0n },
      ...(Object.keys(raw).length ? { raw } : {}),
    };
  } else {
    const mem = v1('memory');
    const entry = (prefix: string): MemoryEntry => ({
      limit: num(read(mem, `${prefix}.limit_in_bytes`)) ?? 0n,
      usage: nz(num(read(mem, `${prefix}.usage_in_bytes`))),
      max: nz(num(read(mem, `${prefix}.max_usage_in_bytes`))),
      failcnt: num(read(mem, `${prefix}.failcnt`)) ?? 0n,
    });
    const raw = keyValues(read(mem, 'memory.stat'));
    stats.memory = {
      cache: nz(raw.cache),
      usage: entry('memory'),
      swap: entry('memory.memsw'),
      kernel: entry('memory.kmem'),
      kernelTCP: entry('memory.kmem.tcp'),
      ...(Object.keys(raw).length ? { raw } : {}),
    };
  }

  // pids: "max" is no limit, 0 in runc's output.
  const pidsDir = v2 ?? v1('pids');
  const max = read(pidsDir, 'pids.max')?.trim();
  stats.pids = { current: nz(num(read(pidsDir, 'pids.current'))), limit: max === 'max' ? undefined : nz(num(max)) };

  // blkio: CFQ's files when the scheduler fills them, else the throttle ones (runc's choice).
  if (v2) {
    stats.blkio = ioStatEntries(read(v2, 'io.stat'));
  } else {
    const blk = v1('blkio');
    const cfq = blkioEntries(read(blk, 'blkio.io_serviced_recursive'));
    const files: Array<[string, string]> =
      cfq.length > 0
        ? [
            ['ioServiceBytesRecursive', 'blkio.io_service_bytes_recursive'],
            ['ioServicedRecursive', 'blkio.io_serviced_recursive'],
            ['ioQueueRecursive', 'blkio.io_queued_recursive'],
            ['ioServiceTimeRecursive', 'blkio.io_service_time_recursive'],
            ['ioWaitTimeRecursive', 'blkio.io_wait_time_recursive'],
            ['ioMergedRecursive', 'blkio.io_merged_recursive'],
            ['ioTimeRecursive', 'blkio.time_recursive'],
            ['sectorsRecursive', 'blkio.sectors_recursive'],
          ]
        : [
            ['ioServiceBytesRecursive', 'blkio.throttle.io_service_bytes_recursive'],
            ['ioServicedRecursive', 'blkio.throttle.io_serviced_recursive'],
          ];
    for (const [key, file] of files) {
      const e = blkioEntries(read(blk, file));
      if (e.length > 0) stats.blkio[key] = e;
    }
  }

  // hugetlb
  const huge = v2 ?? v1('hugetlb');
  if (huge) {
    for (const size of hugePageSizes()) {
      const base = `hugetlb.${size}`;
      const usage = num(read(huge, v2 ? `${base}.current` : `${base}.usage_in_bytes`));
      if (usage === undefined) continue;
      stats.hugetlb[size] = {
        usage: nz(usage),
        max: nz(v2 ? undefined : num(read(huge, `${base}.max_usage_in_bytes`))),
        failcnt: (v2 ? keyValues(read(huge, `${base}.events`)).max : num(read(huge, `${base}.failcnt`))) ?? 0n,
      };
    }
  }
  return stats;
}

/** The resource usage of a container's cgroups (those still there), for `events --stats`. */
export function cgroupStats(cg: Cgroups): Stats {
  return readStats(
    cg.fs,
    cg.dirs.filter((d) => cg.fs.exists(d.dir)),
    cg.mode,
  );
}
