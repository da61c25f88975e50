// config-linux.md "Control groups": the container's cgroup (cgroupsPath, what delete
// removes and keeps) and each `linux.resources` setting, read back from the host.
// The devices controller's allow/deny behaviour is the devices suite's.
import paths from './cgroups/paths.js';
import memory from './cgroups/memory.js';
import cpu from './cgroups/cpu.js';
import pids from './cgroups/pids.js';
import blockIO from './cgroups/block-io.js';
import hugetlb from './cgroups/hugetlb.js';
import network from './cgroups/network.js';
import unified from './cgroups/unified.js';

// The linux.resources settings, one file per controller (their shared case shapes: cgroups/resource-case.ts).
export default [...paths, ...memory, ...cpu, ...pids, ...blockIO, ...hugetlb, ...network, ...unified];
