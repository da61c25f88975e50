// Deadlines that do not count the time the machine was too busy to run anything.
import { describe, expect, it } from 'vitest';
import { Deadline, poll, until, WaitTimeout } from '../../harness/process/wait.js';

/** A clock and a pressure-stall counter the test moves by hand. */
function fake(stall: number | undefined = 0) {
  const c = { t: 1000, stall, now: () => c.t, stallUs: () => c.stall };
  return c;
}

describe('Deadline', () => {
  it('is a plain wall-clock deadline on an idle machine', () => {
    const c = fake();
    const d = new Deadline(10_000, 6, c);
    c.t += 9_999;
    expect(d.passed()).toBe(false);
    c.t += 1;
    expect(d.passed()).toBe(true);
  });

  it('does not count wall time during which tasks waited for a CPU', () => {
    const c = fake();
    const d = new Deadline(10_000, 6, c);
    c.t += 30_000;
    c.stall! += 25_000_000; // 25 s of the 30 contended
    expect(d.left()).toBe(5_000);
    c.t += 5_000;
    expect(d.passed()).toBe(true);
  });

  it('still ends a hang on a machine that is always contended, at stretch × the budget', () => {
    const c = fake();
    const d = new Deadline(10_000, 6, c);
    c.t += 59_999;
    c.stall! += 59_999_000;
    expect(d.passed()).toBe(false);
    c.t += 1;
    c.stall! += 1_000;
    expect(d.passed()).toBe(true);
  });

  it('without pressure stall information, is wall-clock', () => {
    const c = fake(undefined);
    const d = new Deadline(1_000, 6, c);
    c.t += 1_000;
    expect(d.passed()).toBe(true);
  });
});

describe('until and poll', () => {
  it('return what the check returned once it is neither undefined nor false', async () => {
    let calls = 0;
    const v = await until(() => (++calls === 3 ? { calls } : calls === 2 ? false : undefined), { timeoutMs: 60_000, what: 'the third call', pauseMs: 1 });
    expect(v).toEqual({ calls: 3 });
  });

  it('check once more when the deadline has passed, then give up: poll with undefined, until with a WaitTimeout naming what', async () => {
    let calls = 0;
    expect(await poll(() => void calls++, { timeoutMs: 0 })).toBeUndefined();
    expect(calls).toBe(1);
    await expect(until(() => false, { timeoutMs: 0, what: 'container c1 to stop' })).rejects.toThrow(new WaitTimeout('container c1 to stop: not within 0s'));
  });

  it('pass on what a check throws (the check knows the thing cannot happen any more)', async () => {
    await expect(
      until(
        () => {
          throw new Error('it exited');
        },
        { timeoutMs: 60_000, what: 'x' },
      ),
    ).rejects.toThrow('it exited');
  });
});
