// config-linux.md "Control groups", huge pages: each setting read back from the container's
// cgroup after create, or refused where this host cannot take it (resource-case.ts).
import { defineCase, type Case } from '../../harness/case/case.js';
import { expectRefused } from '../support/refuse.js';
import { expectFiles } from './common.js';
import { hugetlbExpectation } from './expect.js';
import { hugepageSizes, pageSizeBytes, readCgroupFile, type Version } from './host.js';
import { MiB, refusedCase } from './resource-case.js';

const smallestHugepage = () => hugepageSizes()[0];

const hugetlb: Case[] = [
  defineCase({
    id: 'cgroups.hugetlb.limit',
    title: 'hugepageLimits cap HugeTLB use per page size (reservations where the kernel accounts them), or create fails where no hugetlb controller is there',
    requirements: [
      'config-linux:resources.hugepage-limits.limit',
      'config-linux:resources.hugepage-limits.page-size',
      'config-linux:resources.hugepage-limits.fallback',
      'runtime:create.apply-fail-error',
    ],
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
      const capped = t.req(
        'config-linux:resources.hugepage-limits.limit',
        'config-linux:resources.hugepage-limits.page-size',
        'config-linux:resources.hugepage-limits.fallback',
      );
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

export default hugetlb;
