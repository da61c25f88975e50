// Running many small containers inside one case, for claims a runtime makes about
// whole lists of values (features.md): one container per trial, deleted right after.
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { callFailure, type BuiltBundle, type CaseContext } from '../../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';

/** What went wrong with one trial (create, start, or the check of its probe facts), or undefined. */
export type TrialResult = string | undefined;

/**
 * create + start the bundle under a fresh id, wait for the probe's end, then check
 * its facts. Failures come back as text, so a case can go through a whole list.
 */
export async function trial(t: CaseContext, bundle: BuiltBundle, check?: (facts: ProbeFacts) => TrialResult): Promise<TrialResult> {
  const id = t.newId();
  try {
    const c = await t.rt.create(id, bundle.dir);
    if (!c.ok) return callFailure('create', c);
    await t.stateUnlessHeld(id);
    const s = await t.rt.start(id);
    if (!s.ok) return callFailure('start', s);
    const facts = parseProbe(await t.waitOutput('@@done', { id }));
    await t.waitStatus('stopped', { id });
    return check?.(facts);
  } finally {
    await t.rt.delete(id);
  }
}

/**
 * Tries all `values` in one container; when that fails, names the ones at fault
 * (faultsIn). Returns value → what went wrong (empty: every value worked).
 */
export async function trialAll<T>(
  t: CaseContext,
  values: readonly T[],
  edit: (b: BundleBuilder, values: readonly T[]) => void,
  check?: (facts: ProbeFacts, values: readonly T[]) => TrialResult,
): Promise<Map<T, string>> {
  const tryGroup = async (vs: readonly T[]) => trial(t, await t.newBundle((b) => edit(b, vs)), check && ((f) => check(f, vs)));
  if (!values.length) return new Map();
  const all = await tryGroup(values);
  if (all === undefined) return new Map();
  if (values.length === 1) return new Map([[values[0]!, all]]);
  t.note(`all ${values.length} together: ${all}; trying fewer at a time`);
  const failed = await faultsIn(values, tryGroup);
  if (!failed.size) t.note('each value works alone or in smaller groups (only the combination failed)');
  return failed;
}

/** A failed group of at most this many values is tried value by value; a larger one in halves. */
const ONE_BY_ONE = 4;

/**
 * For values that failed together: tries halves of them, and halves of the halves that
 * fail, down to each value alone in groups of ONE_BY_ONE or fewer (one bad value in 16
 * takes 8 more tries rather than 16). Returns value → what went wrong alone.
 */
export async function faultsIn<T>(values: readonly T[], tryGroup: (vs: readonly T[]) => Promise<TrialResult>): Promise<Map<T, string>> {
  const failed = new Map<T, string>();
  const narrow = async (vs: readonly T[]): Promise<void> => {
    const half = Math.ceil(vs.length / 2);
    const parts = vs.length > ONE_BY_ONE ? [vs.slice(0, half), vs.slice(half)] : vs.map((v) => [v]);
    for (const part of parts) {
      const why = await tryGroup(part);
      if (why === undefined) continue;
      if (part.length === 1) failed.set(part[0]!, why);
      else await narrow(part);
    }
  };
  await narrow(values);
  return failed;
}
