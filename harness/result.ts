// What a run produces: plain data, shared by the runner and every reporter.

/**
 * - pass / fail: the verdict on what the case checks.
 * - skip: the case could not run here (its `message` says which condition was missing).
 * - disputed: the spec is ambiguous or runtimes disagree; the case ran and recorded what
 *   the runtime did, but gives no verdict.
 * - xfail / xpass: the runtime's baseline expects this case to fail; it failed (xfail) or
 *   unexpectedly passed (xpass, so the baseline can shrink).
 * - error: the harness itself could not carry the case out (a bug in the case, or the
 *   machine): never blamed on the runtime, but never hidden either.
 */
export type Outcome = 'pass' | 'fail' | 'skip' | 'disputed' | 'xfail' | 'xpass' | 'error';

export const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'error', 'xfail', 'xpass', 'disputed', 'skip'];

/** Conventions beyond the spec that cases may check, with how reports name them. */
export const CONVENTIONS = {
  'runc-cli': 'the runc CLI convention beyond the spec',
} as const;

export type Convention = keyof typeof CONVENTIONS;

/** One failed expectation inside a case. */
export interface Failure {
  message: string;
  expected?: unknown;
  actual?: unknown;
}

export interface CaseResult {
  id: string;
  area: string;
  /** One line: what the case checks. */
  title: string;
  /** Requirement IDs from the catalogue (suites/requirements). */
  requirements: string[];
  /**
   * The case checks a convention beyond the spec (harness/case.ts CONVENTIONS): its
   * failure is no spec violation, and marks none of its requirements failed.
   */
  convention?: Convention;
  outcome: Outcome;
  /** One line: why it failed, was skipped, is disputed, or the baseline's reason. */
  message?: string;
  failures: Failure[];
  /** Information that is not a verdict, e.g. what a runtime did where the spec allows several behaviours. */
  notes: string[];
  durationMs: number;
  /** With --keep: the case's directory (bundle, runtime state, logs). */
  dir?: string;
  /** A skip the baseline lists as not implemented by the runtime: no failure, even with --strict. */
  expectedSkip?: boolean;
}

export interface RuntimeInfo {
  path: string;
  args: string[];
  /** First line of `RUNTIME --version`, when it answers. */
  version?: string;
}

export interface RunSummary {
  runtime: RuntimeInfo;
  startedAt: string;
  durationMs: number;
  counts: Record<Outcome, number>;
  results: CaseResult[];
  /** 0: nothing failed unexpectedly; 1: something did. */
  exitCode: 0 | 1;
}

export function countOutcomes(results: readonly CaseResult[]): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** Results that make a run fail. */
export function isBad(r: Pick<CaseResult, 'outcome' | 'expectedSkip'>, strict = false): boolean {
  const { outcome } = r;
  return outcome === 'fail' || outcome === 'error' || (strict && ((outcome === 'skip' && !r.expectedSkip) || outcome === 'xpass'));
}
