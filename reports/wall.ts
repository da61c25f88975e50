// Wall-clock time of a group of cases that ran in parallel: the length of the union of
// their [start, start + duration] intervals, not the sum of their durations (two cases
// side by side for 10 s took 10 s, not 20). Cases without a start time (reports written
// before conform recorded it) count as if they had run one after another.
import type { CaseResult } from '../harness/run/result.js';

export function wallMs(results: readonly Pick<CaseResult, 'startMs' | 'durationMs'>[]): number {
  let total = 0;
  const spans: [number, number][] = [];
  for (const r of results) {
    const d = Number.isFinite(r.durationMs) && r.durationMs > 0 ? r.durationMs : 0;
    if (r.startMs === undefined) total += d;
    else spans.push([r.startMs, r.startMs + d]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  let end = -Infinity;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}
