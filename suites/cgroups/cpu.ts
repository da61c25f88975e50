// config-linux.md "Control groups", cpu: each setting read back from the container's
// cgroup after create, or refused where this host cannot take it (resource-case.ts).
import { existsSync } from 'node:fs';
import { defineCase, type Case } from '../../harness/case/case.js';
import { parseProbe } from '../../harness/probe/parse.js';
import { expectFiles, versionOf } from './common.js';
import { cpuExpectation } from './expect.js';
import { cgroupMounts, kernelAcceptsV1, onlineCpus, possibleCpus, possibleMems } from './host.js';
import { valueCase, refusedCase, skipWithoutBurst } from './resource-case.js';

/** One online CPU that is not the whole set, so that the setting differs from the default. */
function oneCpu(): string {
  const cpus = onlineCpus();
  return String(cpus[cpus.length - 1] ?? 0);
}

const cpu: Case[] = [
  valueCase({
    id: 'cgroups.cpu.shares',
    title: 'cpu.shares is the cgroup CPU weight (v1 cpu.shares, v2 cpu.weight converted)',
    requirements: ['config-linux:resources.cpu.shares', 'config-linux:resources.unified.v1-conversion'],
    exercises: ['linux.resources.cpu.shares'],
    needs: ['cgroup-controller:cpu'],
    controller: 'cpu',
    resources: () => ({ cpu: { shares: 512 } }),
    expect: (r, v) => cpuExpectation(r.cpu!, v),
  }),
  valueCase({
    id: 'cgroups.cpu.quota-period',
    title: 'cpu.quota and cpu.period are the CFS bandwidth limit',
    requirements: ['config-linux:resources.cpu.quota', 'config-linux:resources.cpu.period'],
    exercises: ['linux.resources.cpu.quota', 'linux.resources.cpu.period'],
    needs: ['cgroup-controller:cpu'],
    controller: 'cpu',
    resources: () => ({ cpu: { quota: 25000, period: 50000 } }),
    expect: (r, v) => cpuExpectation(r.cpu!, v),
  }),
  valueCase({
    id: 'cgroups.cpu.burst',
    title: 'cpu.burst is the CFS burst allowance',
    requirements: ['config-linux:resources.cpu.burst'],
    exercises: ['linux.resources.cpu.burst'],
    needs: ['cgroup-controller:cpu'],
    since: ['1.1.0', 'linux.resources.cpu.burst'],
    controller: 'cpu',
    resources: () => ({ cpu: { quota: 50000, period: 100000, burst: 20000 } }),
    precheck: skipWithoutBurst,
    expect: (r, v) => cpuExpectation(r.cpu!, v),
  }),
  valueCase({
    id: 'cgroups.cpu.realtime',
    title: 'realtimeRuntime and realtimePeriod are the RT bandwidth (v2 has none: create must fail)',
    requirements: [
      'config-linux:resources.cpu.realtime-runtime',
      'config-linux:resources.cpu.realtime-period',
      'config-linux:resources.unified.v1-conversion-error',
    ],
    refusedBy: 'config-linux:resources.unified.v1-conversion-error',
    exercises: ['linux.resources.cpu.realtimeRuntime', 'linux.resources.cpu.realtimePeriod'],
    needs: ['cgroup-controller:cpu'],
    controller: 'cpu',
    resources: () => ({ cpu: { realtimePeriod: 500000, realtimeRuntime: 10000 } }),
    expect: (r, v) => cpuExpectation(r.cpu!, v),
    applicable: (_t, v) =>
      v === 1
        ? kernelAcceptsV1('cpu', [
            ['cpu.rt_period_us', '500000'],
            ['cpu.rt_runtime_us', '10000'],
          ])
        : undefined,
  }),
  defineCase({
    id: 'cgroups.cpu.cpus',
    title: 'cpu.cpus is the cpuset: the cgroup file, and the CPUs the process may run on',
    requirements: ['config-linux:resources.cpu.cpus'],
    exercises: ['linux.resources.cpu.cpus'],
    needs: ['cgroup-controller:cpuset'],
    bundle: (b) => {
      b.resources({ cpu: { cpus: oneCpu() } }).probe({ only: ['status'], hold: true });
    },
    async check(t) {
      if (onlineCpus().length < 2) t.skip('this host has one CPU online: a cpuset of it is also the default');
      const cpus = t.bundle.config.linux!.resources!.cpu!.cpus!;
      await t.create();
      await t.start();
      const facts = parseProbe(await t.waitOutput('@@ready'));
      const { pid } = await t.state();
      expectFiles(t, pid!, cpuExpectation({ cpus }, versionOf(t, 'cpuset')), 'cpuset');
      const allowed = facts.status?.fields['Cpus_allowed_list'];
      if (allowed === undefined) t.note("the container's /proc/self/status has no Cpus_allowed_list (a user-space kernel may omit it)");
      else t.equal(allowed, cpus, 'Cpus_allowed_list of the container process');
    },
  }),
  valueCase({
    id: 'cgroups.cpu.mems',
    title: 'cpu.mems is the cpuset memory-node list',
    requirements: ['config-linux:resources.cpu.mems'],
    exercises: ['linux.resources.cpu.mems'],
    needs: ['cgroup-controller:cpuset'],
    controller: 'cpuset',
    resources: () => ({ cpu: { mems: String(possibleMems().at(-1) ?? 0) } }),
    precheck: (t) => {
      if (possibleMems().length < 2) t.skip('this host has one memory node: a cpuset of it is also the default');
    },
    expect: (r, v) => cpuExpectation(r.cpu!, v),
  }),
  valueCase({
    id: 'cgroups.cpu.idle',
    title: 'cpu.idle 1 makes the cgroup SCHED_IDLE',
    requirements: ['config-linux:resources.cpu.idle'],
    exercises: ['linux.resources.cpu.idle'],
    needs: ['cgroup-controller:cpu'],
    since: ['1.1.0', 'linux.resources.cpu.idle'],
    controller: 'cpu',
    resources: () => ({ cpu: { idle: 1 } }),
    precheck: (t) => {
      const m = cgroupMounts().find((x) => x.version === 1 && x.controllers.includes('cpu'));
      if (versionOf(t, 'cpu') === 1 && m && !existsSync(`${m.mountPoint}/cpu.idle`)) t.skip('this kernel has no cpu.idle (Linux 5.15)');
    },
    expect: (r, v) => cpuExpectation(r.cpu!, v),
  }),
  refusedCase({
    id: 'cgroups.cpu.burst-above-quota',
    exercises: ['linux.resources.cpu.burst'],
    title: 'a cpu.burst above the cpu.quota is invalid: create fails and leaves nothing behind',
    what: 'cpu.burst 80000 above cpu.quota 50000',
    requirements: [
      'config-linux:resources.cpu.burst-within-quota',
      'config:valid-values.invalid-error',
      'runtime:create.apply-fail-no-container',
      'runtime:errors.no-side-effects',
    ],
    needs: ['cgroup-controller:cpu'],
    since: ['1.1.0', 'linux.resources.cpu.burst'],
    invalid: true,
    resources: () => ({ cpu: { quota: 50000, period: 100000, burst: 80000 } }),
    precheck: skipWithoutBurst,
  }),
  refusedCase({
    id: 'cgroups.cpu.cpus-absent',
    exercises: ['linux.resources.cpu.cpus'],
    title: 'a cpuset naming a CPU the machine does not have cannot be applied: create fails and leaves nothing behind',
    what: 'cpu.cpus naming a CPU beyond the possible ones',
    needs: ['cgroup-controller:cpuset'],
    resources: () => ({ cpu: { cpus: String(Math.max(...possibleCpus()) + 1) } }),
  }),
  refusedCase({
    id: 'cgroups.cpu.mems-absent',
    exercises: ['linux.resources.cpu.mems'],
    title: 'a cpuset naming a memory node the machine does not have cannot be applied: create fails and leaves nothing behind',
    what: 'cpu.mems naming a memory node beyond the possible ones',
    needs: ['cgroup-controller:cpuset'],
    resources: () => ({ cpu: { mems: String(Math.max(...possibleMems()) + 1) } }),
  }),
  refusedCase({
    id: 'cgroups.cpu.shares-above-max',
    exercises: ['linux.resources.cpu.shares'],
    title: 'cpu.shares above the kernel maximum (262144) cannot be applied as written: create fails',
    what: 'cpu.shares 1048576 (the kernel would clamp it to 262144)',
    needs: ['cgroup:v1', 'cgroup-controller:cpu'],
    resources: () => ({ cpu: { shares: 1048576 } }),
  }),
  // The same situation as memory.use-hierarchy-off: `shares` is set (0 is a value, not
  // "unset": absence is), and no kernel takes it (v1 clamps anything below 2 to 2; v2's
  // weight starts at 1), so runtime.md#runtimeCreate decides: "If the runtime cannot apply
  // a property as specified in the configuration, it MUST generate an error and a new
  // container MUST NOT be created."
  refusedCase({
    id: 'cgroups.cpu.shares-zero',
    exercises: ['linux.resources.cpu.shares'],
    title: 'cpu.shares 0 cannot be applied as written (the kernel takes no weight below 2): create fails and leaves nothing behind',
    what: 'cpu.shares 0',
    needs: ['cgroup-controller:cpu'],
    resources: () => ({ cpu: { shares: 0 } }),
  }),
];

export default cpu;
