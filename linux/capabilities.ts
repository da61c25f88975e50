// Linux capability names and numbers (capabilities(7), linux/capability.h), shared by
// the harness (reading CapEff & co. back from /proc/PID/status) and the runtime
// (turning process.capabilities into masks).
import { readFileSync } from 'node:fs';

/** Every capability the spec's configs may name, by number, up to CAP_CHECKPOINT_RESTORE. */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', // 0
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL', // 5
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE', // 10
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', // 15
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', // 20
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', // 25
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL', // 30
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM', // 35
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE', // 40
];

/** The highest capability number this table knows. */
export const KNOWN_LAST_CAP = CAPABILITIES.length - 1;

const BY_NAME: ReadonlyMap<string, number> = new Map(CAPABILITIES.map((n, i) => [n, i]));

/** The number of a capability name (exact, upper case, with `CAP_`), or undefined. */
export function capNumber(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** The name of a capability number, or `CAP_<n>` for numbers past the table. */
export function capName(n: number): string {
  return CAPABILITIES[n] ?? `CAP_${n}`;
}

/** A mask of the named capabilities. Throws on a name this table does not know. */
export function capMask(names: readonly string[]): bigint {
  let mask = 0n;
  for (const name of names) {
    const n = capNumber(name);
    if (n === undefined) throw new Error(`unknown capability ${JSON.stringify(name)}`);
    mask |= 1n << BigInt(n);
  }
  return mask;
}

/** The names in a mask, lowest number first; bits past the table come out as `CAP_<n>`. */
export function capNames(mask: bigint): string[] {
  const out: string[] = [];
  for (let n = 0; mask >> BigInt(n) !== 0n; n++) {
    if ((mask >> BigInt(n)) & 1n) out.push(capName(n));
  }
  return out;
}

/** Parses a capability field of /proc/PID/status (`CapEff:\t000001ffffffffff`). */
export function parseCapHex(hex: string): bigint {
  const s = hex.trim();
  if (!/^[0-9a-fA-F]{1,16}$/.test(s)) throw new Error(`not a capability mask: ${JSON.stringify(hex)}`);
  return BigInt(`0x${s}`);
}

/** Formats a mask the way /proc/PID/status does (16 hex digits). */
export function formatCapHex(mask: bigint): string {
  return mask.toString(16).padStart(16, '0');
}

/** The five capability lines of /proc/PID/status, as masks. */
export interface ProcCaps {
  inheritable: bigint;
  permitted: bigint;
  effective: bigint;
  bounding: bigint;
  ambient: bigint;
}

/** Reads CapInh/CapPrm/CapEff/CapBnd/CapAmb out of a /proc/PID/status text. */
export function parseStatusCaps(status: string): ProcCaps {
  const field = (key: string): bigint => {
    const m = new RegExp(`^${key}:\\s*([0-9a-fA-F]+)\\s*$`, 'm').exec(status);
    if (!m?.[1]) throw new Error(`/proc status has no ${key} line`);
    return parseCapHex(m[1]);
  };
  return {
    inheritable: field('CapInh'),
    permitted: field('CapPrm'),
    effective: field('CapEff'),
    bounding: field('CapBnd'),
    ambient: field('CapAmb'),
  };
}

/** The running kernel's highest capability (/proc/sys/kernel/cap_last_cap). */
export function lastCap(path = '/proc/sys/kernel/cap_last_cap'): number {
  const text = readFileSync(path, 'utf8').trim();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 63) throw new Error(`${path}: unexpected content ${JSON.stringify(text)}`);
  return n;
}
