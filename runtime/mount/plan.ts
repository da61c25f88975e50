// Plans the container's mounts from config.json: pure data, one entry per mount in
// the listed order, each with the mount(2) / mount_setattr(2) calls it needs. The
// init carries the plan out (./apply.ts) once it knows the live filesystem.
import { isAbsolute, posix, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { Mount } from '../config/types.js';
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
}

const PROPAGATION_MASK = MS.SHARED | MS.SLAVE | MS.PRIVATE | MS.UNBINDABLE;

export function planMounts(mounts: readonly Mount[] | undefined, bundle: string): PlannedMount[] {
  return (mounts ?? []).map((m, index) => planMount(m, index, bundle));
}

function planMount(m: Mount, index: number, bundle: string): PlannedMount {
  const opts: ParsedOptions = parseMountOptions(m.options);
  const field = `mounts[${index}]`;
  if (opts.idmap) throw new ConfigError(`${field}.options`, `${opts.idmap}: id-mapped mounts are not supported by this runtime`);
  if (m.uidMappings || m.gidMappings) throw new ConfigError(field, 'uidMappings/gidMappings: id-mapped mounts are not supported by this runtime');
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
    const planned: PlannedMount = { ...base, kind: 'bind', source, fstype: null, flags: bindFlags, data: null };
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
