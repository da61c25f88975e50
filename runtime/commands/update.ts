// `update` (runc's): new linux.resources values for a container that exists, from
// `--resources FILE` (`-` for stdin; then the other flags are ignored, as in runc) or
// from runc's flags. Only the fields given are written, through the same planner as
// create; device rules are not updated (runc leaves them too). The container's saved
// config.json takes the new values, so a later update starts from them.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResourceCgroups, type CgroupsState, type LinuxResources } from '../cgroups/index.js';
import type { Config } from '../config/validate.js';
import { ConfigError, RuntimeError, oneLine } from '../errors.js';
import type { Logger } from '../log.js';
import { checkId, StateStore } from '../state/store.js';
import type { Syscalls } from '../syscalls.js';

/** runc update's flags (runc names them; the values are strings as typed). */
export interface UpdateFlags {
  resources?: string;
  blkioWeight?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpuShare?: string;
  cpuRtPeriod?: string;
  cpuRtRuntime?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  memory?: string;
  memoryReservation?: string;
  memorySwap?: string;
  pidsLimit?: string;
  kernelMemory?: string;
  kernelMemoryTcp?: string;
  l3CacheSchema?: string;
  memBwSchema?: string;
}

export function update(o: { root: string; id: string; flags: UpdateFlags; log: Logger; sys: Syscalls; stdin?: () => string }): void {
  const id = checkId(o.id);
  const resources = o.flags.resources !== undefined ? readResources(o.flags.resources, o.stdin) : fromFlags(o.flags);
  if (resources.devices !== undefined) {
    o.log.quiet('update: linux.resources.devices is not updated (as runc): the device rules stay as create set them');
    delete resources.devices;
  }
  const store = new StateStore(o.root);
  const lock = store.lock(id, o.sys);
  try {
    const s = store.read(id);
    const status = store.status(s);
    if (status === 'stopped') throw new RuntimeError(`container ${id} is stopped: only a created, running or paused container can be updated`);
    if (!s.cgroup) throw new RuntimeError(`container ${id} has no cgroups to update`);
    try {
      ResourceCgroups.withResources(s.cgroup as CgroupsState, resources).apply((controller) => controller !== 'devices');
    } catch (err) {
      // The planner names config.json's field; update's input is the resources object itself.
      if (err instanceof ConfigError) throw new ConfigError(err.path.replace(/^linux\.resources/, 'resources'), err.problem);
      throw new RuntimeError(`updating container ${id}: ${oneLine(err)}`);
    }
    const file = join(store.dir(id), 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Config;
    config.linux = { ...config.linux, resources: merge(config.linux?.resources ?? {}, resources) };
    writeFileSync(file, JSON.stringify(config));
  } finally {
    lock.release();
  }
}

function readResources(path: string, stdin: (() => string) | undefined): LinuxResources {
  let text: string;
  try {
    text = path === '-' ? (stdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(path, 'utf8');
  } catch (err) {
    throw new RuntimeError(`--resources ${path}: cannot read: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RuntimeError(`--resources ${path}: not JSON: ${oneLine(err)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RuntimeError(`--resources ${path}: must be a JSON object (config.md linux.resources)`);
  return value as LinuxResources;
}

/** Go's units.RAMInBytes, as runc takes --memory: 512, 64k, 100m, 1g (binary multiples), -1. */
export function parseBytes(text: string, flag: string): number {
  const m = /^(-1|\d+(?:\.\d+)?)\s*([kmgtp])?i?b?$/i.exec(text.trim());
  if (!m) throw new RuntimeError(`${flag} ${JSON.stringify(text)}: use bytes, optionally with k, m, g, t or p (binary multiples), or -1`);
  if (m[1] === '-1') return -1;
  const power = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number(m[1]) * 1024 ** power);
}

function integer(text: string, flag: string, min: number): number {
  if (!/^-?\d+$/.test(text.trim()) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new RuntimeError(`${flag} ${JSON.stringify(text)}: must be an integer${min >= 0 ? ' of 0 or more' : ''}`);
  }
  return Number(text);
}

export function fromFlags(f: UpdateFlags): LinuxResources {
  if (f.l3CacheSchema !== undefined || f.memBwSchema !== undefined) {
    throw new RuntimeError(
      `${f.l3CacheSchema !== undefined ? '--l3-cache-schema' : '--mem-bw-schema'} cannot be applied: this runtime has no Intel RDT (resctrl) support`,
    );
  }
  const r: LinuxResources = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (f.memory !== undefined) memory.limit = parseBytes(f.memory, '--memory');
  if (f.memoryReservation !== undefined) memory.reservation = parseBytes(f.memoryReservation, '--memory-reservation');
  if (f.memorySwap !== undefined) memory.swap = parseBytes(f.memorySwap, '--memory-swap');
  if (f.kernelMemory !== undefined) memory.kernel = parseBytes(f.kernelMemory, '--kernel-memory');
  if (f.kernelMemoryTcp !== undefined) memory.kernelTCP = parseBytes(f.kernelMemoryTcp, '--kernel-memory-tcp');
  if (Object.keys(memory).length > 0) r.memory = memory;
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (f.cpuShare !== undefined) cpu.shares = integer(f.cpuShare, '--cpu-share', 0);
  if (f.cpuQuota !== undefined) cpu.quota = integer(f.cpuQuota, '--cpu-quota', -1);
  if (f.cpuPeriod !== undefined) cpu.period = integer(f.cpuPeriod, '--cpu-period', 0);
  if (f.cpuRtRuntime !== undefined) cpu.realtimeRuntime = integer(f.cpuRtRuntime, '--cpu-rt-runtime', -1);
  if (f.cpuRtPeriod !== undefined) cpu.realtimePeriod = integer(f.cpuRtPeriod, '--cpu-rt-period', 0);
  if (f.cpusetCpus !== undefined) cpu.cpus = f.cpusetCpus;
  if (f.cpusetMems !== undefined) cpu.mems = f.cpusetMems;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (f.blkioWeight !== undefined) r.blockIO = { weight: integer(f.blkioWeight, '--blkio-weight', 0) };
  if (f.pidsLimit !== undefined) r.pids = { limit: integer(f.pidsLimit, '--pids-limit', -1) };
  if (Object.keys(r).length === 0)
    throw new RuntimeError('update: nothing to update: give --resources FILE or a flag such as --memory, --cpu-share, --pids-limit');
  return r;
}

/** `over` on top of `base`, objects merged key by key (arrays and values replaced). */
function merge<T extends object>(base: T, over: T): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && b && typeof v === 'object' && typeof b === 'object' && !Array.isArray(v) ? merge(b as object, v as object) : v;
  }
  return out as T;
}
