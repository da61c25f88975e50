// The command line as a user meets it: exit codes and one-line messages.
import { describe, expect, it } from 'vitest';
import { conform, fixture } from './helpers/conform.js';

describe('conform CLI', () => {
  it('--list prints the plan and runs nothing', () => {
    const r = conform(['--list', '--area', 'lifecycle'], { json: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lifecycle\.create\.created /m);
    expect(r.stdout).toMatch(/\d+ case\(s\)\n$/);
  });

  it('usage errors exit 2 with a message', () => {
    const bad = conform(['--no-such-flag'], { json: false });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown option/);
    const jobs = conform(['--jobs', '0', '--list'], { json: false });
    expect(jobs.code).toBe(2);
    expect(jobs.stderr).toMatch(/--jobs must be a whole number/);
    const area = conform(['--area', 'nope', '--list'], { json: false });
    expect(area.code).toBe(2);
    expect(area.stderr).toMatch(/no such area/);
  });

  it('set-up errors exit 2 with what to do', () => {
    const missing = conform(['--runtime', '/nonexistent/runc', '--area', 'lifecycle'], { json: false });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^conform: --runtime \/nonexistent\/runc: not found; give the path to a runtime binary/m);
    const baseline = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--expect', '/nonexistent.json', '--area', 'lifecycle'], { json: false });
    expect(baseline.code).toBe(2);
    expect(baseline.stderr).toMatch(/--expect \/nonexistent.json: cannot read it/);
    const workdir = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--workdir', '/nonexistent/dir', '--area', 'lifecycle'], { json: false });
    expect(workdir.code).toBe(2);
    expect(workdir.stderr).toMatch(/^conform: --workdir \/nonexistent\/dir: not a directory/m);
    const report = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--json', '/proc/no/report.json', '--area', 'lifecycle'], { json: false });
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/^conform: --json \/proc\/no\/report.json: cannot create \/proc\/no/m);
  });

  it('validate: 0 for a valid bundle, 1 with each problem for an invalid one, 2 for no bundle', () => {
    const ok = conform(['validate', fixture('bundles', 'valid')], { json: false });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/: valid/);
    const bad = conform(['validate', fixture('bundles', 'invalid')], { json: false });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^error\s+process\.cwd: /m);
    expect(conform(['validate', '/nonexistent'], { json: false }).code).toBe(2);
  });

  it('coverage prints a row per spec file', () => {
    const r = conform(['coverage'], { json: false });
    expect(r.code).toBe(0);
    for (const f of ['runtime.md', 'runtime-linux.md', 'config.md', 'config-linux.md', 'features.md', 'features-linux.md']) expect(r.stdout).toContain(f);
  });
});
