// All cgroup file access goes through CgroupFs, so the manager runs against a fake
// tree in tests. The real one writes the way cgroupfs wants: open O_WRONLY without
// O_CREAT (a missing control file is an error, never a new regular file), one
// write(2) per value (the kernel parses each write as one request).
import type { Syscalls } from '../syscalls.js';
import { closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, writeSync } from 'node:fs';

export interface CgroupFs {
  exists(path: string): boolean;
  read(path: string): string;
  write(path: string, value: string): void;
  /** Creates one directory; throws EEXIST if it is there. */
  mkdir(path: string): void;
  rmdir(path: string): void;
  /** The names of the sub-directories (child cgroups) of a cgroup directory. */
  children(path: string): string[];
  /** Attaches a BPF_PROG_TYPE_CGROUP_DEVICE program to a cgroup v2 directory. */
  attachDeviceFilter(dir: string, program: Uint8Array): void;
}

/** A cgroup file operation that failed on this host. */
export class CgroupError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'CgroupError';
    this.code = code;
  }
}

export function errnoCode(e: unknown): string | undefined {
  return e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

/** The host's cgroupfs, for reading and writing control files. */
export const cgroupFiles: Omit<CgroupFs, 'attachDeviceFilter'> = {
  exists: (path) => existsSync(path),
  read: (path) => readFileSync(path, 'utf8'),
  write(path, value) {
    const fd = openSync(path, constants.O_WRONLY);
    try {
      writeSync(fd, value);
    } finally {
      closeSync(fd);
    }
  },
  mkdir: (path) => mkdirSync(path),
  rmdir: (path) => rmdirSync(path),
  children: (path) =>
    readdirSync(path, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name),
};

/** The host's cgroupfs, device programs attached with the syscall layer. */
export function hostCgroupFs(sys: Pick<Syscalls, 'attachCgroupDeviceFilter'>): CgroupFs {
  return { ...cgroupFiles, attachDeviceFilter: (dir, program) => sys.attachCgroupDeviceFilter(dir, program) };
}

/**
 * The default of the manager: the host's files, and no syscall layer, which only
 * `create`'s device rules need (it plans with hostCgroupFs).
 */
export const realCgroupFs: CgroupFs = {
  ...cgroupFiles,
  attachDeviceFilter: () => {
    throw new Error('internal error: attaching a device program needs the syscall layer (Cgroups.plan with fs: hostCgroupFs(sys))');
  },
};
