// A case given up before its check ended (the run was interrupted, or the case ran past
// its deadline): the check is halted, and cleanup waits for it to unwind, so that nothing
// it would still do (a runtime call that creates a container, a wait) happens behind
// cleanup. The "runtime" here is a script that records its calls.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineCase } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { runCase, type RunOptions } from '../../harness/run/runner.js';
import { poll } from '../../harness/process/wait.js';
import { bareRunOptions, noRootfs } from '../helpers/run-case.js';

const runDir = mkdtempSync(join(tmpdir(), 'conform-given-up-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));
const calls = join(runDir, 'calls');
const runtime = join(runDir, 'runtime.sh');
writeFileSync(runtime, `#!/bin/sh\necho "$*" >> ${calls}\n`);
chmodSync(runtime, 0o755);

/** What the check saw, in the order it happened. */
interface Seen {
  started: boolean;
  /** What the runtime call after the wait threw (undefined: it ran). */
  refused?: Error;
  ended: boolean;
}

/** A check that waits on a state that never comes, then calls the runtime: what a given-up case must not get to. */
function endlessCase(seen: Seen) {
  return defineCase({
    id: `given-up.case-${Math.random().toString(36).slice(2, 8)}`,
    title: 'a case that waits for ever, then calls the runtime',
    requirements: ['config:process.rlimits.soft'],
    bundle: noRootfs(runDir),
    check: async (t: CaseContext) => {
      seen.started = true;
      try {
        await poll(() => false, { timeoutMs: 600_000 });
      } finally {
        try {
          await t.rt.call('state', ['after-the-wait']);
        } catch (e) {
          seen.refused = e as Error;
        }
        seen.ended = true;
      }
    },
  });
}

const options = (more: Partial<RunOptions>) => bareRunOptions(runDir, { path: runtime, args: [], timeoutMs: 10_000 }, more);

describe('a case given up before its check ended', () => {
  it('interrupted: the check is halted and has unwound when the case returns (no result); its runtime call after the interrupt never ran', async () => {
    const seen: Seen = { started: false, ended: false };
    const aborter = new AbortController();
    const running = runCase(endlessCase(seen), options({ signal: aborter.signal }));
    await poll(() => seen.started, { timeoutMs: 60_000 });
    aborter.abort();
    const r = await running;
    expect(r).toBeUndefined();
    expect(seen.ended).toBe(true);
    expect(seen.refused?.message).toBe('interrupted');
    expect(existsSync(calls)).toBe(false);
  });

  it('past its deadline: the same, and the case fails with the timeout, with no note of a check left running', async () => {
    const seen: Seen = { started: false, ended: false };
    const r = await runCase(endlessCase(seen), options({ caseTimeoutMs: 200 }));
    expect(seen.ended).toBe(true);
    expect(seen.refused?.message).toMatch(/did not finish within 0.2s/);
    expect(existsSync(calls)).toBe(false);
    expect(r?.outcome).toBe('fail');
    expect(r?.message).toMatch(/did not finish within 0.2s/);
    expect(r?.notes).toEqual([]);
  });
});
