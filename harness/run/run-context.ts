// What every report records about where and how a run happened, so that a report read
// later (or merged with others) says what it is a report of.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { arch, hostname } from 'node:os';
import type { Case } from '../case/case.js';
import type { HostEnv } from '../host/env.js';
import { conformVersion } from '../paths.js';
import { planHash, type Shard } from './plan.js';
import type { RunContext } from './result.js';

export function runContext(o: { host: HostEnv; whole: readonly Case[]; shard?: Shard; strict?: boolean; baseline?: string; tag: string }): RunContext {
  return {
    conform: conformVersion,
    plan: { hash: planHash(o.whole), cases: o.whole.length, ...(o.shard ? { shard: { index: o.shard.index, count: o.shard.count } } : {}) },
    host: { hostname: hostname(), kernel: o.host.kernel.release, arch: arch(), cgroup: o.host.cgroup.mode },
    strict: !!o.strict,
    ...(o.baseline ? { baseline: { file: o.baseline, hash: fileHash(o.baseline) } } : {}),
    tag: o.tag,
  };
}

/** A file's content, hashed (`merge` refuses shards that used different baselines); reading it is loadBaseline's to report. */
function fileHash(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  } catch {
    return 'unreadable';
  }
}
