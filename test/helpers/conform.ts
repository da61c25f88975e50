// Running the conform CLI as a user would, for the integration tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../harness/paths.js';

export interface ConformRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The --json report, when the run wrote one. */
  report?: JsonReport;
}

export interface JsonReport {
  counts: Record<string, number>;
  results: { id: string; outcome: string; message?: string }[];
}

/** Runs `conform ARGS --json <tmp>` and parses the report. */
export function conform(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; json?: boolean } = {}): ConformRun {
  const dir = mkdtempSync(join(tmpdir(), 'conform-test-'));
  const json = join(dir, 'report.json');
  try {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin/conform.js'), ...args, ...(opts.json === false ? [] : ['--json', json])], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      timeout: opts.timeoutMs ?? 600_000,
    });
    const report = existsSync(json) ? (JSON.parse(readFileSync(json, 'utf8')) as JsonReport) : undefined;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const isRoot = process.getuid?.() === 0;
export const hasRunc = existsSync('/usr/bin/runc');
export const fixture = (...p: string[]) => join(repoRoot, 'fixtures', ...p);
