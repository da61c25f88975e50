// The skeleton the harness's native helpers share: a small C program (harness/native/,
// built into dist/) that receives over a unix socket what Node cannot (an fd sent with
// SCM_RIGHTS), started in a case's background (killed at cleanup), that writes one line
// per step into an EVENTS file and renames its socket into place once it listens. The
// console-socket receiver (console-receiver.ts) and the seccomp agent (seccomp-agent.ts)
// are two of them.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { poll } from './wait.js';

/** What starting a helper needs of its case (a CaseContext has it; an interface, so that no helper imports the context that starts it). */
export interface HelperHost {
  readonly rt: { readonly rt: { readonly timeoutMs: number } };
  background(argv: string[]): ChildProcess;
}

/** Every helper's events say whether it failed. */
export interface HelperEvents {
  error?: string;
}

export class NativeHelper<E extends HelperEvents> {
  constructor(
    /** The socket the helper listens on (given to the runtime). */
    readonly socket: string,
    readonly eventsPath: string,
    private readonly parse: (text: string) => E,
    private readonly child: ChildProcess,
  ) {}

  events(): E {
    return this.parse(existsSync(this.eventsPath) ? readFileSync(this.eventsPath, 'utf8') : '');
  }

  /** Whether the helper program is still running. */
  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Polls the events until `done` holds (true). Once the deadline passes, the helper
   * exits or reports an error, whether `done` holds then.
   */
  async until(done: (ev: E) => boolean, timeoutMs: number): Promise<boolean> {
    const seen = await poll(
      () => {
        const ev = this.events();
        if (done(ev)) return 'done';
        return !this.running() || ev.error !== undefined ? 'ended' : undefined;
      },
      { timeoutMs, pauseMs: 5, maxPauseMs: 50 },
    );
    return seen === 'done' || done(this.events());
  }
}

/**
 * Starts `argv` (argv[0]: a helper in dist/) in the case's background and returns the
 * helper `make` wraps it in once its socket is in place (a connect to it will succeed).
 * `what` names it in errors: "the seccomp agent".
 */
export async function startNativeHelper<E extends HelperEvents, H extends NativeHelper<E>>(
  host: HelperHost,
  what: string,
  argv: [string, ...string[]],
  make: (child: ChildProcess) => H,
): Promise<H> {
  if (!existsSync(argv[0])) throw new Error(`${argv[0]} is missing: build the harness (node scripts/build.mjs --harness; it needs cc)`);
  const helper = make(host.background(argv));
  const notListening = (why: string) => new Error(`${what} did not start listening on ${helper.socket}: ${why}`);
  const listening = await poll(
    () => {
      if (existsSync(helper.socket)) return true;
      const ev = helper.events();
      if (ev.error !== undefined) throw notListening(ev.error);
      if (!helper.running()) throw notListening('it exited');
      return undefined;
    },
    { timeoutMs: host.rt.rt.timeoutMs, pauseMs: 2, maxPauseMs: 50 },
  );
  if (!listening) throw notListening('timed out');
  return helper;
}
