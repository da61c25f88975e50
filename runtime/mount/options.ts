// config.md's Linux mount options, turned into what mount(2) and mount_setattr(2)
// take: flags to set and clear, propagation changes, recursive attributes, and the
// filesystem-specific rest (passed as `data`, as the spec asks for unknown options).

export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  SYNCHRONOUS: 16,
  REMOUNT: 32,
  MANDLOCK: 64,
  DIRSYNC: 128,
  NOSYMFOLLOW: 256,
  NOATIME: 1024,
  NODIRATIME: 2048,
  BIND: 4096,
  MOVE: 8192,
  REC: 16384,
  SILENT: 32768,
  UNBINDABLE: 1 << 17,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
  RELATIME: 1 << 21,
  I_VERSION: 1 << 23,
  STRICTATIME: 1 << 24,
  LAZYTIME: 1 << 25,
} as const;

export const MOUNT_ATTR = {
  RDONLY: 0x1n,
  NOSUID: 0x2n,
  NODEV: 0x4n,
  NOEXEC: 0x8n,
  ATIME_MASK: 0x70n,
  RELATIME: 0x0n,
  NOATIME: 0x10n,
  STRICTATIME: 0x20n,
  NODIRATIME: 0x80n,
  IDMAP: 0x100000n,
  NOSYMFOLLOW: 0x200000n,
} as const;

/** Options that set (or, with clear: true, clear) a mount(2) flag. */
const FLAG_OPTIONS: Record<string, { flag: number; clear?: boolean }> = {
  ro: { flag: MS.RDONLY },
  rw: { flag: MS.RDONLY, clear: true },
  nosuid: { flag: MS.NOSUID },
  suid: { flag: MS.NOSUID, clear: true },
  nodev: { flag: MS.NODEV },
  dev: { flag: MS.NODEV, clear: true },
  noexec: { flag: MS.NOEXEC },
  exec: { flag: MS.NOEXEC, clear: true },
  sync: { flag: MS.SYNCHRONOUS },
  async: { flag: MS.SYNCHRONOUS, clear: true },
  dirsync: { flag: MS.DIRSYNC },
  remount: { flag: MS.REMOUNT },
  mand: { flag: MS.MANDLOCK },
  nomand: { flag: MS.MANDLOCK, clear: true },
  noatime: { flag: MS.NOATIME },
  atime: { flag: MS.NOATIME, clear: true },
  nodiratime: { flag: MS.NODIRATIME },
  diratime: { flag: MS.NODIRATIME, clear: true },
  relatime: { flag: MS.RELATIME },
  norelatime: { flag: MS.RELATIME, clear: true },
  strictatime: { flag: MS.STRICTATIME },
  nostrictatime: { flag: MS.STRICTATIME, clear: true },
  lazytime: { flag: MS.LAZYTIME },
  nolazytime: { flag: MS.LAZYTIME, clear: true },
  iversion: { flag: MS.I_VERSION },
  noiversion: { flag: MS.I_VERSION, clear: true },
  silent: { flag: MS.SILENT },
  loud: { flag: MS.SILENT, clear: true },
  nosymfollow: { flag: MS.NOSYMFOLLOW },
  symfollow: { flag: MS.NOSYMFOLLOW, clear: true },
  bind: { flag: MS.BIND },
  rbind: { flag: MS.BIND | MS.REC },
  defaults: { flag: 0 },
};

const PROPAGATION_OPTIONS: Record<string, number> = {
  private: MS.PRIVATE,
  rprivate: MS.PRIVATE | MS.REC,
  shared: MS.SHARED,
  rshared: MS.SHARED | MS.REC,
  slave: MS.SLAVE,
  rslave: MS.SLAVE | MS.REC,
  unbindable: MS.UNBINDABLE,
  runbindable: MS.UNBINDABLE | MS.REC,
};

