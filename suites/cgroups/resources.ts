// config-linux.md "Control groups": each `linux.resources` setting, read back from
// the files of the container's cgroup (found from /proc/PID/cgroup on the host)
// right after create, which MUST have applied it; and the settings this host cannot
// take, which MUST make create fail.
import { existsSync, readdirSync } from 'node:fs';
import type { BundleBuilder } from '../../harness/bundle.js';
import { defineCase, type Case } from '../../harness/case.js';
import type { CaseContext } from '../../harness/context.js';
import type { Env } from '../../harness/env.js';
import { parseProbe } from '../../harness/probe/parse.js';
import { errnosIn } from '../../linux/errno.js';
import type { LinuxResources } from '../../schemas/config.js';
import { createOrRefuse, expectRefused, refusalOf } from '../support/refuse.js';
import { skipIfNewerThanRuntime } from '../support/version.js';
import { createdPid, expectFiles, expectRefusedNoCgroup, versionOf } from './common.js';
import {
  blockIOExpectation,
  cpuExpectation,
  hugetlbExpectation,
  memoryExpectation,
  networkExpectation,
  pidsExpectation,
  unifiedExpectation,
  type Expectation,
} from './expect.js';
import {
  absentBlockDevice,
  cgroupDir,
  cgroupMounts,
  hugepageSizes,
  kernelAcceptsV1,
  onlineCpus,
  pageSizeBytes,
  possibleCpus,
  possibleMems,
  readCgroupFile,
  rootDisk,
  type Version,
} from './host.js';

const MiB = 1024 * 1024;

interface ValueCaseDef {
  id: string;
  title: string;
  requirements: string[];
  exercises: string[];
  needs?: string[];
  disputed?: string;
  /** [spec version, field]: the runtime may not know the field (see skipIfNewerThanRuntime). */
  since?: [string, string];
  /**
   * Where the host cannot take the setting, the requirement create's refusal is about
   * (v1-conversion-error, apply-fail-error); the others are what the values check.
   * Default: the values' own.
   */
  refusedBy?: string;
  /** The v1 controller the setting belongs to (picks v1 or v2 on this host). */
  controller: string;
  resources: (env: Env) => LinuxResources;
  expect: (r: LinuxResources, v: Version, t: CaseContext) => Expectation;
  /** Skips for what only the host can tell (t.skip). */
  precheck?: (t: CaseContext) => void;
  /**
   * Whether this host can apply the setting: false makes the case expect create to
   * fail instead. Asked of the kernel with a throw-away cgroup where that is the
   * only way to know (a weight file the I/O scheduler may not support).
   */
  applicable?: (t: CaseContext, v: Version) => boolean | undefined;
}

/** The setting, read back from the container's cgroup after create (or refused, where the host cannot take it). */
function valueCase(d: ValueCaseDef): Case {
  return defineCase({
    id: d.id,
    title: d.title,
    requirements: d.requirements,
    exercises: d.exercises,
    needs: d.needs,
    disputed: d.disputed,
    bundle: (b, env) => {
      if (d.since) b.ociVersion(d.since[0]);
      b.resources(d.resources(env));
    },
    async check(t) {
      if (d.since) skipIfNewerThanRuntime(t, d.since[0], d.since[1]);
      d.precheck?.(t);
      const v = versionOf(t, d.controller);
      const r = t.bundle.config.linux!.resources!;
      const exp = d.expect(r, v, t);
      const [first, ...rest] = d.requirements.filter((id) => id !== d.refusedBy);
      const values = t.req(first!, ...rest);
      if ('error' in exp || d.applicable?.(t, v) === false) {
        t.note(`this host cannot take the setting (${'error' in exp ? exp.error : 'the kernel refuses it in a fresh cgroup'}): create must fail`);
        await expectRefused(d.refusedBy ? t.req(d.refusedBy) : values, 'a resource setting this host cannot apply');
        return;
      }
      expectFiles(values, await createdPid(t), exp, d.controller);
    },
  });
}

