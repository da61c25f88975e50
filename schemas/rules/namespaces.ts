// Static rules for Linux namespaces and what depends on them: ID mappings, time
// offsets, sysctls (config-linux.md).
import { duplicates, entries, isInt, isObject, list, namespaces, type Finding, type Rule } from './rule.js';

const CLOCKS = new Set(['monotonic', 'boottime']);

/** Sysctls that namespaces(7) scopes to a namespace, and which namespace that is. */
function sysctlNamespace(key: string): string | undefined {
  if (key.startsWith('net.')) return 'network';
  if (/^kernel\.(msg|sem|shm)/.test(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (key === 'kernel.hostname' || key === 'kernel.domainname') return 'uts';
  return undefined;
}

export const namespaceRules: Rule[] = [
  {
    id: 'namespaces.unique',
    spec: 'config-linux.md#configLinuxNamespaces',
    requirement: 'config-linux:namespaces.duplicate-error',
    level: 'error',
    // "If a namespaces field contains duplicated namespaces with same type, the runtime MUST generate an error."
    check: (c) => {
      const nss = list(c.linux?.namespaces);
      return duplicates(nss.map((ns) => (isObject(ns) ? ns.type : undefined))).map((i) => ({
        path: ['linux', 'namespaces', i, 'type'],
        message: `duplicates an earlier ${String(nss[i]?.type)} namespace`,
      }));
    },
  },
  {
    id: 'idmappings.userns',
    spec: 'config-linux.md#configLinuxUserNamespaceMappings',
    requirement: 'config-linux:user-mappings.uid',
    level: 'error',
    // The mappings are "the user namespace uid/gid mappings": with no user namespace
    // there is nothing to apply them to, and the runtime must fail to create that environment.
    check: (c) => {
      if (namespaces(c).has('user')) return [];
      return (['uidMappings', 'gidMappings'] as const)
        .filter((k) => list(c.linux?.[k]).length > 0)
        .map((k) => ({ path: ['linux', k], message: 'needs a user namespace in linux.namespaces' }));
    },
  },
  {
    id: 'idmappings.missing',
    spec: 'config-linux.md#configLinuxUserNamespaceMappings',
    requirement: 'config-linux:user-mappings.uid',
    level: 'warning',
    affectsRun: true,
    // A new user namespace without mappings maps no IDs: every file and the process itself
    // appear as the overflow ID (user_namespaces(7)).
    check: (c) => {
      const user = namespaces(c).get('user');
      if (!user || user.path !== undefined) return [];
      return (['uidMappings', 'gidMappings'] as const)
        .filter((k) => list(c.linux?.[k]).length === 0)
        .map((k) => ({ path: ['linux', k], message: 'should be set for a new user namespace, or no IDs are mapped in it' }));
    },
  },
  {
    id: 'timeOffsets.clock',
    spec: 'config-linux.md#configLinuxTimeOffset',
    requirement: 'config-linux:time-offsets.applied',
    level: 'error',
    // "The name of the clock is the entry key"; time_namespaces(7) offsets only these two.
    check: (c) =>
      entries(c.linux?.timeOffsets)
        .filter(([clock]) => !CLOCKS.has(clock))
        .map(([clock]) => ({ path: ['linux', 'timeOffsets', clock], message: 'must be monotonic or boottime (time_namespaces(7))' })),
  },
  {
    id: 'timeOffsets.nanosecs',
    spec: 'config-linux.md#configLinuxTimeOffset',
    requirement: 'config-linux:time-offsets.applied',
    level: 'error',
    // time_namespaces(7): the nanoseconds part of an offset is below one second.
    check: (c) =>
      entries(c.linux?.timeOffsets).flatMap(([clock, o]): Finding[] =>
        isObject(o) && isInt(o.nanosecs) && o.nanosecs >= 1e9
          ? [{ path: ['linux', 'timeOffsets', clock, 'nanosecs'], message: 'must be below 1000000000 (one second)' }]
          : [],
      ),
  },
  {
    id: 'timeOffsets.timens',
    spec: 'config-linux.md#configLinuxTimeOffset',
    requirement: 'config-linux:time-offsets.applied',
    level: 'warning',
    affectsRun: true,
    // timeOffsets "sets the offset for Time Namespace": offsets can only be written for a
    // new time namespace, before any process enters it (time_namespaces(7)).
    check: (c) => {
      if (entries(c.linux?.timeOffsets).length === 0) return [];
      const time = namespaces(c).get('time');
      return time && time.path === undefined ? [] : [{ path: ['linux', 'timeOffsets'], message: 'should come with a new time namespace (type time, no path)' }];
    },
  },
  {
    id: 'sysctl.namespace',
    spec: 'config-linux.md#configLinuxSysctl',
    requirement: 'config-linux:sysctl.applied',
    level: 'warning',
    affectsRun: true,
    // sysctl is applied "for the container"; a namespaced sysctl without its namespace
    // would change the host's value (namespaces(7)).
    check: (c, ctx) => {
      if (!ctx.linux) return [];
      const have = namespaces(c);
      return entries(c.linux?.sysctl).flatMap(([key]) => {
        const ns = sysctlNamespace(key);
        return ns && !have.has(ns)
          ? [{ path: ['linux', 'sysctl', key], message: `needs a ${ns} namespace in linux.namespaces, or it changes the host's value` }]
          : [];
      });
    },
  },
];
