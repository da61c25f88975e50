// Deadlines that do not count the time the machine was too busy to run anything.
import { describe, expect, it } from 'vitest';
import { Deadline } from '../../harness/wait.js';

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
