// The heavy runs that may go beside conformance.test.ts (vitest runs the two files at once
// on the two cores): runsc's lane and the npm package's run. Each looks for its leftovers
// in its own work directory only; neither changes the host's cgroup layout (crun's lane
// does, so it stays in conformance.test.ts, after that file's other runs).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import { conform, hasRunsc, isRoot } from '../helpers/conform.js';
import { exact, LANE_CASES, unexpected } from '../helpers/lanes.js';
import { NOTHING_LEFT } from '../helpers/leftovers.js';
import { packageTests } from './package.js';

const MINUTES = 60_000;
// runsc starts a sandbox per container (the dearest runtime here): CI runs every other case
// of the lane against it, so that the whole test command stays within its half hour.
const RUNSC_CASES = LANE_CASES.filter((_, i) => i % 2 === 0);

describe.skipIf(!isRoot || !hasRunsc)('runsc (gVisor) with its baseline', () => {
  it(`every other case of the lane (${RUNSC_CASES.length}): no unexpected failure, pass or error, nothing left behind`, () => {
    const r = conform(['--runtime', '/usr/bin/runsc', '--runtime-arg=--network=none', '--expect', join(repoRoot, 'baselines/runsc.json'), ...RUNSC_CASES.flatMap((id) => ['--grep', exact(id)])], { timeoutMs: 30 * MINUTES });
    expect(r.report, r.stderr).toBeDefined();
    expect(r.report!.results).toHaveLength(RUNSC_CASES.length);
    expect(unexpected(r)).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.left).toEqual(NOTHING_LEFT);
  }, 30 * MINUTES);
});

packageTests();
