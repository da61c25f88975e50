#!/usr/bin/env node
// Benchmarks (timings live here, never in tests): `npm run bench [-- --runtime PATH …] [--only rootfs|ops|conform|podman]`.
//   1. the busybox rootfs: cold build, and the per-case copy
//   2. the latency of each runtime operation, per runtime (median of N)
//   3. a conform run of the lifecycle area, per runtime (wall time)
//   4. `podman run --rm IMAGE true` through each runtime (optional: skipped without podman)
// Needs root, busybox-static and the runtimes to measure (default: runc and conform's own).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runtimes = [];
for (let i = 0; i < args.length; i++) if (args[i] === '--runtime') runtimes.push(args[++i]);
if (!runtimes.length) runtimes.push('/usr/bin/runc', join(root, 'bin/conform-runtime.js'));
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const section = (name) => only === undefined || only === name;
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
  if (section('rootfs')) rows.push(['rootfs: cold build (busybox + applets + probe)', fmt(ms(t0))]);
  const copies = [];
  for (let i = 0; i < (section('rootfs') ? N : 0); i++) {
    t0 = process.hrtime.bigint();
    copyTree(rootfs, join(work, `copy-${i}`));
    copies.push(ms(t0));
  }
  if (section('rootfs')) rows.push(['rootfs: copy into a bundle (median)', fmt(median(copies))]);

  // 2. operations, per runtime
  const bundle = join(work, 'bundle');
  mkdirSync(bundle);
  copyTree(rootfs, join(bundle, 'rootfs'));
  const config = JSON.parse(execFileSync(process.execPath, [join(root, 'dist/bench-lib.js'), 'default-config'], { encoding: 'utf8' }));
  config.process.args = ['/bin/sh', '-c', 'exec sleep 30'];
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
  for (const rt of section('ops') ? runtimes : []) {
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
  for (const rt of section('conform') ? runtimes.filter((r) => existsSync(r)) : []) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [join(root, 'bin/conform.js'), '--runtime', rt, '--area', 'lifecycle', '--jobs', '2', '--workdir', work], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    rows.push([`conform --area lifecycle against ${rt} (exit ${r.status})`, `${(ms(t) / 1000).toFixed(1)} s`]);
  }

  // 4. podman, as a user would run a container through each runtime: its own storage in
  // the work dir (never the machine's), no network (nothing touches the host's), a
  // cgroup parent of our own, removed afterwards.
  if (!section('podman')) {
    // not asked for
  } else if (spawnSync('podman', ['--version']).status !== 0) {
    rows.push(['podman run --rm IMAGE true: podman not installed, skipped', '']);
  } else {
    rows.push(...benchPodman(rootfs, runtimes.filter((r) => existsSync(r))));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function benchPodman(rootfs, rts) {
  const dir = join(work, 'podman');
  mkdirSync(dir);
  // podman's default RLIMIT_NOFILE/NPROC exceed what an unprivileged-limits host allows.
  writeFileSync(join(dir, 'containers.conf'), '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n');
  const env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') };
  const base = ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--tmpdir', join(dir, 'tmp'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file'];
  const podman = (...a) => spawnSync('podman', [...base, ...a], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const parent = `/conform-bench-${process.pid}`;
  const out = [];
  try {
    execFileSync('tar', ['-C', rootfs, '-cf', join(dir, 'rootfs.tar'), '.']);
    const imp = podman('import', join(dir, 'rootfs.tar'), 'localhost/conform-bench:latest');
    if (imp.status !== 0) return [[`podman import failed: ${imp.stderr.trim()}`, '']];
    for (const rt of rts) {
      const run = () => {
        const t = process.hrtime.bigint();
        const r = podman('--runtime', rt, 'run', '--rm', '--network', 'none', '--cgroup-parent', parent, 'localhost/conform-bench:latest', 'true');
        if (r.status !== 0) throw new Error(`podman --runtime ${rt} run: ${r.stderr.trim()}`);
        return ms(t);
      };
      run(); // warm-up: podman's first run sets up its storage
      const xs = Array.from({ length: N }, run);
      out.push([`podman --runtime ${rt} run --rm IMAGE true (median of ${N})`, fmt(median(xs))]);
    }
  } finally {
    podman('rm', '--all', '--force');
    podman('rmi', '--all', '--force');
    // The cgroup parent podman made in each hierarchy, and conmon's cgroup in it (empty
    // once the containers are gone).
    for (const h of ['', ...readdirSync('/sys/fs/cgroup')]) {
      for (const d of ['conmon', '']) {
        try { rmdirSync(join('/sys/fs/cgroup', h, parent, d)); } catch { /* not made there */ }
      }
    }
  }
  return out;
}

const width = Math.max(...rows.map(([a]) => a.length));
for (const [a, b] of rows) console.log(`${a.padEnd(width)}  ${b}`);
