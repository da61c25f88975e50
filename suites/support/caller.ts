// A runtime run by a caller whose inherited attributes (umask, oom_score_adj, nice,
// personality…) differ from conform's own: what config.md calls "the calling process'"
// values, which a setting must override, or an unset one must leave alone.
import { callFailure, type CaseContext } from '../../harness/case/context.js';
import type { CallOptions } from '../../harness/process/driver.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';

export type Caller = Pick<CallOptions, 'umask' | 'oomScoreAdj' | 'wrap'>;

const described = (c: Caller) =>
  [
    c.umask !== undefined && `umask ${c.umask.toString(8).padStart(4, '0')}`,
    c.oomScoreAdj !== undefined && `oom_score_adj ${c.oomScoreAdj}`,
    c.wrap?.length && `under ${c.wrap.join(' ')}`,
  ]
    .filter(Boolean)
    .join(', ');

/**
 * t.probe(), with create and start both run as `caller`: the spec does not say whether
 * the "calling process" is create's or start's, so both get the same.
 */
export async function probeAsCaller(t: CaseContext, caller: Caller): Promise<ProbeFacts> {
  const how = described(caller);
  const created = await t.rt.create(t.id, t.bundle.dir, [], caller);
  if (!created.ok) t.fail(callFailure(`create ${t.id} (${how})`, created));
  await t.stateUnlessHeld();
  const started = await t.rt.call('start', [t.id], caller);
  if (!started.ok) t.fail(callFailure(`start ${t.id} (${how})`, started));
  const facts = parseProbe(await t.waitOutput('@@done'));
  await t.waitEnded();
  return facts;
}
