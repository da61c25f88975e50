// Waiting without depending on the machine's load: the one pause the harness allows
// itself (between polls of a condition, never as a wait for one), and deadlines that
// do not count the time the machine's CPUs were too busy to run anything of ours.
import { readFileSync } from 'node:fs';
import { recordWait } from '../run/timing.js';
import { refuseIfHalted } from './halt.js';

// Counted as the case's waits on its container (harness/run/timing.ts).
export function pause(ms: number): Promise<void> {
  const started = performance.now();
  return new Promise((r) =>
    setTimeout(() => {
      recordWait(performance.now() - started);
      r();
    }, ms),
  );
}

/**
 * Microseconds, since boot, during which some runnable task waited for a CPU
 * (/proc/pressure/cpu "some total"), or undefined without PSI.
 */
export function cpuStallUs(): number | undefined {
  try {
    const m = /^some .*\btotal=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A budget of `ms` milliseconds of uncontended time. On a loaded machine a runtime
 * that works is merely slow: wall time during which tasks waited for a CPU (the
 * kernel's pressure stall information) is not counted, so a verdict does not change
 * with load. A hang still ends: never later than `stretch` × ms of wall time.
 * Without PSI it is a plain wall-clock deadline.
 */
export class Deadline {
  private readonly start: number;
  private readonly stall0: number | undefined;

  constructor(
    readonly ms: number,
    readonly stretch = 6,
    /** Clock and stall reader (tests give fakes). */
    private readonly clock: { now(): number; stallUs(): number | undefined } = { now: () => performance.now(), stallUs: cpuStallUs },
  ) {
    this.start = clock.now();
    this.stall0 = clock.stallUs();
  }

  /** Wall-clock milliseconds since the start. */
  elapsed(): number {
    return this.clock.now() - this.start;
  }

  /** Milliseconds of the budget left (0 when it is spent). */
  left(): number {
    const wall = this.elapsed();
    const cap = this.ms * this.stretch - wall;
    const now = this.stall0 === undefined ? undefined : this.clock.stallUs();
    const stalled = now === undefined || this.stall0 === undefined ? 0 : Math.min(wall, (now - this.stall0) / 1000);
    return Math.max(0, Math.min(cap, this.ms - (wall - stalled)));
  }

  passed(): boolean {
    return this.left() <= 0;
  }

  /** Calls `expired` once the budget is spent (re-checking as it goes); returns a cancel function. */
  onExpiry(expired: () => void): () => void {
    let timer: NodeJS.Timeout;
    const check = () => {
      const left = this.left();
      if (left <= 0) expired();
      else timer = setTimeout(check, Math.max(left, 20));
    };
    timer = setTimeout(check, this.ms);
    return () => clearTimeout(timer);
  }
}

export interface UntilOptions {
  /** The budget, as a Deadline counts it (time the CPUs were too busy is not counted). */
  timeoutMs: number;
  /** What is awaited, for the message at the deadline: "container c1 to stop". */
  what: string;
  /** The first pause between checks (ms), doubled after each one up to `maxPauseMs`. */
  pauseMs?: number;
  maxPauseMs?: number;
}

/** The deadline of until() passed: its message says what did not happen, and within what. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/** What a check returns while it waits: anything but undefined or false ends the wait. */
type Pending = undefined | false;

/**
 * Polls `check` until it returns something other than undefined or false, and returns
 * that; undefined once the deadline has passed (after one last check). A check that
 * knows the thing can never happen throws (or ends the case) itself.
 */
export async function poll<T>(check: () => T | Pending | Promise<T | Pending>, opts: Omit<UntilOptions, 'what'>): Promise<Exclude<T, Pending> | undefined> {
  const deadline = new Deadline(opts.timeoutMs);
  let delay = opts.pauseMs ?? 10;
  for (;;) {
    refuseIfHalted();
    const passed = deadline.passed();
    const v = await check();
    if (v !== undefined && v !== false) return v as Exclude<T, Pending>;
    if (passed) return undefined;
    await pause(delay);
    delay = Math.min(delay * 2, opts.maxPauseMs ?? 100);
  }
}

/** poll(), with a WaitTimeout naming `what` at the deadline: the one way conform waits on state. */
export async function until<T>(check: () => T | Pending | Promise<T | Pending>, opts: UntilOptions): Promise<Exclude<T, Pending>> {
  const v = await poll(check, opts);
  if (v === undefined) throw new WaitTimeout(`${opts.what}: not within ${Math.round(opts.timeoutMs / 1000)}s`);
  return v;
}
