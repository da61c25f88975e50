// Messages between `create` (the parent) and the init, one JSON object per line on
// fd 3 after nsexec's own lines (see runtime/native/nsexec.c).
import type { Config, Process } from '../config/validate.js';
import type { GuardedNamespace, NamespaceId } from '../config/host-safety.js';
import type { CgroupMountSource } from '../mount/apply.js';
import type { SeccompFilter } from '../seccomp/compile.js';

export const INIT_FD = 3;
/** The connected --console-socket, when process.terminal is true. */
export const CONSOLE_FD = 4;

/** Parent → init: everything the init needs, read once (later edits to config.json must not matter). */
export interface InitConfig {
  type: 'config';
  id: string;
  config: Config;
  bundle: string;
  rootfs: string;
  stateDir: string;
  /** `new`: nsexec made one; a path: join it (the init does, it needs the host's files until then); `host`: none. */
  mountNamespace: 'new' | 'host' | { path: string };
  userns: boolean;
  /** The host's v1 hierarchies and the init's cgroup in each, for `cgroup` mounts (none without one). */
  cgroupSources: CgroupMountSource[];
  /** process.terminal: the console socket is fd CONSOLE_FD. */
  console: boolean;
  /** The runtime's own namespaces: the init refuses to set hostname, sysctls or mounts in them. */
  hostNamespaces: Partial<Record<GuardedNamespace, NamespaceId>>;
  /** --preserve-fds N: the caller's fds 3… are the init's PRESERVED_FDS_BASE… (init/finalize.ts). */
  preserveFds?: number;
  /** linux.seccomp, compiled by create (the init ignores config.linux.seccomp). */
  seccomp?: SeccompFilter;
}

/** Parent → init for `exec`: a process to run in a running container's namespaces. */
export interface ExecConfig {
  type: 'exec';
  process: Process;
  /** The container init's mount namespace (/proc/PID/ns/mnt). */
  mountNamespace: string;
  /** The container's linux.seccomp, compiled by exec. */
  seccomp?: SeccompFilter;
  userns: boolean;
  /** --tty: the console socket is fd CONSOLE_FD. */
  console: boolean;
  /** As InitConfig's. */
  preserveFds?: number;
}

export type ParentMessage = InitConfig | ExecConfig | { type: 'hooks-done' } | { type: 'seccomp-done' } | { type: 'abort' };

export type InitMessage =
  /** Mounts are done: run prestart and createRuntime hooks, then answer hooks-done. */
  | { type: 'hooks' }
  /**
   * An id-mapped mount (mounts[index]) is next: the parent answers with one message,
   * `{"type":"idmap-tree"}` and the detached tree's fd attached (SCM_RIGHTS).
   */
  | { type: 'idmap-mount'; index: number }
  /** SCMP_ACT_NOTIFY: the filter is loaded; its listener is the init's fd `fd` (seccomp/agent.ts). Answer seccomp-done. */
  | { type: 'seccomp-listener'; fd: number }
  /** The container is created: write the state and return; the init now waits on exec.fifo. */
  | { type: 'created' }
  /** `quiet`: for the --log file (or --debug) only, never stderr, which the container shares. */
  | { type: 'warning'; message: string; quiet?: boolean }
  | { type: 'error'; message: string };
