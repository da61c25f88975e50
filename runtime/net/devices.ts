// linux.netDevices (config-linux.md "Network Devices"): host interfaces moved into the
// container's network namespace, renamed as asked (a `%d` template lets the kernel
// pick), keeping their permanent global addresses (which the kernel drops on a move,
// so they are read first and added again), and set up. Everything that can fail is
// checked before the first device moves: a refused create leaves the host as it was.
// Nothing is moved back at delete: the devices go with the namespace.
import { closeSync, openSync } from 'node:fs';
import type { Linux } from '../../schemas/config.js';
import { ConfigError, RuntimeError, oneLine } from '../errors.js';
import type { Syscalls } from '../syscalls.js';
import { IFA_F_PERMANENT, openNetlink, RT_SCOPE_UNIVERSE, type Link, type Netlink } from './netlink.js';

const CLONE_NEWNET = 0x40000000;
/** IFNAMSIZ less the NUL. */
const MAX_NAME = 15;

export interface NetDeviceMove {
  /** The name on the host (the entry's key). */
  host: string;
  /** The name inside: `name`, or the host name. */
  name: string;
}

function checkName(name: unknown, field: string, template: boolean): string {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || Buffer.byteLength(name) > MAX_NAME || /[\s/:]/.test(name)) {
    throw new ConfigError(field, `is not a network interface name (1 to ${MAX_NAME} bytes, no whitespace, '/' or ':'): ${JSON.stringify(name)}`);
  }
  const templates = name.split('%').length - 1;
  if (templates > 0 && !(template && templates === 1 && name.includes('%d')))
    throw new ConfigError(field, `may hold one %d template and no other %: ${JSON.stringify(name)}`);
  return name;
}

/** Checks linux.netDevices; touches nothing. */
export function planNetDevices(linux: Linux | undefined): NetDeviceMove[] {
  const entries = Object.entries(linux?.netDevices ?? {});
  if (entries.length === 0) return [];
  const netns = linux?.namespaces?.find((n) => n.type === 'network');
  if (!netns)
    throw new ConfigError(
      'linux.netDevices',
      'needs a network namespace in linux.namespaces: without one the devices would stay where they are, in the host namespace',
    );
  const moves = entries.map(([host, v]) => {
    checkName(host, `linux.netDevices[${JSON.stringify(host)}]`, false);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(`linux.netDevices.${host}`, 'must be an object');
    const name = (v as { name?: unknown }).name;
    return { host, name: name === undefined ? host : checkName(name, `linux.netDevices.${host}.name`, true) };
  });
  const seen = new Map<string, string>();
  for (const m of moves) {
    if (m.name.includes('%d')) continue;
    const other = seen.get(m.name);
    if (other) throw new ConfigError(`linux.netDevices.${m.host}.name`, `is ${m.name}, the name ${other} gets in the container too`);
    seen.set(m.name, m.host);
  }
  return moves;
}

/** The links of the namespace `nsFd`, and a netlink socket in it (made on this thread, which goes back at once). */
function netlinkIn(sys: Syscalls, nsFd: number): Netlink {
  const home = openSync('/proc/thread-self/ns/net', 'r');
  try {
    sys.setns(nsFd, CLONE_NEWNET);
    try {
      return openNetlink(sys);
    } finally {
      sys.setns(home, CLONE_NEWNET);
    }
  } finally {
    closeSync(home);
  }
}

/**
 * Moves the devices into the network namespace of `pid`. `host` and `inner` are
 * rtnetlink in the runtime's and in the container's namespace (opened here by default).
 */
export function moveNetDevices(sys: Syscalls, moves: readonly NetDeviceMove[], pid: number, nl?: { host: Netlink; inner: Netlink; nsFd: number }): void {
  if (moves.length === 0) return;
  const nsFd = nl?.nsFd ?? openSync(`/proc/${pid}/ns/net`, 'r');
  let host: Netlink | undefined = nl?.host;
  let inner: Netlink | undefined = nl?.inner;
  try {
    host ??= openNetlink(sys);
    inner ??= netlinkIn(sys, nsFd);
    // The checks, before anything moves.
    const hostLinks = host.links();
    const innerNames = new Set(inner.links().map((l) => l.name));
    const found = moves.map((m) => {
      const link = hostLinks.find((l) => l.name === m.host);
      if (!link) throw new ConfigError(`linux.netDevices.${m.host}`, "names no network device of the runtime's network namespace");
      if (!m.name.includes('%d') && innerNames.has(m.name)) {
        throw new ConfigError(
          `linux.netDevices.${m.host}${m.name === m.host ? '' : '.name'}`,
          `is ${m.name}, a device the container's network namespace already has`,
        );
      }
      return { ...m, link };
    });
    for (const { host: hostName, name, link } of found) {
      try {
        const addresses = host.addresses(link.index).filter((a) => (a.flags & IFA_F_PERMANENT) !== 0 && a.scope === RT_SCOPE_UNIVERSE);
        const before = new Set(inner.links().map((l) => l.index));
        host.moveLink(link.index, nsFd, name);
        const moved = arrived(inner.links(), before, link);
        for (const a of addresses) inner.addAddress(a, moved.index);
        inner.setUp(moved.index);
      } catch (err) {
        throw new RuntimeError(`linux.netDevices.${hostName}: ${oneLine(err)}`);
      }
    }
  } finally {
    host?.close();
    inner?.close();
    if (!nl) closeSync(nsFd);
  }
}

/** The link that appeared in the container's namespace: the new index (the same MAC, when there are several). */
function arrived(after: Link[], before: Set<number>, was: Link): Link {
  const fresh = after.filter((l) => !before.has(l.index));
  const link = fresh.length === 1 ? fresh[0] : fresh.find((l) => was.mac !== undefined && l.mac === was.mac);
  if (!link) throw new Error(`moved, but not found in the container's network namespace (${fresh.length} new links)`);
  return link;
}
