import { recordWait } from './timing.js';

// The one pause the harness allows itself: between polls of a condition, never as a wait for one.
// Counted as the case's waits on its container (harness/timing.ts).
export function pause(ms: number): Promise<void> {
  const started = performance.now();
  return new Promise((r) =>
    setTimeout(() => {
      recordWait(performance.now() - started);
      r();
    }, ms),
  );
}
