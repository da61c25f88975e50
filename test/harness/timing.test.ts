// Where a case's time went (harness/run/timing.ts): each category counted once, conform's
// own work the rest, and the overhead over what conform waited on.
import { describe, expect, it } from 'vitest';
import { cleanupTimer, recordCall, recordEngine, recordWait, runTiming, timed, type CaseTiming } from '../../harness/run/timing.js';

const busy = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('timing', () => {
  it("counts runtime calls, waits and engine commands apart from conform's work, in cleanup too", async () => {
    let cleanupWall = 0;
    const r = await timed<{ durationMs: number; timing?: CaseTiming }>(async () => {
      recordCall(300);
      recordWait(100);
      recordEngine(200);
      const started = performance.now();
      const done = cleanupTimer();
      await busy(60);
      recordEngine(40); // an engine's removal during cleanup: not cleanup's own time
      done();
      cleanupWall = performance.now() - started;
      return { durationMs: 2000 };
    });
    const t = r!.timing!;
    expect([t.runtimeMs, t.runtimeCalls, t.waitMs, t.engineMs]).toEqual([300, 1, 100, 240]);
    expect(t.cleanupMs).toBeGreaterThanOrEqual(15);
    expect(t.cleanupMs).toBeLessThanOrEqual(Math.round(cleanupWall - 40) + 1);
    expect(t.harnessMs).toBe(2000 - 300 - 100 - 240 - t.bundleMs - t.cleanupMs);
    // The overhead: wall × jobs over calls, waits and engine commands.
    expect(runTiming([t], { wallMs: 1280, jobs: 1, planMs: 0 }).overhead).toBe(2);
  });

  it('records nothing outside a case', () => {
    expect(() => recordEngine(5)).not.toThrow();
  });
});
