// linux.resources → cgroup v1 file writes, in the order they must happen.
import { ConfigError } from '../errors.js';
import type { CgroupWrite, PlanView } from './plan-types.js';
import type { LinuxDeviceCgroup, LinuxResources } from './types.js';
import { cpuList, dev, deviceRule, int, limit, pageSize, parseBytes, rdmaValue } from './values.js';

const R = 'linux.resources';

/**
 * The devices the runtime MUST supply (config-linux.md, Default Devices) stay usable
 * whatever the list denies: allowed after it, as runc does. /dev/console is a pty, 136:*.
 */
export const DEFAULT_DEVICES: readonly LinuxDeviceCgroup[] = [
  [1, 3], // null
  [1, 5], // zero
  [1, 7], // full
  [1, 8], // random
  [1, 9], // urandom
  [5, 0], // tty
  [5, 2], // ptmx
  [136, -1], // pts, console
].map(([major, minor]) => ({ allow: true, type: 'c', major, minor, access: 'rwm' }));

/** The same in v1's devices.allow syntax (`c 1:3 rwm`). */
export const DEFAULT_DEVICE_RULES: readonly string[] = DEFAULT_DEVICES.map((d) => deviceRule(d, 'default device'));

export function planV1(r: LinuxResources, view: PlanView): CgroupWrite[] {
  const out: CgroupWrite[] = [];
  const w = (controller: string, file: string, value: string, field: string, verify?: CgroupWrite['verify']): void => {
    out.push({ controller, file, value, field, ...(verify ? { verify } : {}) });
  };

  if (r.cpu?.cpus !== undefined) w('cpuset', 'cpuset.cpus', cpuList(r.cpu.cpus, `${R}.cpu.cpus`), `${R}.cpu.cpus`);
  if (r.cpu?.mems !== undefined) w('cpuset', 'cpuset.mems', cpuList(r.cpu.mems, `${R}.cpu.mems`), `${R}.cpu.mems`);

  // The spec: entries MUST be applied in the listed order.
  r.devices?.forEach((d, i) => {
    const field = `${R}.devices[${i}]`;
    if (typeof d.allow !== 'boolean') throw new ConfigError(`${field}.allow`, 'must be true or false');
    w('devices', d.allow ? 'devices.allow' : 'devices.deny', deviceRule(d, field), field);
  });
  if (r.devices?.length) {
    for (const rule of DEFAULT_DEVICE_RULES) w('devices', 'devices.allow', rule, `${R}.devices (default devices)`);
  }

  planMemory(r, view, w);
  planCpu(r, w);

  if (r.pids?.limit !== undefined) w('pids', 'pids.max', limit(r.pids.limit, `${R}.pids.limit`, 'max'), `${R}.pids.limit`);

  planBlkio(r, view, w);

  r.hugepageLimits?.forEach((h, i) => {
    const field = `${R}.hugepageLimits[${i}]`;
    const size = pageSize(h.pageSize, `${field}.pageSize`);
    const value = String(int(h.limit, `${field}.limit`, 0));
    w('hugetlb', `hugetlb.${size}.limit_in_bytes`, value, field);
    // Where the kernel has reservation accounting, the spec wants it limited too.
    if (view.has('hugetlb', `hugetlb.${size}.rsvd.limit_in_bytes`)) w('hugetlb', `hugetlb.${size}.rsvd.limit_in_bytes`, value, field);
  });

  if (r.network?.classID !== undefined) {
    w('net_cls', 'net_cls.classid', String(int(r.network.classID, `${R}.network.classID`, 0, 0xffffffff)), `${R}.network.classID`);
  }
  r.network?.priorities?.forEach((p, i) => {
    const field = `${R}.network.priorities[${i}]`;
    if (typeof p.name !== 'string' || !/^[^\s/]+$/.test(p.name)) throw new ConfigError(`${field}.name`, `is not an interface name: ${JSON.stringify(p.name)}`);
    w('net_prio', 'net_prio.ifpriomap', `${p.name} ${int(p.priority, `${field}.priority`, 0, 0xffffffff)}`, field);
  });

  for (const [name, v] of Object.entries(r.rdma ?? {})) {
    w('rdma', 'rdma.max', rdmaValue(name, v, `${R}.rdma.${name}`), `${R}.rdma.${name}`);
  }
  return out;
}

type Emit = (controller: string, file: string, value: string, field: string, verify?: CgroupWrite['verify']) => void;

