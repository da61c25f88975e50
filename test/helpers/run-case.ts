// runCase for cases whose checks never create a container: no rootfs, no reports.
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { detectHost } from '../../harness/host/env.js';
import { Services } from '../../harness/host/services.js';
import type { RuntimeCommand } from '../../harness/process/driver.js';
import type { RunOptions } from '../../harness/run/runner.js';

/** A case's bundle edit: no rootfs of its own (any existing directory passes validation). */
export const noRootfs = (dir: string) => (b: BundleBuilder) => {
  b.skipRootfs = true;
  b.config.root = { path: dir };
};

/** Options for runCase in runDir, with `rt` as the runtime and a fresh set of services. */
export function bareRunOptions(runDir: string, rt: RuntimeCommand, more: Partial<RunOptions> = {}): RunOptions {
  return {
    rt,
    env: { host: detectHost(), runtime: {} },
    runDir,
    rootfs: '/nonexistent',
    jobs: 1,
    keep: false,
    reporter: { name: 'none', start() {}, caseFinished() {}, finish: async () => {} },
    tag: 'test',
    services: new Services(runDir, 'test', '/nonexistent'),
    ...more,
  };
}
