// What a run produces: plain data, shared by the runner and every reporter.
import type { CaseTiming, RunTiming } from './timing.js';
import type { Level } from '../../spec/types.js';

/**
 * - pass / fail: the verdict on what the case checks. A case fails when an assertion about
 *   a MUST-level requirement (MUST, MUST NOT, REQUIRED, SHALL: spec.md's compliance) failed.
 * - warn: every MUST-level assertion held (or the case has none), but one about a SHOULD or
 *   MAY-level requirement did not: a recommendation not followed. Reported, never a failure
 *   (not even with --strict).
 * - skip: the case could not run here (its `message` says which condition was missing).
 * - disputed: the spec is ambiguous or runtimes disagree; the case ran and recorded what
 *   the runtime did, but gives no verdict.
 * - xfail / xpass: the runtime's baseline expects this case to fail; it failed (xfail) or
 *   unexpectedly passed (xpass, so the baseline can shrink).
 * - error: the harness itself could not carry the case out (a bug in the case, or the
 *   machine): never blamed on the runtime, but never hidden either.
 */
export type Outcome = 'pass' | 'warn' | 'fail' | 'skip' | 'disputed' | 'xfail' | 'xpass' | 'error';

export const OUTCOMES: readonly Outcome[] = ['pass', 'fail', 'error', 'warn', 'xfail', 'xpass', 'disputed', 'skip'];

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
  /**
   * The requirement the failed assertion checks. Absent when the case as a whole could not
   * go on (an operation it needed did not succeed, or it ran out of time): such a failure
   * counts against every requirement the case cites.
   */
  requirement?: string;
}

/**
 * What one case found about one requirement it cites, from that requirement's own
 * assertions: pass / fail (a MUST-level one broken) / warn (a SHOULD or MAY-level one not
 * followed); `unchecked` when the case ended (failing on another requirement) before it
 * got to this one; skip, disputed and error follow the case's own outcome.
 */
export type CheckOutcome = 'pass' | 'warn' | 'fail' | 'unchecked' | 'skip' | 'disputed' | 'error';

export interface RequirementCheck {
  id: string;
  /** The requirement's level in the catalogue (spec/). */
  level: Level;
  outcome: CheckOutcome;
}

export interface CaseResult {
  id: string;
  area: string;
  /** One line: what the case checks. */
  title: string;
  /** Requirement IDs from the catalogue (spec/). */
  requirements: string[];
  /**
   * The case checks a convention beyond the spec (harness/case/case.ts CONVENTIONS): its
   * failure is no spec violation, and marks none of its requirements failed.
   */
  convention?: Convention;
  /**
   * One entry per cited requirement, in the same order: its level and what this case found
   * about it. It describes the runtime, so a baseline never changes it (an xfail case keeps
   * its failed requirements).
   */
  checks: RequirementCheck[];
  outcome: Outcome;
  /** One line: why it failed, warned, was skipped, is disputed, or the baseline's reason. */
  message?: string;
  failures: Failure[];
  /** Information that is not a verdict, e.g. what a runtime did where the spec allows several behaviours. */
  notes: string[];
  durationMs: number;
  /** Where the case's time went (harness/run/timing.ts). */
  timing?: CaseTiming;
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
  /**
   * The run's tag: the suffix of its container ids and of the names its engines' services
   * give the host (cgroups conform-podman-TAG, conform-containerd-TAG, /run links), so that
   * what a run left can be told from another run's. Absent in a merged run (each shard has its own).
   */
  tag?: string;
  /** A merged run: its shards, each as it ran. */
  shards?: ShardRun[];
}

export interface ShardRun {
  index: number;
  startedAt: string;
  durationMs: number;
  host: RunContext['host'];
  tag?: string;
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
  /** Where the run's time went (harness/run/timing.ts). */
  timing?: RunTiming;
}

export function countOutcomes(results: readonly CaseResult[]): Record<Outcome, number> {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>;
  for (const r of results) counts[r.outcome]++;
  return counts;
}

/** Results that make a run fail. A warn never does. */
export function isBad(r: Pick<CaseResult, 'outcome' | 'expectedSkip'>, strict = false): boolean {
  const { outcome } = r;
  return outcome === 'fail' || outcome === 'error' || (strict && ((outcome === 'skip' && !r.expectedSkip) || outcome === 'xpass'));
}

/** spec.md: compliance is the MUST, REQUIRED and SHALL requirements (the catalogue spells them MUST / MUST NOT). */
export function isMandatory(level: Level): boolean {
  return level === 'MUST' || level === 'MUST NOT';
}

/**
 * The verdict of a case whose check ran (to its end, or until it stopped on a failure), and
 * of each requirement it cites:
 * - a requirement with a failure of its own, or with a failure of the whole case, is `fail`
 *   when it is MUST-level and `warn` otherwise;
 * - one that an assertion checked, or that the case cites and completed without failing, is `pass`;
 * - one the case never got to because it stopped on another failure, or that it found it
 *   cannot judge in this run (`unjudged`), is `unchecked`.
 * The case fails when a requirement does, warns when one warns, and passes otherwise.
 */
export function judge(
  cited: readonly { id: string; level: Level }[],
  failures: readonly Failure[],
  asserted: ReadonlySet<string>,
  completed: boolean,
  unjudged: ReadonlySet<string> = new Set(),
): { outcome: 'pass' | 'warn' | 'fail'; checks: RequirementCheck[] } {
  // A failure naming no requirement, or one the case does not cite, is the whole case's.
  const ids = new Set(cited.map((c) => c.id));
  const wholeCase = failures.some((f) => f.requirement === undefined || !ids.has(f.requirement));
  const checks = cited.map(({ id, level }): RequirementCheck => {
    const failed = wholeCase || failures.some((f) => f.requirement === id);
    const outcome: CheckOutcome = failed ? (isMandatory(level) ? 'fail' : 'warn') : !unjudged.has(id) && (asserted.has(id) || completed) ? 'pass' : 'unchecked';
    return { id, level, outcome };
  });
  // A failure with no requirement in a case that cites none still fails it.
  const outcome =
    checks.some((c) => c.outcome === 'fail') || (wholeCase && cited.length === 0) ? 'fail' : checks.some((c) => c.outcome === 'warn') ? 'warn' : 'pass';
  return { outcome, checks };
}

/** Every cited requirement with the same outcome: a case skipped, disputed, or in error. */
export function uniformChecks(cited: readonly { id: string; level: Level }[], outcome: 'skip' | 'disputed' | 'error' | 'unchecked'): RequirementCheck[] {
  return cited.map(({ id, level }) => ({ id, level, outcome }));
}
