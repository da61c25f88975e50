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
    await t.state(id);
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
 * Tries all `values` in one container; when that fails, each value alone, to name the
 * ones at fault. Returns value → what went wrong (empty: every value worked).
 */
export async function trialAll<T>(
  t: CaseContext,
  values: readonly T[],
  edit: (b: BundleBuilder, values: readonly T[]) => void,
  check?: (facts: ProbeFacts, values: readonly T[]) => TrialResult,
): Promise<Map<T, string>> {
  const failed = new Map<T, string>();
  if (!values.length) return failed;
  const all = await trial(t, await t.newBundle((b) => edit(b, values)), check && ((f) => check(f, values)));
  if (all === undefined) return failed;
  if (values.length === 1) return failed.set(values[0]!, all);
  t.note(`all ${values.length} together: ${all}; trying each alone`);
  for (const v of values) {
    const one = await trial(t, await t.newBundle((b) => edit(b, [v])), check && ((f) => check(f, [v])));
    if (one !== undefined) failed.set(v, one);
  }
  if (!failed.size) t.note('each value works alone (only the combination failed)');
  return failed;
}
