// Levels and per-requirement verdicts, end to end through runCase: a case's assertions
// name the requirement they check, a SHOULD not followed is a `warn` that never fails a run
// (not even --strict), and each requirement's verdict in the JSON report comes from its own
// assertions. The checks below never call the runtime, so no container is involved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineCase, type CaseDef } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { isBad, type CaseResult } from '../../harness/run/result.js';
import { runCase } from '../../harness/run/runner.js';
import { requirementVerdicts } from '../../reports/json.js';
import { requirementById } from '../../spec/index.js';
import { bareRunOptions, noRootfs } from '../helpers/run-case.js';

// Real catalogue entries, one per level that matters.
const MUST_A = 'config:process.rlimits.soft';
const MUST_B = 'config:process.rlimits.hard';
const SHOULD = 'config:mounts.option.rro';
const MAY = 'runtime:state.annotations';

const runDir = mkdtempSync(join(tmpdir(), 'conform-verdicts-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

let n = 0;
async function run(requirements: string[], check: (t: CaseContext) => void | Promise<void>, more: Partial<CaseDef> = {}): Promise<CaseResult> {
  const c = defineCase({
    id: `verdicts.case-${++n}`,
    title: 'a case that never calls the runtime',
    requirements,
    // No rootfs of its own: the check never creates a container.
    bundle: noRootfs(runDir),
    check: async (t) => void (await check(t)),
    ...more,
  });
  const o = bareRunOptions(runDir, { path: '/bin/false', args: [], timeoutMs: 1000 });
  const r = await runCase(c, o);
  // Nothing of a run's services is left (the mounter, if a case started it).
  expect(await o.services.stopAll()).toEqual([]);
  // Only an interrupt leaves a case without a result.
  if (!r) throw new Error(`${c.id}: no result`);
  return r;
}

const checksOf = (r: CaseResult) => Object.fromEntries(r.checks.map((c) => [c.id, c.outcome]));

describe('conventions beyond the spec', () => {
  it('a failed case of the runc CLI convention warns, naming it, and marks none of its MUST requirements failed', async () => {
    const r = await run([MUST_A], (t) => void t.fail('podman pause: exit 125'), { convention: 'runc-cli' });
    expect(r.outcome).toBe('warn');
    expect(r.convention).toBe('runc-cli');
    expect(r.message).toBe('the runc CLI convention beyond the spec not followed: podman pause: exit 125');
    expect(r.checks).toEqual([{ id: MUST_A, level: 'MUST', outcome: 'unchecked' }]);
    expect(requirementVerdicts([r])[MUST_A]?.verdict).not.toBe('fail');
    expect(isBad(r, true)).toBe(false);
  });

  it('a passing one passes its requirements', async () => {
    const r = await run([MUST_A], (t) => void t.equal(1, 1, 'one'), { convention: 'runc-cli' });
    expect(r.outcome).toBe('pass');
    expect(r.checks).toEqual([{ id: MUST_A, level: 'MUST', outcome: 'pass' }]);
  });
});

describe('levels', () => {
  it('the catalogue has the levels these tests rely on', () => {
    expect([MUST_A, MUST_B, SHOULD, MAY].map((id) => requirementById(id)?.level)).toEqual(['MUST', 'MUST', 'SHOULD', 'MAY']);
  });

  it('a case failing only a SHOULD assertion warns, and never fails a run, not even with --strict', async () => {
    const r = await run([SHOULD], (t) => void t.ok(false, 'the tree is writable below the mount'));
    expect(r.outcome).toBe('warn');
    expect(r.message).toBe('SHOULD not followed: the tree is writable below the mount');
    expect(r.failures).toEqual([{ message: 'the tree is writable below the mount', requirement: SHOULD }]);
    expect(r.checks).toEqual([{ id: SHOULD, level: 'SHOULD', outcome: 'warn' }]);
    expect(isBad(r)).toBe(false);
    expect(isBad(r, true)).toBe(false);
  });

  it('a MAY not done warns too', async () => {
    const r = await run([MAY], (t) => void t.equal(undefined, { a: 'b' }, 'annotations in the state'));
    expect(r.outcome).toBe('warn');
  });

  it('a MUST assertion that fails beside a SHOULD one fails the case', async () => {
    const r = await run([MUST_A, SHOULD], (t) => {
      t.req(SHOULD).ok(false, 'not recursive');
      t.req(MUST_A).equal(1, 2, 'the soft limit');
    });
    expect(r.outcome).toBe('fail');
    expect(r.message).toBe('the soft limit: expected 2, got 1');
    expect(checksOf(r)).toEqual({ [MUST_A]: 'fail', [SHOULD]: 'warn' });
    expect(isBad(r)).toBe(true);
  });

  it('a MUST assertion that holds beside a SHOULD one not followed: warn', async () => {
    const r = await run([MUST_A, SHOULD], (t) => {
      t.req(MUST_A).equal(1, 1, 'the soft limit');
      t.req(SHOULD).ok(false, 'not recursive');
    });
    expect(r.outcome).toBe('warn');
    expect(checksOf(r)).toEqual({ [MUST_A]: 'pass', [SHOULD]: 'warn' });
  });
});

describe('per-requirement verdicts', () => {
  it('a case with two requirements failing one: the other still passes in the JSON report', async () => {
    const r = await run([MUST_A, MUST_B], (t) => {
      t.req(MUST_A).equal('1024', '1024', 'the soft limit');
      t.req(MUST_B).equal('4096', '2048', 'the hard limit');
    });
    expect(r.outcome).toBe('fail');
    expect(r.failures.map((f) => f.requirement)).toEqual([MUST_B]);
    const report = requirementVerdicts([r]);
    expect(report[MUST_A]).toEqual({ level: 'MUST', verdict: 'pass', cases: { [r.id]: 'pass' } });
    expect(report[MUST_B]).toEqual({ level: 'MUST', verdict: 'fail', cases: { [r.id]: 'fail' } });
  });

  it('a case that stops on one requirement leaves the ones it did not reach unchecked', async () => {
    const r = await run([MUST_A, MUST_B], (t) => {
      t.req(MUST_A).fail('no limits at all');
      t.req(MUST_B).ok(true, 'never reached');
    });
    expect(r.outcome).toBe('fail');
    expect(checksOf(r)).toEqual({ [MUST_A]: 'fail', [MUST_B]: 'unchecked' });
    expect(requirementVerdicts([r])[MUST_B]!.verdict).toBe('untested');
  });

  it('an operation the case needed failing (t.abort) fails every requirement: none could be judged', async () => {
    const r = await run([MUST_A, SHOULD], (t) => t.abort('create: exit 1'));
    expect(r.outcome).toBe('fail');
    expect(checksOf(r)).toEqual({ [MUST_A]: 'fail', [SHOULD]: 'warn' });
    expect(r.failures).toEqual([{ message: 'create: exit 1' }]);
  });

  it('... and in a case resting only on SHOULDs, that is a recommendation not followed', async () => {
    const r = await run([SHOULD], (t) => t.abort('create refused rro'));
    expect(r.outcome).toBe('warn');
  });

  it('on t.req(id), an operation failing is about that requirement only', async () => {
    const r = await run([MUST_A, MUST_B], (t) => t.req(MUST_B).abort('create refused the hard limit'));
    expect(checksOf(r)).toEqual({ [MUST_A]: 'unchecked', [MUST_B]: 'fail' });
  });

  it('an assertion about two requirements (one thing said twice in the spec) fails each', async () => {
    const r = await run([MUST_A, MUST_B, SHOULD], (t) => void t.req(MUST_A, MUST_B).ok(false, 'both'));
    expect(r.failures.map((f) => f.requirement)).toEqual([MUST_A, MUST_B]);
    expect(checksOf(r)).toEqual({ [MUST_A]: 'fail', [MUST_B]: 'fail', [SHOULD]: 'pass' });
  });

  it('a requirement the case cannot judge in this run is unchecked, with the reason noted', async () => {
    const r = await run([MUST_A, MUST_B], (t) => {
      t.req(MUST_A).ok(true, 'held');
      t.req(MUST_B).unjudged('the runtime exposes no error');
    });
    expect(r.outcome).toBe('pass');
    expect(checksOf(r)).toEqual({ [MUST_A]: 'pass', [MUST_B]: 'unchecked' });
    expect(r.notes).toContain(`${MUST_B} not judged: the runtime exposes no error`);
  });

  it('a single-requirement case may leave the requirement out', async () => {
    const r = await run([MUST_A], (t) => void t.equal(1, 2, 'x'));
    expect(r.failures).toEqual([{ message: 'x: expected 2, got 1', expected: 2, actual: 1, requirement: MUST_A }]);
  });

  it('a case citing several must name one per assertion, passing or not: otherwise a harness error', async () => {
    const r = await run([MUST_A, MUST_B], (t) => void t.ok(true, 'which one?'));
    expect(r.outcome).toBe('error');
    expect(r.message).toMatch(/cites 2 requirements: name the one this assertion checks/);
    expect(r.checks.map((c) => c.outcome)).toEqual(['error', 'error']);
  });

  it('... and so on every view: t.all() is about every requirement the case cites', async () => {
    const r = await run([MUST_A, MUST_B], (t) => void t.all().ok(false, 'both'));
    expect(checksOf(r)).toEqual({ [MUST_A]: 'fail', [MUST_B]: 'fail' });
  });

  it('an assertion about a requirement the case does not cite is a harness error', async () => {
    const r = await run([MUST_A], (t) => void t.req(MUST_B).ok(true, 'elsewhere'));
    expect(r.outcome).toBe('error');
    expect(r.message).toContain(`does not cite ${MUST_B}`);
  });

  it('a requirement the catalogue lacks is a harness error', async () => {
    const r = await run(['config:no.such-thing'], () => {});
    expect(r.outcome).toBe('error');
    expect(r.message).toContain('config:no.such-thing');
  });

  it('a disputed case gives no verdict on any requirement, warn or fail', async () => {
    const r = await run([SHOULD], (t) => void t.ok(false, 'not recursive'), { disputed: 'the text allows both' });
    expect(r.outcome).toBe('disputed');
    expect(r.checks.map((c) => c.outcome)).toEqual(['disputed']);
  });

  it('a skip skips every requirement', async () => {
    const r = await run([MUST_A, SHOULD], (t) => t.skip('no kernel support'));
    expect(r.checks.map((c) => c.outcome)).toEqual(['skip', 'skip']);
  });
});
