// The CommonJS bundles (scripts/bundles.mjs): the reference runtime's, one per command,
// and conform's, each with a V8 code cache that V8 accepts. A cache V8 rejects costs nothing visible but
// time, so only a test can notice it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../harness/paths.js';
// @ts-expect-error: a build script in plain JavaScript, without declarations
import { wrap } from '../../scripts/bundles.mjs';

const dist = join(repoRoot, 'dist');
const bin = join(repoRoot, 'bin/conform-runtime.js');
const bundles = existsSync(dist) ? readdirSync(dist).filter((f) => /^(runtime(-[a-z]+)?|conform|config-validator)\.cjs$/.test(f)) : [];

describe.skipIf(!bundles.includes('runtime.cjs'))('runtime bundles (npm run build)', () => {
  it('has one for the init and for each command the harness calls', () => {
    for (const c of ['init', 'create', 'start', 'state', 'kill', 'delete', 'features']) expect(bundles).toContain(`runtime-${c}.cjs`);
  });

  it.each(bundles)('%s: V8 accepts its code cache', (name) => {
    const source = readFileSync(join(dist, name), 'utf8');
    const hash = /conform-build=([0-9a-f]+)\n$/.exec(source)?.[1];
    expect(hash, 'the build writes the content hash on the last line').toBeDefined();
    const cachedData = readFileSync(join(dist, 'v8-cache', `${name.replace(/\.cjs$/, '')}.${hash}.bin`));
    const script = new Script(wrap(source) as string, { filename: join(dist, name), cachedData });
    expect(script.cachedDataRejected).toBe(false);
  });

  it.each(bundles.filter((b) => /^runtime-[a-z]+\.cjs$/.test(b)))('%s: its command reaches everything its action imports', (name) => {
    const source = readFileSync(join(dist, name), 'utf8');
    const left = (path: string) => source.includes(`internal error: ${path} is not in this command's bundle`);
    const command = name.replace(/^runtime-|\.cjs$/g, '');
    expect(left(command === 'init' ? './init/main.js' : `./commands/${command}.js`)).toBe(false);
    // Actions that import a helper module besides their own (runtime/cli.ts).
    if (['create', 'run', 'exec'].includes(command)) expect(left('./commands/preserve-fds.js')).toBe(false);
    // The syscall layer: in the bundles whose action calls syscalls(), and only there.
    const sys = ['init', 'create', 'start', 'kill', 'delete', 'run', 'exec', 'pause', 'update'].includes(command);
    expect(left('./syscalls-libc.js')).toBe(!sys);
  });

  it.each(bundles.filter((b) => b.startsWith('runtime')))('%s: holds no commander (runtime/argv.ts parses its command line)', (name) => {
    // commander was half of every command's bundle, and built objects for 17 commands per call.
    expect(readFileSync(join(dist, name), 'utf8')).not.toContain('commander');
  });

  it('keeps the config validator out of every command bundle: create loads it, with its own cache, while the init boots', () => {
    // The validator's standalone code names every schema path; `state` must not read it,
    // and `create` reads it only when it checks the schema.
    const marker = 'validate0';
    expect(readFileSync(join(dist, 'config-validator.cjs'), 'utf8')).toContain(marker);
    for (const c of ['create', 'state', 'kill', 'start', 'delete', 'init']) expect(readFileSync(join(dist, `runtime-${c}.cjs`), 'utf8')).not.toContain(marker);
    expect(readFileSync(join(dist, 'runtime-create.cjs'), 'utf8')).toMatch(/loadBundle\d*\(__dirname, ?"config-validator"\)/);
  });

  it('keeps the linux.resources planners (runtime/cgroups/resources.ts) out of the commands that only signal, freeze or remove a container', () => {
    // ~25 kB of code-cache per call (~1 ms): those commands use the Cgroups handle alone.
    const marker = /\bplanV1\b/;
    for (const c of ['create', 'update']) expect(readFileSync(join(dist, `runtime-${c}.cjs`), 'utf8'), c).toMatch(marker);
    for (const c of ['kill', 'start', 'delete', 'pause', 'exec']) expect(readFileSync(join(dist, `runtime-${c}.cjs`), 'utf8'), c).not.toMatch(marker);
  });

  it('keeps the seccomp compiler and its syscall tables out of the init: create and exec compile, the init loads the program', () => {
    // The tables alone are ~75 kB of objects, which made the init collect garbage once more (runtime/seccomp/compile.ts).
    const marker = /\bX86_64_SYSCALLS\b/;
    for (const c of ['create', 'exec']) expect(readFileSync(join(dist, `runtime-${c}.cjs`), 'utf8'), c).toMatch(marker);
    expect(readFileSync(join(dist, 'runtime-init.cjs'), 'utf8')).not.toMatch(marker);
  });

  it.each(bundles)('%s: is ASCII only (one other character and V8 holds the whole source as a two-byte string)', (name) => {
    expect(readFileSync(join(dist, name), 'latin1')).toMatch(/^[\x00-\x7f]*$/);
  });

  it.each(bundles.filter((b) => b.startsWith('runtime')))('%s: loads child_process, net, os, crypto and module only when a call uses them', (name) => {
    const source = readFileSync(join(dist, name), 'utf8');
    for (const m of source.matchAll(/require\("node:(child_process|net|os|crypto|module)"\)/g)) {
      expect(source.slice(Math.max(0, m.index - 12), m.index), `require of node:${m[1]}`).toMatch(/loaded ?\?\?= ?$/);
    }
  });

  it.each(['state', 'kill', 'delete', 'create', 'features'])('`%s --help` runs from its own bundle', (c) => {
    const r = spawnSync(process.execPath, [bin, c, '--help'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`conform-runtime ${c}`);
  });

  it('answers a command without a bundle of its own from the whole one', () => {
    const r = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^conform-runtime version /);
  });

  it("trains a command's code cache at the first call that runs it to the end, and compiles from it after (bin/load-bundle.js)", () => {
    // A checkout of our own: bin/, the bundles of features and delete with their build caches, the addon.
    const dir = mkdtempSync(join(tmpdir(), 'conform-trained-'));
    try {
      const own = join(dir, 'dist');
      mkdirSync(join(own, 'v8-cache'), { recursive: true });
      cpSync(join(repoRoot, 'bin'), join(dir, 'bin'), { recursive: true });
      cpSync(join(dist, 'syscalls.node'), join(own, 'syscalls.node'));
      const hashes: Record<string, string> = {};
      for (const c of ['features', 'delete']) {
        hashes[c] = /conform-build=([0-9a-f]+)\n$/.exec(readFileSync(join(dist, `runtime-${c}.cjs`), 'utf8'))![1]!;
        for (const f of [`runtime-${c}.cjs`, `v8-cache/runtime-${c}.${hashes[c]}.bin`]) cpSync(join(dist, f), join(own, f));
      }
      const source = readFileSync(join(dist, 'runtime-features.cjs'), 'utf8');
      const hash = hashes.features!;
      const trained = join(own, 'v8-cache', `runtime-features.${hash}.trained.bin`);
      const phases = join(dir, 'phases.jsonl');
      const call = (...args: string[]) => {
        const r = spawnSync(process.execPath, [join(dir, 'bin/conform-runtime.js'), ...args], {
          encoding: 'utf8',
          env: { ...process.env, CONFORM_RUNTIME_PHASES: phases },
        });
        const lines = readFileSync(phases, 'utf8').trim().split('\n');
        return { status: r.status, cache: (JSON.parse(lines.at(-1)!) as { cache: string }).cache };
      };
      const accepted = () =>
        !new Script(wrap(source) as string, { filename: join(own, 'runtime-features.cjs'), cachedData: readFileSync(trained) }).cachedDataRejected;

      // A failing call compiles lazily and writes nothing: it ran the error's path only; nor
      // does --help, which succeeds without running the command.
      expect(call('features', '--no-such-option')).toEqual({ status: 1, cache: 'none' });
      expect(call('features', '--help')).toEqual({ status: 0, cache: 'none' });
      expect(existsSync(trained)).toBe(false);
      expect(call('features')).toEqual({ status: 0, cache: 'none' });
      expect(existsSync(trained)).toBe(true);
      expect(accepted()).toBe(true);
      // What one call compiled, not every function of the bundle.
      expect(statSync(trained).size).toBeLessThan(statSync(join(own, 'v8-cache', `runtime-features.${hash}.bin`)).size);
      expect(call('features')).toEqual({ status: 0, cache: 'trained' });
      // One V8 rejects (another Node made it) is made again.
      writeFileSync(trained, 'not a code cache');
      expect(call('features')).toEqual({ status: 0, cache: 'none' });
      expect(accepted()).toBe(true);
      // Nor a success by a shortcut: delete --force of a container that does not exist.
      expect(call('--root', join(dir, 'root'), 'delete', '--force', 'nothing')).toEqual({ status: 0, cache: 'none' });
      expect(existsSync(join(own, 'v8-cache', `runtime-delete.${hashes.delete}.trained.bin`))).toBe(false);
      expect(readdirSync(join(own, 'v8-cache')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends a call given Node options with process.exit, so that what they ask for at exit happens (--cpu-prof)', () => {
    // Without options, a call that made syscalls ends with _exit, which skips Node's exit work.
    const dir = mkdtempSync(join(tmpdir(), 'conform-exit-'));
    try {
      mkdirSync(join(dir, 'root', 'x'), { recursive: true });
      const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', join(dir, 'prof'), bin, '--root', join(dir, 'root'), 'delete', '--force', 'x'], {
        encoding: 'utf8',
      });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(existsSync(join(dir, 'root', 'x'))).toBe(false);
      expect(readdirSync(join(dir, 'prof')).filter((f) => f.endsWith('.cpuprofile'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("marks where a call's CPU goes for npm run bench when CONFORM_RUNTIME_PHASES names a file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'conform-phases-'));
    try {
      const file = join(dir, 'phases.jsonl');
      // A container directory with nothing in it: delete --force takes its lock (the syscall layer) and removes it.
      mkdirSync(join(dir, 'root', 'x'), { recursive: true });
      const env = { ...process.env, CONFORM_RUNTIME_PHASES: file };
      for (const args of [['features'], ['--root', join(dir, 'root'), 'delete', '--force', 'x']]) {
        const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      }
      expect(existsSync(join(dir, 'root', 'x'))).toBe(false);
      // A failing call ends with _exit too: its status and its 'exit' listeners as process.exit's.
      const failed = spawnSync(process.execPath, [bin, '--root', join(dir, 'root'), 'kill', 'x', 'KILL'], { encoding: 'utf8', env });
      expect(failed.stderr).toBe('conform-runtime: kill x: container x does not exist\n');
      expect(failed.status).toBe(1);
      const lines = readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { command: string; marks: [string, number, number | null, number][] });
      const start = ['script', 'launcher', 'marks', 'compiled'];
      expect(lines.map((l) => [l.command, l.marks.map(([name]) => name)])).toEqual([
        // features makes no syscall: it loads the addon only to end with _exit (runtime/addon.ts).
        ['features', [...start, 'syscalls', 'syscalls loaded', 'exit']],
        ['delete', [...start, 'syscalls', 'syscalls loaded', 'exit']],
        ['kill', [...start, 'syscalls', 'syscalls loaded', 'exit']],
      ]);
      for (const { marks } of lines) {
        for (const [i, what] of ['process CPU', 'main thread CPU', 'wall'].entries()) {
          // The main thread's time from the recorder's first read on: its first two marks have none.
          const ms = marks.map((m) => m[i + 1] as number | null).filter((v) => v !== null || i !== 1);
          expect(ms, `${what} only grows`).toEqual([...ms].sort((a, b) => a! - b!));
          expect(ms[0]).toBeGreaterThan(0);
        }
        const [, cpu, main] = marks.at(-1)!;
        expect(main, "the main thread's CPU is part of the process's").toBeLessThanOrEqual(cpu + 0.01);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
