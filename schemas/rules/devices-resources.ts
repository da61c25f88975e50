// Static rules for devices, network devices and cgroup resources (config-linux.md).
import { lstatSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { entries, isInt, isObject, list, type Finding, type Rule } from './rule.js';

const S_IFMT = 0o170000;
const DEVICE_TYPE: Record<string, number> = { c: 0o020000, u: 0o020000, b: 0o060000, p: 0o010000 };
const major = (dev: number): number => ((dev >> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
const minor = (dev: number): number => (dev & 0xff) | ((dev >> 12) & ~0xff);

/**
 * What is at `path` inside the bundle's rootfs that a device there would conflict with:
 * a file of another kind or number, or a file where a directory on the way should be.
 * Undefined when nothing is there, or a symlink on the way makes it the runtime's to
 * resolve.
 */
function conflictAt(rootfs: string, path: string, d: Record<string, unknown>): string | undefined {
  const parts = posix.normalize(posix.join('/', path)).split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const at = `/${parts.slice(0, i).join('/')}`;
    let st;
    try {
      st = lstatSync(posix.join(rootfs, at));
    } catch {
      return undefined;
    }
    const last = i === parts.length;
    if (!last) {
      if (st.isSymbolicLink()) return undefined;
      if (!st.isDirectory()) return `${at} in the rootfs is a file, not a directory`;
      continue;
    }
    const type = (st.mode & S_IFMT) === DEVICE_TYPE[String(d.type)];
    const numbers = d.type === 'p' || (major(st.rdev) === d.major && minor(st.rdev) === d.minor);
    return type && numbers ? undefined : `a file that is not this device is already at ${at} in the rootfs`;
  }
  return undefined;
}

export const deviceResourceRules: Rule[] = [
  {
    id: 'devices.major-minor',
    spec: 'config-linux.md#configLinuxDevices',
    requirement: 'config-linux:devices.required-fields',
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
    id: 'devices.numbers',
    spec: 'config-linux.md#configLinuxDevices',
    requirement: 'config-linux:devices.type',
    level: 'error',
    // The node MUST have the given major and minor: Linux device numbers have 12 bits of
    // major and 20 of minor (a negative one is none at all).
    check: (c) =>
      list(c.linux?.devices).flatMap((d, i): Finding[] =>
        isObject(d) && d.type !== 'p'
          ? (
              [
                ['major', 0xfff],
                ['minor', 0xfffff],
              ] as const
            )
              .filter(([k, max]) => isInt(d[k]) && ((d[k] as number) < 0 || (d[k] as number) > max))
              .map(([k, max]) => ({ path: ['linux', 'devices', i, k], message: `must be from 0 to ${max} (a Linux device number)` }))
          : [],
      ),
  },
  {
    id: 'devices.path-conflict',
    spec: 'config-linux.md#configLinuxDevices',
    requirement: 'config-linux:devices.path-conflict-error',
    level: 'error',
    // "If a file already exists at path that does not match the requested device, the
    // runtime MUST generate an error." Known from the bundle when no mount covers the path
    // (mounts are made before devices).
    check: (c, ctx) => {
      const path = c.root?.path;
      if (ctx.bundleDir === undefined || ctx.windows || typeof path !== 'string') return [];
      const rootfs = resolve(ctx.bundleDir, path);
      const covered = (p: string) =>
        list(c.mounts).some(
          (m) => isObject(m) && typeof m.destination === 'string' && (p + '/').startsWith(posix.normalize(posix.join('/', m.destination, '/'))),
        );
      return list(c.linux?.devices).flatMap((d, i): Finding[] => {
        if (!isObject(d) || typeof d.path !== 'string' || !d.path.startsWith('/') || covered(posix.normalize(d.path))) return [];
        const why = conflictAt(rootfs, d.path, d);
        return why ? [{ path: ['linux', 'devices', i, 'path'], message: why }] : [];
      });
    },
  },
  {
    id: 'devices.duplicate',
    spec: 'config-linux.md#configLinuxDevices',
    requirement: 'config-linux:devices.no-duplicates',
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
    requirement: 'config-linux:net-devices.name-conflict-error',
    level: 'error',
    // "If a network device with the specified name already exists in the container
    // namespace, the runtime MUST generate an error, unless ... %d": two entries that land
    // on the same name in the container cannot both be moved.
    check: (c) => {
      const seen = new Set<string>();
      return entries(c.linux?.netDevices).flatMap(([host, d]): Finding[] => {
        const name = isObject(d) && typeof d.name === 'string' ? d.name : host;
        if (name.includes('%d')) return [];
        if (seen.has(name))
          return [{ path: ['linux', 'netDevices', host], message: `lands on the name ${name}, which another entry already uses in the container` }];
        seen.add(name);
        return [];
      });
    },
  },
  {
    id: 'resources.cpu.burst',
    spec: 'config-linux.md#configLinuxCPU',
    requirement: 'config-linux:resources.cpu.burst-quota-error',
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
    requirement: 'config-linux:resources.block-io.weight-device.one-of',
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
    requirement: 'config-linux:resources.rdma.one-of',
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
    requirement: 'config-linux:resources.unified.write',
    level: 'error',
    // "Each key in the map refers to a file in the cgroup unified hierarchy": a file name
    // in the container's cgroup, never a path that could leave it.
    check: (c) =>
      entries(c.linux?.resources?.unified)
        .filter(([key]) => key === '' || key === '.' || key === '..' || key.includes('/') || key.includes('\0'))
        .map(([key]) => ({ path: ['linux', 'resources', 'unified', key], message: 'must be the name of a file in the cgroup, not a path' })),
  },
];
