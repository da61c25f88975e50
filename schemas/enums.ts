// The closed lists of values that runtime-spec 1.3.0 defines. The schemas enforce
// them, and other code (runtime, suites) can import them instead of retyping.

/** config-linux.md#configLinuxNamespaces */
export const NAMESPACE_TYPES = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

/** config.md#configHooks */
export const HOOK_NAMES = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** config-linux.md#configLinuxRootfsMountPropagation */
export const ROOTFS_PROPAGATIONS = ['shared', 'slave', 'private', 'unbindable'] as const;
export type RootfsPropagation = (typeof ROOTFS_PROPAGATIONS)[number];

/** config-linux.md#configLinuxDevices */
export const DEVICE_TYPES = ['c', 'b', 'u', 'p'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** config-linux.md#configLinuxDeviceAllowedlist */
export const DEVICE_RULE_TYPES = ['a', 'c', 'b'] as const;
export type DeviceRuleType = (typeof DEVICE_RULE_TYPES)[number];

/** config-linux.md#configLinuxSeccomp: `syscalls[].action`, also `defaultAction`. */
export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;
export type SeccompAction = (typeof SECCOMP_ACTIONS)[number];

/** config-linux.md#configLinuxSeccomp: "Some actions like SCMP_ACT_ERRNO and SCMP_ACT_TRACE allow to specify the errno code". */
export const SECCOMP_ACTIONS_WITH_ERRNO: readonly SeccompAction[] = ['SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE'];

/** config-linux.md#configLinuxSeccomp: `syscalls[].args[].op`. */
export const SECCOMP_OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type SeccompOperator = (typeof SECCOMP_OPERATORS)[number];

/** config-linux.md#configLinuxSeccomp: `architectures` (as of libseccomp v2.6.0). */
export const SECCOMP_ARCHES = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
] as const;
export type SeccompArch = (typeof SECCOMP_ARCHES)[number];

/** config-linux.md#configLinuxSeccomp: `flags`. */
export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;
export type SeccompFlag = (typeof SECCOMP_FLAGS)[number];

/** config.md#configLinuxProcess: `scheduler.policy`. */
export const SCHEDULER_POLICIES = ['SCHED_OTHER', 'SCHED_FIFO', 'SCHED_RR', 'SCHED_BATCH', 'SCHED_ISO', 'SCHED_IDLE', 'SCHED_DEADLINE'] as const;
export type SchedulerPolicy = (typeof SCHEDULER_POLICIES)[number];

/** config.md#configLinuxProcess: `scheduler.flags`. */
export const SCHEDULER_FLAGS = [
  'SCHED_FLAG_RESET_ON_FORK',
  'SCHED_FLAG_RECLAIM',
  'SCHED_FLAG_DL_OVERRUN',
  'SCHED_FLAG_KEEP_POLICY',
  'SCHED_FLAG_KEEP_PARAMS',
  'SCHED_FLAG_UTIL_CLAMP_MIN',
  'SCHED_FLAG_UTIL_CLAMP_MAX',
] as const;
export type SchedulerFlag = (typeof SCHEDULER_FLAGS)[number];

/** config.md#configLinuxProcess: `ioPriority.class`. */
export const IOPRIO_CLASSES = ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'] as const;
export type IOPriorityClass = (typeof IOPRIO_CLASSES)[number];

/** config-linux.md#configLinuxMemoryPolicy: `mode`. */
export const MEMORY_POLICY_MODES = [
  'MPOL_DEFAULT',
  'MPOL_BIND',
  'MPOL_INTERLEAVE',
  'MPOL_WEIGHTED_INTERLEAVE',
  'MPOL_PREFERRED',
  'MPOL_PREFERRED_MANY',
  'MPOL_LOCAL',
] as const;
export type MemoryPolicyMode = (typeof MEMORY_POLICY_MODES)[number];

/** config-linux.md#configLinuxMemoryPolicy: `flags`. */
export const MEMORY_POLICY_FLAGS = ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'] as const;
export type MemoryPolicyFlag = (typeof MEMORY_POLICY_FLAGS)[number];

/** config-linux.md#configLinuxPersonality: `domain`. */
export const PERSONALITY_DOMAINS = ['LINUX', 'LINUX32'] as const;
export type PersonalityDomain = (typeof PERSONALITY_DOMAINS)[number];

/** runtime.md#runtimeState: the statuses the spec defines; runtimes MAY add others. */
export const STATUSES = ['creating', 'created', 'running', 'stopped'] as const;
export type SpecStatus = (typeof STATUSES)[number];

/**
 * capabilities(7) as of Linux 6.x (numbers 0–40), the list config.md#configLinuxProcess
 * refers to. A name outside it is not a schema error: the spec wants a warning there.
 */
export const CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;

/**
 * The `org.opencontainers` annotation keys config.md#configAnnotations allows; every
 * other key in that namespace is reserved.
 */
export const OCI_ANNOTATION_KEYS = [
  'org.opencontainers.image.os',
  'org.opencontainers.image.os.version',
  'org.opencontainers.image.os.features',
  'org.opencontainers.image.architecture',
  'org.opencontainers.image.variant',
  'org.opencontainers.image.author',
  'org.opencontainers.image.created',
  'org.opencontainers.image.stopSignal',
] as const;
