// Running the conform CLI as a user would, for the integration tests.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../harness/paths.js';
import { leftSince, snapshot, type Snapshot } from './leftovers.js';

/** conform's command line, bin/conform.js. */
export const CLI = join(repoRoot, 'bin/conform.js');

export interface ConformRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The --json report, when the run wrote one. */
  report?: JsonReport;
  /** What the run left behind in its own work directory (and engines' cgroups). */
  left: Snapshot;
}

export interface JsonReport {
  counts: Record<string, number>;
  results: { id: string; area: string; outcome: string; message?: string }[];
  context?: { tag?: string; shards?: { tag?: string }[] };
}

/** The tags of a report's run (each shard's, for a merge): what names its engines' cgroups. */
export function runTags(report: JsonReport): string[] {
  const c = report.context;
  return [...(c?.tag ? [c.tag] : []), ...(c?.shards ?? []).flatMap((s) => (s.tag ? [s.tag] : []))];
}

/**
 * Runs `conform ARGS --json <tmp>` (or `opts.via ARGS …`, a lane script or a wrapper that
 * runs conform: CLI is its path) with a work directory of its own (TMPDIR), from `opts.cwd`
 * (the test's by default), parses the report, and says what the run left.
 */
export function conform(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; json?: boolean; via?: string; cwd?: string } = {}): ConformRun {
  const dir = workDir(join(tmpdir(), 'conform-test-'));
  const json = join(dir, 'report.json');
  const before = snapshot(dir);
  let left: Snapshot | undefined;
  try {
    const argv = [...args, ...(opts.json === false ? [] : ['--json', json])];
    const r = spawnSync(opts.via ?? process.execPath, opts.via ? argv : [CLI, ...argv], {
      encoding: 'utf8',
      cwd: opts.cwd,
      env: { ...process.env, NO_COLOR: '1', TMPDIR: dir, ...opts.env },
      timeout: opts.timeoutMs ?? 600_000,
    });
    const report = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as JsonReport) : undefined;
    // The engines' cgroups name the run's tag: another run's live ones (a test file beside this one) are not this run's.
    left = leftSince(before, { engines: !report ? true : report.results.some((x) => x.area === 'engines') && runTags(report) });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, report, left };
  } finally {
    // A mount left below it stays for a look (the test fails on it): never remove through it.
    if (!left || left.mounts.length === 0) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fresh work directory, searchable by everyone (mkdtemp makes it 0700): root mapped into
 * a container's user namespace is not the host's root, and must still reach the bundles
 * below it (conform makes its own run directory 0711 for the same reason).
 */
export function workDir(prefix: string): string {
  const dir = mkdtempSync(prefix);
  chmodSync(dir, 0o711);
  return dir;
}

export const isRoot = process.getuid?.() === 0;
export const hasRunc = existsSync('/usr/bin/runc');
export const hasRunsc = existsSync('/usr/bin/runsc');
export const hasCrun = existsSync('/usr/bin/crun');
export const fixture = (...p: string[]) => join(repoRoot, 'fixtures', ...p);
