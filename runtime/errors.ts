// Errors the runtime reports: each carries one line that says what failed.
import { constants } from 'node:os';

let errnoNames: Record<number, string> | undefined;

/**
 * Names Linux gives a second time to one number: the name is the other one (glibc's
 * strerrorname_np, and what callers compare with: EAGAIN for 11, never EWOULDBLOCK).
 */
const ALIASES = new Set(['EWOULDBLOCK', 'EDEADLOCK', 'ENOTSUP']);

/** ENOENT for 2. (The table is made at the first error: node:os is not loaded by a call that has none.) */
export function errnoName(errno: number): string {
  errnoNames ??= Object.fromEntries(
    Object.entries(constants.errno)
      .filter(([name]) => !ALIASES.has(name))
      .map(([name, num]) => [num, name]),
  );
  return errnoNames[errno] ?? `errno ${errno}`;
}

/** A failure the user can act on; its message is printed as is (one line). */
export class RuntimeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
  }
}

/** A libc call that returned an error. */
export class SyscallError extends RuntimeError {
  constructor(
    readonly syscall: string,
    readonly what: string,
    readonly errno: number,
    readonly code: string,
  ) {
    super(`${syscall} ${what}: ${code}`);
    this.name = 'SyscallError';
  }
}

/**
 * A problem with config.json (or with the resources `update` was given): `path` is the
 * JSON path (`process.cwd`, `linux.seccomp.syscalls[2].names[0]`), `problem` what is
 * wrong with it. The one class of config errors: the checks, the cgroup planners and
 * the seccomp compiler all throw it.
 */
export class ConfigError extends RuntimeError {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`config.json: ${path} ${problem}`);
    this.name = 'ConfigError';
  }
}

/** One line for any thrown value. */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, '; ').trim();
}
