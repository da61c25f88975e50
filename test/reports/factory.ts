// Builders for the reporter tests: results, summaries, and a stream that records what it got.

import { Writable } from 'node:stream';
import type { CaseResult, CheckOutcome, Outcome, RunContext, RunSummary, RuntimeInfo } from '../../harness/run/result.js';
import { countOutcomes, isBad } from '../../harness/run/result.js';
import type { Reporter } from '../../harness/run/reporter.js';

export const RUNTIME: RuntimeInfo = { path: '/usr/bin/runc', args: ['--root', '/tmp/state dir'], version: 'runc version 1.1.5' };

export const CONTEXT: RunContext = {
  conform: '0.1.0',
  plan: { hash: '0123456789abcdef', cases: 8 },
  host: { hostname: 'ci-1', kernel: '6.1.0-18-amd64', arch: 'x64', cgroup: 'hybrid' },
  strict: false,
};

/** What a case with this outcome found about each requirement, when the test does not say. */
const CHECK: Record<Outcome, CheckOutcome> = {
  pass: 'pass',
  xpass: 'pass',
  warn: 'warn',
  fail: 'fail',
  xfail: 'fail',
  error: 'error',
  skip: 'skip',
  disputed: 'disputed',
};

/** A passing case named `id`; override whatever the test is about (checks follow the outcome: MUST-level). */
export function result(id: string, over: Partial<CaseResult> = {}): CaseResult {
  const outcome = over.outcome ?? 'pass';
  return {
    id,
    area: id.split('.')[0]!,
    title: `checks ${id}`,
    requirements: [],
    checks: (over.requirements ?? []).map((req) => ({ id: req, level: 'MUST', outcome: CHECK[outcome] })),
    outcome,
    failures: [],
    notes: [],
    durationMs: 12,
    ...over,
  };
}

export function summary(results: CaseResult[], over: Partial<RunSummary> = {}): RunSummary {
  return {
    runtime: RUNTIME,
    startedAt: '2025-01-02T03:04:05.678Z',
    durationMs: 62_000,
    counts: countOutcomes(results),
    results,
    exitCode: results.some((r) => isBad(r)) ? 1 : 0,
    context: CONTEXT,
    ...over,
  };
}

/** One case of each outcome, with the kinds of data that reports get wrong. */
export function mixed(): CaseResult[] {
  return [
    result('process.umask', { requirements: ['config:process.umask'] }),
    result('process.rlimits.nofile', {
      outcome: 'fail',
      title: 'RLIMIT_NOFILE is applied',
      requirements: ['config:process.rlimits.apply', 'config:process.rlimits.type'],
      message: 'nofile limits differ',
      failures: [{ message: 'soft and hard limits', expected: { soft: 1024, hard: 2048 }, actual: { soft: 1048576, hard: 1048576 } }],
      notes: ['runc 1.1.5'],
      dir: '/tmp/conform/process.rlimits.nofile',
    }),
    result('hooks.poststart.order', { outcome: 'error', message: 'probe output truncated: no END marker', requirements: ['config:hooks.poststart'] }),
    result('cgroups.cpu.shares', { outcome: 'skip', message: 'needs cgroup v2: /sys/fs/cgroup is v1', requirements: ['config-linux:cgroups.cpu'] }),
    result('cgroups.memory.limit', { outcome: 'skip', message: 'needs cgroup v2: /sys/fs/cgroup is v1', requirements: ['config-linux:cgroups.memory'] }),
    result('namespaces.user.map', {
      outcome: 'xfail',
      message: 'runc#1234: uid map not applied',
      requirements: ['config-linux:namespaces.user'],
      failures: [{ message: 'uid map', expected: '0 1000 1', actual: '0 0 4294967295' }],
    }),
    result('mounts.tmpfs.options', { outcome: 'xpass', message: 'tmpfs size ignored (fixed in 1.2?)', requirements: ['config:mounts.options'] }),
    result('cgroups.pids.zero', {
      outcome: 'disputed',
      message: 'pids.limit 0: unlimited or none?',
      notes: ['runtime treated 0 as unlimited'],
      requirements: ['config-linux:cgroups.pids'],
    }),
  ];
}

/** A case that warned: a SHOULD-level requirement not followed. */
export function warnedCase(): CaseResult {
  return result('mounts.recursive.rro', {
    outcome: 'warn',
    message: 'SHOULD not followed: a submount is writable',
    requirements: ['config:mounts.option.rro'],
    checks: [{ id: 'config:mounts.option.rro', level: 'SHOULD', outcome: 'warn' }],
    failures: [{ message: 'a submount is writable', requirement: 'config:mounts.option.rro' }],
  });
}

/** A writable that keeps everything written to it; `isTTY`/`columns` as a terminal would have them. */
export class Recorder extends Writable {
  chunks: string[] = [];
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {
    super({ decodeStrings: false });
  }
  override _write(chunk: unknown, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(String(chunk));
    callback();
  }
  text(): string {
    return this.chunks.join('');
  }
}

/** Drives a reporter the way the runner does: start, each case started then finished, finish. */
export async function drive(reporter: Reporter, s: RunSummary): Promise<void> {
  reporter.start({ total: s.results.length, runtime: s.runtime });
  for (const r of s.results) {
    reporter.caseStarted?.(r.id);
    reporter.caseFinished(r);
  }
  await reporter.finish(s);
}
