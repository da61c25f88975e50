// `run` and `exec` in the foreground stand for the container's process: signals sent
// to them (Ctrl-C, a supervisor's TERM) are passed on to it, as runc does.

/** The signals a foreground runtime passes on; SIGKILL and SIGSTOP cannot be caught. */
export const FORWARDED: readonly NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT'];

/** Forwards signals to `pid` until the returned function is called. */
export function forwardSignals(pid: number, kill: (pid: number, sig: NodeJS.Signals) => void = (p, s) => process.kill(p, s)): () => void {
  const handlers = FORWARDED.map((sig) => {
    const h = () => {
      try {
        kill(pid, sig);
      } catch {
        /* the process is gone: the wait will see it */
      }
    };
    process.on(sig, h);
    return [sig, h] as const;
  });
  return () => {
    for (const [sig, h] of handlers) process.off(sig, h);
  };
}

/**
 * Waits for a child without blocking the event loop, so that forwarded signals are
 * handled meanwhile; `poll` is waitpid with WNOHANG (undefined while it runs).
 */
export async function waitChild(poll: () => number | undefined, intervalMs = 10): Promise<number> {
  for (;;) {
    const status = poll();
    if (status !== undefined) return status;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
