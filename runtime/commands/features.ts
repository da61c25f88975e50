// `features` (features.md, features-linux.md): only what this runtime implements.
import { CAPABILITIES } from '../../linux/capabilities.js';
import { HOOK_NAMES, NAMESPACE_TYPES } from '../../schemas/enums.js';
import { MPOL_FLAGS, MPOL_MODES } from '../init/attributes.js';
import { stdout } from '../log.js';
import { KNOWN_MOUNT_OPTIONS } from '../mount/options.js';
// From where the lists are defined: seccomp/index.js re-exports the compiler too.
import { SUPPORTED_ACTIONS, SUPPORTED_ARCHES, SUPPORTED_FLAGS, SUPPORTED_OPERATORS } from '../seccomp/constants.js';
import { OCI_VERSION, OCI_VERSION_MIN } from '../state/store.js';
import { CGROUP_FEATURES } from '../cgroups-bridge.js';

/** The commands that work (cli.ts), for the annotation below. */
export const COMMANDS = [
  'create',
  'start',
  'state',
  'kill',
  'delete',
  'features',
  'list',
  'run',
  'exec',
  'pause',
  'resume',
  'ps',
  'update',
  'events',
  'spec',
] as const;

export function featuresJson(): object {
  return {
    ociVersionMin: OCI_VERSION_MIN,
    ociVersionMax: OCI_VERSION,
    hooks: [...HOOK_NAMES],
    mountOptions: [...KNOWN_MOUNT_OPTIONS],
    linux: {
      namespaces: [...NAMESPACE_TYPES].sort(),
      capabilities: [...CAPABILITIES],
      cgroup: CGROUP_FEATURES,
      seccomp: {
        enabled: true,
        actions: [...SUPPORTED_ACTIONS],
        operators: [...SUPPORTED_OPERATORS],
        archs: [...SUPPORTED_ARCHES],
        knownFlags: [...SUPPORTED_FLAGS],
        supportedFlags: [...SUPPORTED_FLAGS],
      },
      // Refused at create (runtime/config/unsupported.ts).
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      // Bind mounts in containers without a user namespace (runtime/mount/plan.ts).
      mountExtensions: { idmap: { enabled: true } },
      // Moved in by create (runtime/net/devices.ts).
      netDevices: { enabled: true },
      memoryPolicy: { modes: Object.keys(MPOL_MODES), flags: Object.keys(MPOL_FLAGS) },
    },
    annotations: {
      'org.opencontainers.conform.runtime': 'conform-runtime',
      // The runc commands engines call, beyond the spec's; checkpoint and restore are
      // refused (no CRIU), so not listed. A test keeps this equal to the CLI's.
      'org.opencontainers.conform.runtime.commands': COMMANDS.join(','),
    },
  };
}

export function features(): void {
  stdout(`${JSON.stringify(featuresJson(), null, 2)}\n`);
}
