// The parts of config.json (runtime-spec 1.3) that the runtime reads. Validation
// (./validate.ts) guarantees these shapes before anything else looks at them.

export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export type HookName = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop';
export const HOOK_NAMES: readonly HookName[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];

export interface Mount {
  destination: string;
  source?: string;
  type?: string;
  options?: string[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
}

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface Rlimit {
  type: string;
  soft: number;
  hard: number;
  /** The digits of soft and hard as config.json wrote them, when a double cannot hold them (./rlimits.ts). */
  exact?: { soft?: string; hard?: string };
}

export interface Capabilities {
  bounding?: string[];
  effective?: string[];
  inheritable?: string[];
  permitted?: string[];
  ambient?: string[];
}

export interface Process {
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
  cwd: string;
  env?: string[];
  args?: string[];
  user: { uid: number; gid: number; umask?: number; additionalGids?: number[] };
  rlimits?: Rlimit[];
  capabilities?: Capabilities;
  noNewPrivileges?: boolean;
  oomScoreAdj?: number;
  apparmorProfile?: string;
  selinuxLabel?: string;
  scheduler?: Scheduler;
  ioPriority?: { class: string; priority: number };
  /** For exec'd processes only: "not applicable to the container's init process". */
  execCPUAffinity?: { initial?: string; final?: string };
}

export interface Scheduler {
  policy: string;
  nice?: number;
  priority?: number;
  flags?: string[];
  runtime?: number;
  deadline?: number;
  period?: number;
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time';
export const NAMESPACE_TYPES: readonly NamespaceType[] = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'];

export interface Namespace {
  type: NamespaceType;
  path?: string;
}

export interface Device {
  type: 'c' | 'b' | 'u' | 'p';
  path: string;
  major?: number;
  minor?: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface Linux {
  namespaces?: Namespace[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  timeOffsets?: Record<string, { secs?: number; nanosecs?: number }>;
  devices?: Device[];
  cgroupsPath?: string;
  /** Owned by runtime/cgroups: passed through as is. */
  resources?: Record<string, unknown>;
  rootfsPropagation?: 'shared' | 'slave' | 'private' | 'unbindable';
  /** Owned by runtime/seccomp: passed through as is. */
  seccomp?: Record<string, unknown>;
  sysctl?: Record<string, string>;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  mountLabel?: string;
  personality?: { domain: string; flags?: string[] };
  memoryPolicy?: { mode: string; nodes?: string; flags?: string[] };
  /** Refused (runtime/config/unsupported.ts). */
  intelRdt?: Record<string, unknown>;
  netDevices?: Record<string, unknown>;
}

export interface Config {
  ociVersion: string;
  root?: { path: string; readonly?: boolean };
  mounts?: Mount[];
  process?: Process;
  hostname?: string;
  domainname?: string;
  hooks?: Partial<Record<HookName, Hook[]>>;
  annotations?: Record<string, string>;
  linux?: Linux;
  /** Refused (runtime/config/unsupported.ts). */
  vm?: Record<string, unknown>;
}
