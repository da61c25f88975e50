// config.json, from config.md (runtime-spec 1.3.0): the platform-neutral and POSIX
// parts here, the Linux section in ./config-linux.ts. Other platforms' sections are
// accepted as any object. Objects accept unknown properties, because "Runtimes MAY log
// unknown properties but MUST otherwise ignore them" (config.md#configExtensibility).
//
// What a schema cannot say (uniqueness, cross-field rules, SHOULDs, POSIX-vs-Windows
// differences, the filesystem) is in ./rules/.
import { Type, type Static } from '@sinclair/typebox';
import { IOPRIO_CLASSES, SCHEDULER_FLAGS, SCHEDULER_POLICIES } from './enums.js';
import { IDMappingSchema, LinuxSchema } from './config-linux.js';
import { AbsolutePath, CpuList, Int, Int32, SemVer, StringEnum, Uint, Uint32, Uint64 } from './types.js';

const Opt = Type.Optional;

/** config.md#configRoot */
export const RootSchema = Type.Object({
  path: Type.String(),
  readonly: Opt(Type.Boolean()),
});
export type Root = Static<typeof RootSchema>;

/** config.md#configMounts and #configPOSIXMounts */
export const MountSchema = Type.Object({
  // Absolute on Linux is a SHOULD (a warning), on other platforms a MUST: a rule.
  destination: Type.String(),
  source: Opt(Type.String()),
  options: Opt(Type.Array(Type.String())),
  type: Opt(Type.String()),
  uidMappings: Opt(Type.Array(IDMappingSchema)),
  gidMappings: Opt(Type.Array(IDMappingSchema)),
});
export type Mount = Static<typeof MountSchema>;

/**
 * config.md#configPOSIXUser. The spec says `int`; on Linux uid_t and gid_t are
 * unsigned 32-bit, so that is the range a runtime can apply.
 */
export const UserSchema = Type.Object({
  uid: Uint32(),
  gid: Uint32(),
  umask: Opt(Uint32()),
  additionalGids: Opt(Type.Array(Uint32())),
});
export type User = Static<typeof UserSchema>;

/**
 * config.md#configPOSIXProcess. Both Linux (getrlimit(2)) and Solaris (getrlimit(3))
 * name limits RLIMIT_*; the exact Linux list is a rule, since it depends on the platform.
 */
export const RlimitSchema = Type.Object({
  type: Type.String({ pattern: '^RLIMIT_[A-Z]+$', errorMessage: 'must be a resource name like RLIMIT_NOFILE' }),
  soft: Uint64(),
  hard: Uint64(),
});
export type Rlimit = Static<typeof RlimitSchema>;

/**
 * config.md#configLinuxProcess. Names are not an enum: a name the runtime cannot map
 * "MUST be logged as a warning", not rejected (a rule warns).
 */
export const CapabilitiesSchema = Type.Object({
  effective: Opt(Type.Array(Type.String())),
  bounding: Opt(Type.Array(Type.String())),
  inheritable: Opt(Type.Array(Type.String())),
  permitted: Opt(Type.Array(Type.String())),
  ambient: Opt(Type.Array(Type.String())),
});
export type Capabilities = Static<typeof CapabilitiesSchema>;

/** config.md#configLinuxProcess: `scheduler`. */
export const SchedulerSchema = Type.Object({
  policy: StringEnum(SCHEDULER_POLICIES),
  nice: Opt(Int32()),
  priority: Opt(Int32()),
  flags: Opt(Type.Array(StringEnum(SCHEDULER_FLAGS))),
  runtime: Opt(Uint64()),
  deadline: Opt(Uint64()),
  period: Opt(Uint64()),
});
export type Scheduler = Static<typeof SchedulerSchema>;

