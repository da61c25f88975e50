// errno names and the messages glibc's strerror gives them (busybox-static on
// Debian is linked with glibc): the probe's commands print these, cases compare names.

export const ERRNO: Readonly<Record<string, { code: number; message: string }>> = {
  EPERM: { code: 1, message: 'Operation not permitted' },
  ENOENT: { code: 2, message: 'No such file or directory' },
  ESRCH: { code: 3, message: 'No such process' },
  EINTR: { code: 4, message: 'Interrupted system call' },
  EIO: { code: 5, message: 'Input/output error' },
  ENXIO: { code: 6, message: 'No such device or address' },
  E2BIG: { code: 7, message: 'Argument list too long' },
  ENOEXEC: { code: 8, message: 'Exec format error' },
  EBADF: { code: 9, message: 'Bad file descriptor' },
  ECHILD: { code: 10, message: 'No child processes' },
  EAGAIN: { code: 11, message: 'Resource temporarily unavailable' },
  ENOMEM: { code: 12, message: 'Cannot allocate memory' },
  EACCES: { code: 13, message: 'Permission denied' },
  EFAULT: { code: 14, message: 'Bad address' },
  EBUSY: { code: 16, message: 'Device or resource busy' },
  EEXIST: { code: 17, message: 'File exists' },
  EXDEV: { code: 18, message: 'Invalid cross-device link' },
  ENODEV: { code: 19, message: 'No such device' },
  ENOTDIR: { code: 20, message: 'Not a directory' },
  EISDIR: { code: 21, message: 'Is a directory' },
  EINVAL: { code: 22, message: 'Invalid argument' },
  ENFILE: { code: 23, message: 'Too many open files in system' },
  EMFILE: { code: 24, message: 'Too many open files' },
  ENOTTY: { code: 25, message: 'Inappropriate ioctl for device' },
  ETXTBSY: { code: 26, message: 'Text file busy' },
  EFBIG: { code: 27, message: 'File too large' },
  ENOSPC: { code: 28, message: 'No space left on device' },
  ESPIPE: { code: 29, message: 'Illegal seek' },
  EROFS: { code: 30, message: 'Read-only file system' },
  EMLINK: { code: 31, message: 'Too many links' },
  EPIPE: { code: 32, message: 'Broken pipe' },
  EDOM: { code: 33, message: 'Numerical argument out of domain' },
  ERANGE: { code: 34, message: 'Numerical result out of range' },
  EDEADLK: { code: 35, message: 'Resource deadlock avoided' },
  ENAMETOOLONG: { code: 36, message: 'File name too long' },
  ENOLCK: { code: 37, message: 'No locks available' },
  ENOSYS: { code: 38, message: 'Function not implemented' },
  ENOTEMPTY: { code: 39, message: 'Directory not empty' },
  ELOOP: { code: 40, message: 'Too many levels of symbolic links' },
  ENODATA: { code: 61, message: 'No data available' },
  ETIME: { code: 62, message: 'Timer expired' },
  EOVERFLOW: { code: 75, message: 'Value too large for defined data type' },
  EOPNOTSUPP: { code: 95, message: 'Operation not supported' },
  EADDRINUSE: { code: 98, message: 'Address already in use' },
  EADDRNOTAVAIL: { code: 99, message: 'Cannot assign requested address' },
  ENETUNREACH: { code: 101, message: 'Network is unreachable' },
  ETIMEDOUT: { code: 110, message: 'Connection timed out' },
  ECONNREFUSED: { code: 111, message: 'Connection refused' },
  EDQUOT: { code: 122, message: 'Disk quota exceeded' },
};

export function errnoName(code: number): string | undefined {
  return Object.entries(ERRNO).find(([, e]) => e.code === code)?.[0];
}

/** The errno names whose message appears in a command's output (usually one). */
export function errnosIn(output: string): string[] {
  return Object.entries(ERRNO)
    .filter(([, e]) => output.includes(e.message))
    .map(([name]) => name);
}
