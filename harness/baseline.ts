// Known-failure baselines: the cases a runtime is expected to fail, each with a
// one-line reason. They turn the suite into a CI gate, and unexpected passes are
// reported so that baselines shrink.
import { readFileSync } from 'node:fs';
import { SetupError } from './errors.js';
import type { CaseResult } from './result.js';

export interface Baseline {
  file: string;
  runtime?: string;
  /** case id → reason */
  expected: Map<string, string>;
}

/** File format: `{ "runtime": "runc 1.1.5", "expectedFailures": { "<case id>": "<reason>" } }`. */
export function loadBaseline(file: string, knownIds: ReadonlySet<string>): { baseline: Baseline; warnings: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SetupError(`--expect ${file}: cannot read it as JSON (${(e as Error).message})`);
  }
  const obj = data as { runtime?: unknown; expectedFailures?: unknown };
  if (!obj || typeof obj !== 'object' || !obj.expectedFailures || typeof obj.expectedFailures !== 'object' || Array.isArray(obj.expectedFailures)) {
    throw new SetupError(`--expect ${file}: expected {"expectedFailures": {"<case id>": "<reason>", …}}`);
  }
  const expected = new Map<string, string>();
  const warnings: string[] = [];
  for (const [id, reason] of Object.entries(obj.expectedFailures as Record<string, unknown>)) {
    if (typeof reason !== 'string' || !reason.trim()) throw new SetupError(`--expect ${file}: ${id} needs a one-line reason`);
    if (!knownIds.has(id)) warnings.push(`${file}: ${id} is not a case conform knows (renamed or removed?)`);
    expected.set(id, reason.trim());
  }
  return { baseline: { file, runtime: typeof obj.runtime === 'string' ? obj.runtime : undefined, expected }, warnings };
}

export function applyBaseline(r: CaseResult, baseline: Baseline | undefined): CaseResult {
  const reason = baseline?.expected.get(r.id);
  if (reason === undefined) return r;
  if (r.outcome === 'fail' || r.outcome === 'error') return { ...r, outcome: 'xfail', message: `expected failure: ${reason}` };
  if (r.outcome === 'pass') return { ...r, outcome: 'xpass', message: `unexpectedly passing; remove it from ${baseline!.file} (its reason: ${reason})` };
  return r;
}
