// The command line as a user meets it: exit codes and one-line messages.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/paths.js';
import { renderJson } from '../reports/json.js';
import { CLI, conform, fixture, workDir } from './helpers/conform.js';
import { mixed, summary } from './reports/factory.js';

describe('conform CLI', () => {
  it('--list prints the plan and runs nothing', () => {
    const r = conform(['--list', '--area', 'lifecycle'], { json: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^lifecycle\.create\.created /m);
    expect(r.stdout).toMatch(/\d+ case\(s\) in 1 area\(s\)\n$/);
  });

  it('--version prints the package version', () => {
    const r = conform(['--version'], { json: false });
    expect(r.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string; name: string };
    expect(r.stdout).toBe(`conform ${pkg.version} (${pkg.name})\n`);
  });

  it('shards split the plan exactly once, without an empty or repeated case', () => {
    const ids = (args: string[]) =>
      conform(['--list', ...args], { json: false })
        .stdout.split('\n')
        .filter((l) => /^\S+ {2}/.test(l))
        .map((l) => l.split('  ')[0]);
    const all = ids([]);
    const shards = [1, 2, 3].map((i) => ids(['--shard', `${i}/3`]));
    expect(shards.flat().sort()).toEqual([...all].sort());
    for (const s of shards) expect(s.length).toBeGreaterThan(0);
  }, 120_000);

  it('usage errors are one line and exit 2, never a stack trace', () => {
    const oneLine = (args: string[], pattern: RegExp) => {
      const r = conform(args, { json: false });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trimEnd(), args.join(' ')).toMatch(pattern);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    };
    oneLine(['--shard', '5/4', '--list'], /^conform: option '--shard <i\/n>' argument '5\/4' is invalid\. expected i\/n with 1 <= i <= n/);
    oneLine(['--shard', 'abc', '--list'], /argument 'abc' is invalid/);
    oneLine(['--tap', '-', '--json', '-', '--list'], /^conform: --tap - and --json -: only one report can go to standard output/);
    oneLine(['--tap-version', '12', '--list'], /--tap-version must be 13 or 14/);
    oneLine(['merge', '/nonexistent/a.json', '--json', '-'], /^conform: \/nonexistent\/a.json: cannot read it \(ENOENT\)/);
    oneLine(['report', fixture('bundles', 'valid', 'config.json'), '--html', '-'], /not a conform JSON report/);
    oneLine(['matrix', '/nonexistent/r.json'], /cannot read it/);
    oneLine(['baseline'], /required option '--from <report>' not specified/);
    oneLine(['--no-such-flag'], /^conform: unknown option '--no-such-flag' \(conform --help for usage\)$/);
  }, 180_000);

  it('usage errors exit 2 with a message', () => {
    const jobs = conform(['--jobs', '0', '--list'], { json: false });
    expect(jobs.code).toBe(2);
    expect(jobs.stderr).toMatch(/--jobs must be a whole number/);
    const area = conform(['--area', 'nope', '--list'], { json: false });
    expect(area.code).toBe(2);
    expect(area.stderr).toMatch(/no such area/);
  });

  it('report commands write where they are told, creating the folder, and say in one line when they cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conform-cli-'));
    try {
      const json = join(dir, 'run.json');
      writeFileSync(json, renderJson(summary(mixed())));
      const page = join(dir, 'missing/dir/x.html');
      const r = conform(['matrix', json, '--html', page], { json: false });
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(page, 'utf8')).toMatch(/^<!DOCTYPE html>/);
      const bad = conform(['matrix', json, '--html', '/proc/no/x.html'], { json: false });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^conform: --html \/proc\/no\/x.html: cannot create \/proc\/no for a report/);
      expect(bad.stderr.trimEnd().split('\n')).toHaveLength(1);
      const html = conform(['report', json, '--html', join(dir, 'r.html'), '--junit', join(dir, 'r.xml')], { json: false });
      expect(html.code, html.stderr).toBe(0);
      expect(readFileSync(join(dir, 'r.xml'), 'utf8')).toMatch(/<testsuites name="conform"/);
      const none = conform(['report', json], { json: false });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/say what to write/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a --workdir others may not enter: a warning, and the cases whose container root is another host uid skip', () => {
    const closed = mkdtempSync(join(tmpdir(), 'conform-closed-')); // 0700
    try {
      // noop.sh does nothing and says it succeeded: run, the case would fail it.
      const r = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--grep', '^namespaces\\.(user\\.uid-mappings|inherit\\.user)$', '--workdir', closed]);
      expect(r.stderr).toMatch(/^conform: warning: --workdir .* is below .*, which others may not enter: .* so those cases skip/m);
      const outcome = (id: string) => r.report?.results.find((x) => x.id === id);
      expect(outcome('namespaces.user.uid-mappings')?.outcome).toBe('skip');
      expect(outcome('namespaces.user.uid-mappings')?.message).toMatch(
        /^needs its bundle reachable by the container's root, another host uid in its user namespace: --workdir is below /,
      );
      // No user namespace in its config: it runs (and noop.sh fails it).
      expect(outcome('namespaces.inherit.user')?.outcome).toBe('fail');
    } finally {
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it('a relative --workdir and --cache-dir are taken from the current directory (the runtime and the hooks get absolute paths)', () => {
    const dir = workDir(join(tmpdir(), 'conform-relative-'));
    try {
      mkdirSync(join(dir, 'work'));
      const r = conform(['--grep', '^hooks\\.args$', '--workdir', 'work', '--cache-dir', 'cache'], { cwd: dir });
      expect(
        r.report?.results.map((x) => [x.id, x.outcome]),
        r.stdout + r.stderr,
      ).toEqual([['hooks.args', 'pass']]);
      expect(r.code).toBe(0);
      expect(readdirSync(join(dir, 'work'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("a host umask of 077 changes nothing: a container's non-root user still reads the rootfs and its bundle", () => {
    const cache = workDir(join(tmpdir(), 'conform-umask-'));
    try {
      const r = conform(['-c', 'umask 077 && exec "$@"', 'sh', process.execPath, CLI, '--grep', '^process\\.user\\.uid-gid$', '--cache-dir', cache], {
        via: 'sh',
      });
      expect(
        r.report?.results.map((x) => [x.id, x.outcome]),
        r.stdout + r.stderr,
      ).toEqual([['process.user.uid-gid', 'pass']]);
      expect(r.code).toBe(0);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 120_000);

  it('a --workdir on a noexec mount is refused before anything runs (its hooks could not run)', () => {
    const dir = workDir(join(tmpdir(), 'conform-noexec-'));
    try {
      // In a mount namespace of its own: the host's mounts stay as they are.
      const script = 'd=$1 && shift && mount -t tmpfs -o noexec conform-noexec "$d" && exec "$@" --area lifecycle --workdir "$d"';
      const r = conform(['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, process.execPath, CLI, '--runtime', fixture('runtimes', 'noop.sh')], {
        via: 'unshare',
        json: false,
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^conform: --workdir ${dir}: on a mount with noexec \\(${dir}\\): the hooks and programs`, 'm'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    // Below a path every container mounts its own over: refused before anything runs.
    const shm = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--workdir', '/dev/shm', '--area', 'lifecycle'], { json: false });
    expect(shm.code).toBe(2);
    expect(shm.stderr).toMatch(/^conform: --workdir \/dev\/shm: below \/dev, which every container mounts its own over/m);
    const report = conform(['--runtime', fixture('runtimes', 'noop.sh'), '--json', '/proc/no/report.json', '--area', 'lifecycle'], { json: false });
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/^conform: --json \/proc\/no\/report.json: cannot create \/proc\/no/m);
  }, 120_000);

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
