// Errors the runtime reports: each carries one line that says what failed.

/**
 * Node's names of the errno numbers, by number ('-': none), as node:os constants.errno has
 * them less the names Linux gives a second time to one number (as glibc's
 * strerrorname_np: EAGAIN for 11, never EWOULDBLOCK). Here rather than read from node:os,
 * whose loading would cost the container's init ~0.4 ms of CPU at its first ENOENT (it
 * meets one in every create); test/runtime/errno.test.ts keeps it equal to Node's.
 */
export const ERRNO_NAMES =
  '- EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN ' +
  'ENOMEM EACCES EFAULT - EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ' +
  'ENFILE EMFILE ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ' +
  'ERANGE EDEADLK ENAMETOOLONG ENOLCK ENOSYS ENOTEMPTY ELOOP - ENOMSG EIDRM - ' +
  '- - - - - - - - - - - - - - - ENOSTR ENODATA ETIME ENOSR - - - ENOLINK - - ' +
  '- EPROTO EMULTIHOP - EBADMSG EOVERFLOW - - - - - - - - EILSEQ - - - ' +
  'ENOTSOCK EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT - ' +
  'EOPNOTSUPP - EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH ' +
  'ENETRESET ECONNABORTED ECONNRESET ENOBUFS EISCONN ENOTCONN - - ETIMEDOUT ' +
  'ECONNREFUSED - EHOSTUNREACH EALREADY EINPROGRESS ESTALE - - - - - EDQUOT - ' +
  '- ECANCELED';

let names: string[] | undefined;

/** ENOENT for 2. */
export function errnoName(errno: number): string {
  names ??= ERRNO_NAMES.split(' ');
  const name = names[errno];
  return name && name !== '-' ? name : `errno ${errno}`;
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