/** A setting no host could apply as written: create must fail and leave no container and no cgroup. */
function refusedCase(d: {
  id: string;
  title: string;
  what: string;
  exercises: string[];
  needs?: string[];
  requirements?: string[];
  resources: (env: Env) => LinuxResources;
  precheck?: (t: CaseContext) => void;
  /** [release, field]: the spec release that brought the field (a runtime implementing an older one may ignore it). */
  since?: [string, string];
  /** The config breaks a rule of the spec on purpose (our own validation lets it through). */
  invalid?: boolean;
}): Case {
  return defineCase({
    id: d.id,
    title: d.title,
    exercises: d.exercises,
    requirements: d.requirements ?? ['runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container', 'runtime:errors.no-side-effects'],
    needs: d.needs,
    ...(d.invalid ? { invalid: true } : {}),
    bundle: (b: BundleBuilder, env) => {
      if (d.since) b.ociVersion(d.since[0]);
      b.resources(d.resources(env)).cgroupsPath(`/conform-refused-${Math.random().toString(36).slice(2, 10)}`);
    },
    async check(t) {
      if (d.since) skipIfNewerThanRuntime(t, d.since[0], d.since[1]);
      d.precheck?.(t);
      await expectRefusedNoCgroup(refusalOf(t), d.what, t.bundle.config.linux!.cgroupsPath!);
    },
  });
}



// --- host facts the cases need -----------------------------------------------------

function skipWithoutBurst(t: CaseContext): void {
  const m = cgroupMounts().find((x) => (versionOf(t, 'cpu') === 1 ? x.version === 1 && x.controllers.includes('cpu') : x.version === 2));
  const has = m && (versionOf(t, 'cpu') === 1 ? existsSync(`${m.mountPoint}/cpu.cfs_burst_us`) : true);
  if (!has) t.skip('this kernel has no CFS burst (cpu.cfs_burst_us, Linux 5.14)');
}

/** Whether the memory controller accounts swap (the kernel may run with swapaccount=0). */
function swapAccounting(t: CaseContext, v: Version): boolean {
  if (v === 1) {
    const m = cgroupMounts().find((x) => x.version === 1 && x.controllers.includes('memory'));
    return !!m && existsSync(`${m.mountPoint}/memory.memsw.limit_in_bytes`);
  }
  // The root cgroup has no memory.swap.max: look at conform's own cgroup, or any child of the root.
  const own = cgroupDir('self', '');
  const root = t.env.host.cgroup.v2Path ?? '/sys/fs/cgroup';
  const dirs = own && own !== root ? [own] : readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `${root}/${e.name}`);
  return dirs.some((d) => existsSync(`${d}/memory.swap.max`));
}

function needRootDisk(t: CaseContext): { major: number; minor: number } {
  const d = rootDisk();
  if (!d) t.skip('the root filesystem is not on a block device, so there is no real device to name in a per-device setting');
  return d!;
}

const rootDev = (env: Env) => {
  void env;
  const d = rootDisk();
  // When there is no disk, the precheck skips before the runtime sees this.
  return { major: d?.major ?? 0, minor: d?.minor ?? 0 };
};

// --- memory ------------------------------------------------------------------------

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
      if (!swapAccounting(t, versionOf(t, 'memory'))) t.skip('the kernel does not account swap in the memory cgroup (booted with swapaccount=0 or without swap support)');
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

// --- cpu -------------------------------------------------------------------------------

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
    requirements: ['config-linux:resources.cpu.realtime-runtime', 'config-linux:resources.cpu.realtime-period', 'config-linux:resources.unified.v1-conversion-error'],
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
      if (allowed === undefined) t.note('the container\'s /proc/self/status has no Cpus_allowed_list (a user-space kernel may omit it)');
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
    requirements: ['config-linux:resources.cpu.burst-within-quota', 'config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container', 'runtime:errors.no-side-effects'],
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

