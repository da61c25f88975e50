// config-linux.md: the `linux` object of config.json, in spec order.
import type { Level, Requirement } from './types.js';

const r = (id: string, section: string, level: Level, summary: string): Requirement => ({
  id,
  spec: 'config-linux.md',
  section,
  level,
  summary,
});

const NS = 'configLinuxNamespaces';
const DEV = 'configLinuxDefaultDevices';
const NET = 'configLinuxNetworkDevices';
const CGP = 'configLinuxCgroupsPath';
const RDT = 'configLinuxIntelRdt';
const SEC = 'configLinuxSeccomp';

export const requirements: Requirement[] = [
  // Default filesystems
  r('config-linux:default-filesystems.proc', 'configLinuxDefaultFilesystems', 'SHOULD', 'A proc filesystem is mounted at /proc in every container.'),
  r('config-linux:default-filesystems.sys', 'configLinuxDefaultFilesystems', 'SHOULD', 'A sysfs is mounted at /sys in every container.'),
  r('config-linux:default-filesystems.dev-pts', 'configLinuxDefaultFilesystems', 'SHOULD', 'A devpts is mounted at /dev/pts in every container.'),
  r('config-linux:default-filesystems.dev-shm', 'configLinuxDefaultFilesystems', 'SHOULD', 'A tmpfs is mounted at /dev/shm in every container.'),

  // Namespaces
  r('config-linux:namespaces.required-fields', NS, 'MUST', 'Each namespace entry has a `type`.'),
  r('config-linux:namespaces.pid', NS, 'SHOULD', 'Support `pid`: the container sees only the processes of its own pid namespace.'),
  r('config-linux:namespaces.network', NS, 'SHOULD', 'Support `network`: the container gets a network stack of its own.'),
  r('config-linux:namespaces.mount', NS, 'SHOULD', 'Support `mount`: the container gets a mount table of its own.'),
  r('config-linux:namespaces.ipc', NS, 'SHOULD', 'Support `ipc`: System V IPC and POSIX queues are shared only within the container.'),
  r('config-linux:namespaces.uts', NS, 'SHOULD', 'Support `uts`: the container can have a hostname and domain name of its own.'),
  r('config-linux:namespaces.user', NS, 'SHOULD', 'Support `user`: host uids/gids can be remapped inside the container.'),
  r('config-linux:namespaces.cgroup', NS, 'SHOULD', 'Support `cgroup`: the container sees the cgroup tree rooted at its own cgroup.'),
  r('config-linux:namespaces.time', NS, 'SHOULD', 'Support `time`: the container can have clock offsets of its own.'),
  r('config-linux:namespaces.path-absolute', NS, 'MUST', 'A namespace `path` is absolute in the runtime mount namespace.'),
  r('config-linux:namespaces.path-join', NS, 'MUST', 'With a `path`, the container process joins the namespace that file refers to.'),
  r('config-linux:namespaces.path-type-mismatch', NS, 'MUST', 'A `path` whose namespace is of another kind than `type` is an error.'),
  r('config-linux:namespaces.new', NS, 'MUST', 'Without a `path`, a fresh namespace of that `type` is made for the container.'),
  r('config-linux:namespaces.inherit', NS, 'MUST', 'A namespace type missing from the array is shared with the runtime.'),
  r('config-linux:namespaces.duplicate-error', NS, 'MUST', 'Two entries with the same `type` are an error.'),

  // User namespace mappings
  r('config-linux:user-mappings.required-fields', 'configLinuxUserNamespaceMappings', 'MUST', 'Each id mapping has `containerID`, `hostID` and `size`.'),
  r('config-linux:user-mappings.uid', 'configLinuxUserNamespaceMappings', 'MUST', 'The user namespace uid_map is what `uidMappings` says.'),
  r('config-linux:user-mappings.gid', 'configLinuxUserNamespaceMappings', 'MUST', 'The user namespace gid_map is what `gidMappings` says.'),
  r(
    'config-linux:user-mappings.no-chown',
    'configLinuxUserNamespaceMappings',
    'SHOULD NOT',
    'The runtime does not chown the rootfs or other filesystems to make the mapping work.',
  ),
  r('config-linux:user-mappings.kernel-limit', 'configLinuxUserNamespaceMappings', 'MAY', 'The kernel may cap how many mapping lines are accepted.'),

  // Time offsets
  r(
    'config-linux:time-offsets.applied',
    'configLinuxTimeOffset',
    'MUST',
    'Each clock in `timeOffsets` is shifted by its secs/nanosecs inside the time namespace.',
  ),

  // Devices
  r('config-linux:devices.available', 'configLinuxDevices', 'MUST', 'Every device in `linux.devices` exists in the container.'),
  r('config-linux:devices.mechanism', 'configLinuxDevices', 'MAY', 'The runtime may provide devices by mknod, bind mount, symlink or any other way.'),
  r('config-linux:devices.required-fields', 'configLinuxDevices', 'MUST', 'Each device has `type` and `path`, and `major`/`minor` unless the type is `p`.'),
  r('config-linux:devices.type', 'configLinuxDevices', 'MUST', 'The node at `path` is of the `type` and `major`/`minor` given.'),
  r('config-linux:devices.path-conflict-error', 'configLinuxDevices', 'MUST', 'A file already at the device `path` that is not that device is an error.'),
  r('config-linux:devices.path-anywhere', 'configLinuxDevices', 'MAY', 'A device `path` may lie outside /dev.'),
  r('config-linux:devices.file-mode', 'configLinuxDevices', 'MUST', 'The device node has the permission bits of `fileMode`.'),
  r('config-linux:devices.owner', 'configLinuxDevices', 'MUST', 'The device node is owned by `uid`/`gid` of the container namespace.'),
  r('config-linux:devices.no-duplicates', 'configLinuxDevices', 'SHOULD NOT', 'No two devices share type, major and minor.'),
  r(
    'config-linux:devices.unlisted-access',
    'configLinuxDevices',
    'MAY',
    'Access to device nodes that are neither listed nor default may be denied (text says "MAY NOT").',
  ),

  // Default devices
  r('config-linux:default-devices.null', DEV, 'MUST', '/dev/null is present.'),
  r('config-linux:default-devices.zero', DEV, 'MUST', '/dev/zero is present.'),
  r('config-linux:default-devices.full', DEV, 'MUST', '/dev/full is present.'),
  r('config-linux:default-devices.random', DEV, 'MUST', '/dev/random is present.'),
  r('config-linux:default-devices.urandom', DEV, 'MUST', '/dev/urandom is present.'),
  r('config-linux:default-devices.tty', DEV, 'MUST', '/dev/tty is present.'),
  r('config-linux:default-devices.console', DEV, 'MUST', 'With `process.terminal`, the pty is bind-mounted on /dev/console.'),
  r('config-linux:default-devices.ptmx', DEV, 'MUST', '/dev/ptmx is present, as a bind mount or symlink of /dev/pts/ptmx.'),

  // Network devices
  r('config-linux:net-devices.available', NET, 'MUST', 'Each host interface in `netDevices` is moved into the container network namespace.'),
  r('config-linux:net-devices.name', NET, 'MUST', "A moved interface takes the entry's `name`, or keeps its host name when there is none."),
  r('config-linux:net-devices.check-move', NET, 'MUST', 'The runtime checks that the interface can be moved into the container namespace.'),
  r('config-linux:net-devices.name-conflict-error', NET, 'MUST', 'An interface name already taken in the container namespace is an error.'),
  r('config-linux:net-devices.name-template', NET, 'MUST', 'A name ending in `%d` is allowed even when taken; the kernel picks a free one.'),
  r('config-linux:net-devices.preserve-addresses', NET, 'MUST', 'The interface keeps its attributes, including permanent global-scope addresses.'),
  r('config-linux:net-devices.up', NET, 'MUST', 'The moved interface is set up once inside the container namespace.'),
  r('config-linux:net-devices.no-manage', NET, 'MUST NOT', 'Inside the container namespace the runtime does not manage the interface afterwards.'),
  r('config-linux:net-devices.no-move-back', NET, 'MUST NOT', 'The runtime does not move the interface back out before deletion.'),

  // Control groups
  r(
    'config-linux:cgroups.fitness-check',
    'configLinuxControlGroups',
    'MAY',
    'During an operation the runtime may check the container cgroup is usable (e.g. not frozen, empty on create).',
  ),
  r('config-linux:cgroups.fitness-error', 'configLinuxControlGroups', 'MUST', 'When that cgroup check fails, the operation errors.'),

  r('config-linux:cgroups-path.form', CGP, 'MUST', '`cgroupsPath` is an absolute or a relative path.'),
  r('config-linux:cgroups-path.absolute', CGP, 'MUST', 'An absolute `cgroupsPath` is taken from the cgroup mount point.'),
  r('config-linux:cgroups-path.relative', CGP, 'MAY', "A relative `cgroupsPath` may be placed under a location of the runtime's choosing."),
  r('config-linux:cgroups-path.consistent', CGP, 'MUST', 'The same `cgroupsPath` always lands at the same place in the hierarchy.'),
  r('config-linux:cgroups-path.default', CGP, 'MAY', 'Without `cgroupsPath` the runtime may pick a default one.'),
  r('config-linux:cgroups-path.invalid-values', CGP, 'MAY', 'A runtime may treat some `cgroupsPath` values as invalid.'),
  r('config-linux:cgroups-path.invalid-error', CGP, 'MUST', 'A `cgroupsPath` the runtime deems invalid is an error.'),
  r('config-linux:cgroups-path.created', CGP, 'MUST', 'Missing cgroups on the path get created.'),
  r('config-linux:cgroups-path.extra-controllers', CGP, 'MAY', 'The container may be put in more controllers than `resources` needs.'),
  r('config-linux:cgroup-ownership.allowed', CGP, 'MAY', 'The runtime may chown the container cgroup to the host uid behind `process.user.uid`.'),
  r('config-linux:cgroup-ownership.not-v1', CGP, 'SHOULD NOT', 'No cgroup chown happens on cgroup v1.'),
  r('config-linux:cgroup-ownership.needs-cgroupns', CGP, 'SHOULD NOT', 'No cgroup chown happens unless the container gets a new cgroup namespace.'),
  r('config-linux:cgroup-ownership.rw-mount', CGP, 'SHOULD', 'The cgroup is chowned exactly when a cgroup mount at /sys/fs/cgroup without `ro` is configured.'),
  r('config-linux:cgroup-ownership.no-mount', CGP, 'SHOULD NOT', 'Without such a writable cgroup mount, no chown happens.'),
  r(
    'config-linux:cgroup-ownership.delegate-files',
    CGP,
    'SHOULD',
    'A chown covers the cgroup directory and only the files named in /sys/kernel/cgroup/delegate.',
  ),
  r('config-linux:cgroup-ownership.missing-files-ok', CGP, 'MUST NOT', 'Delegate files absent from the cgroup do not make the runtime fail.'),
  r('config-linux:cgroup-ownership.existing-files', CGP, 'SHOULD', 'Listed delegate files that do exist are chowned.'),
  r(
    'config-linux:cgroup-ownership.fallback-list',
    CGP,
    'MUST',
    'Without /sys/kernel/cgroup/delegate, chown cgroup.procs, cgroup.subtree_control and cgroup.threads.',
  ),
  r('config-linux:cgroup-ownership.no-other-files', CGP, 'SHOULD NOT', 'No other cgroup file changes owner.'),

  // Allowed device list
  r('config-linux:resources.devices.order', 'configLinuxDeviceAllowedlist', 'MUST', 'Device cgroup rules are applied in array order.'),
  r('config-linux:resources.devices.required-fields', 'configLinuxDeviceAllowedlist', 'MUST', 'Each device cgroup rule has `allow`.'),
  r(
    'config-linux:resources.devices.enforced',
    'configLinuxDeviceAllowedlist',
    'MUST',
    'Device access in the container follows the allow/deny rules for type, numbers and access.',
  ),
  r(
    'config-linux:resources.devices.wildcards',
    'configLinuxDeviceAllowedlist',
    'MUST',
    'A rule without `type` covers all types; without `major`/`minor` it covers all numbers.',
  ),

  // Memory
  r('config-linux:resources.memory.limit', 'configLinuxMemory', 'MUST', 'The memory cgroup limit is `memory.limit` bytes (-1: unlimited).'),
  r('config-linux:resources.memory.reservation', 'configLinuxMemory', 'MUST', 'The memory soft limit (low) is `memory.reservation`.'),
  r('config-linux:resources.memory.swap', 'configLinuxMemory', 'MUST', 'The memory+swap limit is `memory.swap` (-1: unlimited).'),
  r('config-linux:resources.memory.kernel', 'configLinuxMemory', 'SHOULD NOT', '`memory.kernel` is not used (NOT RECOMMENDED).'),
  r('config-linux:resources.memory.kernel-tcp', 'configLinuxMemory', 'SHOULD NOT', '`memory.kernelTCP` is not used (NOT RECOMMENDED).'),
  r('config-linux:resources.memory.swappiness', 'configLinuxMemory', 'MUST', 'The cgroup swappiness is `memory.swappiness` (0 to 100).'),
  r(
    'config-linux:resources.memory.disable-oom-killer',
    'configLinuxMemory',
    'MUST',
    'With `disableOOMKiller: true` the cgroup OOM killer is off; otherwise it stays on.',
  ),
  r('config-linux:resources.memory.use-hierarchy', 'configLinuxMemory', 'MUST', '`useHierarchy` turns hierarchical memory accounting on or off.'),
  r(
    'config-linux:resources.memory.check-before-update',
    'configLinuxMemory',
    'MAY',
    'With `checkBeforeUpdate`, the runtime may compare a new limit with current usage.',
  ),
  r(
    'config-linux:resources.memory.check-before-update-reject',
    'configLinuxMemory',
    'MUST',
    'With `checkBeforeUpdate`, a new limit below current usage is refused.',
  ),

  // CPU
  r('config-linux:resources.cpu.shares', 'configLinuxCPU', 'MUST', 'The cgroup CPU weight reflects `cpu.shares`.'),
  r('config-linux:resources.cpu.quota', 'configLinuxCPU', 'MUST', 'The CFS quota per period is `cpu.quota` microseconds.'),
  r('config-linux:resources.cpu.burst-within-quota', 'configLinuxCPU', 'MUST', '`cpu.burst` is not above a positive `cpu.quota`.'),
  r('config-linux:resources.cpu.burst-quota-error', 'configLinuxCPU', 'MAY', 'A burst above a positive quota may be rejected with an error.'),
  r('config-linux:resources.cpu.burst', 'configLinuxCPU', 'MUST', 'The CFS burst is `cpu.burst` microseconds.'),
  r('config-linux:resources.cpu.period', 'configLinuxCPU', 'MUST', 'The CFS period is `cpu.period` microseconds.'),
  r('config-linux:resources.cpu.realtime-runtime', 'configLinuxCPU', 'MUST', 'The RT runtime is `cpu.realtimeRuntime` microseconds.'),
  r('config-linux:resources.cpu.realtime-period', 'configLinuxCPU', 'MUST', 'The RT period is `cpu.realtimePeriod` microseconds.'),
  r('config-linux:resources.cpu.cpus', 'configLinuxCPU', 'MUST', 'The cpuset CPU list is `cpu.cpus`.'),
  r('config-linux:resources.cpu.mems', 'configLinuxCPU', 'MUST', 'The cpuset memory-node list is `cpu.mems`.'),
  r('config-linux:resources.cpu.idle', 'configLinuxCPU', 'MUST', '`cpu.idle: 1` makes the cgroup SCHED_IDLE; 0 keeps the default.'),

  // Block IO
  r('config-linux:resources.block-io.weight', 'configLinuxBlockIO', 'MUST', 'The default I/O weight of the cgroup is `blockIO.weight`.'),
  r('config-linux:resources.block-io.leaf-weight', 'configLinuxBlockIO', 'MUST', 'The leaf I/O weight of the cgroup is `blockIO.leafWeight`.'),
  r(
    'config-linux:resources.block-io.required-fields',
    'configLinuxBlockIO',
    'MUST',
    'Per-device I/O entries have `major` and `minor`; throttle entries also `rate`.',
  ),
  r('config-linux:resources.block-io.weight-device', 'configLinuxBlockIO', 'MUST', 'Each `weightDevice` entry sets the weight for its device.'),
  r('config-linux:resources.block-io.weight-device.one-of', 'configLinuxBlockIO', 'MUST', 'A `weightDevice` entry gives `weight`, `leafWeight`, or both.'),
  r(
    'config-linux:resources.block-io.throttle-bps',
    'configLinuxBlockIO',
    'MUST',
    'Read/write byte rates per device are capped as the Bps throttle entries say.',
  ),
  r(
    'config-linux:resources.block-io.throttle-iops',
    'configLinuxBlockIO',
    'MUST',
    'Read/write operation rates per device are capped as the IOPS throttle entries say.',
  ),

  // Huge pages
  r('config-linux:resources.hugepage-limits.required-fields', 'configLinuxHugePageLimits', 'MUST', 'Each hugepage limit has `pageSize` and `limit`.'),
  r(
    'config-linux:resources.hugepage-limits.limit',
    'configLinuxHugePageLimits',
    'MUST',
    'HugeTLB use of each page size is capped at `limit`, on reservations when the kernel can.',
  ),
  r(
    'config-linux:resources.hugepage-limits.fallback',
    'configLinuxHugePageLimits',
    'SHOULD',
    'Without reservation accounting, the cap falls back to page-fault accounting.',
  ),
  r(
    'config-linux:resources.hugepage-limits.page-size',
    'configLinuxHugePageLimits',
    'MUST',
    "`pageSize` matches the size in the hugetlb controller's file names (e.g. 2MB).",
  ),

  // Network (cgroup)
  r('config-linux:resources.network.required-fields', 'configLinuxNetwork', 'MUST', 'Each network priority has `name` and `priority`.'),
  r('config-linux:resources.network.class-id', 'configLinuxNetwork', 'MUST', 'Packets from the cgroup carry class id `network.classID`.'),
  r('config-linux:resources.network.priorities', 'configLinuxNetwork', 'MUST', 'Traffic leaving by each named interface gets the configured priority.'),

  // PIDs
  r('config-linux:resources.pids.limit', 'configLinuxPIDS', 'MUST', 'The cgroup allows at most `pids.limit` tasks (-1: max).'),
  r('config-linux:resources.pids.zero', 'configLinuxPIDS', 'SHOULD', 'A `pids.limit` of 0 is a real limit, not "unset".'),

  // RDMA
  r('config-linux:resources.rdma.limits', 'configLinuxRDMA', 'MUST', 'Each RDMA device gets the hca_handle and hca_object caps given.'),
  r('config-linux:resources.rdma.one-of', 'configLinuxRDMA', 'MUST', 'An RDMA entry gives `hcaHandles`, `hcaObjects`, or both.'),

  // Unified
  r(
    'config-linux:resources.unified.write',
    'configLinuxUnified',
    'MUST',
    'Each `unified` key is written, with its value, to that file of the container cgroup.',
  ),
  r(
    'config-linux:resources.unified.enable-controllers',
    'configLinuxUnified',
    'MUST',
    'The controllers that `unified` keys belong to are enabled for the cgroup.',
  ),
  r('config-linux:resources.unified.unknown-written', 'configLinuxUnified', 'MUST', 'Keys the runtime does not understand are written all the same.'),
  r(
    'config-linux:resources.unified.missing-controller-error',
    'configLinuxUnified',
    'MUST',
    'A key whose controller is absent or cannot be enabled is an error.',
  ),
  r('config-linux:resources.unified.v1-conversion', 'configLinuxUnified', 'MAY', 'On cgroup v2, v1-style resource settings may be converted.'),
  r(
    'config-linux:resources.unified.v1-conversion-error',
    'configLinuxUnified',
    'MUST',
    'v1-style settings that cannot be converted on cgroup v2 are an error.',
  ),

  // Intel RDT
  r('config-linux:intel-rdt.tasks', RDT, 'MUST', 'With `intelRdt`, the container pid goes into the `tasks` file of its resctrl group.'),
  r('config-linux:intel-rdt.no-resctrl-error', RDT, 'MUST', 'With `intelRdt` but no resctrl mounted for the runtime, it errors.'),
  r('config-linux:intel-rdt.unset-untouched', RDT, 'MUST NOT', 'Without `intelRdt`, resctrl filesystems are left alone.'),
  r('config-linux:intel-rdt.clos-id-root', RDT, 'MUST', '`closID: "/"` puts the container in the default CLOS, the resctrl root.'),
  r('config-linux:intel-rdt.l3-prefix', RDT, 'SHOULD', '`l3CacheSchema` begins with `L3:`.'),
  r('config-linux:intel-rdt.l3-no-newline', RDT, 'SHOULD NOT', '`l3CacheSchema` has no newline in it.'),
  r('config-linux:intel-rdt.mem-bw-prefix', RDT, 'MUST', '`memBwSchema` begins with `MB:`.'),
  r('config-linux:intel-rdt.mem-bw-no-newline', RDT, 'MUST NOT', '`memBwSchema` has no newline in it.'),
  r('config-linux:intel-rdt.schemata-no-newline', RDT, 'MUST NOT', 'No `schemata` element has a newline in it.'),
  r('config-linux:intel-rdt.both-schemas', RDT, 'MUST', "With both L3 and MB schemas set, both go into the group's `schemata` file."),
  r('config-linux:intel-rdt.l3-first', RDT, 'MUST', 'The L3 schema is written before the MB schema.'),
  r('config-linux:intel-rdt.either-schema', RDT, 'MUST', "With one of the L3/MB schemas set, it goes into the group's `schemata` file."),
  r('config-linux:intel-rdt.schemata', RDT, 'MUST', "The `schemata` lines go into the group's `schemata` file."),
  r('config-linux:intel-rdt.schemata-last', RDT, 'MUST', '`schemata` lines are written after the L3 and MB schemas.'),
  r('config-linux:intel-rdt.no-schema-no-write', RDT, 'MUST NOT', 'With no schema fields at all, no `schemata` file is written.'),
  r('config-linux:intel-rdt.default-clos-id', RDT, 'MUST', 'Without `closID`, a group named after the container ID is created and used.'),
  r('config-linux:intel-rdt.clos-create', RDT, 'MUST', 'A missing `closID` group is created when schemas are given.'),
  r('config-linux:intel-rdt.clos-compare', RDT, 'MUST', 'An existing `closID` group whose schemata differ from the given schemas is an error.'),
  r('config-linux:intel-rdt.clos-preconfigured', RDT, 'MUST', 'With `closID` and no schemas, the container joins that pre-made group.'),
  r('config-linux:intel-rdt.clos-preconfigured-missing', RDT, 'MUST', 'With `closID`, no schemas and no such group, the runtime errors.'),
  r('config-linux:intel-rdt.remove-created', RDT, 'MUST', 'A group the runtime made (no `closID`) is removed on delete.'),
  r('config-linux:intel-rdt.keep-not-created', RDT, 'MUST NOT', 'A group named by `closID`, or not made by the runtime, survives delete.'),
  r('config-linux:intel-rdt.monitoring-group', RDT, 'MUST', 'With `enableMonitoring`, a MON group is made for the container.'),
  r('config-linux:intel-rdt.monitoring-name', RDT, 'MUST', "The MON group is mon_groups/<container-id>/ under the container's CTRL_MON group."),
  r('config-linux:intel-rdt.monitoring-delete', RDT, 'MUST', 'The MON group is removed when the container is deleted.'),
  r('config-linux:intel-rdt.monitoring-error', RDT, 'MUST', 'Failing to make the MON group is an error.'),

  // Memory policy, sysctl
  r('config-linux:memory-policy.required-fields', 'configLinuxMemoryPolicy', 'MUST', '`memoryPolicy` has a `mode`.'),
  r(
    'config-linux:memory-policy.applied',
    'configLinuxMemoryPolicy',
    'MUST',
    'The container gets the NUMA policy of `mode`, `nodes` and `flags` via set_mempolicy.',
  ),
  r('config-linux:sysctl.applied', 'configLinuxSysctl', 'MUST', 'Each `sysctl` key is set to its value for the container.'),
  r(
    'config-linux:sysctl.for-container',
    'configLinuxSysctl',
    'MUST',
    'A `sysctl` changes the kernel for the container only: in its namespaces (perhaps shared with the runtime), never host-wide.',
  ),

  // Seccomp
  r('config-linux:seccomp.required-fields', SEC, 'MUST', '`seccomp` has a `defaultAction`.'),
  r('config-linux:seccomp.default-action', SEC, 'MUST', 'Syscalls no rule matches get `defaultAction`.'),
  r('config-linux:seccomp.default-errno-ret', SEC, 'MUST', 'Unmatched syscalls fail with `defaultErrnoRet`, EPERM when unset, under an errno-style action.'),
  r('config-linux:seccomp.default-errno-unsupported', SEC, 'MUST', '`defaultErrnoRet` with an action that takes no errno is reported and fails.'),
  r('config-linux:seccomp.architectures', SEC, 'MUST', 'The filter covers the `architectures` listed.'),
  r('config-linux:seccomp.flags', SEC, 'MUST', 'The filter is loaded with the seccomp(2) `flags` given.'),
  r('config-linux:seccomp.listener.socket-type', SEC, 'MUST', 'The `listenerPath` socket is AF_UNIX, SOCK_STREAM.'),
  r('config-linux:seccomp.listener.one-state', SEC, 'MUST', 'Each connection to the listener carries one container process state, no more.'),
  r('config-linux:seccomp.listener.no-reuse', SEC, 'MUST NOT', 'A listener connection is never used twice.'),
  r('config-linux:seccomp.listener.close', SEC, 'MUST', 'The connection is closed once the seccomp state is sent.'),
  r('config-linux:seccomp.listener.send-error', SEC, 'MUST', 'Failing to send to `listenerPath` is an error.'),
  r('config-linux:seccomp.listener.ignored-without-notify', SEC, 'MUST', 'Without any `SCMP_ACT_NOTIFY` action, `listenerPath` is ignored.'),
  r('config-linux:seccomp.listener.seccomp-fd', SEC, 'MUST', 'The seccomp notify fd is sent by SCM_RIGHTS and named `seccompFd` in `fds`.'),
  r('config-linux:seccomp.listener-metadata.sent', SEC, 'MUST', '`listenerMetadata` arrives as `metadata` in the process state.'),
  r('config-linux:seccomp.listener-metadata.needs-path', SEC, 'MUST NOT', '`listenerMetadata` is not set without `listenerPath`.'),
  r('config-linux:seccomp.syscalls.required-fields', SEC, 'MUST', 'Each syscall rule has `names` and `action`.'),
  r('config-linux:seccomp.syscalls.names-non-empty', SEC, 'MUST', "A rule's `names` list is not empty."),
  r('config-linux:seccomp.syscalls.action', SEC, 'MUST', 'Syscalls a rule matches get its `action`.'),
  r(
    'config-linux:seccomp.syscalls.errno-ret',
    SEC,
    'MUST',
    "A matched syscall fails with the rule's `errnoRet`, EPERM when unset, under an errno-style action.",
  ),
  r('config-linux:seccomp.syscalls.errno-unsupported', SEC, 'MUST', 'A rule `errnoRet` with an action that takes no errno is reported and fails.'),
  r('config-linux:seccomp.syscalls.args.required-fields', SEC, 'MUST', 'Each argument condition has `index`, `value` and `op`.'),
  r('config-linux:seccomp.syscalls.args', SEC, 'MUST', 'A rule with `args` matches only when every argument condition holds.'),

  // Container process state (seccomp notify)
  r('config-linux:process-state.json', 'containerprocessstate', 'MUST', 'The process state goes over the socket as a JSON payload.'),
  r('config-linux:process-state.scm-rights', 'containerprocessstate', 'MUST', 'The fds travel as SCM_RIGHTS ancillary data.'),
  r('config-linux:process-state.multiple-sendmsg', 'containerprocessstate', 'MAY', 'The runtime may split the message over several sendmsg calls.'),
  r('config-linux:process-state.fds-first', 'containerprocessstate', 'MUST', 'When split, the fds ride on the first sendmsg only.'),
  r('config-linux:process-state.required-fields', 'containerprocessstate', 'MUST', 'The process state has `ociVersion`, `pid` and `state`.'),
  r('config-linux:process-state.fds-index', 'containerprocessstate', 'MUST', 'The n-th name in `fds` belongs to the n-th SCM_RIGHTS fd.'),
  r('config-linux:process-state.pid', 'containerprocessstate', 'MUST', '`pid` is the container process as the runtime sees it.'),

  // Rootfs propagation, masked/readonly paths, mount label, personality
  r('config-linux:rootfs-propagation.shared', 'configLinuxRootfsMountPropagation', 'MUST', '`shared`: the rootfs is in a new peer group of its own.'),
  r('config-linux:rootfs-propagation.slave', 'configLinuxRootfsMountPropagation', 'MUST', '`slave`: host mount events reach the rootfs, never the reverse.'),
  r('config-linux:rootfs-propagation.private', 'configLinuxRootfsMountPropagation', 'MUST', '`private`: the rootfs neither receives nor sends mount events.'),
  r('config-linux:rootfs-propagation.unbindable', 'configLinuxRootfsMountPropagation', 'MUST', '`unbindable`: the rootfs is private and refuses bind mounts.'),
  r('config-linux:masked-paths.absolute', 'configLinuxMaskedPaths', 'MUST', 'Every masked path is absolute in the container.'),
  r('config-linux:masked-paths.applied', 'configLinuxMaskedPaths', 'MUST', 'Reading a masked path inside the container yields nothing of the original.'),
  r(
    'config-linux:masked-paths.in-container',
    'configLinuxMaskedPaths',
    'MUST',
    'A masked path is masked where the container sees it, never on a host path that a symlink names.',
  ),
  r('config-linux:readonly-paths.absolute', 'configLinuxReadonlyPaths', 'MUST', 'Every read-only path is absolute in the container.'),
  r('config-linux:readonly-paths.applied', 'configLinuxReadonlyPaths', 'MUST', 'A read-only path cannot be written from inside the container.'),
  r(
    'config-linux:readonly-paths.in-container',
    'configLinuxReadonlyPaths',
    'MUST',
    'A read-only path is made read-only where the container sees it, never on a host path that a symlink names.',
  ),
  r('config-linux:mount-label.applied', 'configLinuxMountLabel', 'MUST', 'Container mounts carry the SELinux context of `mountLabel`.'),
  r('config-linux:personality.required-fields', 'configLinuxPersonality', 'MUST', '`personality` has a `domain`.'),
  r(
    'config-linux:personality.domain',
    'configLinuxPersonality',
    'MUST',
    'The process runs in the execution domain given; LINUX32 makes uname report a 32-bit machine.',
  ),
  r('config-linux:personality.no-flags', 'configLinuxPersonality', 'MUST', 'No personality flag is supported, so any `flags` value is rejected.'),
];

