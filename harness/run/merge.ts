// `conform merge`: the shards of one run (--shard i/n, each with its --json report) made
// into the one run they are parts of. Shards of different plans, runtimes, conform
// versions, baselines or strictness do not make one run: they are refused, as are a
// shard given twice and a missing one. The merged run is whole: its counts, exit code
// and (in the reports) requirement verdicts are computed over every result; its timing
// adds up the shards'.
import { countOutcomes, isBad, type CaseResult, type RunContext, type RunSummary, type ShardRun } from './result.js';
import { mergeTimings } from './timing.js';

export class MergeError extends Error {
  override name = 'MergeError';
}

export interface ShardInput {
  /** The file it came from, for messages. */
  name: string;
  run: RunSummary;
}

const runtimeKey = (s: RunSummary): string => JSON.stringify([s.runtime.path, s.runtime.args, s.runtime.version ?? null]);

export function mergeRuns(inputs: readonly ShardInput[]): RunSummary {
  if (inputs.length === 0) throw new MergeError('no reports to merge');
  const [first, ...rest] = inputs as [ShardInput, ...ShardInput[]];
  const same = (what: string, key: (s: RunSummary) => string, show: (s: RunSummary) => string = key): void => {
    for (const other of rest) {
      if (key(other.run) !== key(first.run))
        throw new MergeError(`${other.name} and ${first.name} are not shards of one run: different ${what} (${show(other.run)} vs ${show(first.run)})`);
    }
  };
  same('conform versions', (s) => s.context.conform);
  same(
    'plans',
    (s) => s.context.plan.hash,
    (s) => `plan ${s.context.plan.hash}, ${s.context.plan.cases} cases`,
  );
  same('runtimes', runtimeKey, (s) => [s.runtime.path, ...s.runtime.args, s.runtime.version ? `(${s.runtime.version})` : ''].filter(Boolean).join(' '));
  same(
    'baselines',
    (s) => s.context.baseline?.hash ?? 'none',
    (s) => (s.context.baseline ? `${s.context.baseline.file} ${s.context.baseline.hash}` : 'none'),
  );
  same('--strict', (s) => String(s.context.strict));

  const shards = inputs.map(({ name, run }) => {
    if (run.context.shards) throw new MergeError(`${name} is already a merged run`);
    const shard = run.context.plan.shard;
    if (!shard) throw new MergeError(`${name} is a whole run, not a shard (--shard i/n)`);
    return { name, run, shard };
  });
  const count = shards[0]!.shard.count;
  const byIndex = new Map<number, string>();
  for (const { name, shard } of shards) {
    if (shard.count !== count) throw new MergeError(`${name} is shard ${shard.index}/${shard.count}, the others are of ${count}`);
    const twice = byIndex.get(shard.index);
    if (twice) throw new MergeError(`${name} and ${twice} are both shard ${shard.index}/${count}`);
    byIndex.set(shard.index, name);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length)
    throw new MergeError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: give every shard's report`);

  shards.sort((a, b) => a.shard.index - b.shard.index);
  const starts = shards.map((s) => Date.parse(s.run.startedAt));
  const t0 = Math.min(...starts);
  const end = Math.max(...shards.map((s, i) => starts[i]! + s.run.durationMs));
  const seen = new Map<string, string>();
  const results: CaseResult[] = [];
  shards.forEach(({ name, run }, i) => {
    for (const r of run.results) {
      const other = seen.get(r.id);
      if (other) throw new MergeError(`${r.id} is in both ${other} and ${name}`);
      seen.set(r.id, name);
      // Start times count from the merged run's start, so that wall-clock times stay right across shards.
      results.push(r.startMs === undefined ? r : { ...r, startMs: r.startMs + (starts[i]! - t0) });
    }
  });
  const notRun = shards.flatMap((s) => s.run.partial?.notRun ?? []).sort();
  const reasons = [...new Set(shards.flatMap((s) => (s.run.partial ? [`shard ${s.shard.index}: ${s.run.partial.reason}`] : [])))];
  const partial = reasons.length ? { reason: reasons.join('; '), notRun } : undefined;
  const shardRuns: ShardRun[] = shards.map((s) => ({
    index: s.shard.index,
    startedAt: s.run.startedAt,
    durationMs: s.run.durationMs,
    host: s.run.context.host,
    ...(s.run.context.tag ? { tag: s.run.context.tag } : {}),
  }));
  const { shard: _dropped, ...plan } = first.run.context.plan;
  const timing = mergeTimings(shards.map((s) => s.run));
  return {
    runtime: first.run.runtime,
    startedAt: new Date(t0).toISOString(),
    durationMs: end - t0,
    counts: countOutcomes(results),
    results,
    exitCode: results.some((r) => isBad(r, first.run.context.strict)) || partial ? 1 : 0,
    context: { ...withoutTag(first.run.context), plan, shards: shardRuns },
    ...(partial ? { partial } : {}),
    ...(timing ? { timing } : {}),
  };
}

/** A merged run has no tag of its own: each shard's is in context.shards. */
function withoutTag(context: RunContext): Omit<RunContext, 'tag'> {
  const { tag: _tag, ...rest } = context;
  return rest;
}
