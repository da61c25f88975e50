// Choosing the cases of a run.
import type { Case } from './case.js';

export interface PlanOptions {
  /** Regular expressions (case-insensitive) matched against id and title; any may match. */
  grep?: string[];
  areas?: string[];
  /** Requirement IDs or prefixes (`config-linux:namespaces`). */
  requirements?: string[];
  /** `i/n`: run every n-th case starting at i (1-based), for splitting a run across machines. */
  shard?: string;
}

function toRegExp(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'i');
  } catch {
    return new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
  }
}

export function parseShard(shard: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard ${shard}: expected i/n with 1 <= i <= n, e.g. 1/4`);
  return { index, count };
}

export function plan(cases: readonly Case[], o: PlanOptions = {}): Case[] {
  const greps = (o.grep ?? []).map(toRegExp);
  let out = cases.filter(
    (c) =>
      (!greps.length || greps.some((g) => g.test(c.id) || g.test(c.title))) &&
      (!o.areas?.length || o.areas.includes(c.area)) &&
      (!o.requirements?.length || c.requirements.some((r) => o.requirements!.some((q) => r === q || r.startsWith(q)))),
  );
  if (o.shard) {
    const { index, count } = parseShard(o.shard);
    out = out.filter((_, i) => i % count === index - 1);
  }
  return out;
}
