// A case's check, once the case is given up (the run was interrupted, or the case ran past
// its deadline), must start nothing more: a container it created after cleanup ran would
// be left behind, and a file it wrote into the case's directory would keep that from
// being removed. The check cannot be stopped from outside (a promise), so it runs in a
// scope of its own, and what starts processes or waits (run(), poll(), background
// processes) asks first whether the scope it runs in was halted: if so, it throws the
// reason, and the check unwinds at its next step.
import { AsyncLocalStorage } from 'node:async_hooks';

const scope = new AsyncLocalStorage<CheckScope | undefined>();

export class CheckScope {
  private reason: Error | undefined;

  /** Runs fn (a case's check) in this scope: everything it goes on to do is in it. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return scope.run(this, fn);
  }

  /** From now on, what the check starts throws `reason` instead. */
  halt(reason: Error): void {
    this.reason ??= reason;
  }

  get halted(): Error | undefined {
    return this.reason;
  }
}

/** Throws the halt's reason when called from a check that was halted. */
export function refuseIfHalted(): void {
  const reason = scope.getStore()?.halted;
  if (reason) throw reason;
}

/**
 * Runs fn outside any check's scope: for what a check starts that outlives it and serves
 * other cases (a run's services), which halting that check must not refuse.
 */
export function outsideChecks<T>(fn: () => T): T {
  return scope.run(undefined, fn);
}
