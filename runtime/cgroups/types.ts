// linux.resources as the schema types it (schemas/config-linux.ts). The planners
// check every value themselves, with the config path in their errors.
export type { DeviceRule as LinuxDeviceCgroup, LinuxBlockIO, LinuxCPU, LinuxMemory, LinuxResources } from '../../schemas/config.js';
