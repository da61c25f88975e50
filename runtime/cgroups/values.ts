// Checks and formats shared by the v1 and v2 planners. Every value that a file
// cannot take is a ConfigError naming the config field.
import { ConfigError } from '../errors.js';
import type { LinuxDeviceCgroup } from './types.js';

export function int(v: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(field, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** A byte limit where -1 means unlimited: v1 takes "-1", v2 wants "max". */
export function limit(v: number, field: string, unlimited: '-1' | 'max'): string {
  int(v, field, -1);
  return v === -1 ? unlimited : String(v);
}

export function dev(major: number, minor: number, field: string): string {
  return `${int(major, `${field}.major`, 0)}:${int(minor, `${field}.minor`, 0)}`;
}

/** hugetlb file names use the page size as the spec writes it (2MB, 1GB, 64KB). */
export function pageSize(v: string, field: string): string {
  if (typeof v !== 'string' || !/^[1-9][0-9]*[KMG]B$/.test(v)) {
    throw new ConfigError(field, `must look like 2MB, 1GB or 64KB, got ${JSON.stringify(v)}`);
  }
  return v;
}

export const DEV_BLOCK = 1,
  DEV_CHAR = 2;
export const ACC_MKNOD = 1,
  ACC_READ = 2,
  ACC_WRITE = 4;
const ACCESS: Record<string, number> = { m: ACC_MKNOD, r: ACC_READ, w: ACC_WRITE };

/** One rule in the program's terms; undefined type/major/minor match anything. */
export interface DeviceMatch {
  allow: boolean;
  type?: number;
  major?: number;
  minor?: number;
  access: number;
}

/** Checks one linux.resources.devices entry and turns it into a DeviceMatch. */
export function deviceMatch(d: LinuxDeviceCgroup, field: string): DeviceMatch {
  if (typeof d.allow !== 'boolean') throw new ConfigError(`${field}.allow`, 'must be true or false');
  const type = d.type ?? 'a';
  if (!['a', 'b', 'c'].includes(type)) throw new ConfigError(`${field}.type`, `must be a, b or c, got ${JSON.stringify(type)}`);
  const num = (n: number | undefined, f: string): number | undefined => (n === undefined || n === -1 ? undefined : int(n, f, 0, 0x7fffffff));
  const access = d.access ?? 'rwm';
  if (!/^(?!.*(.).*\1)[rwm]{1,3}$/.test(access)) throw new ConfigError(`${field}.access`, `must combine r, w and m, got ${JSON.stringify(access)}`);
  const major = num(d.major, `${field}.major`),
    minor = num(d.minor, `${field}.minor`);
  return {
    allow: d.allow,
    ...(type === 'a' ? {} : { type: type === 'b' ? DEV_BLOCK : DEV_CHAR }),
    ...(major !== undefined ? { major } : {}),
    ...(minor !== undefined ? { minor } : {}),
    access: [...access].reduce((a, c) => a | ACCESS[c]!, 0),
  };
}

/** The v1 devices.allow/deny syntax: `c 1:3 rwm`, `a *:* rwm`; unset major/minor mean all. */
export function deviceRule(d: LinuxDeviceCgroup, field: string): string {
  const m = deviceMatch(d, field);
  const num = (n: number | undefined) => (n === undefined ? '*' : String(n));
  const access = (['r', 'w', 'm'] as const).filter((c) => m.access & ACCESS[c]!).join('');
  return `${m.type === undefined ? 'a' : m.type === DEV_BLOCK ? 'b' : 'c'} ${num(m.major)}:${num(m.minor)} ${access}`;
}

export function cpuList(v: string, field: string): string {
  if (typeof v !== 'string' || !/^\s*\d+(-\d+)?(\s*,\s*\d+(-\d+)?)*\s*$/.test(v)) {
    throw new ConfigError(field, `must be a list like 0-3,7, got ${JSON.stringify(v)}`);
  }
  return v.replace(/\s+/g, '');
}

/** "0-3,7" → [0, 1, 2, 3, 7] (config-linux.md's CPU and memory-node lists). */
export function parseList(text: string, field: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    const [lo, hi] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
    if (!m || hi < lo || hi > 65535) throw new ConfigError(field, `${JSON.stringify(text)} is not a list such as 0-3,7`);
    for (let i = lo; i <= hi; i++) out.push(i);
  }
  return out;
}

export function rdmaValue(name: string, r: { hcaHandles?: number; hcaObjects?: number }, field: string): string {
  if (!/^[^\s/]+$/.test(name)) throw new ConfigError(field, `device name ${JSON.stringify(name)} is not valid`);
  const parts: string[] = [];
  if (r.hcaHandles !== undefined) parts.push(`hca_handle=${int(r.hcaHandles, `${field}.hcaHandles`, 0, 0xffffffff)}`);
  if (r.hcaObjects !== undefined) parts.push(`hca_object=${int(r.hcaObjects, `${field}.hcaObjects`, 0, 0xffffffff)}`);
  if (parts.length === 0) throw new ConfigError(field, 'must set hcaHandles, hcaObjects or both');
  return `${name} ${parts.join(' ')}`;
}

/** Reads a v1 byte limit (the kernel prints "unlimited" as a huge page-rounded number). */
export function parseBytes(text: string | undefined): bigint | undefined {
  const t = text?.trim();
  if (!t) return undefined;
  if (t === 'max' || t === '-1') return 1n << 63n;
  return /^\d+$/.test(t) ? BigInt(t) : undefined;
}
