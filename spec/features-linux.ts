// features-linux.md: the `linux` object of the Features structure, in spec order.
import type { Level, Requirement } from './types.js';

const r = (id: string, section: string, level: Level, summary: string): Requirement => ({
  id,
  spec: 'features-linux.md',
  section,
  level,
  summary,
});

export const requirements: Requirement[] = [
  r('features-linux:namespaces.recognized', 'linuxFeaturesNamespaces', 'MUST', 'Every name in `namespaces` is understood as a `linux.namespaces[].type`.'),
  r('features-linux:capabilities.recognized', 'linuxFeaturesCapabilities', 'MUST', 'Every name in `capabilities` is understood in `process.capabilities`.'),
  r(
    'features-linux:cgroup.flags',
    'linuxFeaturesCgroup',
    'MUST',
    '`cgroup.v1`, `v2`, `systemd`, `systemdUser` and `rdma` are true only for what the runtime implements.',
  ),
  r('features-linux:seccomp.enabled', 'linuxFeaturesSeccomp', 'MUST', '`seccomp.enabled` is true only when the runtime implements seccomp.'),
  r('features-linux:seccomp.actions', 'linuxFeaturesSeccomp', 'MUST', 'Every name in `seccomp.actions` is understood as a syscall rule `action`.'),
  r('features-linux:seccomp.operators', 'linuxFeaturesSeccomp', 'MUST', 'Every name in `seccomp.operators` is understood as a syscall argument `op`.'),
  r('features-linux:seccomp.archs', 'linuxFeaturesSeccomp', 'MUST', 'Every name in `seccomp.archs` is understood in seccomp `architectures`.'),
  r('features-linux:seccomp.known-flags', 'linuxFeaturesSeccomp', 'MUST', 'Every name in `seccomp.knownFlags` is understood in seccomp `flags`.'),
  r(
    'features-linux:seccomp.supported-flags',
    'linuxFeaturesSeccomp',
    'MUST',
    'Every name in `seccomp.supportedFlags` is understood and actually works in seccomp `flags`.',
  ),
  r('features-linux:apparmor.enabled', 'linuxFeaturesApparmor', 'MUST', '`apparmor.enabled` is true only when the runtime implements AppArmor.'),
  // The spec gives the SELinux section the AppArmor anchor (a copy-paste slip); we link to what exists.
  r('features-linux:selinux.enabled', 'linuxFeaturesApparmor', 'MUST', '`selinux.enabled` is true only when the runtime implements SELinux.'),
  r(
    'features-linux:memory-policy.modes',
    'linuxFeaturesMemoryPolicy',
    'MUST',
    'Every name in `memoryPolicy.modes` is understood as `linux.memoryPolicy.mode`.',
  ),
  r(
    'features-linux:memory-policy.flags',
    'linuxFeaturesMemoryPolicy',
    'MUST',
    'Every name in `memoryPolicy.flags` is understood in `linux.memoryPolicy.flags`.',
  ),
  r(
    'features-linux:intel-rdt.flags',
    'linuxFeaturesIntelRdt',
    'MUST',
    '`intelRdt.enabled`, `schemata` and `monitoring` are true only for what the runtime implements.',
  ),
  r(
    'features-linux:mount-extensions.idmap',
    'linuxFeaturesMountExtensions',
    'MUST',
    '`mountExtensions.idmap.enabled` is true only when mount uid/gid mappings are parsed and used.',
  ),
  r(
    'features-linux:mount-extensions.idmap-partial',
    'linuxFeaturesMountExtensions',
    'MUST',
    'Even partial id-mapped mount support reports `idmap.enabled: true`.',
  ),
  r('features-linux:net-devices.enabled', 'linuxFeaturesNetDevices', 'MUST', '`netDevices.enabled` is true only when the runtime can move network devices in.'),
];

/**
 * Entries whose level is not an upper-case keyword of the sentence they come from:
 * the booleans "represent whether the runtime supports" something, so a true value
 * that the runtime cannot back up is a false claim.
 */
export const inferred: readonly string[] = [
  'features-linux:cgroup.flags',
  'features-linux:seccomp.enabled',
  'features-linux:apparmor.enabled',
  'features-linux:selinux.enabled',
  'features-linux:intel-rdt.flags',
  'features-linux:mount-extensions.idmap',
  'features-linux:net-devices.enabled',
];
