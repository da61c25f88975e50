// linux.resources → cgroup v2 file writes. Values the spec defines in v1 terms are
// converted the way runc does (libcontainer/cgroups/utils.go), so that the same
// config gives the same numbers under both runtimes:
//   cpu.weight = 1 + ((shares - 2) * 9999) / 262142          (shares 1024 → 39)
//   io.weight  = 1 + ((weight - 10) * 9999) / 990            (blkio 500 → 4950; BFQ's io.bfq.weight takes the v1 value as is)
//   memory.swap.max = swap - limit                           (v1 counts memory+swap, v2 swap alone)
// crun ≥ 1.23 maps shares to cpu.weight on a different (logarithmic) curve; we keep runc's.
// Settings v2 has no file for are errors unless they ask for what v2 does anyway.
import { ConfigError } from '../errors.js';
import type { CgroupWrite, PlanView } from './plan-types.js';
import type { LinuxResources } from './types.js';
import { compileDeviceFilter } from './devicefilter.js';
import { DEFAULT_DEVICES } from './v1.js';
import { cpuList, dev, deviceMatch, int, limit, pageSize, parseBytes, rdmaValue } from './values.js';

const R = 'linux.resources';

export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

export function blkioToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/** A unified key names a file in the container's cgroup directory, nothing else. */
export function unifiedController(key: string, field: string): string {
  if (!/^[A-Za-z0-9_]+\.[A-Za-z0-9_.]+$/.test(key) || key.includes('..')) {
    throw new ConfigError(field, `${JSON.stringify(key)} is not a cgroup file name`);
  }
  return key.slice(0, key.indexOf('.'));
}

/** linux.resources.devices as a cgroup device program (./devicefilter.ts), or undefined without rules. */
export function deviceProgram(r: LinuxResources): Uint8Array | undefined {
  if (!r.devices?.length) return undefined;
  const defaults = DEFAULT_DEVICES.map((d) => deviceMatch(d, 'default device'));
  return compileDeviceFilter(
    r.devices.map((d, i) => deviceMatch(d, `${R}.devices[${i}]`)),
    defaults,
  );
}

