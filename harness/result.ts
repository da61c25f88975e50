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
  /** When the case started, in ms after the run's start (JUnit's wall-clock suite times). */
  startMs?: number;
  /** For a failure or an error: the runtime calls the case made, with their exits and stderr (the tail). */
  runtimeLog?: string;
}

export interface RuntimeInfo {
  path: string;
  args: string[];
  /** First line of `RUNTIME --version`, when it answers. */
  version?: string;
  /** What `RUNTIME features` printed, when it printed valid JSON. */
  features?: unknown;
}

/** Where and how a run happened: recorded in every report, compared by `conform merge`. */
export interface RunContext {
  /** conform's own version. */
  conform: string;
  plan: {
    /** Hash of the whole plan's case ids, in order, before sharding: shards of one plan share it. */
    hash: string;
    /** Cases in the whole plan. */
    cases: number;
    /** This run's slice; absent for a whole run (and for a merge of every shard). */
    shard?: { index: number; count: number };
  };
  host: { hostname: string; kernel: string; arch: string; cgroup: string };
  strict: boolean;
  /** The --expect file, as given, and a hash of its content (shards must use the same). */
  baseline?: { file: string; hash: string };
  /** A merged run: its shards, each as it ran. */
  shards?: ShardRun[];
}

export interface ShardRun {
  index: number;
  startedAt: string;
  durationMs: number;
  host: RunContext['host'];
}

/** A run that did not report every planned case (interrupted): what is missing and why. */
export interface PartialRun {
  reason: string;
  /** Planned cases without a result, sorted. */
  notRun: string[];
}

export interface RunSummary {
  runtime: RuntimeInfo;
  startedAt: string;
  durationMs: number;
  counts: Record<Outcome, number>;
  results: CaseResult[];
  /** 0: nothing failed unexpectedly; 1: something did (or the run was cut short). */
  exitCode: 0 | 1;
  context: RunContext;
  partial?: PartialRun;
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
