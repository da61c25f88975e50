// config-linux.md "Control groups", block I/O: each setting read back from the container's
// cgroup after create, or refused where this host cannot take it (resource-case.ts).
import type { Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { blockIOExpectation } from './expect.js';
import { absentBlockDevice, kernelAcceptsV1, type Version } from './host.js';
import { versionOf } from './common.js';
import { MiB, valueCase, refusedCase, needRootDisk, rootDev } from './resource-case.js';

/** Whether the kernel takes these blkio writes here (v1); on v2 the case assumes it does. */
const blkioAccepts = (alternatives: Array<Array<[string, string]>>) => (_t: CaseContext, v: Version) =>
  v === 1 ? alternatives.some((w) => kernelAcceptsV1('blkio', w) === true) : undefined;

/**
 * On cgroup v1, whether a cgroup's I/O weight is BFQ's alone here: no blkio.weight (CFQ's,
 * gone since Linux 5.0) takes one, blkio.bfq.weight does. A runtime that knows only CFQ's
 * file cannot apply blockIO.weight on such a host though the kernel can: its own case.
 */
const bfqWeightOnly = (t: CaseContext): boolean =>
  versionOf(t, 'blkio') === 1 &&
  kernelAcceptsV1('blkio', [['blkio.weight', '500']]) === false &&
  kernelAcceptsV1('blkio', [['blkio.bfq.weight', '500']]) === true;

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
    precheck: (t) => {
      if (bfqWeightOnly(t)) t.skip("this host's cgroup I/O weights are BFQ's alone (blkio.bfq.weight): cgroups.blkio.weight-bfq judges blockIO.weight here");
    },
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
    applicable: blkioAccepts([[['blkio.weight', '500']], [['blkio.bfq.weight', '500']]]),
  }),
  valueCase({
    id: 'cgroups.blkio.weight-bfq',
    title: "blockIO.weight is the cgroup's BFQ weight where BFQ alone has one (cgroup v1: blkio.bfq.weight, no blkio.weight)",
    requirements: ['config-linux:resources.block-io.weight'],
    exercises: ['linux.resources.blockIO.weight'],
    needs: ['cgroup-controller:blkio'],
    controller: 'blkio',
    resources: () => ({ blockIO: { weight: 500 } }),
    precheck: (t) => {
      if (!bfqWeightOnly(t))
        t.skip("this host's cgroup I/O weight is not BFQ's alone (cgroup v2, CFQ's blkio.weight, or no weight): cgroups.blkio.weight judges it");
    },
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
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
    title: "throttleReadBpsDevice and throttleWriteBpsDevice cap the root disk's bytes per second",
    requirements: ['config-linux:resources.block-io.throttle-bps'],
    exercises: ['linux.resources.blockIO.throttleReadBpsDevice', 'linux.resources.blockIO.throttleWriteBpsDevice'],
    needs: ['cgroup-controller:blkio'],
    controller: 'blkio',
    resources: (env) => ({
      blockIO: { throttleReadBpsDevice: [{ ...rootDev(env), rate: MiB }], throttleWriteBpsDevice: [{ ...rootDev(env), rate: 2 * MiB }] },
    }),
    precheck: (t) => void needRootDisk(t),
    expect: (r, v) => blockIOExpectation(r.blockIO!, v),
  }),
  valueCase({
    id: 'cgroups.blkio.throttle-iops',
    title: "throttleReadIOPSDevice and throttleWriteIOPSDevice cap the root disk's operations per second",
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

export default blockIO;
