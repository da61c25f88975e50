// The `features` output (features.md, features-linux.md). "All properties in the
// Features structure except ociVersionMin and ociVersionMax MAY either be absent or
// have the null value", at every level, hence Nullable everywhere below.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  HOOK_NAMES,
  MEMORY_POLICY_FLAGS,
  MEMORY_POLICY_MODES,
  NAMESPACE_TYPES,
  SECCOMP_ACTIONS,
  SECCOMP_ARCHES,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
} from './enums.js';
import { Nullable, SemVer, StringEnum } from './types.js';

const N = <T extends TSchema>(schema: T) => Type.Optional(Nullable(schema));
const Flag = () => N(Type.Boolean());
const List = <T extends TSchema>(item: T) => N(Type.Array(item));

/** features-linux.md#linuxFeaturesCgroup */
export const CgroupFeaturesSchema = Type.Object({
  v1: Flag(),
  v2: Flag(),
  systemd: Flag(),
  systemdUser: Flag(),
  rdma: Flag(),
});

/** features-linux.md#linuxFeaturesSeccomp */
export const SeccompFeaturesSchema = Type.Object({
  enabled: Flag(),
  actions: List(StringEnum(SECCOMP_ACTIONS)),
  operators: List(StringEnum(SECCOMP_OPERATORS)),
  archs: List(StringEnum(SECCOMP_ARCHES)),
  knownFlags: List(StringEnum(SECCOMP_FLAGS)),
  supportedFlags: List(StringEnum(SECCOMP_FLAGS)),
});

/** features-linux.md#linuxFeaturesMemoryPolicy */
export const MemoryPolicyFeaturesSchema = Type.Object({
  modes: List(StringEnum(MEMORY_POLICY_MODES)),
  flags: List(StringEnum(MEMORY_POLICY_FLAGS)),
});

/** features-linux.md#linuxFeaturesIntelRdt */
export const IntelRdtFeaturesSchema = Type.Object({
  enabled: Flag(),
  schemata: Flag(),
  monitoring: Flag(),
});

const Enabled = () => Type.Object({ enabled: Flag() });

/** features-linux.md#linuxFeatures */
export const LinuxFeaturesSchema = Type.Object({
  namespaces: List(StringEnum(NAMESPACE_TYPES)),
  // Recognized names "including capabilities that might not be supported by the host":
  // a runtime built for a newer kernel may know names capabilities(7) here does not.
  capabilities: List(Type.String()),
  cgroup: N(CgroupFeaturesSchema),
  seccomp: N(SeccompFeaturesSchema),
  apparmor: N(Enabled()),
  selinux: N(Enabled()),
  memoryPolicy: N(MemoryPolicyFeaturesSchema),
  intelRdt: N(IntelRdtFeaturesSchema),
  mountExtensions: N(Type.Object({ idmap: N(Enabled()) })),
  netDevices: N(Enabled()),
});
export type LinuxFeatures = Static<typeof LinuxFeaturesSchema>;

/** features.md#features */
export const FeaturesSchema = Type.Object(
  {
    ociVersionMin: SemVer(),
    // "MUST NOT be less than the value of the ociVersionMin property": a rule.
    ociVersionMax: SemVer(),
    hooks: List(StringEnum(HOOK_NAMES)),
    mountOptions: List(Type.String()),
    linux: N(LinuxFeaturesSchema),
    annotations: N(Type.Record(Type.String(), Type.String())),
    potentiallyUnsafeConfigAnnotations: List(Type.String()),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'OCI runtime-spec 1.3.0 features structure',
  },
);
export type Features = Static<typeof FeaturesSchema>;
