// The lifecycle suite against runc, end to end through the CLI, and what a run
// leaves behind (nothing), also when it is interrupted.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import { ALL_CASES } from '../../suites/index.js';
import { buildHarness, conform, hasRunc, isRoot } from '../helpers/conform.js';
import { snapshot } from '../helpers/leftovers.js';

const lifecycle = ALL_CASES.filter((c) => c.area === 'lifecycle');

describe.skipIf(!isRoot || !hasRunc)('lifecycle against runc (needs root and /usr/bin/runc)', () => {
  it('passes every lifecycle case but the disputed ones, and leaves nothing behind', () => {
    const before = snapshot();
    const r = conform(['--runtime', '/usr/bin/runc', '--area', 'lifecycle', '--jobs', '2']);
    expect(r.report, r.stderr).toBeDefined();
    const disputed = lifecycle.filter((c) => c.disputed).length;
    expect(r.report!.counts).toMatchObject({ pass: lifecycle.length - disputed, fail: 0, error: 0, disputed });
    expect(r.code).toBe(0);
    expect(snapshot()).toEqual(before);
  }, 300_000);

  it('on SIGINT stops, cleans up every container and its run directory, and exits 130', async () => {
    buildHarness();
    const before = snapshot();
    const child = spawn(process.execPath, [join(repoRoot, 'bin/conform.js'), '--runtime', '/usr/bin/runc', '--area', 'lifecycle', '--grep', 'kill|delete', '--jobs', '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // Interrupt once containers exist: when the first case has finished.
    const deadline = Date.now() + 60_000;
    while (!/lifecycle\./.test(out) && snapshot().processes.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(130);
    expect(out).toMatch(/SIGINT: stopping; cleaning up/);
    expect(snapshot()).toEqual(before);
  }, 120_000);
});
