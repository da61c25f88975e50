// What the runtime refuses because it would change the host outside the container:
// hostname, domainname and sysctls act on the namespaces of whoever sets them, so
// they need a namespace of the container's own; and a mount namespace that is the
// runtime's own would have pivot_root re-root the host. runc refuses the same (its
// libcontainer/configs/validate: uts, sysctl), with the same table of namespaced
// sysctls; like runc, "the host" means the runtime's own namespaces, and a
// namespace joined by path counts as the container's own unless it is ours.
//
// `create` checks the config before anything is made (refuseHostChanges), and the
// init checks again, against the namespaces it is really in, right before it writes
// (guardNamespace): the path given may name another namespace by then.
import { ConfigError } from '../errors.js';
import type { Config, NamespaceType } from '../../schemas/config.js';

/** The namespaces these settings act on. */
export type GuardedNamespace = 'uts' | 'ipc' | 'network' | 'mount';

/** runc's list of ipc-namespaced sysctls outside fs.mqueue.* (ipc_namespace(7)). */
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);

/**
 * sysctl(8) accepts "/" as the separator too (net/ipv4/ip_forward); then a "." inside
 * a component stands for a "/" in /proc/sys (an interface name such as eth0.100).
 */
export function sysctlDotted(key: string): string {
  const first = key.search(/[./]/);
  if (first < 0 || key[first] === '.') return key;
  return key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/**
 * The file under /proc/sys that `key` names (a "/" inside a dotted component stands
 * for a "." in a file name), or undefined when it is not a sysctl name: empty
 * components, "." or "..", or characters no sysctl has.
 */
export function sysctlFile(key: string): string | undefined {
  if (!/^[A-Za-z0-9_.\-/]+$/.test(key)) return undefined;
  const parts = sysctlDotted(key)
    .split('.')
    .map((c) => c.replace(/\//g, '.'));
  if (parts.some((c) => c === '' || c === '.' || c === '..' || c.startsWith('.'))) return undefined;
  return parts.join('/');
}

/** The namespace a sysctl is set in, or why it cannot be set for a container. */
export function sysctlNamespace(key: string): { ns: GuardedNamespace } | { refuse: string } {
  const k = sysctlDotted(key);
  if (IPC_SYSCTLS.has(k) || k.startsWith('fs.mqueue.')) return { ns: 'ipc' };
  if (k.startsWith('net.')) return { ns: 'network' };
  if (k === 'kernel.domainname') return { ns: 'uts' };
  if (k === 'kernel.hostname') return { refuse: 'conflicts with the hostname field: set hostname instead' };
  return {
    refuse:
      'is not a sysctl of any namespace: writing it would change the host (only ipc, fs.mqueue.*, net.* and kernel.domainname sysctls can be set for a container)',
  };
}

const NS_WORD: Record<GuardedNamespace, string> = { uts: 'a uts', ipc: 'an ipc', network: 'a network', mount: 'a mount' };

/**
 * The namespaces the container has of its own: new ones, and joined ones that are not
 * the runtime's (`isRuntimes(type, path)` compares the path with /proc/self/ns).
 */
export function ownNamespaces(config: Config, isRuntimes: (type: NamespaceType, path: string) => boolean): Set<NamespaceType> {
  const own = new Set<NamespaceType>();
  for (const ns of config.linux?.namespaces ?? []) {
    if (!ns.path || !isRuntimes(ns.type, ns.path)) own.add(ns.type);
  }
  return own;
}

/** Throws a ConfigError naming the first setting that would change the host. */
export function refuseHostChanges(config: Config, own: ReadonlySet<NamespaceType>): void {
  const need = (ns: GuardedNamespace, field: string, what: string): void => {
    if (!own.has(ns)) {
      throw new ConfigError(
        field,
        `needs ${NS_WORD[ns]} namespace of the container's own in linux.namespaces (new, or a path that is not the runtime's own): without one it would change the host's ${what}`,
      );
    }
  };
  if (config.hostname !== undefined && config.hostname !== '') need('uts', 'hostname', 'hostname');
  if (config.domainname !== undefined && config.domainname !== '') need('uts', 'domainname', 'domain name');
  for (const key of Object.keys(config.linux?.sysctl ?? {})) {
    const field = `linux.sysctl.${key}`;
    const where = sysctlNamespace(key);
    if ('refuse' in where) throw new ConfigError(field, where.refuse);
    need(where.ns, field, `value of ${key}`);
  }
  (config.linux?.namespaces ?? []).forEach((ns, i) => {
    if (ns.type === 'mount' && ns.path && !own.has('mount')) {
      throw new ConfigError(
        `linux.namespaces[${i}].path`,
        `${ns.path} is the runtime's own mount namespace: setting up the rootfs there would change the host's mounts`,
      );
    }
  });
}

/** The namespace files under /proc/PID/ns, by config type. */
export const NS_PROC_FILE: Record<GuardedNamespace, string> = { uts: 'uts', ipc: 'ipc', network: 'net', mount: 'mnt' };

/** A namespace's identity: `dev:ino` of its /proc/PID/ns file. */
export type NamespaceId = string;

/**
 * The init's last check before it writes: `current` is the namespace it is in, `host`
 * the runtime's. Throws when they are the same.
 */
export function guardNamespace(ns: GuardedNamespace, field: string, current: NamespaceId | undefined, host: NamespaceId | undefined): void {
  if (current === undefined || host === undefined || current !== host) return;
  throw new ConfigError(field, `refused: the container is in the runtime's own ${NS_WORD[ns].replace(/^an? /, '')} namespace, so this would change the host`);
}
