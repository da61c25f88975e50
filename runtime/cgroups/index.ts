// The cgroups piece of the runtime, and what `features` reports about it.
export { Cgroups, type CgroupsState, type SignalFn } from './manager.js';
export { ResourceCgroups, type CgroupsPlanOptions } from './resources.js';
export { cgroupStats } from './stats.js';
export type { Freezer, FreezerState } from './freezer.js';
export { CgroupError, hostCgroupFs, realCgroupFs, type CgroupFs } from './fs.js';
export { detectHost, type CgroupDir, type HostCgroups } from './host.js';
export { DEFAULT_PARENT, resolveCgroupsPath } from './path.js';
export { blkioToIoWeight, sharesToWeight } from './v2.js';
export { DEFAULT_DEVICE_RULES } from './v1.js';
export type { LinuxResources } from './types.js';

/** Controllers whose linux.resources fields this runtime applies (v1 names; v2 uses cpu, cpuset, memory, pids, io, hugetlb, rdma). */
export const SUPPORTED_CONTROLLERS: readonly string[] = ['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'io', 'hugetlb', 'devices', 'net_cls', 'net_prio', 'rdma'];

/** For `features`: linux.cgroup. */
export const CGROUP_FEATURES = { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true } as const;
