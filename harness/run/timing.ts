// Where a run's time goes, per case: the runtime's own calls, the waits on the container
// (the pauses between polls of its state or output), and conform's own work (bundle,
// rootfs overlay, config validation, probe parsing, verdicts, cleanup bookkeeping).
// Cases run concurrently on one event loop, so each case's counters ride along its
// async context instead of being passed through every call.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CaseTiming {
  /** Summed wall time of the runtime calls (harness/process/driver.ts), in ms. */
  runtimeMs: number;
  runtimeCalls: number;
  /** Summed pauses between polls of the container (harness/process/wait.ts), in ms. */
  waitMs: number;
  /**
   * Summed wall time of the engines' commands (podman, ctr: harness/engines/engine.ts), in
   * ms: the engine drives the runtime there, and its own work is neither the runtime's
   * call nor conform's.
   */
  engineMs: number;
  /** Building the case's bundles: config, files, the rootfs overlay, the schema check. */
  bundleMs: number;
  /** conform's own part of cleanup: unmounting, removing files, cgroup checks (its runtime calls and waits not included). */
  cleanupMs: number;
  /** The rest of the case's wall time: conform's own work (probe parsing, verdicts…), and waiting for the event loop. */
  harnessMs: number;
}

/** A whole run: the sums over its cases, and what the process itself cost. */
export interface RunTiming extends CaseTiming {
  jobs: number;
  /** When the plan was ready, in ms since the process started (suites loaded, cases chosen). */
  planMs: number;
  /** Peak resident set of the conform process, in kB. */
  maxRssKb: number;
  /**
   * (run wall time × jobs) ÷ (runtime calls + waits + engine commands): 1 means every
   * worker was always waiting on a runtime, a container or an engine; above it, conform's own share.
   */
  overhead?: number;
}

const current = new AsyncLocalStorage<CaseTiming>();

/** Runs one case with its own counters; `timing` is filled in when it returns a result (not when it was interrupted). */
export async function timed<T extends { durationMs: number; timing?: CaseTiming }>(run: () => Promise<T | undefined>): Promise<T | undefined> {
  const t: CaseTiming = { runtimeMs: 0, runtimeCalls: 0, waitMs: 0, engineMs: 0, bundleMs: 0, cleanupMs: 0, harnessMs: 0 };
  const r = await current.run(t, run);
  if (!r) return undefined;
  t.harnessMs = Math.max(0, r.durationMs - t.runtimeMs - t.waitMs - t.engineMs - t.bundleMs - t.cleanupMs);
  return { ...r, timing: round(t) };
}

export function recordCall(ms: number): void {
  const t = current.getStore();
  if (!t) return;
  t.runtimeMs += ms;
  t.runtimeCalls++;
}

export function recordWait(ms: number): void {
  const t = current.getStore();
  if (t) t.waitMs += ms;
}

export function recordEngine(ms: number): void {
  const t = current.getStore();
  if (t) t.engineMs += ms;
}

export function recordBundle(ms: number): void {
  const t = current.getStore();
  if (t) t.bundleMs += ms;
}

/** Starts timing a case's cleanup; call the result when it is done. Its runtime calls, waits and engine commands stay counted as such. */
export function cleanupTimer(): () => void {
  const t = current.getStore();
  const started = performance.now();
  const counted = () => (t ? t.runtimeMs + t.waitMs + t.engineMs : 0);
  const before = counted();
  return () => {
    if (t) t.cleanupMs += Math.max(0, performance.now() - started - (counted() - before));
  };
}

export function runTiming(timings: readonly (CaseTiming | undefined)[], o: { wallMs: number; jobs: number; planMs: number }): RunTiming {
  return { jobs: o.jobs, planMs: Math.round(o.planMs), maxRssKb: process.resourceUsage().maxRSS, ...totals(timings, o.wallMs * o.jobs) };
}

/**
 * The timing of shards merged into one run: their sums, the largest planMs, maxRssKb and
 * jobs, and the overhead over all of them (each shard's wall time × its jobs).
 */
export function mergeTimings(shards: readonly { timing?: RunTiming; durationMs: number }[]): RunTiming | undefined {
  const timed = shards.filter((s): s is { timing: RunTiming; durationMs: number } => s.timing !== undefined);
  if (timed.length !== shards.length || !timed.length) return undefined;
  const max = (k: 'jobs' | 'planMs' | 'maxRssKb') => Math.max(...timed.map((s) => s.timing[k]));
  const busyMs = timed.reduce((a, s) => a + s.durationMs * s.timing.jobs, 0);
  return {
    jobs: max('jobs'),
    planMs: max('planMs'),
    maxRssKb: max('maxRssKb'),
    ...totals(
      timed.map((s) => s.timing),
      busyMs,
    ),
  };
}

const CASE_KEYS = ['runtimeMs', 'runtimeCalls', 'waitMs', 'engineMs', 'bundleMs', 'cleanupMs', 'harnessMs'] as const;

/** Timings added up, and the overhead: `busyMs` (wall time × jobs) over their runtime calls, waits and engine commands. */
function totals(timings: readonly (CaseTiming | undefined)[], busyMs: number): CaseTiming & { overhead?: number } {
  const sums = Object.fromEntries(CASE_KEYS.map((k) => [k, timings.reduce((a, t) => a + (t?.[k] ?? 0), 0)])) as unknown as CaseTiming;
  const waited = sums.runtimeMs + sums.waitMs + sums.engineMs;
  return { ...sums, ...(waited ? { overhead: Number((busyMs / waited).toFixed(3)) } : {}) };
}

/** One line for the console: where the run's time went. */
export function formatTiming(t: RunTiming, wallMs: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `time: ${s(wallMs)} wall with --jobs ${t.jobs}; runtime calls ${s(t.runtimeMs)} (${t.runtimeCalls}), waits on containers ${s(t.waitMs)}, engine commands ${s(t.engineMs)}, ` +
    `bundles ${s(t.bundleMs)}, cleanup ${s(t.cleanupMs)}, conform's other work ${s(t.harnessMs)}` +
    `${t.overhead !== undefined ? `; overhead ${t.overhead.toFixed(2)}× (wall × jobs ÷ calls, waits and engine commands)` : ''}; plan ready at ${t.planMs} ms; peak RSS ${Math.round(t.maxRssKb / 1024)} MB`
  );
}

function round(t: CaseTiming): CaseTiming {
  return {
    runtimeMs: Math.round(t.runtimeMs),
    runtimeCalls: t.runtimeCalls,
    waitMs: Math.round(t.waitMs),
    engineMs: Math.round(t.engineMs),
    bundleMs: Math.round(t.bundleMs),
    cleanupMs: Math.round(t.cleanupMs),
    harnessMs: Math.round(t.harnessMs),
  };
}
