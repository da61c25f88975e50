// The state directory of each container: <root>/<id>/ holds state.json (written
// atomically), exec.fifo while the container is `created`, and is the object of a
// per-container flock, so that calls on one id are serialised and calls on
// different ids run in parallel.
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { RuntimeError } from '../errors.js';
import { isAlive } from '../proc.js';
import type { Syscalls } from '../syscalls.js';
import type { Hook } from '../../schemas/config.js';
import { freezerOf } from '../cgroups/freezer.js';
import { realCgroupFs } from '../cgroups/fs.js';
import type { CgroupsState } from '../cgroups/manager.js';

export const OCI_VERSION = '1.3.0';
/** The oldest config.json version accepted (features' ociVersionMin). */
export const OCI_VERSION_MIN = '1.0.0';

/** runtime.md's four, and runc's `paused` (a frozen container), which engines read after `pause`. */
export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** What state.json holds. `status` is stored only while creating; otherwise it is derived. */
export interface StoredState {
  ociVersion: string;
  id: string;
  bundle: string;
  annotations?: Record<string, string>;
  /** ISO time create finished. */
  created?: string;
  pid?: number;
  /** /proc/PID/stat field 22 of the init, so a reused pid is not taken for it. */
  pidStartTime?: string;
  /** The `create` process while it works, so a crashed create reads as stopped. */
  creator?: { pid: number; startTime?: string };
  rootfs?: string;
  /** From config.json at create time: later edits must not change the container. */
  hooks?: { poststart?: Hook[]; poststop?: Hook[] };
  /** config.json had no `process` (OPTIONAL until start): start must refuse, changing nothing. */
  noProcess?: true;
  /** Opaque state of runtime/cgroups, handed back at delete. */
  cgroup?: unknown;
  /** The namespaces of the init, for exec: type → path. */
  namespacePaths?: Record<string, string>;
}

/** The state as the spec defines it, for `state` and for hooks. */
export interface OciState {
  ociVersion: string;
  id: string;
  status: Status;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
  [extra: string]: unknown;
}

const ID_PATTERN = /^[A-Za-z0-9_+\-.]+$/;
/** A file name's limit (NAME_MAX): the id names the state directory and the cgroup. */
const MAX_ID = 255;

export function checkId(id: string | undefined): string {
  if (id === undefined || id === '') throw new RuntimeError('a container id is required');
  if (id.length > MAX_ID)
    throw new RuntimeError(`invalid container id ${JSON.stringify(`${id.slice(0, 20)}…`)}: at most ${MAX_ID} characters (it names a directory)`);
  if (!ID_PATTERN.test(id) || id === '.' || id === '..') {
    throw new RuntimeError(`invalid container id ${JSON.stringify(id)}: use letters, digits and _ + - .`);
  }
  return id;
}

export const FIFO_NAME = 'exec.fifo';
const LOCK_EX = 2;

export class StateStore {
  constructor(readonly root: string) {}

  dir(id: string): string {
    return join(this.root, id);
  }

  fifoPath(id: string): string {
    return join(this.dir(id), FIFO_NAME);
  }

  exists(id: string): boolean {
    return existsSync(join(this.dir(id), 'state.json'));
  }