// --- pids ------------------------------------------------------------------------------

const PIDS_LIMIT = 32;
const TRIES = 100;
/** Starts background sleeps until fork fails; prints how many ran. The sleeps die with the container. */
const FORK_MANY = `n=0; while [ $n -lt ${TRIES} ]; do sleep 1000 & n=$((n + 1)); echo "forked $n"; done`;

const pids: Case[] = [
  defineCase({
    id: 'cgroups.pids.limit',
    title: 'pids.limit caps the tasks in the cgroup: pids.max, and fork fails beyond it',
    requirements: ['config-linux:resources.pids.limit'],
    exercises: ['linux.resources.pids.limit'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.resources({ pids: { limit: PIDS_LIMIT } }).probe({ only: ['meta'], cmds: { fork: FORK_MANY }, hold: true }),
    async check(t) {
      await t.create();
      await t.start();
      const facts = parseProbe(await t.waitOutput('@@ready'));
      const { pid } = await t.state();
      expectFiles(t, pid!, pidsExpectation(PIDS_LIMIT), 'pids');
      const out = facts.cmds['fork']?.output ?? '';
      const forked = out.split('\n').filter((l) => l.startsWith('forked ')).length;
      // The probe's shell and the --cmd subshell count too: PIDS_LIMIT - 2 sleeps fit.
      t.ok(forked < TRIES, `fork went on past pids.limit ${PIDS_LIMIT}: ${forked} background processes started`, { expected: `at most ${PIDS_LIMIT - 2}`, actual: forked });
      t.ok(forked <= PIDS_LIMIT - 2, `with pids.limit ${PIDS_LIMIT}, ${forked} background processes started besides the probe's shell and subshell`, { expected: PIDS_LIMIT - 2, actual: forked });
      t.ok(errnosIn(out).includes('EAGAIN'), 'the failed fork reports EAGAIN (what the pids controller returns)', { actual: out.trim().split('\n').at(-1) });
    },
  }),
  defineCase({
    id: 'cgroups.pids.zero',
    title: 'pids.limit 0 is a real limit (pids.max 0), not "unset"',
    requirements: ['config-linux:resources.pids.zero'],
    exercises: ['linux.resources.pids.limit'],
    needs: ['cgroup-controller:pids'],
    // config-linux.md: 0 "SHOULD be treated as a valid limit": not followed (runc up to
    // 1.1 leaves pids.max at max), it is a recommendation not followed (warn).
    bundle: (b) => b.resources({ pids: { limit: 0 } }),
    async check(t) {
      // With no task allowed, a runtime that puts its init in the cgroup before it forks
      // cannot create the container: a clean refusal says nothing against treating 0 as a limit.
      await createOrRefuse(t, 'pids.limit 0 (no task allowed in the cgroup)');
      const { pid } = await t.state();
      if (typeof pid !== 'number' || pid <= 0) t.abort('state of the created container has no pid', { actual: pid });
      const got = readCgroupFile(pid!, 'pids', 'pids.max');
      t.note(`pids.limit 0: the container's pids.max reads ${JSON.stringify(got)}`);
      t.equal(got, '0', 'pids.max of the container cgroup');
    },
  }),
];

// --- block I/O ---------------------------------------------------------------------------

/** Whether the kernel takes these blkio writes here (v1); on v2 the case assumes it does. */
const blkioAccepts = (alternatives: Array<Array<[string, string]>>) => (_t: CaseContext, v: Version) =>
  v === 1 ? alternatives.some((w) => kernelAcceptsV1('blkio', w) === true) : undefined;

const blockIO: Case[] = [
  valueCase({
    id: 'cgroups.blkio.weight',
    title: 'blockIO.weight is the cgroup I/O weight (or create fails where no weight file takes it)',
    requirements: ['config-linux:resources.block-io.weight', 'runtime:create.apply-fail-error'],
    refusedBy: 'runtime:create.apply-fail-error',
    exercises: ['linux.resources.blockIO.weight'],
    needs: ['cgroup-controller:blkio'],
    controller: 'blkio',
    resources: () => ({ blockIO: { weight: 500 } }),
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
    applicable: blkioAccepts([[['blkio.weight', '500']], [['blkio.bfq.weight', '500']]]),
  }),
  valueCase({
    id: 'cgroups.blkio.leaf-weight',
    title: 'blockIO.leafWeight is the cgroup leaf weight (or create fails: only CFQ had one)',
    requirements: ['config-linux:resources.block-io.leaf-weight', 'runtime:create.apply-fail-error'],
    refusedBy: 'runtime:create.apply-fail-error',
    exercises: ['linux.resources.blockIO.leafWeight'],
    needs: ['cgroup-controller:blkio'],
    controller: 'blkio',
    resources: () => ({ blockIO: { leafWeight: 500 } }),
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
    applicable: blkioAccepts([[['blkio.leaf_weight', '500']]]),
  }),
  valueCase({
    id: 'cgroups.blkio.weight-device',
    title: "blockIO.weightDevice sets the root disk's weight (or create fails where its I/O scheduler has no weights)",
    requirements: ['config-linux:resources.block-io.weight-device', 'runtime:create.apply-fail-error'],
    refusedBy: 'runtime:create.apply-fail-error',
    exercises: ['linux.resources.blockIO.weightDevice'],
    needs: ['cgroup-controller:blkio'],
    controller: 'blkio',
    resources: (env) => ({ blockIO: { weightDevice: [{ ...rootDev(env), weight: 500 }] } }),
    precheck: (t) => void needRootDisk(t),
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
    applicable: (t, v) => {
      const d = needRootDisk(t);
      return blkioAccepts([[['blkio.weight_device', `${d.major}:${d.minor} 500`]], [['blkio.bfq.weight_device', `${d.major}:${d.minor} 500`]]])(t, v);
    },
  }),
  valueCase({
    id: 'cgroups.blkio.throttle-bps',
    title: 'throttleReadBpsDevice and throttleWriteBpsDevice cap the root disk\'s bytes per second',
    requirements: ['config-linux:resources.block-io.throttle-bps'],
    exercises: ['linux.resources.blockIO.throttleReadBpsDevice', 'linux.resources.blockIO.throttleWriteBpsDevice'],
    needs: ['cgroup-controller:blkio'],
    controller: 'blkio',
    resources: (env) => ({ blockIO: { throttleReadBpsDevice: [{ ...rootDev(env), rate: MiB }], throttleWriteBpsDevice: [{ ...rootDev(env), rate: 2 * MiB }] } }),
    precheck: (t) => void needRootDisk(t),
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
  }),
  valueCase({
    id: 'cgroups.blkio.throttle-iops',
    title: 'throttleReadIOPSDevice and throttleWriteIOPSDevice cap the root disk\'s operations per second',
    requirements: ['config-linux:resources.block-io.throttle-iops'],
    exercises: ['linux.resources.blockIO.throttleReadIOPSDevice', 'linux.resources.blockIO.throttleWriteIOPSDevice'],
    needs: ['cgroup-controller:blkio'],
    controller: 'blkio',
    resources: (env) => ({ blockIO: { throttleReadIOPSDevice: [{ ...rootDev(env), rate: 100 }], throttleWriteIOPSDevice: [{ ...rootDev(env), rate: 200 }] } }),
    precheck: (t) => void needRootDisk(t),
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
  }),
  refusedCase({
    id: 'cgroups.blkio.throttle-absent-device',
    exercises: ['linux.resources.blockIO.throttleReadBpsDevice'],
    title: 'a throttle for a block device that does not exist cannot be applied: create fails and leaves nothing behind',
    what: 'throttleReadBpsDevice for a major:minor no device has',
    needs: ['cgroup-controller:blkio'],
    resources: () => ({ blockIO: { throttleReadBpsDevice: [{ ...absentBlockDevice(), rate: MiB }] } }),
  }),
];

// --- huge pages ----------------------------------------------------------------------------

const smallestHugepage = () => hugepageSizes()[0];

const hugetlb: Case[] = [
  defineCase({
    id: 'cgroups.hugetlb.limit',
    title: 'hugepageLimits cap HugeTLB use per page size (reservations where the kernel accounts them), or create fails where no hugetlb controller is there',
    requirements: ['config-linux:resources.hugepage-limits.limit', 'config-linux:resources.hugepage-limits.page-size', 'config-linux:resources.hugepage-limits.fallback', 'runtime:create.apply-fail-error'],
    exercises: ['linux.resources.hugepageLimits'],
    bundle: (b) => {
      const size = smallestHugepage() ?? '2MB';
      b.resources({ hugepageLimits: [{ pageSize: size, limit: 2 * pageSizeBytes(size) }] });
    },
    async check(t) {
      if (!smallestHugepage()) t.skip('this kernel has no huge pages (/sys/kernel/mm/hugepages is empty)');
      const limits = t.bundle.config.linux!.resources!.hugepageLimits!;
      const c = t.env.host.cgroup;
      const inV1 = c.v1Controllers.includes('hugetlb');
      const inUnified = c.v2Controllers.includes('hugetlb');
      const refusal = t.req('runtime:create.apply-fail-error');
      if (!inV1 && !inUnified) {
        t.note('no hugetlb controller on this host: create must fail');
        await expectRefused(refusal, 'hugepageLimits without a hugetlb controller');
        return;
      }
      if (c.mode === 'hybrid' && !inV1) {
        // hugetlb is only in the unified hierarchy of a hybrid host: a runtime may use
        // it there (enabling it), or refuse; what it may not do is accept and ignore.
        const r = await t.rt.create(t.id, t.bundle.dir);
        if (!r.ok) {
          t.note('hugetlb is only in the unified hierarchy here; the runtime refused hugepageLimits');
          refusal.expectError(r, 'create with hugepageLimits');
          refusal.expectError(await t.rt.state(t.id), 'state after the refused create (no container may be left behind)');
          return;
        }
        t.note('hugetlb is only in the unified hierarchy here; the runtime accepted hugepageLimits, so they must be in its unified cgroup');
      } else {
        await t.create();
      }
      const { pid } = await t.state();
      const v: Version = inV1 ? 1 : 2;
      const controller = v === 1 ? 'hugetlb' : '';
      const exp = hugetlbExpectation(limits, v, (f) => readCgroupFile(pid!, controller, f) !== undefined);
      // The limit per page size, read from the reservation files where the kernel has them, else the fault ones (the fallback).
      const capped = t.req('config-linux:resources.hugepage-limits.limit', 'config-linux:resources.hugepage-limits.page-size', 'config-linux:resources.hugepage-limits.fallback');
      expectFiles(capped, pid!, 'error' in exp ? exp : { files: exp.files.map((f) => ({ ...f, controller })) }, controller);
    },
  }),
  refusedCase({
    id: 'cgroups.hugetlb.unknown-size',
    exercises: ['linux.resources.hugepageLimits'],
    title: 'a huge page size the kernel does not have cannot be applied: create fails and leaves nothing behind',
    requirements: ['config-linux:resources.hugepage-limits.page-size', 'runtime:create.apply-fail-error', 'runtime:create.apply-fail-no-container'],
    what: 'hugepageLimits for 3MB pages',
    resources: () => ({ hugepageLimits: [{ pageSize: '3MB', limit: 6 * MiB }] }),
    precheck: (t) => {
      if (hugepageSizes().includes('3MB')) t.skip('this kernel has 3MB huge pages');
    },
  }),
];

// --- network -----------------------------------------------------------------------------------

const network: Case[] = [
  valueCase({
    id: 'cgroups.network.class-id',
    title: 'network.classID is the net_cls class id of the cgroup',
    requirements: ['config-linux:resources.network.class-id'],
    exercises: ['linux.resources.network.classID'],
    needs: ['cgroup:v1', 'cgroup-controller:net_cls'],
    controller: 'net_cls',
    resources: () => ({ network: { classID: 0x100001 } }),
    expect: (r, v) => networkExpectation(r.network!, v),
  }),
  valueCase({
    id: 'cgroups.network.priorities',
    title: 'network.priorities set the net_prio priority of the named (runtime namespace) interface',
    requirements: ['config-linux:resources.network.priorities'],
    exercises: ['linux.resources.network.priorities'],
    needs: ['cgroup:v1', 'cgroup-controller:net_prio'],
    controller: 'net_prio',
    resources: () => ({ network: { priorities: [{ name: 'lo', priority: 5 }] } }),
    expect: (r, v) => networkExpectation(r.network!, v),
  }),
];

// --- unified (cgroup v2) ---------------------------------------------------------------------------

/** A cgroup v2 file of a controller the unified hierarchy does not offer here, if any. */
function absentV2Controller(env: Env): [string, string] | undefined {
  const files: Array<[string, string]> = [
    ['pids', 'pids.max'],
    ['memory', 'memory.max'],
    ['cpu', 'cpu.max'],
    ['io', 'io.weight'],
  ];
  return files.find(([c]) => !env.host.cgroup.v2Controllers.includes(c));
}

const unified: Case[] = [
  valueCase({
    id: 'cgroups.unified.write',
    title: 'each unified key is written to that file of the container cgroup',
    requirements: ['config-linux:resources.unified.write', 'config-linux:resources.unified.enable-controllers'],
    exercises: ['linux.resources.unified'],
    needs: ['cgroup:v2', 'cgroup-controller:pids', 'cgroup-controller:memory'],
    since: ['1.1.0', 'linux.resources.unified'],
    controller: '',
    resources: () => ({ unified: { 'pids.max': '9', 'memory.high': String(192 * MiB) } }),
    expect: (r) => unifiedExpectation(r.unified!),
  }),
  valueCase({
    id: 'cgroups.unified.unknown-key',
    title: 'a unified key few runtimes know (memory.oom.group) is written all the same',
    requirements: ['config-linux:resources.unified.unknown-written'],
    exercises: ['linux.resources.unified'],
    needs: ['cgroup:v2', 'cgroup-controller:memory'],
    since: ['1.1.0', 'linux.resources.unified'],
    controller: '',
    resources: () => ({ unified: { 'memory.oom.group': '1' } }),
    expect: (r) => unifiedExpectation(r.unified!),
  }),
  defineCase({
    id: 'cgroups.unified.absent-controller',
    title: 'a unified key of a controller the unified hierarchy does not have is an error',
    requirements: ['config-linux:resources.unified.missing-controller-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.resources.unified'],
    bundle: (b, env) => {
      const [, file] = absentV2Controller(env) ?? ['pids', 'pids.max'];
      b.ociVersion('1.1.0').resources({ unified: { [file]: '10' } }).cgroupsPath(`/conform-refused-${Math.random().toString(36).slice(2, 10)}`);
    },
    async check(t) {
      skipIfNewerThanRuntime(t, '1.1.0', 'linux.resources.unified');
      const absent = absentV2Controller(t.env);
      if (!absent) t.skip(`the unified hierarchy here has every controller this case could name (${t.env.host.cgroup.v2Controllers.join(' ')})`);
      t.note(`the unified hierarchy has no ${absent![0]} controller here (it offers: ${t.env.host.cgroup.v2Controllers.join(' ') || 'none'})`);
      await expectRefusedNoCgroup(refusalOf(t), `unified ${absent![1]} without the ${absent![0]} controller in the unified hierarchy`, t.bundle.config.linux!.cgroupsPath!);
    },
  }),
];

export default [...memory, ...cpu, ...pids, ...blockIO, ...hugetlb, ...network, ...unified];