/** Recursive options (mount_setattr with AT_RECURSIVE): attribute to set or clear. */
const RECURSIVE_OPTIONS: Record<string, { set?: bigint; clear?: bigint; atime?: bigint }> = {
  rro: { set: MOUNT_ATTR.RDONLY },
  rrw: { clear: MOUNT_ATTR.RDONLY },
  rnosuid: { set: MOUNT_ATTR.NOSUID },
  rsuid: { clear: MOUNT_ATTR.NOSUID },
  rnodev: { set: MOUNT_ATTR.NODEV },
  rdev: { clear: MOUNT_ATTR.NODEV },
  rnoexec: { set: MOUNT_ATTR.NOEXEC },
  rexec: { clear: MOUNT_ATTR.NOEXEC },
  rnodiratime: { set: MOUNT_ATTR.NODIRATIME },
  rdiratime: { clear: MOUNT_ATTR.NODIRATIME },
  rnosymfollow: { set: MOUNT_ATTR.NOSYMFOLLOW },
  rsymfollow: { clear: MOUNT_ATTR.NOSYMFOLLOW },
  // The access-time mode is one field: the kernel wants the whole field cleared and
  // one value set. "atime", "norelatime", "nostrictatime" mean "the kernel default"
  // in mount(8), which is relatime, except norelatime which asks for strict updates.
  rnoatime: { atime: MOUNT_ATTR.NOATIME },
  ratime: { atime: MOUNT_ATTR.RELATIME },
  rrelatime: { atime: MOUNT_ATTR.RELATIME },
  rnorelatime: { atime: MOUNT_ATTR.STRICTATIME },
  rstrictatime: { atime: MOUNT_ATTR.STRICTATIME },
  rnostrictatime: { atime: MOUNT_ATTR.RELATIME },
};

/** Options we recognise but that are not mount(2) flags. */
const SPECIAL_OPTIONS = ['tmpcopyup', 'idmap', 'ridmap'] as const;

/** Every option string this runtime recognises, for `features`. */
export const KNOWN_MOUNT_OPTIONS: readonly string[] = [
  ...Object.keys(FLAG_OPTIONS),
  ...Object.keys(PROPAGATION_OPTIONS),
  ...Object.keys(RECURSIVE_OPTIONS),
  ...SPECIAL_OPTIONS,
].sort();

export interface ParsedOptions {
  /** Flags for the first mount(2) call (without propagation). */
  flags: number;
  /** Flags some option cleared, that a remount must not put back. */
  cleared: number;
  /** Propagation changes, in the order given: one mount(2) call each. */
  propagation: number[];
  /** Recursive attributes for mount_setattr(AT_RECURSIVE), when any. */
  recursive?: { attrSet: bigint; attrClr: bigint };
  /** Unknown options, comma-joined, for mount(2)'s data argument. */
  data: string;
  bind: boolean;
  tmpcopyup: boolean;
  idmap?: 'idmap' | 'ridmap';
}

export function parseMountOptions(options: readonly string[] = []): ParsedOptions {
  let flags = 0;
  let cleared = 0;
  const propagation: number[] = [];
  let attrSet = 0n;
  let attrClr = 0n;
  let anyRecursive = false;
  const data: string[] = [];
  let tmpcopyup = false;
  let idmap: ParsedOptions['idmap'];
  for (const opt of options) {
    const f = FLAG_OPTIONS[opt];
    if (f) {
      if (f.clear) {
        flags &= ~f.flag;
        cleared |= f.flag;
      } else {
        flags |= f.flag;
        cleared &= ~f.flag;
      }
      continue;
    }
    const p = PROPAGATION_OPTIONS[opt];
    if (p !== undefined) {
      propagation.push(p);
      continue;
    }
    const r = RECURSIVE_OPTIONS[opt];
    if (r) {
      anyRecursive = true;
      if (r.set !== undefined) {
        attrSet |= r.set;
        attrClr &= ~r.set;
      }
      if (r.clear !== undefined) {
        attrClr |= r.clear;
        attrSet &= ~r.clear;
      }
      if (r.atime !== undefined) {
        attrClr |= MOUNT_ATTR.ATIME_MASK;
        attrSet = (attrSet & ~MOUNT_ATTR.ATIME_MASK) | r.atime;
      }
      continue;
    }
    if (opt === 'tmpcopyup') {
      tmpcopyup = true;
      continue;
    }
    if (opt === 'idmap' || opt === 'ridmap') {
      idmap = opt;
      continue;
    }
    data.push(opt);
  }
  const parsed: ParsedOptions = { flags, cleared, propagation, data: data.join(','), bind: (flags & MS.BIND) !== 0, tmpcopyup };
  if (anyRecursive) parsed.recursive = { attrSet, attrClr };
  if (idmap) parsed.idmap = idmap;
  return parsed;
}

export { SPECIAL_OPTIONS };
