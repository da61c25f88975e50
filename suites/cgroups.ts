// config-linux.md "Control groups": the container's cgroup (cgroupsPath, what delete
// removes and keeps) and each `linux.resources` setting, read back from the host.
// The devices controller's allow/deny behaviour is the devices suite's.
import paths from './cgroups/paths.js';
import resources from './cgroups/resources.js';

export default [...paths, ...resources];
