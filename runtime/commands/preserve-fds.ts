// --preserve-fds N (runc's, for create, run and exec): the caller's fds 3 … 3+N-1 reach
// the container's process as the same numbers. They ride to the init in the stdio
// slots after its sync socket (3) and the console slot (4) and are moved into place
// just before execve (init/finalize.ts).
import { fstatSync } from 'node:fs';
import type { StdioOptions } from 'node:child_process';
import type { Socket } from 'node:net';
import { RuntimeError } from '../errors.js';
import { socketFd } from '../fd-passing.js';

export function parsePreserveFds(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new RuntimeError(`--preserve-fds ${JSON.stringify(text)}: must be a number of fds (0 or more)`);
  for (let fd = 3; fd < 3 + n; fd++) {
    try {
      fstatSync(fd);
    } catch {
      throw new RuntimeError(`--preserve-fds ${n}: fd ${fd} is not open in the runtime (it passes fds 3 to ${2 + n})`);
    }
  }
  return n;
}

/**
 * The init's fds after its sync socket (3), as our fds (runtime/nsexec.ts places them):
 * the console (or -1, a slot left closed, when preserved fds follow), then the preserved
 * fds, which become PRESERVED_FDS_BASE (5) on.
 */
export function initSlots(consoleFd: number | undefined, preserveFds: number): number[] {
  const preserved = Array.from({ length: preserveFds }, (_, i) => 3 + i);
  const consoleSlot = consoleFd !== undefined ? [consoleFd] : preserveFds > 0 ? [-1] : [];
  return [...consoleSlot, ...preserved];
}

/** The same layout for child_process (exec): ours for stdio, a pipe for the sync socket, then the slots. */
export function initStdio(consoleSock: Socket | undefined, preserveFds: number): StdioOptions {
  const slots = initSlots(consoleSock ? socketFd(consoleSock) : undefined, preserveFds);
  return ['inherit', 'inherit', 'inherit', 'pipe', ...slots.map((fd) => (fd < 0 ? ('ignore' as const) : fd))];
}
