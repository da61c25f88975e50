// The `linux` section of config.json, from config-linux.md (runtime-spec 1.3.0).
// Objects accept unknown properties (config.md#configExtensibility); the lists the
// spec closes are enums. Rules that span fields live in ./rules/.
import { Type, type Static } from '@sinclair/typebox';
import {
  DEVICE_RULE_TYPES,
  DEVICE_TYPES,
  MEMORY_POLICY_FLAGS,
  MEMORY_POLICY_MODES,
  NAMESPACE_TYPES,
  PERSONALITY_DOMAINS,
  ROOTFS_PROPAGATIONS,
  SECCOMP_ACTIONS,
  SECCOMP_ARCHES,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from './enums.js';
import { AbsolutePath, CpuList, Int64, StringEnum, Uint, Uint16, Uint32, Uint64 } from './types.js';

const Opt = Type.Optional;

/** config-linux.md#configLinuxNamespaces */
export const LinuxNamespaceSchema = Type.Object({
  type: StringEnum(NAMESPACE_TYPES),
  path: Opt(AbsolutePath()),
});
export type LinuxNamespace = Static<typeof LinuxNamespaceSchema>;

/** config-linux.md#configLinuxUserNamespaceMappings (also used by mounts' idmaps). */
export const IDMappingSchema = Type.Object({
  containerID: Uint32(),
  hostID: Uint32(),
  size: Uint32(),
});
export type IDMapping = Static<typeof IDMappingSchema>;

/** config-linux.md#configLinuxTimeOffset: one clock's offset. */
export const TimeOffsetSchema = Type.Object({
  secs: Opt(Int64()),
  nanosecs: Opt(Uint32()),
});
export type TimeOffset = Static<typeof TimeOffsetSchema>;
/** Keyed by clock name. */
export const TimeOffsetsSchema = Type.Record(Type.String(), TimeOffsetSchema);
export type TimeOffsets = Static<typeof TimeOffsetsSchema>;

/** config-linux.md#configLinuxDevices (major/minor are REQUIRED unless type is p: a rule). */
export const LinuxDeviceSchema = Type.Object({
  type: StringEnum(DEVICE_TYPES),
  path: AbsolutePath({ errorMessage: 'must be an absolute path (the full path inside the container)' }),
  major: Opt(Int64()),
  minor: Opt(Int64()),
  fileMode: Opt(Uint32()),
  uid: Opt(Uint32()),
  gid: Opt(Uint32()),
});
export type LinuxDevice = Static<typeof LinuxDeviceSchema>;

/** config-linux.md#configLinuxNetworkDevices: keyed by the host's interface name. */
export const LinuxNetDeviceSchema = Type.Object({ name: Opt(Type.String()) });
export type LinuxNetDevice = Static<typeof LinuxNetDeviceSchema>;

/** config-linux.md#configLinuxDeviceAllowedlist */
export const DeviceRuleSchema = Type.Object({
  allow: Type.Boolean(),
  type: Opt(StringEnum(DEVICE_RULE_TYPES)),
  major: Opt(Int64()),
  minor: Opt(Int64()),
  access: Opt(Type.String({ pattern: '^[rwm]+$', errorMessage: 'must be made of r, w and m' })),
});
export type DeviceRule = Static<typeof DeviceRuleSchema>;

/** config-linux.md#configLinuxMemory */
export const LinuxMemorySchema = Type.Object({
  limit: Opt(Int64()),
  reservation: Opt(Int64()),
  swap: Opt(Int64()),
  kernel: Opt(Int64()),
  kernelTCP: Opt(Int64()),
  swappiness: Opt(Uint64({ maximum: 100 })),
  disableOOMKiller: Opt(Type.Boolean()),
  useHierarchy: Opt(Type.Boolean()),
  checkBeforeUpdate: Opt(Type.Boolean()),
});
export type LinuxMemory = Static<typeof LinuxMemorySchema>;

/** config-linux.md#configLinuxCPU */
export const LinuxCPUSchema = Type.Object({
  shares: Opt(Uint64()),
  quota: Opt(Int64()),
  burst: Opt(Uint64()),
  period: Opt(Uint64()),
  realtimeRuntime: Opt(Int64()),
  realtimePeriod: Opt(Uint64()),
  cpus: Opt(CpuList()),
  mems: Opt(CpuList()),
  idle: Opt(Int64()),
});
export type LinuxCPU = Static<typeof LinuxCPUSchema>;

/** config-linux.md#configLinuxBlockIO: per-device weight (weight or leafWeight is a rule). */
export const WeightDeviceSchema = Type.Object({
  major: Int64(),
  minor: Int64(),
  weight: Opt(Uint16()),
  leafWeight: Opt(Uint16()),
});
export type WeightDevice = Static<typeof WeightDeviceSchema>;

/** config-linux.md#configLinuxBlockIO: per-device rate limit. */
export const ThrottleDeviceSchema = Type.Object({
  major: Int64(),
  minor: Int64(),
  rate: Uint64(),
});
export type ThrottleDevice = Static<typeof ThrottleDeviceSchema>;

export const LinuxBlockIOSchema = Type.Object({
  weight: Opt(Uint16()),
  leafWeight: Opt(Uint16()),
  weightDevice: Opt(Type.Array(WeightDeviceSchema)),
  throttleReadBpsDevice: Opt(Type.Array(ThrottleDeviceSchema)),
  throttleWriteBpsDevice: Opt(Type.Array(ThrottleDeviceSchema)),
  throttleReadIOPSDevice: Opt(Type.Array(ThrottleDeviceSchema)),
  throttleWriteIOPSDevice: Opt(Type.Array(ThrottleDeviceSchema)),
});
export type LinuxBlockIO = Static<typeof LinuxBlockIOSchema>;

/** config-linux.md#configLinuxHugePageLimits: `<size><unit-prefix>B`, e.g. 64KB, 2MB, 1GB. */
export const HugepageLimitSchema = Type.Object({
  pageSize: Type.String({ pattern: '^[1-9][0-9]*[KMGTPE]B$', errorMessage: 'must be a size like 64KB, 2MB or 1GB' }),
  limit: Uint64(),
});
export type HugepageLimit = Static<typeof HugepageLimitSchema>;

/** config-linux.md#configLinuxNetwork */
export const LinuxNetworkSchema = Type.Object({
  classID: Opt(Uint32()),
  priorities: Opt(Type.Array(Type.Object({ name: Type.String(), priority: Uint32() }))),
});
export type LinuxNetwork = Static<typeof LinuxNetworkSchema>;

/** config-linux.md#configLinuxPIDS */
export const LinuxPidsSchema = Type.Object({ limit: Opt(Int64()) });
export type LinuxPids = Static<typeof LinuxPidsSchema>;

/** config-linux.md#configLinuxRDMA: keyed by device name (one of the two is a rule). */
export const LinuxRdmaSchema = Type.Object({
  hcaHandles: Opt(Uint32()),
  hcaObjects: Opt(Uint32()),
});
export type LinuxRdma = Static<typeof LinuxRdmaSchema>;

/** config-linux.md#configLinuxControlGroups */
export const LinuxResourcesSchema = Type.Object({
  devices: Opt(Type.Array(DeviceRuleSchema)),
  memory: Opt(LinuxMemorySchema),
  cpu: Opt(LinuxCPUSchema),
  blockIO: Opt(LinuxBlockIOSchema),
  hugepageLimits: Opt(Type.Array(HugepageLimitSchema)),
  network: Opt(LinuxNetworkSchema),
  pids: Opt(LinuxPidsSchema),
  rdma: Opt(Type.Record(Type.String(), LinuxRdmaSchema)),
  // config-linux.md#configLinuxUnified: cgroup v2 file name -> content.
  unified: Opt(Type.Record(Type.String(), Type.String())),
});
export type LinuxResources = Static<typeof LinuxResourcesSchema>;

/** config-linux.md#configLinuxIntelRdt (the MB:/L3: prefixes are rules, to tell MUST from SHOULD). */
export const IntelRdtSchema = Type.Object({
  closID: Opt(Type.String()),
  l3CacheSchema: Opt(Type.String()),
  memBwSchema: Opt(Type.String()),
  schemata: Opt(Type.Array(Type.String())),
  enableMonitoring: Opt(Type.Boolean()),
});
export type IntelRdt = Static<typeof IntelRdtSchema>;

/** config-linux.md#configLinuxMemoryPolicy */
export const MemoryPolicySchema = Type.Object({
  mode: StringEnum(MEMORY_POLICY_MODES),
  nodes: Opt(CpuList({ errorMessage: 'must be a list of memory nodes like 0-3,7' })),
  flags: Opt(Type.Array(StringEnum(MEMORY_POLICY_FLAGS))),
});
export type MemoryPolicy = Static<typeof MemoryPolicySchema>;

/** config-linux.md#configLinuxSeccomp: one argument comparison. */
export const SeccompArgSchema = Type.Object({
  index: Uint(),
  value: Uint64(),
  valueTwo: Opt(Uint64()),
  op: StringEnum(SECCOMP_OPERATORS),
});
export type SeccompArg = Static<typeof SeccompArgSchema>;

export const SeccompSyscallSchema = Type.Object({
  // "names MUST contain at least one entry"
  names: Type.Array(Type.String(), { minItems: 1 }),
  action: StringEnum(SECCOMP_ACTIONS),
  errnoRet: Opt(Uint()),
  args: Opt(Type.Array(SeccompArgSchema)),
});
export type SeccompSyscall = Static<typeof SeccompSyscallSchema>;

export const SeccompSchema = Type.Object({
  defaultAction: StringEnum(SECCOMP_ACTIONS),
  defaultErrnoRet: Opt(Uint()),
  architectures: Opt(Type.Array(StringEnum(SECCOMP_ARCHES))),
  flags: Opt(Type.Array(StringEnum(SECCOMP_FLAGS))),
  listenerPath: Opt(Type.String()),
  listenerMetadata: Opt(Type.String()),
  syscalls: Opt(Type.Array(SeccompSyscallSchema)),
});
export type Seccomp = Static<typeof SeccompSchema>;

/** config-linux.md#configLinuxPersonality ("Currently no flag values are supported"). */
export const PersonalitySchema = Type.Object({
  domain: StringEnum(PERSONALITY_DOMAINS),
  flags: Opt(Type.Array(Type.String())),
});
export type Personality = Static<typeof PersonalitySchema>;

/** config-linux.md#linuxContainerConfiguration */
export const LinuxSchema = Type.Object({
  namespaces: Opt(Type.Array(LinuxNamespaceSchema)),
  uidMappings: Opt(Type.Array(IDMappingSchema)),
  gidMappings: Opt(Type.Array(IDMappingSchema)),
  timeOffsets: Opt(TimeOffsetsSchema),
  devices: Opt(Type.Array(LinuxDeviceSchema)),
  netDevices: Opt(Type.Record(Type.String(), LinuxNetDeviceSchema)),
  cgroupsPath: Opt(Type.String()),
  resources: Opt(LinuxResourcesSchema),
  intelRdt: Opt(IntelRdtSchema),
  memoryPolicy: Opt(MemoryPolicySchema),
  sysctl: Opt(Type.Record(Type.String(), Type.String())),
  seccomp: Opt(SeccompSchema),
  rootfsPropagation: Opt(StringEnum(ROOTFS_PROPAGATIONS)),
  maskedPaths: Opt(Type.Array(AbsolutePath())),
  readonlyPaths: Opt(Type.Array(AbsolutePath())),
  mountLabel: Opt(Type.String()),
  personality: Opt(PersonalitySchema),
});
export type Linux = Static<typeof LinuxSchema>;

export type {
  NamespaceType,
  DeviceType,
  DeviceRuleType,
  SeccompAction,
  SeccompOperator,
  SeccompArch,
  SeccompFlag,
  MemoryPolicyMode,
  MemoryPolicyFlag,
  PersonalityDomain,
  RootfsPropagation,
} from './enums.js';
