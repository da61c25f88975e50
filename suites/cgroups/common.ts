// Shared pieces of the cgroups suite: reading a container's cgroup files back,
// cgroupsPath values that are unique to a case (and always removed again), the
// create-must-fail pattern.
import { existsSync } from 'node:fs';
import type { CaseContext } from '../../harness/case/context.js';
import { cleanupContainers } from '../../harness/host/cleanup.js';
import { expectRefused, NO_SIDE_EFFECTS } from '../support/refuse.js';
import { checkFiles, type Expectation, type Reader } from './expect.js';
import { cgroupDir, dirsForAbsolute, readCgroupFile, removeCgroupDirs, versionFor, type Version } from './host.js';

/** A cgroupsPath component unique to this case's container (and recognisable on the host). */
export const uniqueName = (t: CaseContext, suffix = '') => `conform-${t.id}${suffix}`;

/** Reads the files of `pid`'s cgroups. */
export const readerOf =
  (pid: number): Reader =>
  (controller, file) =>
    readCgroupFile(pid, controller, file);

/** Creates the case's container and returns its pid (which must be a live process). */
export async function createdPid(t: CaseContext): Promise<number> {
  const { pid } = await t.create();
  if (typeof pid !== 'number' || pid <= 0) t.fail('state of the created container has no pid', { actual: pid });
  return pid!;
}

/**
 * Records a failure for every file of `pid`'s cgroup that does not say what `exp`
 * wants; also that the container's cgroup for `controller` is its own, not the one
 * conform (the runtime's caller) is in, which the limit would otherwise constrain.
 */
export function expectFiles(t: CaseContext, pid: number, exp: Expectation, controller: string): void {
  if ('error' in exp) throw new Error(`expectFiles called with an error expectation (${exp.error})`);
  const dir = cgroupDir(pid, controller);
  const own = cgroupDir('self', controller);
  if (!t.ok(dir !== undefined, `the container process ${pid} is in no ${controller || 'unified'} cgroup this host mounts`)) return;
  t.ok(dir !== own, `the container's ${controller} cgroup is its own, not conform's (${own})`, { actual: dir });
  for (const problem of checkFiles(exp.files, readerOf(pid))) t.ok(false, `container cgroup ${dir}: ${problem}`);
}

/** The version resources of `controller` use on this host. */
export const versionOf = (t: CaseContext, controller: string): Version => versionFor(t.env, controller);

/**
 * Expects create to fail for the case's bundle (which sets cgroupsPath to the
 * absolute `path`), leaving no container and no cgroup at that path behind
 * (runtime.md: a new container MUST NOT be created; errors leave no side effects).
 */
export async function expectRefusedNoCgroup(t: CaseContext, what: string, path: string): Promise<void> {
  const before = new Set(dirsForAbsolute(path).filter((d) => existsSync(d)));
  try {
    const r = await expectRefused(t, what);
    if (r.by === 'create') {
      const left = dirsForAbsolute(path).filter((d) => existsSync(d) && !before.has(d));
      // A side effect of the error (runtime.md#runtimeErrors), when the case cites that.
      (t.requirements.includes(NO_SIDE_EFFECTS) ? t.req(NO_SIDE_EFFECTS) : t).equal(left, [], `cgroups left behind at ${path} by the refused create`);
    }
  } finally {
    await cleanupContainers(t.rt);
    for (const n of removeCgroupDirs(
      dirsForAbsolute(path).filter((d) => !before.has(d)),
      depthOf(path),
    ))
      t.note(n);
  }
}

/** Components of an absolute or relative cgroup path. */
export const depthOf = (path: string) => path.split('/').filter(Boolean).length;

/**
 * Runs `body`, then deletes the case's containers and removes the cgroup directories
 * `dirs()` names (with `levels` of parents: the components the case's cgroupsPath
 * made), so that nothing is left on the host even when the case fails midway.
 */
export async function withCgroupCleanup(t: CaseContext, dirs: () => Iterable<string>, levels: number, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } finally {
    await cleanupContainers(t.rt);
    for (const n of removeCgroupDirs(dirs(), levels)) t.note(n);
  }
}
