// config-linux.md "Control groups", memory: each setting read back from the container's
// cgroup after create, or refused where this host cannot take it (resource-case.ts).
import type { Case } from '../../harness/case/case.js';
import { versionOf } from './common.js';
import { memoryExpectation } from './expect.js';
import { kernelAcceptsV1 } from './host.js';
import { MiB, valueCase, refusedCase, swapAccounting } from './resource-case.js';

const memory: Case[] = [
  valueCase({
    id: 'cgroups.memory.limit',
    title: 'memory.limit is the cgroup memory limit',
    requirements: ['config-linux:resources.memory.limit'],
    exercises: ['linux.resources.memory.limit'],
    needs: ['cgroup-controller:memory'],
    controller: 'memory',
    resources: () => ({ memory: { limit: 256 * MiB } }),
    expect: (r, v) => memoryExpectation(r.memory!, v),
  }),
  valueCase({
    id: 'cgroups.memory.reservation',
    title: 'memory.reservation is the cgroup soft limit (v1 soft_limit_in_bytes, v2 memory.low)',
    requirements: ['config-linux:resources.memory.reservation'],
    exercises: ['linux.resources.memory.reservation'],
    needs: ['cgroup-controller:memory'],
    controller: 'memory',
    resources: () => ({ memory: { limit: 256 * MiB, reservation: 128 * MiB } }),
    expect: (r, v) => memoryExpectation(r.memory!, v),
  }),
  valueCase({
    id: 'cgroups.memory.swap',
    title: 'memory.swap is the memory+swap limit (v2: swap.max is swap minus limit)',
    requirements: ['config-linux:resources.memory.swap'],
    exercises: ['linux.resources.memory.swap'],
    needs: ['cgroup-controller:memory'],
    controller: 'memory',
    resources: () => ({ memory: { limit: 256 * MiB, swap: 512 * MiB } }),
    precheck: (t) => {
      if (!swapAccounting(t, versionOf(t, 'memory')))
        t.skip('the kernel does not account swap in the memory cgroup (booted with swapaccount=0 or without swap support)');
    },
    expect: (r, v) => memoryExpectation(r.memory!, v),
  }),
  valueCase({
    id: 'cgroups.memory.swappiness',
    title: 'memory.swappiness is the cgroup swappiness (v2 has none: create must fail)',
    requirements: ['config-linux:resources.memory.swappiness', 'config-linux:resources.unified.v1-conversion-error'],
    refusedBy: 'config-linux:resources.unified.v1-conversion-error',
    exercises: ['linux.resources.memory.swappiness'],
    needs: ['cgroup-controller:memory'],
    controller: 'memory',
    resources: () => ({ memory: { swappiness: 37 } }),
    expect: (r, v) => memoryExpectation(r.memory!, v),
  }),
  valueCase({
    id: 'cgroups.memory.disable-oom-killer',
    title: 'disableOOMKiller true turns the cgroup OOM killer off',
    requirements: ['config-linux:resources.memory.disable-oom-killer', 'config-linux:resources.unified.v1-conversion-error'],
    refusedBy: 'config-linux:resources.unified.v1-conversion-error',
    exercises: ['linux.resources.memory.disableOOMKiller'],
    needs: ['cgroup-controller:memory'],
    controller: 'memory',
    resources: () => ({ memory: { limit: 256 * MiB, disableOOMKiller: true } }),
    expect: (r, v) => memoryExpectation(r.memory!, v),
  }),
  valueCase({
    id: 'cgroups.memory.use-hierarchy-off',
    title: 'useHierarchy false turns hierarchical accounting off, or create fails where the kernel cannot (Linux ≥ 5.16 always accounts hierarchically)',
    requirements: ['config-linux:resources.memory.use-hierarchy', 'runtime:create.apply-fail-error'],
    refusedBy: 'runtime:create.apply-fail-error',
    exercises: ['linux.resources.memory.useHierarchy'],
    needs: ['cgroup-controller:memory'],
    controller: 'memory',
    resources: () => ({ memory: { useHierarchy: false } }),
    expect: (r, v) => memoryExpectation(r.memory!, v),
    applicable: (_t, v) => (v === 1 ? kernelAcceptsV1('memory', [['memory.use_hierarchy', '0']]) : false),
  }),
  refusedCase({
    id: 'cgroups.memory.swap-below-limit',
    exercises: ['linux.resources.memory.swap'],
    title: 'a memory+swap limit below the memory limit cannot be applied: create fails and leaves nothing behind',
    what: 'memory.swap (128 MiB) below memory.limit (256 MiB)',
    needs: ['cgroup-controller:memory'],
    resources: () => ({ memory: { limit: 256 * MiB, swap: 128 * MiB } }),
  }),
];

export default memory;
