// Static rules for devices, network devices and cgroup resources (config-linux.md).
import { entries, isInt, isObject, list, type Finding, type Rule } from './rule.js';

export const deviceResourceRules: Rule[] = [
  {
    id: 'devices.major-minor',
    spec: 'config-linux.md#configLinuxDevices',
    level: 'error',
    // "major, minor (int64, REQUIRED unless type is p)".
    check: (c) =>
      list(c.linux?.devices).flatMap((d, i) =>
        isObject(d) && d.type !== 'p'
          ? (['major', 'minor'] as const)
              .filter((k) => d[k] === undefined)
              .map((k) => ({ path: ['linux', 'devices', i, k], message: `is required for a device of type ${String(d.type)}` }))
          : [],
      ),
  },
  {
    id: 'devices.duplicate',
    spec: 'config-linux.md#configLinuxDevices',
    level: 'warning',
    // "The same type, major and minor SHOULD NOT be used for multiple devices."
    check: (c) => {
      const seen = new Map<string, number>();
      return list(c.linux?.devices).flatMap((d, i): Finding[] => {
        if (!isObject(d) || d.type === 'p') return [];
        const key = `${String(d.type)} ${String(d.major)}:${String(d.minor)}`;
        const first = seen.get(key);
        if (first === undefined) {
          seen.set(key, i);
          return [];
        }
        return [{ path: ['linux', 'devices', i], message: `uses the same type, major and minor as linux.devices[${first}]` }];
      });
    },
  },
  {
    id: 'netDevices.name.unique',
    spec: 'config-linux.md#configLinuxNetworkDevices',
    level: 'error',
    // "If a network device with the specified name already exists in the container
    // namespace, the runtime MUST generate an error, unless ... %d": two entries that land
    // on the same name in the container cannot both be moved.
    check: (c) => {
      const seen = new Set<string>();
      return entries(c.linux?.netDevices).flatMap(([host, d]): Finding[] => {
        const name = isObject(d) && typeof d.name === 'string' ? d.name : host;
        if (name.includes('%d')) return [];
        if (seen.has(name)) return [{ path: ['linux', 'netDevices', host], message: `lands on the name ${name}, which another entry already uses in the container` }];
        seen.add(name);
        return [];
      });
    },
  },
  {
    id: 'resources.cpu.burst',
    spec: 'config-linux.md#configLinuxCPU',
    level: 'error',
    // quota: "If specified with any (valid) positive value, it MUST be no smaller than burst".
    check: (c) => {
      const cpu = c.linux?.resources?.cpu;
      return isObject(cpu) && isInt(cpu.quota) && isInt(cpu.burst) && cpu.quota > 0 && cpu.burst > cpu.quota
        ? [{ path: ['linux', 'resources', 'cpu', 'burst'], message: 'must not be larger than quota' }]
        : [];
    },
  },
  {
    id: 'resources.blockIO.weightDevice',
    spec: 'config-linux.md#configLinuxBlockIO',
    level: 'error',
    // "You MUST specify at least one of weight or leafWeight in a given entry".
    check: (c) =>
      list(c.linux?.resources?.blockIO?.weightDevice).flatMap((w, i) =>
        isObject(w) && w.weight === undefined && w.leafWeight === undefined
          ? [{ path: ['linux', 'resources', 'blockIO', 'weightDevice', i], message: 'needs weight or leafWeight' }]
          : [],
      ),
  },
  {
    id: 'resources.rdma.entry',
    spec: 'config-linux.md#configLinuxRDMA',
    level: 'error',
    // "You MUST specify at least one of the hcaHandles or hcaObjects in a given entry".
    check: (c) =>
      entries(c.linux?.resources?.rdma).flatMap(([device, r]) =>
        isObject(r) && r.hcaHandles === undefined && r.hcaObjects === undefined
          ? [{ path: ['linux', 'resources', 'rdma', device], message: 'needs hcaHandles or hcaObjects' }]
          : [],
      ),
  },
  {
    id: 'resources.unified.key',
    spec: 'config-linux.md#configLinuxUnified',
    level: 'error',
    // "Each key in the map refers to a file in the cgroup unified hierarchy": a file name
    // in the container's cgroup, never a path that could leave it.
    check: (c) =>
      entries(c.linux?.resources?.unified)
        .filter(([key]) => key === '' || key === '.' || key === '..' || key.includes('/') || key.includes('\0'))
        .map(([key]) => ({ path: ['linux', 'resources', 'unified', key], message: 'must be the name of a file in the cgroup, not a path' })),
  },
];
