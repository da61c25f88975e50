// Choosing the cases of a run, and splitting them into shards of about equal cost.
import { createHash } from 'node:crypto';
import type { Case } from '../case/case.js';

export interface PlanOptions {
  /** Regular expressions (case-insensitive) matched against id and title; any may match. */
  grep?: string[];
  areas?: string[];
  /** Requirement IDs or prefixes (`config-linux:namespaces`). */
  requirements?: string[];
  /** `i/n`: the i-th (1-based) of n slices of about equal expected cost, for splitting a run across jobs. */
  shard?: string;
  /** Expected cost (ms) of each case, for balancing shards; cases it lacks cost its median. */
  costs?: Readonly<Record<string, number>>;
}

export interface Shard {
  index: number;
  count: number;
}

function toRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
}

/** `2/4` → { index: 2, count: 4 }; throws a one-line message for anything else. */
export function parseShard(shard: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(shard.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard ${shard}: expected i/n with 1 <= i <= n, e.g. 1/4`);
  return { index, count };
}

/** The cases the filters select, in suite order, before any sharding. */
export function selectCases(cases: readonly Case[], o: PlanOptions = {}): Case[] {
  const greps = (o.grep ?? []).map(toRegExp);
  return cases.filter(
    (c) =>
      (!greps.length || greps.some((g) => g.test(c.id) || g.test(c.title))) &&
      (!o.areas?.length || o.areas.includes(c.area)) &&
      (!o.requirements?.length || c.requirements.some((r) => o.requirements!.some((q) => r === q || r.startsWith(q)))),
  );
}

export function plan(cases: readonly Case[], o: PlanOptions = {}): Case[] {
  const selected = selectCases(cases, o);
  return o.shard ? shardOf(selected, parseShard(o.shard), o.costs) : selected;
}

/**
 * The cases of one shard, in plan order. Longest first, each case goes to the shard with
 * the least expected cost so far (ties: the lower shard), so that every shard computes
 * the same split from the same plan and costs, and shards end at about the same time.
 */
export function shardOf(cases: readonly Case[], shard: Shard, costs: Readonly<Record<string, number>> = {}): Case[] {
  const cost = costOf(cases, costs);
  const order = cases.map((c, i) => ({ i, cost: cost(c.id) })).sort((a, b) => b.cost - a.cost || a.i - b.i);
  const load = new Array<number>(shard.count).fill(0);
  const mine = new Set<number>();
  for (const { i, cost: ms } of order) {
    let target = 0;
    for (let s = 1; s < shard.count; s++) if (load[s]! < load[target]!) target = s;
    load[target]! += ms;
    if (target === shard.index - 1) mine.add(i);
  }
  return cases.filter((_, i) => mine.has(i));
}

/** Cost lookup: the table's value, or the median of the table's values for these cases (1 when it has none). */
export function costOf(cases: readonly Case[], costs: Readonly<Record<string, number>>): (id: string) => number {
  const known = cases
    .map((c) => costs[c.id])
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  const median = known.length ? known[Math.floor(known.length / 2)]! : 1;
  return (id) => {
    const v = costs[id];
    return typeof v === 'number' && v > 0 ? v : median;
  };
}

/** Indices of `cases` in the order they start: by expected cost, the costliest first; ties in plan order. */
export function startOrder(cases: readonly Case[], costMs?: (id: string) => number): number[] {
  const order = cases.map((_, i) => i);
  if (!costMs) return order;
  const cost = cases.map((c) => costMs(c.id));
  return order.sort((a, b) => cost[b]! - cost[a]! || a - b);
}

/** Identifies a plan (its case ids, in order): shards of one plan share it, and `merge` compares it. */
export function planHash(cases: readonly Pick<Case, 'id'>[]): string {
  return createHash('sha256')
    .update(cases.map((c) => c.id).join('\n'))
    .digest('hex')
    .slice(0, 16);
}
