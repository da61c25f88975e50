// Plans the container's mounts from config.json: pure data, one entry per mount in
// the listed order, each with the mount(2) / mount_setattr(2) calls it needs. The
// init carries the plan out (./apply.ts) once it knows the live filesystem.
import { isAbsolute, posix, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { IDMapping as IdMapping, Mount } from '../../schemas/config.js';
import { MS, parseMountOptions, type ParsedOptions } from './options.js';

export type MountKind = 'bind' | 'fs' | 'cgroup';

export interface PlannedMount {
  /** Index in config.json's mounts, for error messages. */
  index: number;
  kind: MountKind;
  /** Destination inside the container, absolute and clean. */
  destination: string;
  /** Bind sources are absolute host paths; other sources are passed as given. */
  source: string | null;
  fstype: string | null;
  /** The first mount(2) call's flags. */
  flags: number;
  data: string | null;
  /** A bind mount's second call (MS_REMOUNT|MS_BIND|flags), when it has flags beyond bind. */
  remountFlags?: number;
  propagation: number[];
  recursive?: { attrSet: bigint; attrClr: bigint };
  tmpcopyup: boolean;
  /**
   * An id-mapped bind mount (idmap, ridmap, or uidMappings/gidMappings alone): the
   * source is cloned with open_tree and given a user namespace's mapping (mount_setattr
   * MOUNT_ATTR_IDMAP, recursively for ridmap) by the runtime's parent, and moved into
   * place by the init. Without mappings, the container's own user namespace is used.
   */
  idmap?: { recursive: boolean; uidMappings?: IdMapping[]; gidMappings?: IdMapping[] };
}

const PROPAGATION_MASK = MS.SHARED | MS.SLAVE | MS.PRIVATE | MS.UNBINDABLE;

/** `userns`: the container has a user namespace (new or joined). */
export function planMounts(mounts: readonly Mount[] | undefined, bundle: string, o: { userns: boolean }): PlannedMount[] {
  return (mounts ?? []).map((m, index) => planMount(m, index, bundle, o.userns));
}

function planIdmap(m: Mount, opts: ParsedOptions, field: string, userns: boolean): PlannedMount['idmap'] {
  const mapped = m.uidMappings !== undefined || m.gidMappings !== undefined;
  if (!opts.idmap && !mapped) return undefined;
  const what = opts.idmap ? `"${opts.idmap}"` : 'uidMappings/gidMappings';
  if (!opts.bind) throw new ConfigError(`${field}.options`, `${what}: id-mapped mounts need a bind mount (bind or rbind) here`);
  const recursive = opts.idmap === 'ridmap';
  if (m.uidMappings?.length && m.gidMappings?.length) return { recursive, uidMappings: m.uidMappings, gidMappings: m.gidMappings };
  // config.md: without mappings the runtime MAY use the container's user namespace
  // mapping (this one does), otherwise an error; without a user namespace, an error.
  if (!userns) throw new ConfigError(field, `${what} needs uidMappings and gidMappings when the container has no user namespace`);
  return { recursive };
}

function planMount(m: Mount, index: number, bundle: string, userns: boolean): PlannedMount {
  const opts: ParsedOptions = parseMountOptions(m.options);
  const field = `mounts[${index}]`;
  const idmap = planIdmap(m, opts, field, userns);
  // Relative destinations are deprecated but mean "relative to /" (config.md, mounts).
  const destination = posix.normalize(posix.join('/', m.destination));
  const base = {
    index,
    destination,
    propagation: opts.propagation,
    tmpcopyup: opts.tmpcopyup,
    ...(opts.recursive ? { recursive: opts.recursive } : {}),
  };
  if (opts.bind) {
    if (!m.source) throw new ConfigError(`${field}.source`, 'is required for a bind mount');
    const source = isAbsolute(m.source) ? m.source : resolve(bundle, m.source);
    const bindFlags = MS.BIND | (opts.flags & MS.REC);
    const rest = opts.flags & ~(MS.BIND | MS.REC | MS.REMOUNT | PROPAGATION_MASK);
    const planned: PlannedMount = { ...base, kind: 'bind', source, fstype: null, flags: bindFlags, data: null, ...(idmap ? { idmap } : {}) };
    if (rest !== 0) planned.remountFlags = MS.REMOUNT | MS.BIND | (opts.flags & MS.REC) | rest;
    return planned;
  }
  const fstype = m.type && m.type !== '' ? m.type : null;
  if (fstype === null) throw new ConfigError(`${field}.type`, 'is required for a mount that is not a bind mount');
  return {
    ...base,
    kind: fstype === 'cgroup' ? 'cgroup' : 'fs',
    source: m.source ?? fstype,
    fstype,
    flags: opts.flags,
    data: opts.data === '' ? null : opts.data,
  };
}
