// The contract between the runner and every report format.
//
// The runner calls, in this order:
//
//   const reporter = fanOut([consoleReporter(process.stderr, { verbose }), tapReporter(tap.stream), ...]);
//   reporter.start({ total: cases.length, runtime });
//   // from the worker pool, any number of cases in flight:
//   reporter.caseStarted?.(id);          // when a case begins (the console shows it as running)
//   reporter.caseFinished(result);       // when it has a verdict, in completion order
//   await reporter.finish(summary);      // once, with every result; resolves when all is written
//   await tap.close();                   // the runner closes what it opened (see reports/output.ts)
//
// Streaming formats (TAP, console) write as results arrive; whole-document formats (JUnit,
// JSON) write everything from `summary` in `finish`, so that a report never depends on the
// order in which the pool happened to finish cases.

import type { CaseResult, RunContext, RunSummary, RuntimeInfo } from './result.js';

export interface RunPlan {
  /** How many cases the run will report (after filters and sharding). */
  total: number;
  runtime: RuntimeInfo;
  context?: RunContext;
  /** Each planned case's expected cost (ms): the console's ETA weighs what is left by it. */
  expectedMs?: Readonly<Record<string, number>>;
}

export interface Reporter {
  /** Names the reporter in errors (`tap`, `junit`, …). */
  readonly name: string;
  start(plan: RunPlan): void;
  caseStarted?(id: string): void;
  caseFinished(result: CaseResult): void;
  /** Writes what is left and resolves once it has been handed to the OS (not closed). */
  finish(summary: RunSummary): Promise<void>;
}

/**
 * Where a reporter writes: `process.stdout`, a file stream, or a test's fake. `isTTY` and
 * `columns` matter only to the console reporter.
 */
export interface TextOut {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** A stream's reader went away (`conform … | head`, a closed terminal): what was for it is dropped, not an error. */
const READER_GONE = new Set(['EPIPE', 'EIO', 'ERR_STREAM_DESTROYED']);

/** Writes `chunk` and resolves when the stream has taken it (or rejects with its error, unless its reader is gone). */
export function writeAndFlush(out: TextOut, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (error) => (error && !READER_GONE.has((error as NodeJS.ErrnoException).code ?? '') ? reject(error) : resolve()));
  });
}

/**
 * One reporter that forwards every call to each of `reporters`. A reporter that throws does
 * not stop the others (a full disk must not cost the console its summary); the errors are
 * rethrown together once every reporter has had its turn.
 */
export function fanOut(reporters: readonly Reporter[]): Reporter {
  const each = (call: (r: Reporter) => void): void => {
    const errors: unknown[] = [];
    for (const r of reporters) {
      try {
        call(r);
      } catch (error) {
        errors.push(labelled(r, error));
      }
    }
    rethrow(errors);
  };
  return {
    name: reporters.map((r) => r.name).join('+'),
    start: (plan) => each((r) => r.start(plan)),
    caseStarted: (id) => each((r) => r.caseStarted?.(id)),
    caseFinished: (result) => each((r) => r.caseFinished(result)),
    async finish(summary) {
      const settled = await Promise.allSettled(
        reporters.map(async (r) => {
          try {
            await r.finish(summary);
          } catch (error) {
            throw labelled(r, error);
          }
        }),
      );
      rethrow(settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : [])));
    },
  };
}

function labelled(reporter: Reporter, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(`${reporter.name} reporter failed: ${message}`, { cause: error });
}

function rethrow(errors: unknown[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => (e as Error).message).join('; '));
}
