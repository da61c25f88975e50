// Paths inside the rootfs, resolved by the kernel inside it and used through file
// descriptors. The rootfs can change while the runtime works (another container
// sharing a volume swaps a directory for a symlink: CVE-2021-30465), so a path string
// checked once and followed again later may lead anywhere. Instead:
// - every lookup is openat2(2) with RESOLVE_IN_ROOT from an fd of the rootfs: an
//   absolute symlink restarts at the rootfs, ".." stops there, and magic links
//   (/proc/self/fd/N, /proc/PID/root) are refused;
// - what is missing is made one component at a time, mkdirat/openat relative to the
//   fd of the directory above, never following a symlink (one that appears midway
//   restarts the resolution, inside the rootfs again);
// - mounts are then made onto the fd (`/proc/self/fd/N` or move_mount), which names
//   the very file that was resolved, whatever the rootfs does meanwhile.
import { closeSync, fstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { RuntimeError, SyscallError } from '../errors.js';
import type { Syscalls } from '../syscalls.js';

export const O_PATH = 0o10000000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
const O_CREAT = 0o100;
const O_EXCL = 0o200;
const AT_FDCWD = -100;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_NO_SYMLINKS = 0x04;
const RESOLVE_BENEATH = 0x08;
const RESOLVE_IN_ROOT = 0x10;
const IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
/** One step below a directory fd, taking no symlink at all. */
const ONE_STEP = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
/** As the kernel's MAXSYMLINKS. */
const MAX_LINKS = 40;
/** A rootfs that keeps changing under us gets an error, not an endless loop. */
const MAX_RETRIES = 64;

/** The path mount(2) and friends can take for an fd: its magic link (the host's /proc, before pivot_root). */
export const procPath = (fd: number): string => `/proc/self/fd/${fd}`;

const WHY: Record<string, string> = {
  ENOTDIR: 'a component of the path is not a directory',
  ELOOP: 'passes through a magic link (such as /proc/self/fd/N) or a loop of symlinks',
  EACCES: 'a directory on the way cannot be searched',
  ENAMETOOLONG: 'is too long',
};

const errnoOf = (err: unknown): string | undefined => (err instanceof SyscallError ? err.code : (err as NodeJS.ErrnoException).code);

/** The components of a container path, lexically clean (".." at the top stays at the top). */
function components(path: string): string[] {
  return posix
    .normalize(posix.join('/', path))
    .split('/')
    .filter((c) => c !== '');
}

export class RootDir {
  private constructor(
    private readonly sys: Syscalls,
    /** O_PATH fd of the root directory. */
    readonly fd: number,
    /** Its path in our mount namespace, when results are to be checked against it (before pivot_root). */
    private readonly hostPath?: string,
  ) {}

  /**
   * The rootfs at `hostPath` (a path without symlinks, as `create` checked), or with no
   * path the current root (after pivot_root). Close it when done.
   */
  static open(sys: Syscalls, hostPath?: string): RootDir {
    const path = hostPath ?? '/';
    let fd: number;
    try {
      fd = sys.openat2(AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
    } catch (err) {
      throw new RuntimeError(`root.path: cannot open ${path}: ${errnoOf(err) ?? String(err)}`);
    }
    return new RootDir(sys, fd, hostPath);
  }

  close(): void {
    closeSync(this.fd);
  }

  /**
   * An O_PATH fd of `path` (symlinks followed inside the root). A missing path throws
   * the SyscallError (ENOENT); anything else a RuntimeError saying what is wrong.
   */
  open(path: string, flags = 0): number {
    const rel = components(path).join('/') || '.';
    for (let attempt = 0; ; attempt++) {
      try {
        return this.checked(this.sys.openat2(this.fd, rel, O_PATH | O_CLOEXEC | flags, 0, IN_ROOT), path);
      } catch (err) {
        const code = errnoOf(err);
        // EAGAIN: a rename raced with ".." resolution; the kernel asks to try again.
        if (code === 'EAGAIN' && attempt < MAX_RETRIES) continue;
        if (code === 'ENOENT' || !(err instanceof SyscallError)) throw err;
        // The caller names the field and the path.
        throw new RuntimeError(WHY[code ?? ''] ?? `cannot be opened in the rootfs (${code})`);
      }
    }
  }

  /** As open, or undefined when the path does not exist. */
  tryOpen(path: string, flags = 0): number | undefined {
    try {
      return this.open(path, flags);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * An fd of `path`, made if missing (its directories with mode 0755; the last one a
   * directory or an empty file, mode 0644). Something that exists is taken as it is:
   * the caller checks its type where that matters. Errors say which path.
   */
  ensure(path: string, kind: 'dir' | 'file'): number {
    let target = components(path);
    let links = 0;
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const step = this.tryEnsure(target, kind);
      if (typeof step === 'number') return step;
      if (step.link !== undefined) {
        if (++links > MAX_LINKS) throw new RuntimeError(`${path}: too many levels of symbolic links`);
        target = step.link;
      }
    }
    throw new RuntimeError(`${path}: the rootfs kept changing while it was being created`);
  }

  /**
   * One try: the fd, or what to do next: follow a (dangling) symlink found on the way,
   * given as the new target, or try again (something changed meanwhile).
   */
  private tryEnsure(parts: string[], kind: 'dir' | 'file'): number | { link?: string[] } {
    const whole = this.tryOpen(parts.join('/'));
    if (whole !== undefined) return whole;
    // The longest prefix that exists.
    let have = parts.length - 1;
    let cur: number | undefined;
    for (; have >= 0; have--) {
      cur = this.tryOpen(parts.slice(0, have).join('/'), O_DIRECTORY);
      if (cur !== undefined) break;
    }
    if (cur === undefined) return {};
    try {
      for (let i = have; i < parts.length; i++) {
        const name = parts[i]!;
        const last = i === parts.length - 1;
        let next: number;
        try {
          next = last && kind === 'file' ? this.createFile(cur, name) : this.createDir(cur, name);
        } catch (err) {
          const code = errnoOf(err);
          // Something is there now: a symlink (dangling, or swapped in) or a file.
          if (code !== 'EEXIST' && code !== 'ELOOP' && code !== 'ENOTDIR') throw err;
          const link = this.readLink(cur, name);
          if (link === undefined) return {};
          const base = link.startsWith('/') ? [] : parts.slice(0, i);
          return { link: components([...base, link, ...parts.slice(i + 1)].join('/')) };
        }
        closeSync(cur);
        cur = next;
      }
      const done = cur;
      cur = undefined;
      return this.checked(done, `/${parts.join('/')}`);
    } catch (err) {
      if (err instanceof RuntimeError && !(err instanceof SyscallError)) throw err;
      throw new RuntimeError(
        `cannot create /${parts.join('/')} in the rootfs: ${err instanceof SyscallError ? `${err.syscall} ${err.what}: ${err.code}` : String(err)}`,
      );
    } finally {
      if (cur !== undefined) closeSync(cur);
    }
  }

  private createDir(dir: number, name: string): number {
    try {
      this.sys.mkdirat(dir, name, 0o755);
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw err;
    }
    return this.sys.openat2(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0, ONE_STEP);
  }

  private createFile(dir: number, name: string): number {
    return this.sys.openat2(dir, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644, ONE_STEP);
  }

  /** The symlink's target, or undefined when `name` is not (or no longer) a symlink. */
  private readLink(dir: number, name: string): string | undefined {
    try {
      return this.sys.readlinkat(dir, name);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'EINVAL' || code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * Before pivot_root, the result must still lie under the rootfs: a directory we held
   * could have been moved away meanwhile. (Only possible where the rootfs shares a
   * filesystem with what the mover can reach; cheap to rule out.)
   */
  private checked(fd: number, path: string): number {
    if (this.hostPath === undefined) return fd;
    let where: string;
    try {
      where = readlinkSync(procPath(fd));
    } catch {
      return fd; // no /proc to ask: RESOLVE_IN_ROOT's answer stands
    }
    if (where === this.hostPath || where.startsWith(`${this.hostPath}/`)) return fd;
    closeSync(fd);
    throw new RuntimeError(`${path}: resolved outside the rootfs (${where}): it changed while being resolved`);
  }
}

/** The file type of an fd (S_IFMT bits). */
export function fileType(fd: number): number {
  return fstatSync(fd).mode & 0o170000;
}
export const S_IFDIR = 0o040000;
export const S_IFLNK = 0o120000;
