// Every conformance case, by area (one file per spec area).
import type { Case } from '../harness/case/case.js';
import annotations from './annotations.js';
import capabilities from './capabilities.js';
import cgroups from './cgroups.js';
import bundles from './bundles.js';
import devices from './devices.js';
import engines from './engines.js';
import extensibility from './extensibility.js';
import features from './features.js';
import hooks from './hooks.js';
import intelrdt from './intelrdt.js';
import lifecycle from './lifecycle.js';
import mounts from './mounts.js';
import namespaces from './namespaces.js';
import netdevices from './netdevices.js';
import paths from './paths.js';
import process from './process.js';
import rlimits from './rlimits.js';
import rootfs from './rootfs.js';
import scheduling from './scheduling.js';
import security from './security.js';
import seccomp from './seccomp.js';
import state from './state.js';
import sysctl from './sysctl.js';
import terminal from './terminal.js';
import uts from './uts.js';
import validity from './validity.js';

export const ALL_CASES: readonly Case[] = [
  ...lifecycle,
  ...state,
  ...process,
  ...scheduling,
  ...terminal,
  ...rlimits,
  ...capabilities,
  ...uts,
  ...sysctl,
  ...namespaces,
  ...netdevices,
  ...rootfs,
  ...mounts,
  ...paths,
  ...devices,
  ...seccomp,
  ...cgroups,
  ...intelrdt,
  ...hooks,
  ...annotations,
  ...extensibility,
  ...features,
  ...validity,
  ...bundles,
  ...engines,
  ...security,
];
