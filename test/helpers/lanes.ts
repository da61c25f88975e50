// The foreign lanes in CI run a slice of the plan, the cases their baselines were measured
// on (listed in test/integration/foreign-lane-cases.txt, a third of the plan with cases of
// every area, listed rather than a --shard so that the slice cannot move away from the
// baselines as cases are added); the full lanes and their times are in the README.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../harness/paths.js';
import type { ConformRun } from './conform.js';

/** A --grep pattern that matches exactly this case id. */
export const exact = (id: string) => `^${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;

export const LANE_FILE = join(repoRoot, 'test/integration/foreign-lane-cases.txt');
export const LANE_CASES = readFileSync(LANE_FILE, 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/** The cases a lane's baseline does not account for: unexpected failures and passes, harness errors. */
export const unexpected = (r: ConformRun) =>
  r.report!.results.filter((x) => ['fail', 'error', 'xpass'].includes(x.outcome)).map((x) => `${x.outcome} ${x.id}: ${x.message}`);
