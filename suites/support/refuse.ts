// "If the runtime cannot apply a property as specified … it MUST generate an error and
// a new container MUST NOT be created" (runtime.md#runtimeCreate). Properties of
// `process` other than args "MAY be applied by" create, so a runtime may also refuse
// them at `start`, as long as the program never runs.
import type { BuiltBundle, CaseContext } from '../../harness/case/context.js';
import { callFailure } from '../../harness/case/context.js';
import { parseProbe, type ProbeFacts } from '../../harness/probe/parse.js';

/**
 * runtime.md#runtimeCreate: "a new container MUST NOT be created". A case that cites it
 * has its no-container-left check judged against it; otherwise against `t`'s own.
 */
const NO_CONTAINER = 'runtime:create.apply-fail-no-container';
const noContainer = (t: CaseContext): CaseContext => (t.requirements.includes(NO_CONTAINER) ? t.req(NO_CONTAINER) : t);
/** runtime.md#runtimeErrors: an error leaves the environment as it was (cgroups.common judges what a refusal left). */
export const NO_SIDE_EFFECTS = 'runtime:errors.no-side-effects';

/**
 * For a case about a refusal: `t` about every requirement it cites but the no-container and
 * no-side-effect ones, which the helpers here judge on their own. The refusal itself is
 * what those requirements ask for (an error for this value, for this missing field…).
 */
export function refusalOf(t: CaseContext): CaseContext {
  const [first, ...rest] = t.requirements.filter((id) => id !== NO_CONTAINER && id !== NO_SIDE_EFFECTS);
  return first ? t.req(first, ...rest) : t;
}

const BANNER = '@@conform-probe 1';

export interface Attempt {
  /** Which operation refused the bundle; undefined when create and start both succeeded. */
  by?: 'create' | 'start';
}

/**
 * Creates (and for a `process` property, starts) the case's bundle. A refusal must be
 * clean: an error exit, no container left after a refused create, no program run after
 * a refused start; anything else is recorded as a failure (of `t`'s requirement, the
 * one the refusal is about). Acceptance is not judged here.
 * `processProperty`: the setting is a `process` property, which a runtime may apply (and
 * so refuse) at start.
 */
export async function attempt(t: CaseContext, what: string, opts: { processProperty?: boolean } = {}): Promise<Attempt> {
  const created = await t.rt.create(t.id, t.bundle.dir);
  if (!created.ok) {
    t.expectError(created, `create with ${what}`);
    // A hang or a crash is already a failure; after a clean error exit nothing may be left.
    if (!created.timedOut && !created.signal)
      noContainer(t).expectError(await t.rt.state(t.id), `state after create refused ${what} (no container may be left behind)`);
    // What the runtime said: a refusal for another reason (a host problem) shows here.
    if (created.code) t.note(`create refused ${what}: ${created.stderr.trim().split('\n').pop() ?? ''}`);
    return { by: 'create' };
  }
  await t.state(); // registers the pid for cleanup
  if (!opts.processProperty) return {};
  const started = await t.rt.start(t.id);
  if (!started.ok) {
    t.expectError(started, `start with ${what}`);
    t.ok(!t.stdout().split('\n').includes(BANNER), `the program ran although start refused ${what}`);
    t.note(`create accepted ${what}; start refused it: ${started.stderr.trim().split('\n').pop() ?? ''}`);
    return { by: 'start' };
  }
  return {};
}

/**
 * After a refusal at create: the same bundle without what the case is about (`control`)
 * must be accepted, or the refusal says nothing about it and the case skips (a runtime
 * that refuses everything, or failed for a reason of its own under load, passes no
 * refusal case).
 */
export async function refusalIsAbout(t: CaseContext, control: BuiltBundle, what: string): Promise<void> {
  const id = `${t.id}-control`;
  const r = await t.rt.create(id, control.dir);
  if (r.ok) {
    await t.rt.delete(id, true);
    return;
  }
  t.skip(`the runtime refuses this bundle without ${what} too (${callFailure('create', r)}), so its refusal says nothing about ${what}`);
}

/** Expects the bundle to be refused: by create, or (for a `process` property) by start. */
export async function expectRefused(t: CaseContext, what: string, opts: { processProperty?: boolean } = {}): Promise<Attempt> {
  const a = await attempt(t, what, opts);
  if (!a.by)
    t.ok(false, opts.processProperty ? `neither create nor start refused ${what}` : `create accepted ${what}`, { expected: 'an error', actual: 'success' });
  return a;
}

/**
 * create, where a clean refusal is the runtime's right: a valid value it cannot apply
 * MUST be an error (runtime.md Create), so a refusal skips the case (nothing it checks
 * was applied, and the runtime said so), unless the runtime's features claim the value
 * (`claimed`): then it fails. A hang, a crash or a container left behind fail too.
 */
export async function createOrRefuse(
  t: CaseContext,
  what: string,
  opts: { id?: string; bundle?: BuiltBundle; claimed?: boolean; stateUnlessHeld?: boolean } = {},
): Promise<void> {
  const id = opts.id ?? t.id;
  const r = await t.rt.create(id, (opts.bundle ?? t.bundle).dir);
  if (r.ok) {
    // Records the pid, checks the state parses (for a probe, only when needed: t.stateUnlessHeld).
    await (opts.stateUnlessHeld ? t.stateUnlessHeld(id) : t.state(id));
    return;
  }
  if (opts.claimed) t.fail(callFailure(`create with ${what}, which the runtime's features list`, r));
  if (!t.expectError(r, `create with ${what}`)) t.fail(callFailure(`create with ${what}`, r));
  if (!t.expectError(await t.rt.state(id), `state after create refused ${what} (no container may be left behind)`))
    return t.fail(`create refused ${what} but left a container`);
  t.skip(
    `the runtime refused ${what} at create (${r.summary}: ${r.stderr.trim().split('\n')[0] ?? ''}), which runtime.md Create asks of a runtime that cannot apply a property`,
  );
}

/** createOrRefuse, then start and wait for the probe's facts (and, without --hold, for its end), as t.probe(). */
export async function probeOrRefuse(t: CaseContext, what: string, opts: { claimed?: boolean } = {}): Promise<ProbeFacts> {
  const hold = t.bundle.config.process?.args?.includes('--hold') ?? false;
  await createOrRefuse(t, what, { ...opts, stateUnlessHeld: !hold });
  await t.start();
  const out = await t.waitOutput(hold ? '@@ready' : '@@done');
  if (!hold) await t.waitEnded();
  return parseProbe(out);
}