/** config.md#configLinuxProcess: `ioPriority`, "an integer ranging from 0 (highest) to 7 (lowest)". */
export const IOPrioritySchema = Type.Object({
  class: StringEnum(IOPRIO_CLASSES),
  priority: Type.Integer({ minimum: 0, maximum: 7 }),
});
export type IOPriority = Static<typeof IOPrioritySchema>;

/** config.md#configLinuxProcess: `execCPUAffinity`. */
export const ExecCPUAffinitySchema = Type.Object({
  initial: Opt(CpuList()),
  final: Opt(CpuList()),
});
export type ExecCPUAffinity = Static<typeof ExecCPUAffinitySchema>;

/** config.md#configProcess, with the POSIX and Linux process properties. */
export const ProcessSchema = Type.Object({
  terminal: Opt(Type.Boolean()),
  consoleSize: Opt(Type.Object({ height: Uint(), width: Uint() })),
  user: Opt(UserSchema),
  // Absolute (a MUST) but Windows spells that differently: a rule.
  cwd: Type.String(),
  env: Opt(Type.Array(Type.String())),
  // At least one entry outside Windows: a rule.
  args: Opt(Type.Array(Type.String())),
  commandLine: Opt(Type.String()),
  rlimits: Opt(Type.Array(RlimitSchema)),
  apparmorProfile: Opt(Type.String()),
  capabilities: Opt(CapabilitiesSchema),
  noNewPrivileges: Opt(Type.Boolean()),
  oomScoreAdj: Opt(Int()),
  scheduler: Opt(SchedulerSchema),
  selinuxLabel: Opt(Type.String()),
  ioPriority: Opt(IOPrioritySchema),
  execCPUAffinity: Opt(ExecCPUAffinitySchema),
});
export type Process = Static<typeof ProcessSchema>;

/** config.md#configHooks: one hook entry. */
export const HookSchema = Type.Object({
  path: AbsolutePath(),
  args: Opt(Type.Array(Type.String())),
  env: Opt(Type.Array(Type.String())),
  // "If set, timeout MUST be greater than zero."
  timeout: Opt(Int({ minimum: 1, errorMessage: 'must be greater than zero' })),
});
export type Hook = Static<typeof HookSchema>;

const HookList = () => Opt(Type.Array(HookSchema));
// Spelled out rather than built from HOOK_NAMES, so that the static type names each hook.
export const HooksSchema = Type.Object({
  prestart: HookList(), // DEPRECATED in favour of the next three: a rule warns
  createRuntime: HookList(),
  createContainer: HookList(),
  startContainer: HookList(),
  poststart: HookList(),
  poststop: HookList(),
});
export type Hooks = Static<typeof HooksSchema>;
export type { HookName, SchedulerPolicy, SchedulerFlag, IOPriorityClass } from './enums.js';

/** A platform section this project does not describe (freebsd, solaris, vm, windows, zos). */
const OtherPlatform = () => Type.Record(Type.String(), Type.Unknown());

/** config.md: the whole config.json. */
export const ConfigSchema = Type.Object(
  {
    ociVersion: SemVer(),
    // REQUIRED except on Windows (Hyper-V containers MUST NOT set it): a rule.
    root: Opt(RootSchema),
    mounts: Opt(Type.Array(MountSchema)),
    process: Opt(ProcessSchema),
    hostname: Opt(Type.String()),
    domainname: Opt(Type.String()),
    hooks: Opt(HooksSchema),
    // Keys MUST NOT be empty and org.opencontainers keys are restricted: rules.
    annotations: Opt(Type.Record(Type.String(), Type.String())),
    linux: Opt(LinuxSchema),
    freebsd: Opt(OtherPlatform()),
    solaris: Opt(OtherPlatform()),
    vm: Opt(OtherPlatform()),
    windows: Opt(OtherPlatform()),
    zos: Opt(OtherPlatform()),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'OCI runtime-spec 1.3.0 config.json (POSIX and Linux)',
  },
);
export type Config = Static<typeof ConfigSchema>;

export * from './config-linux.js';