  /** Makes the directory of a new container; fails if the id is taken. Returns it locked. */
  createDir(id: string, sys: Syscalls): Lock {
    mkdirSync(this.root, { recursive: true, mode: 0o711 });
    try {
      mkdirSync(this.dir(id), { mode: 0o711 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RuntimeError(`container ${id} already exists`);
      throw err;
    }
    return this.lock(id, sys);
  }

  /** Takes the container's lock, waiting for other calls on the same id. */
  lock(id: string, sys: Syscalls): Lock {
    const dir = this.dir(id);
    let fd: number;
    try {
      fd = openSync(dir, 'r');
    } catch {
      throw new RuntimeError(`container ${id} does not exist`);
    }
    sys.flock(fd, LOCK_EX);
    // A `delete` may have removed the directory while we waited.
    let same: boolean;
    try {
      const now = statSync(dir);
      const held = fstatSync(fd);
      same = now.ino === held.ino && now.dev === held.dev;
    } catch {
      same = false;
    }
    if (!same) {
      closeSync(fd);
      throw new RuntimeError(`container ${id} does not exist`);
    }
    return { release: () => closeSync(fd) };
  }

  read(id: string): StoredState {
    let text: string;
    try {
      text = readFileSync(join(this.dir(id), 'state.json'), 'utf8');
    } catch {
      throw new RuntimeError(`container ${id} does not exist`);
    }
    return JSON.parse(text) as StoredState;
  }

  /** write + rename, so that a reader sees the old or the new state, never half of one. */
  write(state: StoredState): void {
    const dir = this.dir(state.id);
    const tmp = join(dir, `.state.json.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(state), { mode: 0o600 });
    renameSync(tmp, join(dir, 'state.json'));
  }

  remove(id: string): void {
    removeDir(this.dir(id));
  }

  list(): string[] {
    try {
      return readdirSync(this.root)
        .filter((name) => ID_PATTERN.test(name) && this.exists(name))
        .sort();
    } catch {
      return [];
    }
  }

  /**
   * The live status, from the init's liveness and whether start has happened yet. A
   * create that did not finish (no `created` time) is creating while its process
   * lives, and stopped once it is gone: only delete applies to what it left.
   */
  status(s: StoredState): Status {
    if (s.created === undefined) {
      return s.creator && isAlive(s.creator.pid, s.creator.startTime) ? 'creating' : 'stopped';
    }
    if (s.pid === undefined || !isAlive(s.pid, s.pidStartTime)) return 'stopped';
    if (frozen(s)) return 'paused';
    return existsSync(this.fifoPath(s.id)) ? 'created' : 'running';
  }

  ociState(s: StoredState, status = this.status(s)): OciState {
    const out: OciState = { ociVersion: s.ociVersion, id: s.id, status, bundle: s.bundle };
    if (s.pid !== undefined && status !== 'stopped') out.pid = s.pid;
    if (s.annotations && Object.keys(s.annotations).length > 0) out.annotations = s.annotations;
    if (s.rootfs) out.rootfs = s.rootfs;
    if (s.created) out.created = s.created;
    return out;
  }
}

export interface Lock {
  release(): void;
}

/** Whether `pause` froze the container (a few reads of its freezer file). */
function frozen(s: StoredState): boolean {
  const cg = s.cgroup as CgroupsState | undefined;
  if (!cg) return false;
  try {
    return freezerOf(realCgroupFs, cg.dirs)?.state() === 'frozen';
  } catch {
    // The cgroup is gone (the container is stopping): not paused.
    return false;
  }
}

/**
 * Removes a directory and what it holds; a missing one is not an error. Never through a
 * symlink: each directory is opened with O_NOFOLLOW and worked on through its fd (the
 * scratch directory belongs to the container's root, whose host uid may swap a
 * subdirectory for a link to /etc between our readdir and our descent: the entries are
 * then the link's, which are unlinked, not followed; rmSync resolved each path again).
 * Also cheaper than rmSync's recursive walk (Node's rimraf: its module's load, an lstat
 * per entry), ~1.5 ms of CPU a delete for a state directory's half-dozen entries.
 */
function removeDir(dir: string): void {
  const unless = (codes: string[], call: () => void): void => {
    try {
      call();
    } catch (e) {
      if (!codes.includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
  };
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return;
    // A symlink (ELOOP) or a file where a directory was: the entry itself goes.
    if (code === 'ELOOP' || code === 'ENOTDIR') return unless(['ENOENT'], () => unlinkSync(dir));
    throw e;
  }
  try {
    const at = `/proc/self/fd/${fd}`;
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = `${at}/${entry.name}`;
      if (entry.isDirectory()) removeDir(path);
      else unless(['ENOENT'], () => unlinkSync(path));
    }
  } finally {
    closeSync(fd);
  }
  unless(['ENOENT'], () => rmdirSync(dir));
}
