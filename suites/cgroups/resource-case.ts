// config-linux.md "Control groups": what the linux.resources cases share (one file per
// controller beside this one): a setting read back from the files of the container's
// cgroup (found from /proc/PID/cgroup on the host) right after create, which MUST have
// applied it, or refused where this host cannot take it; and a setting no host could
// apply, which MUST make create fail.
import { existsSync, readdirSync } from 'node:fs';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import type { Env } from '../../harness/host/env.js';
import type { LinuxResources } from '../../schemas/config.js';
import { expectRefused, refusalOf } from '../support/refuse.js';
import { skipIfNewerThanRuntime } from '../support/version.js';
import { createdPid, expectFiles, expectRefusedNoCgroup, versionOf } from './common.js';
import type { Expectation } from './expect.js';
import { cgroupDir, cgroupMounts, rootDisk, type Version } from './host.js';

export const MiB = 1024 * 1024;

export interface ValueCaseDef {
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
export function valueCase(d: ValueCaseDef): Case {
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
export function refusedCase(d: {
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

export function skipWithoutBurst(t: CaseContext): void {
  const m = cgroupMounts().find((x) => (versionOf(t, 'cpu') === 1 ? x.version === 1 && x.controllers.includes('cpu') : x.version === 2));
  const has = m && (versionOf(t, 'cpu') === 1 ? existsSync(`${m.mountPoint}/cpu.cfs_burst_us`) : true);
  if (!has) t.skip('this kernel has no CFS burst (cpu.cfs_burst_us, Linux 5.14)');
}

/** Whether the memory controller accounts swap (the kernel may run with swapaccount=0). */
export function swapAccounting(t: CaseContext, v: Version): boolean {
  if (v === 1) {
    const m = cgroupMounts().find((x) => x.version === 1 && x.controllers.includes('memory'));
    return !!m && existsSync(`${m.mountPoint}/memory.memsw.limit_in_bytes`);
  }
  // The root cgroup has no memory.swap.max: look at conform's own cgroup, or any child of the root.
  const own = cgroupDir('self', '');
  const root = t.env.host.cgroup.v2Path ?? '/sys/fs/cgroup';
  const dirs =
    own && own !== root
      ? [own]
      : readdirSync(root, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => `${root}/${e.name}`);
  return dirs.some((d) => existsSync(`${d}/memory.swap.max`));
}

export function needRootDisk(t: CaseContext): { major: number; minor: number } {
  const d = rootDisk();
  if (!d) t.skip('the root filesystem is not on a block device, so there is no real device to name in a per-device setting');
  return d!;
}

export const rootDev = (env: Env) => {
  void env;
  const d = rootDisk();
  // When there is no disk, the precheck skips before the runtime sees this.
  return { major: d?.major ?? 0, minor: d?.minor ?? 0 };
};
