// conform as a user installs it: `npm pack` from a copy of this checkout, the tarball
// installed globally into a temp prefix (no devDependencies), then `conform --version` and
// a small run from the installed command, against the reference runtime it carries (whose
// native helpers it compiles at first use). Its leftovers are looked for in its own work
// directory, so it may run beside other files; side-runs.test.ts calls it.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
import { isRoot } from '../helpers/conform.js';
import { leftSince, NOTHING_LEFT, snapshot } from '../helpers/leftovers.js';
// @ts-expect-error: a build script in plain JavaScript, without declarations
import { wrap } from '../../scripts/bundles.mjs';

const MINUTES = 60_000;
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string; devDependencies: Record<string, string> };

export const packageTests = () =>
  describe('the npm package', () => {
    // Made in beforeAll, not when the file is collected: a run that filters these tests out
    // runs neither hook, and would leave the directory behind.
    let tmp = '';
    let prefix = '';
    let installed = '';
    let bin = '';
    let tarball = '';
    let files: string[] = [];

    beforeAll(() => {
      tmp = mkdtempSync(join(tmpdir(), 'conform-package-'));
      prefix = join(tmp, 'prefix');
      installed = join(prefix, 'lib', 'node_modules', pkg.name);
      bin = join(prefix, 'bin', 'conform');
      // A copy of the checkout as git sees it (tracked and new files, nothing ignored), so
      // that packing builds a fresh dist/ there while this checkout's dist/ is in use.
      const src = join(tmp, 'src');
      const listed = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot, encoding: 'utf8' }).split('\0').filter(Boolean);
      for (const f of listed) {
        if (!existsSync(join(repoRoot, f))) continue; // deleted in the work tree
        mkdirSync(dirname(join(src, f)), { recursive: true });
        cpSync(join(repoRoot, f), join(src, f));
      }
      // The build (esbuild) comes from the checkout's devDependencies, as in CI.
      symlinkSync(join(repoRoot, 'node_modules'), join(src, 'node_modules'));
      const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: src, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const packed = (JSON.parse(out) as { filename: string; files: { path: string }[] }[])[0]!;
      tarball = join(tmp, packed.filename);
      files = packed.files.map((f) => f.path);
      // From the npm registry's cache that `npm ci` filled; the registry itself when it lacks something.
      execFileSync('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 5 * MINUTES,
      });
    }, 10 * MINUTES);
    afterAll(() => tmp && rmSync(tmp, { recursive: true, force: true }));

    it('holds the built code and the sources of the native helpers, not their binaries, maps or tests', () => {
      const bundles = ['conform', 'runtime', 'runtime-init', 'runtime-create', 'runtime-state', 'config-validator'];
      for (const b of bundles) {
        expect(files, `dist/${b}.cjs`).toContain(`dist/${b}.cjs`);
        // Its V8 code cache (scripts/bundles.mjs): an installed conform starts as fast as a checkout.
        expect(
          files.filter((f) => f.startsWith(`dist/v8-cache/${b}.`) && f.endsWith('.bin')),
          b,
        ).toHaveLength(1);
      }
      for (const f of [
        'bin/conform.js',
        'bin/conform-runtime.js',
        'bin/load-bundle.js',
        'bin/package.json',
        'dist/native.cjs',
        'dist/config-validator.cjs',
        'harness/native/console-receiver.c',
        'harness/native/listener.h',
        'runtime/native/nsexec.c',
        'runtime/native/syscalls.c',
        'harness/probe/probe.sh',
        'schemas/json/report.schema.json',
        'baselines/runc.json',
        'docs/ci.md',
        'README.md',
      ]) {
        expect(files, f).toContain(f);
      }
      expect(
        files.filter((f) => /\.map$|^test\/|^dist\/(nsexec|syscalls\.node|console-receiver|seccomp-agent|reaper|exchange)$|bench-lib|\.tmp$/.test(f)),
      ).toEqual([]);
      expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
    });

    it('installs without its devDependencies, and `conform --version` names it', () => {
      for (const dev of Object.keys(pkg.devDependencies)) expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
      const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`conform ${pkg.version} (${pkg.name})\n`);
      expect(r.status).toBe(0);
    });

    it("ships each bundle's V8 code cache, which this Node accepts: an installed conform starts as fast as a checkout", () => {
      const dist = join(installed, 'dist');
      const bundles = readdirSync(dist).filter((f) => f.endsWith('.cjs') && f !== 'native.cjs');
      expect(bundles).toContain('runtime-create.cjs');
      expect(bundles).toContain('config-validator.cjs');
      for (const name of bundles) {
        const source = readFileSync(join(dist, name), 'utf8');
        const hash = /conform-build=([0-9a-f]+)\n$/.exec(source)?.[1];
        const cachedData = readFileSync(join(dist, 'v8-cache', `${name.replace(/\.cjs$/, '')}.${hash}.bin`));
        expect(new Script(wrap(source) as string, { filename: join(dist, name), cachedData }).cachedDataRejected, name).toBe(false);
      }
    });

    it.skipIf(!isRoot)(
      'runs cases against the reference runtime it carries, compiling its native helpers first',
      () => {
        const work = join(tmp, 'work');
        mkdirSync(work);
        const before = snapshot(work);
        const json = join(tmp, 'run.json');
        const r = spawnSync(
          bin,
          ['--grep', '^uts\\.hostname$', '--grep', '^terminal\\.io$', '--json', json, '--workdir', work, '--cache-dir', join(tmp, 'cache')],
          { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 10 * MINUTES },
        );
        expect(r.status, r.stderr + r.stdout).toBe(0);
        const report = JSON.parse(readFileSync(json, 'utf8')) as {
          runtime: { path: string };
          results: { id: string; outcome: string }[];
          context: { conform: string };
        };
        expect(report.runtime.path).toBe(join(installed, 'bin', 'conform-runtime.js'));
        expect(report.context.conform).toBe(pkg.version);
        expect(report.results.find((x) => x.id === 'uts.hostname')?.outcome).toBe('pass');
        // The terminal cases need the console receiver, compiled at first use like nsexec.
        expect(report.results.find((x) => x.id === 'terminal.io')?.outcome).toBe('pass');
        for (const helper of ['nsexec', 'syscalls.node', 'console-receiver', 'seccomp-agent', 'reaper', 'exchange'])
          expect(existsSync(join(installed, 'dist', helper)), helper).toBe(true);
        expect(leftSince(before)).toEqual(NOTHING_LEFT);
        expect(readdirSync(work)).toEqual([]);
      },
      10 * MINUTES,
    );
  });
