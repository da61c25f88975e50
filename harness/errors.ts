// The harness's errors. SetupError ends a run before it starts (exit code 2) and says
// what to do; the others end a case, each with its own outcome (harness/run/runner.ts).
export class SetupError extends Error {
  override name = 'SetupError';
}

/** Thrown by t.skip(): the case cannot run here. */
export class Skip extends Error {
  override name = 'Skip';
}

/** Thrown by hard expectations: the case cannot go on. */
export class Abort extends Error {
  override name = 'Abort';
}

/** A problem of the case or the machine, never of the runtime: the case is an `error`. */
export class HarnessError extends Error {
  override name = 'HarnessError';
}
