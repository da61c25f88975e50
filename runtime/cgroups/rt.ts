// cgroup v1 real-time bandwidth (cpu.rt_runtime_us, cpu.rt_period_us). A new cgroup
// has none, and a cgroup gets no more than its parent leaves over: the kernel refuses
// (EINVAL) a runtime its ancestors cannot cover. Before writing a container's, each
// ancestor below the hierarchy's root is raised, top down, to what its children then
// need (the root's budget is the system's, sched_rt_runtime_us, and is not touched).
import { posix } from 'node:path';
import type { CgroupFs } from './fs.js';

/** The kernel's to_ratio(): runtime/period as a fixed-point number (BW_SHIFT 20). */
const BW_SHIFT = 20n;
const ratio = (runtime: bigint, period: bigint): bigint => (runtime < 0n ? 1n << BW_SHIFT : (runtime << BW_SHIFT) / period);

function readUs(fs: CgroupFs, dir: string, file: string): bigint {
  return BigInt(fs.read(posix.join(dir, file)).trim());
}

/**
 * Makes room for `runtime`/`period` in `dir` (a cgroup under `mount`); returns the
 * writes done, parents first. Values the ancestors already allow are left alone.
 */
export function makeRtRoom(fs: CgroupFs, mount: string, dir: string, runtime: bigint, period: bigint): string[] {
  const chain: string[] = [];
  for (let d = posix.dirname(dir); d.length > mount.length && d.startsWith(`${mount}/`); d = posix.dirname(d)) chain.push(d);
  // Bottom up: what each ancestor must allow, until one already does.
  const raise: Array<{ dir: string; runtime: bigint }> = [];
  let child = dir;
  let childRatio = ratio(runtime, period);
  for (const parent of chain) {
    let need = childRatio;
    for (const sibling of fs.children(parent)) {
      const s = posix.join(parent, sibling);
      if (s !== child) need += ratio(readUs(fs, s, 'cpu.rt_runtime_us'), readUs(fs, s, 'cpu.rt_period_us'));
    }
    const parentPeriod = readUs(fs, parent, 'cpu.rt_period_us');
    const current = readUs(fs, parent, 'cpu.rt_runtime_us');
    if (ratio(current, parentPeriod) >= need) break;
    const wanted = (need * parentPeriod + (1n << BW_SHIFT) - 1n) >> BW_SHIFT;
    raise.push({ dir: parent, runtime: wanted > parentPeriod ? parentPeriod : wanted });
    child = parent;
    childRatio = ratio(raise[raise.length - 1]!.runtime, parentPeriod);
  }
  const done: string[] = [];
  for (const r of raise.reverse()) {
    fs.write(posix.join(r.dir, 'cpu.rt_runtime_us'), String(r.runtime));
    done.push(`${r.dir}/cpu.rt_runtime_us=${r.runtime}`);
  }
  return done;
}
