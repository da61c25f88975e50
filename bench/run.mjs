#!/usr/bin/env node
// Benchmarks (timings live here, never in tests): `npm run bench [-- --runtime PATH …]`.
//   1. the busybox rootfs: cold build, and the per-case copy
//   2. the latency of each runtime operation, per runtime (median of N)
//   3. a conform run of the lifecycle area, per runtime (wall time)
// Needs root, busybox-static and the runtimes to measure (default: runc and conform's own).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runtimes = [];
for (let i = 0; i < args.length; i++) if (args[i] === '--runtime') runtimes.push(args[++i]);
if (!runtimes.length) runtimes.push('/usr/bin/runc', join(root, 'bin/conform-runtime.js'));
const N = Number(process.env.BENCH_N ?? 10);

execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
const { ensureRootfs, copyTree } = await import(join(root, 'dist/bench-lib.js'));

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${x.toFixed(1)} ms`;
const work = mkdtempSync(join(tmpdir(), 'conform-bench-'));
const rows = [];

try {
  // 1. rootfs
  let t0 = process.hrtime.bigint();
  const rootfs = ensureRootfs(join(work, 'cache'));
  rows.push(['rootfs: cold build (busybox + applets + probe)', fmt(ms(t0))]);
  const copies = [];
  for (let i = 0; i < N; i++) {
    t0 = process.hrtime.bigint();
    copyTree(rootfs, join(work, `copy-${i}`));
    copies.push(ms(t0));
  }
  rows.push(['rootfs: copy into a bundle (median)', fmt(median(copies))]);

  // 2. operations, per runtime
  const bundle = join(work, 'bundle');
  mkdirSync(bundle);
  copyTree(rootfs, join(bundle, 'rootfs'));
  const config = JSON.parse(execFileSync(process.execPath, [join(root, 'dist/bench-lib.js'), 'default-config'], { encoding: 'utf8' }));
  config.process.args = ['/bin/sh', '-c', 'exec sleep 30'];
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  for (const rt of runtimes) {
    if (!existsSync(rt)) {
      rows.push([`${rt}: not found, skipped`, '']);
      continue;
    }
    const state = join(work, `state-${runtimes.indexOf(rt)}`);
    const call = (...a) => {
      const t = process.hrtime.bigint();
      // create's stdio is the container's: a pipe would stay open as long as the container lives.
      const r = spawnSync(rt, ['--root', state, ...a], { stdio: a[0] === 'create' ? 'ignore' : ['ignore', 'pipe', 'pipe'], timeout: 20000 });
      if (r.status !== 0) throw new Error(`${rt} ${a.join(' ')}: ${r.stderr}`);
      return ms(t);
    };
    const times = { create: [], start: [], state: [], kill: [], delete: [] };
    for (let i = 0; i < N; i++) {
      const id = `bench-${process.pid}-${i}`;
      times.create.push(call('create', '--bundle', bundle, id));
      times.start.push(call('start', id));
      times.state.push(call('state', id));
      times.kill.push(call('kill', id, 'SIGKILL'));
      for (let d = Date.now() + 5000; Date.now() < d; ) if (JSON.parse(spawnSync(rt, ['--root', state, 'state', id], { encoding: 'utf8' }).stdout).status === 'stopped') break;
      times.delete.push(call('delete', id));
    }
    for (const [op, xs] of Object.entries(times)) rows.push([`${rt}: ${op} (median of ${N})`, fmt(median(xs))]);
  }

  // 3. a conform run of the lifecycle area, per runtime
  for (const rt of runtimes.filter((r) => existsSync(r))) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [join(root, 'bin/conform.js'), '--runtime', rt, '--area', 'lifecycle', '--jobs', '2', '--workdir', work], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    rows.push([`conform --area lifecycle against ${rt} (exit ${r.status})`, `${(ms(t) / 1000).toFixed(1)} s`]);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const width = Math.max(...rows.map(([a]) => a.length));
for (const [a, b] of rows) console.log(`${a.padEnd(width)}  ${b}`);
