// crun's lane: the one test that changes the host while it runs (scripts/crun-lane.sh
// mounts a v1 hugetlb hierarchy, which takes hugetlb out of cgroup2, and puts it back).
// Any container run beside it would see another cgroup layout (runsc's creates failed
// under it, so two refusal cases passed by accident), so vitest runs this file alone,
// after every other file is done (vitest.config.ts: a project of its own, a later group).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import { conform, hasCrun, isRoot } from '../helpers/conform.js';
import { exact, LANE_CASES, unexpected } from '../helpers/lanes.js';
import { NOTHING_LEFT } from '../helpers/leftovers.js';

const MINUTES = 60_000;
const laneArgs = LANE_CASES.flatMap((id) => ['--grep', exact(id)]);
const V2_CONTROLLERS = '/sys/fs/cgroup/unified/cgroup.controllers';
const v2Controllers = () => (existsSync(V2_CONTROLLERS) ? readFileSync(V2_CONTROLLERS, 'utf8').trim() : undefined);

const crunBaseline = join(repoRoot, 'baselines/crun.json');
describe.skipIf(!isRoot || !hasCrun)('crun through its lane (scripts/crun-lane.sh) with its baseline', () => {
  it(
    `the lane's ${LANE_CASES.length} cases: no unexpected failure, pass or error; the host's cgroups as they were, nothing left behind`,
    () => {
      const controllers = v2Controllers();
      const r = conform(['--expect', crunBaseline, ...laneArgs], { via: join(repoRoot, 'scripts/crun-lane.sh'), timeoutMs: 30 * MINUTES });
      expect(r.report, r.stderr).toBeDefined();
      expect(r.report!.results).toHaveLength(LANE_CASES.length);
      expect(unexpected(r)).toEqual([]);
      expect(
        r.code,
        r.stderr
          .split('\n')
          .filter((l) => l.startsWith('crun lane:'))
          .join('\n'),
      ).toBe(0);
      expect(v2Controllers()).toBe(controllers);
      expect(existsSync('/sys/fs/cgroup/hugetlb')).toBe(false);
      expect(r.left).toEqual(NOTHING_LEFT);
    },
    30 * MINUTES,
  );
});
