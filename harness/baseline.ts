// Known-failure baselines: the cases a runtime is expected to fail, each with a
// one-line reason, and the cases it skips because it does not implement what they
// check. They turn the suite into a CI gate, and unexpected passes are reported so
// that baselines shrink.
import { readFileSync } from 'node:fs';
import { SetupError } from './errors.js';
import type { CaseResult } from './result.js';

export interface Baseline {
  file: string;
  runtime?: string;
  /** case id → why the runtime fails it */
  expected: Map<string, string>;
  /** case id → what the runtime does not implement (the case skips: its features do not claim it) */
  notImplemented: Map<string, string>;
}

const FORMAT = '{"expectedFailures": {"<case id>": "<reason>", …}, "notImplemented": {"<case id>": "<reason>", …}}';

/** Reads one `{ "<case id>": "<reason>" }` section; `required` sections must be there. */
function section(file: string, obj: Record<string, unknown>, key: string, required: boolean, knownIds: ReadonlySet<string>, warnings: string[]): Map<string, string> {
  const value = obj[key];
  const out = new Map<string, string>();
  if (value === undefined && !required) return out;
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new SetupError(`--expect ${file}: expected ${FORMAT} (${key} is ${Array.isArray(value) ? 'a list' : typeof value})`);
  for (const [id, reason] of Object.entries(value as Record<string, unknown>)) {
    if (typeof reason !== 'string' || !reason.trim()) throw new SetupError(`--expect ${file}: ${key}.${id} needs a one-line reason`);
    if (!knownIds.has(id)) warnings.push(`${file}: ${id} is not a case conform knows (renamed or removed?)`);
    out.set(id, reason.trim());
  }
  return out;
}

/** File format: `{ "runtime": "runc 1.1.5", "expectedFailures": {…}, "notImplemented": {…} }` (notImplemented optional). */
export function loadBaseline(file: string, knownIds: ReadonlySet<string>): { baseline: Baseline; warnings: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new SetupError(`--expect ${file}: cannot read it as JSON (${(e as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new SetupError(`--expect ${file}: expected ${FORMAT}`);
  const obj = data as Record<string, unknown>;
  const warnings: string[] = [];
  const expected = section(file, obj, 'expectedFailures', true, knownIds, warnings);
  const notImplemented = section(file, obj, 'notImplemented', false, knownIds, warnings);
  for (const id of notImplemented.keys()) if (expected.has(id)) throw new SetupError(`--expect ${file}: ${id} is in both expectedFailures and notImplemented`);
  return { baseline: { file, runtime: typeof obj['runtime'] === 'string' ? obj['runtime'] : undefined, expected, notImplemented }, warnings };
}

export function applyBaseline(r: CaseResult, baseline: Baseline | undefined): CaseResult {
  const reason = baseline?.expected.get(r.id);
  if (reason !== undefined) {
    if (r.outcome === 'fail' || r.outcome === 'error') return { ...r, outcome: 'xfail', message: `expected failure: ${reason}` };
    if (r.outcome === 'pass') return { ...r, outcome: 'xpass', message: `unexpectedly passing; remove it from ${baseline!.file} (its reason: ${reason})` };
    // A recommendation not followed never fails a run, so it needs no baseline entry.
    if (r.outcome === 'warn') return { ...r, message: `${r.message ?? 'a recommendation not followed'}; a warning never fails a run: remove it from ${baseline!.file}` };
    return r;
  }
  const missing = baseline?.notImplemented.get(r.id);
  if (missing === undefined) return r;
  if (r.outcome === 'skip') return { ...r, expectedSkip: true, message: `${r.message ?? 'skipped'}; not implemented (baseline): ${missing}` };
  if (r.outcome === 'pass') return { ...r, outcome: 'xpass', message: `unexpectedly passing; remove it from notImplemented in ${baseline!.file} (its reason: ${missing})` };
  return r;
}
