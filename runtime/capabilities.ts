// Turns process.capabilities into the five capability sets and the ordered steps
// the init takes to install them. Pure data: the core executes the steps through
// runtime/syscalls.ts.
//
// The spec (config.md, capabilities): a value that cannot be mapped to a kernel
// interface or cannot be granted MUST be logged as a warning, and runtimes SHOULD
// NOT fail. So every such name becomes a warning and is left out of the masks,
// including the combinations the kernel would refuse with EPERM (effective outside
// permitted, inheritable outside bounding, ambient outside permitted ∩ inheritable).
import { KNOWN_LAST_CAP, capName, capNumber } from '../linux/capabilities.js';
import type { Capabilities } from '../schemas/config.js';

/** process.capabilities; every set is optional and an absent set means "none". */
export type CapabilitiesConfig = Capabilities;

export type CapSet = keyof CapabilitiesConfig;
export const CAP_SETS: readonly CapSet[] = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'];

export type CapWarningReason =
  | 'unknown' // not a capability name at all
  | 'beyond-last-cap' // a real capability the running kernel does not have
  | 'not-in-permitted' // effective needs permitted (capset EPERM)
  | 'not-in-bounding' // inheritable needs bounding (capset EPERM after the drop)
  | 'not-in-permitted-and-inheritable'; // ambient raise needs both (prctl EPERM)

export interface CapWarning {
  set: CapSet;
  name: string;
  reason: CapWarningReason;
  /** One line for the runtime's warning log. */
  message: string;
}

/** prctl option numbers (linux/prctl.h). */
export const PR_SET_KEEPCAPS = 8;
export const PR_CAPBSET_DROP = 24;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_CAP_AMBIENT_CLEAR_ALL = 4;
/** capset(2) header version for 64-bit sets (two __user_cap_data_struct). */
export const LINUX_CAPABILITY_VERSION_3 = 0x20080522;

/** capset's data for one set: [bits 0–31, bits 32–63]. */
export type CapWords = [number, number];

export type CapStep =
  /** prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); needs CAP_SETPCAP, so before the uid change. */
  | { op: 'bounding-drop'; cap: number }
  /** prctl(PR_SET_KEEPCAPS, value, 0, 0, 0): keep permitted across setuid away from 0. */
  | { op: 'keep-caps'; value: 0 | 1 }
  /** Not a capability call: where the core switches gid/groups/uid. */
  | { op: 'switch-user' }
  /**
   * capset({ version: LINUX_CAPABILITY_VERSION_3, pid: 0 }, data[2]) where
   * data[i] = { effective: effective[i], permitted: permitted[i], inheritable: inheritable[i] }.
   */
  | { op: 'capset'; effective: CapWords; permitted: CapWords; inheritable: CapWords }
  /** prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0). */
  | { op: 'ambient-clear' }
  /** prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0). */
  | { op: 'ambient-raise'; cap: number };

export interface CapabilityPlan {
  /** The sets that will be installed, as masks (bit n = capability n). */
  sets: Record<CapSet, bigint>;
  warnings: CapWarning[];
  steps: CapStep[];
}

/** Splits a mask into capset's two 32-bit words. */
export function capWords(mask: bigint): CapWords {
  return [Number(mask & 0xffffffffn), Number((mask >> 32n) & 0xffffffffn)];
}

/**
 * Plans the capabilities of the container process.
 *
 * @param caps process.capabilities (absent: the caller should not touch capabilities at all)
 * @param hostLastCap the kernel's /proc/sys/kernel/cap_last_cap (linux/capabilities.ts `lastCap()`)
 */
export function planCapabilities(caps: CapabilitiesConfig, hostLastCap: number): CapabilityPlan {
  const warnings: CapWarning[] = [];
  const warn = (set: CapSet, name: string, reason: CapWarningReason, detail: string): void => {
    warnings.push({ set, name, reason, message: `process.capabilities.${set}: ${name} ${detail}; ignored` });
  };

  const sets = {} as Record<CapSet, bigint>;
  for (const set of CAP_SETS) {
    let mask = 0n;
    for (const name of caps[set] ?? []) {
      const n = capNumber(name);
      if (n === undefined) {
        warn(set, name, 'unknown', `is not a capability known to this runtime (up to ${capName(KNOWN_LAST_CAP)})`);
      } else if (n > hostLastCap) {
        warn(set, name, 'beyond-last-cap', `(${n}) is beyond the kernel's last capability ${hostLastCap}`);
      } else {
        mask |= 1n << BigInt(n);
      }
    }
    sets[set] = mask;
  }

  const restrict = (set: CapSet, allowed: bigint, reason: CapWarningReason, detail: string): void => {
    const dropped = sets[set] & ~allowed;
    for (let n = 0; dropped >> BigInt(n) !== 0n; n++) {
      if ((dropped >> BigInt(n)) & 1n) warn(set, capName(n), reason, detail);
    }
    sets[set] &= allowed;
  };
  // Same order as the kernel checks them in capset(2) and PR_CAP_AMBIENT_RAISE.
  restrict('effective', sets.permitted, 'not-in-permitted', 'is not in the permitted set, which the kernel requires');
  restrict('inheritable', sets.bounding, 'not-in-bounding', 'is not in the bounding set, which the kernel requires after the drop');
  restrict(
    'ambient',
    sets.permitted & sets.inheritable,
    'not-in-permitted-and-inheritable',
    'is not in both the permitted and inheritable sets, which the kernel requires',
  );

  const steps: CapStep[] = [];
  // Every capability the kernel has, not only the ones this table names: a newer
  // kernel's extra capabilities must not stay in the bounding set by accident.
  for (let cap = 0; cap <= hostLastCap; cap++) {
    if (!((sets.bounding >> BigInt(cap)) & 1n)) steps.push({ op: 'bounding-drop', cap });
  }
  steps.push({ op: 'keep-caps', value: 1 });
  steps.push({ op: 'switch-user' });
  steps.push({
    op: 'capset',
    effective: capWords(sets.effective),
    permitted: capWords(sets.permitted),
    inheritable: capWords(sets.inheritable),
  });
  steps.push({ op: 'ambient-clear' });
  for (let cap = 0; cap <= hostLastCap; cap++) {
    if ((sets.ambient >> BigInt(cap)) & 1n) steps.push({ op: 'ambient-raise', cap });
  }
  return { sets, warnings, steps };
}