/**
 * Entries whose level is not an upper-case keyword of the sentence they come from.
 * Most are field definitions that leave the runtime no choice ("sets limit of memory
 * usage"), marked MUST; a few use lower-case "must"/"should" and keep that strength.
 */
export const inferred: readonly string[] = [
  'config-linux:user-mappings.uid',
  'config-linux:user-mappings.gid',
  'config-linux:time-offsets.applied',
  'config-linux:devices.type',
  'config-linux:devices.file-mode',
  'config-linux:devices.owner',
  'config-linux:devices.unlisted-access', // "MAY NOT" is no RFC 2119 keyword
  'config-linux:net-devices.name',
  'config-linux:cgroups-path.created',
  'config-linux:resources.devices.enforced',
  'config-linux:resources.devices.wildcards',
  'config-linux:resources.memory.limit',
  'config-linux:resources.memory.reservation',
  'config-linux:resources.memory.swap',
  'config-linux:resources.memory.swappiness',
  'config-linux:resources.memory.disable-oom-killer',
  'config-linux:resources.memory.use-hierarchy',
  'config-linux:resources.cpu.shares',
  'config-linux:resources.cpu.quota',
  'config-linux:resources.cpu.burst',
  'config-linux:resources.cpu.period',
  'config-linux:resources.cpu.realtime-runtime',
  'config-linux:resources.cpu.realtime-period',
  'config-linux:resources.cpu.cpus',
  'config-linux:resources.cpu.mems',
  'config-linux:resources.cpu.idle',
  'config-linux:resources.block-io.weight',
  'config-linux:resources.block-io.leaf-weight',
  'config-linux:resources.block-io.weight-device',
  'config-linux:resources.block-io.throttle-bps',
  'config-linux:resources.block-io.throttle-iops',
  'config-linux:resources.hugepage-limits.limit',
  'config-linux:resources.hugepage-limits.fallback', // lower-case "should fallback"
  'config-linux:resources.hugepage-limits.page-size', // lower-case "must match"
  'config-linux:resources.network.class-id',
  'config-linux:resources.network.priorities',
  'config-linux:resources.pids.limit',
  'config-linux:resources.rdma.limits',
  'config-linux:resources.unified.write',
  'config-linux:intel-rdt.schemata-last', // lower-case "must be written last"
  'config-linux:memory-policy.applied',
  'config-linux:sysctl.applied',
  'config-linux:sysctl.for-container',
  'config-linux:readonly-paths.in-container',
  'config-linux:masked-paths.in-container',
  'config-linux:seccomp.default-action',
  'config-linux:seccomp.default-errno-ret',
  'config-linux:seccomp.architectures',
  'config-linux:seccomp.flags',
  'config-linux:seccomp.listener.ignored-without-notify', // "this value is ignored"
  'config-linux:seccomp.listener-metadata.sent',
  'config-linux:seccomp.syscalls.action',
  'config-linux:seccomp.syscalls.errno-ret',
  'config-linux:seccomp.syscalls.args',
  'config-linux:process-state.fds-index',
  'config-linux:rootfs-propagation.shared',
  'config-linux:rootfs-propagation.slave',
  'config-linux:rootfs-propagation.private',
  'config-linux:rootfs-propagation.unbindable',
  'config-linux:masked-paths.applied',
  'config-linux:readonly-paths.applied',
  'config-linux:mount-label.applied',
  'config-linux:personality.domain',
  'config-linux:personality.no-flags',
];
