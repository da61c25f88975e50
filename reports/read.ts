// Reading a JSON report back (`conform merge`, `report`, `baseline`, `matrix`): checked
// against the published schema, so that a wrong file is refused with one line saying where.
import { newAjv } from '../schemas/ajv.js';
import { ajvProblems } from '../schemas/ajv-problems.js';
import type { ValidateFunction } from 'ajv';
import type { JsonReport } from './json.js';
import { REPORT_FORMAT } from './json.js';
import type { MatrixReport } from './matrix.js';
import { ReportSchema } from './report-schema.js';

let validator: ValidateFunction | undefined;

/** Problems of `data` as a report of this conform version (empty: it is one). */
export function reportProblems(data: unknown): string[] {
  validator ??= newAjv().compile(ReportSchema);
  if (validator(data)) return [];
  return ajvProblems(validator.errors, data).map((p) => `${p.path || '(root)'}: ${p.message}`);
}

/** Format 1 (before `warn`, per-requirement checks and the run's context) is still read by `matrix`. */
const OLDER_FORMATS = ['conform-report/1'];

function parse(text: string, name: string, formats: readonly string[]): Record<string, unknown> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not JSON (${(e as Error).message})`);
  }
  const r = data as Record<string, unknown> | null;
  if (!r || !Array.isArray(r.results) || typeof r.format !== 'string' || !r.format.startsWith('conform-report/'))
    throw new Error(`${name}: not a conform JSON report (write one with --json FILE)`);
  if (!formats.includes(r.format))
    throw new Error(`${name}: a report of format ${r.format}; this conform reads ${formats.join(' and ')} (run it again with this conform)`);
  return r;
}

/** A report of this conform version, whole. */
export function parseReport(text: string, name: string): JsonReport {
  const r = parse(text, name, [REPORT_FORMAT]);
  const problems = reportProblems(r);
  if (problems.length) throw new Error(`${name}: not a valid conform report: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`);
  return r as unknown as JsonReport;
}

/** What the matrix needs: results and counts; older reports without a context are fine. */
export function parseMatrixReport(text: string, name: string): MatrixReport {
  return parse(text, name, [REPORT_FORMAT, ...OLDER_FORMATS]) as unknown as MatrixReport;
}
