// Static rules for seccomp, Intel RDT, the memory policy and the personality (config-linux.md).
import { SECCOMP_ACTIONS_WITH_ERRNO, type SeccompAction } from '../enums.js';
import { isInt, isObject, list, type Finding, type Rule } from './rule.js';

const takesErrno = (action: unknown) => SECCOMP_ACTIONS_WITH_ERRNO.includes(action as SeccompAction);

/** set_mempolicy(2): modes that take no nodes, and modes that need at least one. */
const MODES_WITHOUT_NODES = new Set(['MPOL_DEFAULT', 'MPOL_LOCAL']);
const MODES_WITH_NODES = new Set(['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED_MANY']);

export const securityRules: Rule[] = [
  {
    id: 'seccomp.listenerMetadata',
    spec: 'config-linux.md#configLinuxSeccomp',
    requirement: 'config-linux:seccomp.listener-metadata.needs-path',
    level: 'error',
    // listenerMetadata: "This field MUST NOT be set if listenerPath is not set."
    check: (c) => {
      const s = c.linux?.seccomp;
      return isObject(s) && s.listenerMetadata !== undefined && s.listenerPath === undefined
        ? [{ path: ['linux', 'seccomp', 'listenerMetadata'], message: 'must not be set without listenerPath' }]
        : [];
    },
  },
  {
    id: 'seccomp.errnoRet',
    spec: 'config-linux.md#configLinuxSeccomp',
    requirement: 'config-linux:seccomp.syscalls.errno-unsupported',
    level: 'error',
    // errnoRet/defaultErrnoRet: "When the action doesn't support an errno, the runtime MUST
    // print and error and fail." Only SCMP_ACT_ERRNO and SCMP_ACT_TRACE take one.
    check: (c) => {
      const s = c.linux?.seccomp;
      if (!isObject(s)) return [];
      const out: Finding[] = [];
      if (s.defaultErrnoRet !== undefined && !takesErrno(s.defaultAction)) {
        out.push({ path: ['linux', 'seccomp', 'defaultErrnoRet'], message: `is not allowed with defaultAction ${String(s.defaultAction)}` });
      }
      list(s.syscalls).forEach((sc, i) => {
        if (isObject(sc) && sc.errnoRet !== undefined && !takesErrno(sc.action)) {
          out.push({ path: ['linux', 'seccomp', 'syscalls', i, 'errnoRet'], message: `is not allowed with action ${String(sc.action)}` });
        }
      });
      return out;
    },
  },
  {
    id: 'seccomp.notify.listener',
    spec: 'config-linux.md#configLinuxSeccomp',
    requirement: 'config-linux:seccomp.listener.seccomp-fd',
    level: 'warning',
    affectsRun: true,
    // listenerPath is where "the runtime will send the container process state ... when
    // the SCMP_ACT_NOTIFY action is used": without it no agent can answer the notifications.
    check: (c) => {
      const s = c.linux?.seccomp;
      if (!isObject(s) || s.listenerPath !== undefined) return [];
      const notify = s.defaultAction === 'SCMP_ACT_NOTIFY' || list(s.syscalls).some((sc) => isObject(sc) && sc.action === 'SCMP_ACT_NOTIFY');
      return notify ? [{ path: ['linux', 'seccomp', 'listenerPath'], message: 'should be set when SCMP_ACT_NOTIFY is used' }] : [];
    },
  },
  {
    id: 'seccomp.args.index',
    spec: 'config-linux.md#configLinuxSeccomp',
    requirement: 'config-linux:seccomp.syscalls.args',
    level: 'error',
    // index is "the index for syscall arguments": a system call has six (seccomp(2), struct seccomp_data).
    check: (c) =>
      list(c.linux?.seccomp?.syscalls).flatMap((sc, i) =>
        list(isObject(sc) ? sc.args : undefined).flatMap((a, j) =>
          isObject(a) && isInt(a.index) && a.index > 5
            ? [{ path: ['linux', 'seccomp', 'syscalls', i, 'args', j, 'index'], message: 'must be from 0 to 5: a system call has six arguments' }]
            : [],
        ),
      ),
  },
  {
    id: 'intelRdt.memBwSchema',
    spec: 'config-linux.md#configLinuxIntelRdt',
    requirement: 'config-linux:intel-rdt.mem-bw-prefix',
    level: 'error',
    // memBwSchema: "The value MUST start with MB: and MUST NOT contain newlines."
    check: (c) => {
      const v = c.linux?.intelRdt?.memBwSchema;
      return typeof v === 'string' && (!v.startsWith('MB:') || v.includes('\n'))
        ? [{ path: ['linux', 'intelRdt', 'memBwSchema'], message: 'must start with MB: and be one line' }]
        : [];
    },
  },
  {
    id: 'intelRdt.l3CacheSchema',
    spec: 'config-linux.md#configLinuxIntelRdt',
    requirement: 'config-linux:intel-rdt.l3-prefix',
    level: 'warning',
    // l3CacheSchema: "The value SHOULD start with L3: and SHOULD NOT contain newlines."
    check: (c) => {
      const v = c.linux?.intelRdt?.l3CacheSchema;
      return typeof v === 'string' && (!v.startsWith('L3:') || v.includes('\n'))
        ? [{ path: ['linux', 'intelRdt', 'l3CacheSchema'], message: 'should start with L3: and be one line' }]
        : [];
    },
  },
  {
    id: 'intelRdt.schemata',
    spec: 'config-linux.md#configLinuxIntelRdt',
    requirement: 'config-linux:intel-rdt.schemata-no-newline',
    level: 'error',
    // schemata: "Each element represents one line ... The value MUST NOT contain newlines."
    check: (c) =>
      list(c.linux?.intelRdt?.schemata).flatMap((line, i) =>
        typeof line === 'string' && line.includes('\n')
          ? [{ path: ['linux', 'intelRdt', 'schemata', i], message: 'must not contain a newline (one entry per line)' }]
          : [],
      ),
  },
  {
    id: 'memoryPolicy.nodes',
    spec: 'config-linux.md#configLinuxMemoryPolicy',
    requirement: 'config-linux:memory-policy.applied',
    level: 'error',
    // nodes: "Some modes require that there are no nodes, e.g. MPOL_DEFAULT and MPOL_LOCAL.
    // Others that there is at least one node, e.g. MPOL_BIND and MPOL_INTERLEAVE."
    check: (c) => {
      const p = c.linux?.memoryPolicy;
      if (!isObject(p) || typeof p.mode !== 'string') return [];
      const hasNodes = typeof p.nodes === 'string' && p.nodes !== '';
      if (MODES_WITHOUT_NODES.has(p.mode) && hasNodes) return [{ path: ['linux', 'memoryPolicy', 'nodes'], message: `must be empty for ${p.mode}` }];
      if (MODES_WITH_NODES.has(p.mode) && !hasNodes)
        return [{ path: ['linux', 'memoryPolicy', 'nodes'], message: `must name at least one node for ${p.mode}` }];
      return [];
    },
  },
  {
    id: 'personality.flags',
    spec: 'config-linux.md#configLinuxPersonality',
    requirement: 'config-linux:personality.no-flags',
    level: 'error',
    // flags: "Currently no flag values are supported": any entry is a value no runtime may take.
    check: (c) =>
      list(c.linux?.personality?.flags).length ? [{ path: ['linux', 'personality', 'flags'], message: 'must be empty: no personality flag is supported' }] : [],
  },
];