export function planV2(r: LinuxResources, view: PlanView): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const w = (file: string, value: string, field: string): void => {
    out.push({ controller: file.slice(0, file.indexOf('.')), file, value, field });
  };
  const unsupported = (field: string, why: string): never => {
    throw new ConfigError(field, `not supported on cgroup v2: ${why}`);
  };

  // Device rules are no file writes on v2: see deviceProgram (an eBPF program); checked here.
  r.devices?.forEach((d, i) => deviceMatch(d, `${R}.devices[${i}]`));

  if (r.cpu?.cpus !== undefined) w('cpuset.cpus', cpuList(r.cpu.cpus, `${R}.cpu.cpus`), `${R}.cpu.cpus`);
  if (r.cpu?.mems !== undefined) w('cpuset.mems', cpuList(r.cpu.mems, `${R}.cpu.mems`), `${R}.cpu.mems`);

  const m = r.memory;
  if (m) {
    const M = `${R}.memory`;
    if (m.limit !== undefined) {
      const value = limit(m.limit, `${M}.limit`, 'max');
      if (m.checkBeforeUpdate && value !== 'max') {
        // v1's kernel refuses a limit under the usage; v2 would OOM-kill instead.
        const usage = parseBytes(view.read('memory', 'memory.current'));
        if (usage !== undefined && BigInt(value) < usage) {
          throw new ConfigError(`${M}.limit`, `${value} is below the current usage ${usage} (checkBeforeUpdate)`);
        }
      }
      w('memory.max', value, `${M}.limit`);
    }
    if (m.swap !== undefined) {
      let swap: string;
      if (m.swap === -1) swap = 'max';
      else {
        int(m.swap, `${M}.swap`, 0);
        if (m.limit === undefined || m.limit === -1) throw new ConfigError(`${M}.swap`, 'a memory+swap limit needs a memory limit on cgroup v2');
        if (m.swap < m.limit) throw new ConfigError(`${M}.swap`, `memory+swap (${m.swap}) must not be below the memory limit (${m.limit})`);
        swap = String(m.swap - m.limit);
      }
      w('memory.swap.max', swap, `${M}.swap`);
    } else if (m.limit === -1 && view.has('memory', 'memory.swap.max')) {
      w('memory.swap.max', 'max', `${M}.limit`); // as on v1: unlimited memory unlimits swap too
    }
    if (m.reservation !== undefined) w('memory.low', limit(m.reservation, `${M}.reservation`, 'max'), `${M}.reservation`);
    if (m.kernel !== undefined && m.kernel !== -1) unsupported(`${M}.kernel`, 'there is no separate kernel memory limit');
    if (m.kernelTCP !== undefined && m.kernelTCP !== -1) unsupported(`${M}.kernelTCP`, 'there is no separate kernel TCP memory limit');
    if (m.swappiness !== undefined) unsupported(`${M}.swappiness`, 'there is no per-cgroup swappiness');
    if (m.disableOOMKiller === true) unsupported(`${M}.disableOOMKiller`, 'the OOM killer cannot be disabled per cgroup');
    if (m.useHierarchy === false) unsupported(`${M}.useHierarchy`, 'accounting is always hierarchical');
  }

  const c = r.cpu;
  if (c) {
    const C = `${R}.cpu`;
    if (c.shares !== undefined) w('cpu.weight', String(sharesToWeight(int(c.shares, `${C}.shares`, 2, 262144))), `${C}.shares`);
    if (c.quota !== undefined || c.period !== undefined) {
      if (c.quota !== undefined && c.quota !== -1) int(c.quota, `${C}.quota`, 1);
      const quota = c.quota === undefined || c.quota === -1 ? 'max' : String(c.quota);
      const period = c.period === undefined ? '' : ` ${int(c.period, `${C}.period`, 1)}`;
      w('cpu.max', `${quota}${period}`, c.quota !== undefined ? `${C}.quota` : `${C}.period`);
    }
    if (c.burst !== undefined) {
      if (c.quota !== undefined && c.quota > 0 && c.burst > c.quota) throw new ConfigError(`${C}.burst`, `must not be larger than quota (${c.quota})`);
      w('cpu.max.burst', String(int(c.burst, `${C}.burst`, 0)), `${C}.burst`);
    }
    if (c.realtimeRuntime !== undefined) unsupported(`${C}.realtimeRuntime`, 'the realtime scheduler has no cgroup v2 controller');
    if (c.realtimePeriod !== undefined) unsupported(`${C}.realtimePeriod`, 'the realtime scheduler has no cgroup v2 controller');
    if (c.idle !== undefined) w('cpu.idle', String(int(c.idle, `${C}.idle`, 0, 1)), `${C}.idle`);
  }

  if (r.pids?.limit !== undefined) w('pids.max', limit(r.pids.limit, `${R}.pids.limit`, 'max'), `${R}.pids.limit`);

  const b = r.blockIO;
  if (b) {
    const B = `${R}.blockIO`;
    const bfq = view.has('io', 'io.bfq.weight');
    const weight = (v: number, field: string): string => String(bfq ? int(v, field, 1, 1000) : blkioToIoWeight(int(v, field, 10, 1000)));
    const weightFile = bfq ? 'io.bfq.weight' : 'io.weight';
    if (b.weight !== undefined) w(weightFile, weight(b.weight, `${B}.weight`), `${B}.weight`);
    if (b.leafWeight !== undefined) unsupported(`${B}.leafWeight`, 'io has no leaf weight');
    b.weightDevice?.forEach((d, i) => {
      const field = `${B}.weightDevice[${i}]`;
      if (d.leafWeight !== undefined) unsupported(`${field}.leafWeight`, 'io has no leaf weight');
      if (d.weight === undefined) throw new ConfigError(field, 'must set weight');
      w(weightFile, `${dev(d.major, d.minor, field)} ${weight(d.weight, `${field}.weight`)}`, field);
    });
    const throttles = [
      ['throttleReadBpsDevice', 'rbps'],
      ['throttleWriteBpsDevice', 'wbps'],
      ['throttleReadIOPSDevice', 'riops'],
      ['throttleWriteIOPSDevice', 'wiops'],
    ] as const;
    for (const [key, name] of throttles) {
      b[key]?.forEach((d, i) => {
        const field = `${B}.${key}[${i}]`;
        w('io.max', `${dev(d.major, d.minor, field)} ${name}=${int(d.rate, `${field}.rate`, 0)}`, field);
      });
    }
  }

  r.hugepageLimits?.forEach((h, i) => {
    const field = `${R}.hugepageLimits[${i}]`;
    const size = pageSize(h.pageSize, `${field}.pageSize`);
    const value = String(int(h.limit, `${field}.limit`, 0));
    w(`hugetlb.${size}.max`, value, field);
    if (view.has('hugetlb', `hugetlb.${size}.rsvd.max`)) w(`hugetlb.${size}.rsvd.max`, value, field);
  });

  if (r.network?.classID !== undefined) unsupported(`${R}.network.classID`, 'net_cls has no cgroup v2 controller');
  if (r.network?.priorities?.length) unsupported(`${R}.network.priorities`, 'net_prio has no cgroup v2 controller');

  for (const [name, v] of Object.entries(r.rdma ?? {})) w('rdma.max', rdmaValue(name, v, `${R}.rdma.${name}`), `${R}.rdma.${name}`);

  // Last, so that a unified value wins over one derived from the fields above (runc does the same).
  out.push(...planUnified(r.unified));
  return out;
}

/** linux.resources.unified, written verbatim (the spec: unknown keys too). */
export function planUnified(unified: Record<string, string> | undefined): CgroupWrite[] {
  return Object.entries(unified ?? {}).map(([key, value]) => {
    const field = `${R}.unified[${JSON.stringify(key)}]`;
    if (typeof value !== 'string') throw new ConfigError(field, 'must be a string');
    return { controller: unifiedController(key, field), file: key, value, field };
  });
}