function planMemory(r: LinuxResources, view: PlanView, w: Emit): void {
  const m = r.memory;
  if (!m) return;
  const M = `${R}.memory`;
  const mem = m.limit === undefined ? undefined : limit(m.limit, `${M}.limit`, '-1');
  let swap = m.swap === undefined ? undefined : limit(m.swap, `${M}.swap`, '-1');
  // As runc: an unlimited memory limit with no swap setting unlimits memory+swap too,
  // or the kernel would refuse memory above the current memsw limit.
  if (m.limit === -1 && m.swap === undefined && view.has('memory', 'memory.memsw.limit_in_bytes')) swap = '-1';
  if (m.limit !== undefined && m.swap !== undefined && m.swap !== -1 && (m.limit === -1 || m.swap < m.limit)) {
    throw new ConfigError(`${M}.swap`, `memory+swap (${m.swap}) must not be below the memory limit (${m.limit})`);
  }

  if (mem !== undefined && swap !== undefined) {
    // v1 keeps memsw ≥ memory at every moment: raise memsw first when the new
    // memory limit would not fit under the current memsw limit.
    const current = parseBytes(view.read('memory', 'memory.memsw.limit_in_bytes'));
    const newMem = mem === '-1' ? 1n << 63n : BigInt(mem);
    if (current === undefined || newMem > current) {
      w('memory', 'memory.memsw.limit_in_bytes', swap, `${M}.swap`, 'bytes');
      w('memory', 'memory.limit_in_bytes', mem, `${M}.limit`, 'bytes');
    } else {
      w('memory', 'memory.limit_in_bytes', mem, `${M}.limit`, 'bytes');
      w('memory', 'memory.memsw.limit_in_bytes', swap, `${M}.swap`, 'bytes');
    }
  } else if (mem !== undefined) {
    w('memory', 'memory.limit_in_bytes', mem, `${M}.limit`, 'bytes');
  } else if (swap !== undefined) {
    w('memory', 'memory.memsw.limit_in_bytes', swap, `${M}.swap`, 'bytes');
  }
  if (m.reservation !== undefined) w('memory', 'memory.soft_limit_in_bytes', limit(m.reservation, `${M}.reservation`, '-1'), `${M}.reservation`, 'bytes');
  if (m.kernel !== undefined) w('memory', 'memory.kmem.limit_in_bytes', limit(m.kernel, `${M}.kernel`, '-1'), `${M}.kernel`, 'bytes');
  if (m.kernelTCP !== undefined) w('memory', 'memory.kmem.tcp.limit_in_bytes', limit(m.kernelTCP, `${M}.kernelTCP`, '-1'), `${M}.kernelTCP`, 'bytes');
  if (m.swappiness !== undefined) w('memory', 'memory.swappiness', String(int(m.swappiness, `${M}.swappiness`, 0, 100)), `${M}.swappiness`);
  if (m.disableOOMKiller !== undefined) w('memory', 'memory.oom_control', m.disableOOMKiller ? '1' : '0', `${M}.disableOOMKiller`);
  if (m.useHierarchy !== undefined) w('memory', 'memory.use_hierarchy', m.useHierarchy ? '1' : '0', `${M}.useHierarchy`);
  // checkBeforeUpdate: v1 itself refuses a limit below the usage (EBUSY), so nothing to do.
}

function planCpu(r: LinuxResources, w: Emit): void {
  const c = r.cpu;
  if (!c) return;
  const C = `${R}.cpu`;
  // The kernel clamps shares into 2..262144 without an error: read it back.
  if (c.shares !== undefined) w('cpu', 'cpu.shares', String(int(c.shares, `${C}.shares`, 0)), `${C}.shares`, 'exact');
  if (c.quota !== undefined && c.quota !== -1) int(c.quota, `${C}.quota`, 1);
  if (c.burst !== undefined && c.quota !== undefined && c.quota > 0 && c.burst > c.quota) {
    throw new ConfigError(`${C}.burst`, `must not be larger than quota (${c.quota})`);
  }
  // Period before quota, and rt period before rt runtime: the kernel checks each
  // write against the other value of the pair.
  if (c.period !== undefined) w('cpu', 'cpu.cfs_period_us', String(int(c.period, `${C}.period`, 1)), `${C}.period`);
  if (c.quota !== undefined) w('cpu', 'cpu.cfs_quota_us', String(c.quota), `${C}.quota`);
  if (c.burst !== undefined) w('cpu', 'cpu.cfs_burst_us', String(int(c.burst, `${C}.burst`, 0)), `${C}.burst`);
  if (c.realtimePeriod !== undefined) w('cpu', 'cpu.rt_period_us', String(int(c.realtimePeriod, `${C}.realtimePeriod`, 1)), `${C}.realtimePeriod`);
  if (c.realtimeRuntime !== undefined) w('cpu', 'cpu.rt_runtime_us', String(int(c.realtimeRuntime, `${C}.realtimeRuntime`, -1)), `${C}.realtimeRuntime`);
  if (c.idle !== undefined) w('cpu', 'cpu.idle', String(int(c.idle, `${C}.idle`, 0, 1)), `${C}.idle`);
}

function planBlkio(r: LinuxResources, view: PlanView, w: Emit): void {
  const b = r.blockIO;
  if (!b) return;
  const B = `${R}.blockIO`;
  // CFQ's files, or BFQ's where CFQ is gone (kernels ≥ 5.0): same values, same syntax.
  const cfq = view.has('blkio', 'blkio.weight') || !view.has('blkio', 'blkio.bfq.weight');
  const weightFile = cfq ? 'blkio.weight' : 'blkio.bfq.weight';
  const weightDeviceFile = cfq ? 'blkio.weight_device' : 'blkio.bfq.weight_device';
  if (b.weight !== undefined) w('blkio', weightFile, String(int(b.weight, `${B}.weight`, 1, 1000)), `${B}.weight`);
  if (b.leafWeight !== undefined) w('blkio', 'blkio.leaf_weight', String(int(b.leafWeight, `${B}.leafWeight`, 1, 1000)), `${B}.leafWeight`);
  b.weightDevice?.forEach((d, i) => {
    const field = `${B}.weightDevice[${i}]`;
    if (d.weight === undefined && d.leafWeight === undefined) throw new ConfigError(field, 'must set weight, leafWeight or both');
    const id = dev(d.major, d.minor, field);
    if (d.weight !== undefined) w('blkio', weightDeviceFile, `${id} ${int(d.weight, `${field}.weight`, 1, 1000)}`, field);
    if (d.leafWeight !== undefined) w('blkio', 'blkio.leaf_weight_device', `${id} ${int(d.leafWeight, `${field}.leafWeight`, 1, 1000)}`, field);
  });
  const throttles = [
    ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
    ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
    ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
    ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
  ] as const;
  for (const [key, file] of throttles) {
    b[key]?.forEach((d, i) => {
      const field = `${B}.${key}[${i}]`;
      w('blkio', file, `${dev(d.major, d.minor, field)} ${int(d.rate, `${field}.rate`, 0)}`, field);
    });
  }
}
