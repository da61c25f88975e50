#!/usr/bin/env node
// Benchmarks (timings live here, never in tests): `npm run bench [-- options]`.
//
//   1. the floor: a bare `node -e 0` (in the environment the runtime's launcher gives
//      Node: without NODE_EXTRA_CA_CERTS; with it too, for comparison, when it is set), and the latency, CPU time and minor page
//      faults (and what one costs here: bench/faults.c) of each runtime operation for runc and the reference runtime, interleaved run by run so that
//      the machine's load falls on all of them alike; the reference runtime's ratio
//      to its floor (the Node processes an operation starts × `node -e 0`); then, in a
//      pass of its own, where each reference-runtime call's CPU goes, from the marks the
//      runtime writes when CONFORM_RUNTIME_PHASES names a file
//   2. (not with --quick) the whole plan against runc and against the reference
//      runtime: wall time, conform's peak RSS, the harness-overhead ratio from the JSON
//      report's timing section, and the `--jobs` 1, 2, 4 curve against runc
//
// Prints a table and writes the numbers to a JSON file (default out/bench.json).
// The full-suite part holds /work/.fullrun.lock (--lock FILE; --lock '' for none) while
// it runs, as every full run on a shared machine must. Needs root, busybox-static, cc
// and the runtimes it measures.
//
//   3. (not with --quick; skipped without podman) `podman run --rm IMAGE true` through
//      each runtime
//
// Options: --quick, --only ops|podman|suites (one section), -n N (runs per operation,
// default 15), --runtime PATH (the foreign runtime, default /usr/bin/runc), --compare PATH (another build of the reference
// runtime, e.g. main's checkout, measured in the same interleaved runs: before/after
// numbers under the same load), --json FILE, --jobs LIST (default 1,2,4), --lock FILE,
// --no-build.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const opts = parseArgs(process.argv.slice(2));
const REF = join(root, 'bin/conform-runtime.js');

/**
 * How many Node processes each reference-runtime operation starts, and why: the floor
 * of an operation is that many bare Node boots.
 */
const NODE_PROCESSES = {
  create: [2, 'the CLI, and the container init (a Node process in the new namespaces until it execs the user process)'],
  start: [1, 'the CLI (it opens the exec FIFO; the init then execs the user process)'],
  state: [1, 'the CLI'],
  kill: [1, 'the CLI'],
  delete: [1, 'the CLI'],
  features: [1, 'the CLI'],
};
const OPS = Object.keys(NODE_PROCESSES);
/**
 * The environment bin/conform-runtime.js gives Node (its shebang drops NODE_EXTRA_CA_CERTS:
 * Node 20 parses that file's certificates at every boot, ~35 ms of CPU for Debian's
 * bundle), and so the floor's: the floor is Node's own boot, not the caller's settings.
 */
const FLOOR_ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_EXTRA_CA_CERTS'));
const EXTRA_CA = process.env.NODE_EXTRA_CA_CERTS ? 'node -e 0, NODE_EXTRA_CA_CERTS set' : undefined;

function parseArgs(argv) {
  const o = {
    quick: false,
    only: undefined,
    n: 15,
    runtime: '/usr/bin/runc',
    compare: undefined,
    json: join(root, 'out/bench.json'),
    jobs: [1, 2, 4],
    lock: '/work/.fullrun.lock',
    build: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--quick') o.quick = true;
    else if (a === '--only') o.only = val();
    else if (a === '-n' || a === '--n') o.n = Number(val());
    else if (a === '--runtime') o.runtime = resolve(val());
    else if (a === '--compare') o.compare = resolve(val());
    else if (a === '--json') o.json = resolve(val());
    else if (a === '--jobs') o.jobs = val().split(',').map(Number);
    else if (a === '--lock') o.lock = val();
    else if (a === '--no-build') o.build = false;
    else usage(`unknown option ${a}`);
  }
  if (!Number.isInteger(o.n) || o.n < 3) usage('-n must be a whole number of at least 3');
  if (o.only !== undefined && !['ops', 'podman', 'suites'].includes(o.only)) usage('--only takes ops, podman or suites');
  if (o.jobs.some((j) => !Number.isInteger(j) || j < 1)) usage('--jobs takes whole numbers, e.g. 1,2,4');
  return o;
}

function usage(msg) {
  process.stderr.write(
    `bench: ${msg}\nusage: npm run bench -- [--quick] [--only ops|podman|suites] [-n N] [--runtime PATH] [--compare PATH] [--json FILE] [--jobs 1,2,4] [--lock FILE] [--no-build]\n`,
  );
  process.exit(2);
}

// --- measuring one process ------------------------------------------------------

const work = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'conform-bench-'));
// mkdtemp makes it 0700: root mapped into a container's user namespace could not reach the bundles below.
chmodSync(work, 0o711);
const RUSAGE = join(work, 'rusage');
const FAULTS = join(work, 'faults');
// Interrupted while waiting for the lock or between runs: nothing of ours is left running
// then (each conform run cleans up after itself on SIGINT/SIGTERM too), only the files.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    rmSync(work, { recursive: true, force: true });
    process.exit(130);
  });
}

/**
 * Runs argv under bench/rusage.c: wall time, CPU time (user + sys, of the process and
 * the children it waited for) in ms, peak RSS in kB.
 */
function measure(argv, { stdio = 'pipe', env, cwd } = {}) {
  const r = spawnSync(RUSAGE, argv, { stdio: ['ignore', stdio, stdio, 'pipe'], env, cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const line = r.output[3]?.trim();
  if (!line) throw new Error(`${argv.join(' ')}: no measurement (${r.stderr ?? ''})`);
  const [wall, user, sys, rss, faults] = line.split(' ').map(Number);
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', wall: wall / 1000, cpu: (user + sys) / 1000, rssKb: rss, faults };
}

/** CPU time (ms) of all threads of a live process so far, from schedstat (nanoseconds), and its minor page faults. */
function usageOfLive(pid) {
  let ns = 0;
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  // /proc/PID/stat: minflt is the 10th field; the 2nd, (comm), may hold spaces.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const faults = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
  return { cpu: ns / 1e6, faults };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1], n: s.length };
};
const f1 = (x) => (x === undefined ? '-' : x.toFixed(1));

// --- 1. operations ----------------------------------------------------------------

/**
 * One container's life through `rt`, each operation measured: create, start, state, kill
 * (SIGKILL), delete once it stopped, and features; `init` is the CPU time and page faults
 * of the container's init up to start (not the CLI's child to wait for: it waits on the
 * exec FIFO).
 */
function lifecycle(rt, state, id, env) {
  const call = (op, args, stdio) => {
    const m = measure([rt, '--root', state, op, ...args], { stdio, env });
    if (m.code !== 0) throw new Error(`${rt} ${op} ${args.join(' ')}: exit ${m.code}: ${m.stderr.trim()}`);
    return m;
  };
  // create's stdio is the container's: a pipe would stay open as long as the container lives.
  const create = call('create', ['--bundle', join(work, 'bundle'), id], 'ignore');
  const init = usageOfLive(JSON.parse(call('state', [id]).stdout).pid);
  const m = { create, init, start: call('start', [id]), state: call('state', [id]), kill: call('kill', [id, 'SIGKILL']) };
  for (const deadline = Date.now() + 10_000; ;) {
    if (JSON.parse(call('state', [id]).stdout).status === 'stopped') break;
    if (Date.now() > deadline) throw new Error(`${rt}: ${id} did not stop within 10 s of SIGKILL`);
  }
  return { ...m, delete: call('delete', [id]), features: call('features', []) };
}

function benchOperations() {
  const runtimes = [['runc', opts.runtime], ['conform-runtime', REF], ...(opts.compare ? [['compare', opts.compare]] : [])].filter(([, p]) => existsSync(p));
  const samples = { 'node -e 0': { wall: [], cpu: [], faults: [] }, ...(EXTRA_CA ? { [EXTRA_CA]: { wall: [], cpu: [], faults: [] } } : {}) };
  for (const [name] of runtimes)
    for (const op of OPS) samples[`${name} ${op}`] = { wall: [], cpu: [], faults: [], ratioWall: [], ratioCpu: [], ratioFaults: [] };
  const add = (key, m) => {
    samples[key].wall.push(m.wall);
    samples[key].cpu.push(m.cpu);
    samples[key].faults.push(m.faults);
  };
  /** A part of an operation: CPU time and page faults only (against one Node process's floor). */
  const addPart = (key, { cpu, faults }) => {
    samples[key] ??= { wall: [], cpu: [], faults: [], ratioCpu: [], ratioFaults: [] };
    samples[key].cpu.push(cpu);
    samples[key].faults.push(faults);
    samples[key].ratioCpu.push(cpu / samples['node -e 0'].cpu.at(-1));
    samples[key].ratioFaults.push(faults / samples['node -e 0'].faults.at(-1));
  };
  for (let i = 0; i < opts.n; i++) {
    // Alternate the order each round: whatever drifts (load, caches) falls on both sides.
    const floor = measure([process.execPath, '-e', '0'], { env: FLOOR_ENV });
    add('node -e 0', floor);
    if (EXTRA_CA) add(EXTRA_CA, measure([process.execPath, '-e', '0']));
    for (const [name, rt] of i % 2 ? [...runtimes].reverse() : runtimes) {
      const record = (op, m, processes = 1) => {
        add(`${name} ${op}`, m);
        samples[`${name} ${op}`].ratioWall.push(m.wall / (processes * floor.wall));
        samples[`${name} ${op}`].ratioCpu.push(m.cpu / (processes * floor.cpu));
        samples[`${name} ${op}`].ratioFaults.push(m.faults / (processes * floor.faults));
      };
      const m = lifecycle(rt, join(work, `state-${name}`), `bench-${process.pid}-${i}`);
      // Where create's CPU goes: the CLI (with the children it reaped: nsexec, runc's
      // init stages), and the container's init up to start. runc's too, for scale.
      addPart(`${name} create: CLI`, m.create);
      addPart(`${name} create: init`, m.init);
      record('create', { ...m.create, cpu: m.create.cpu + m.init.cpu, faults: m.create.faults + m.init.faults }, NODE_PROCESSES.create[0]);
      for (const op of OPS.filter((o) => o !== 'create')) record(op, m[op]);
    }
  }
  const out = {};
  for (const [key, s] of Object.entries(samples)) {
    out[key] = { wallMs: stats(s.wall), cpuMs: stats(s.cpu), faults: stats(s.faults).median };
    if (s.ratioCpu)
      out[key].toFloor = { wall: s.ratioWall ? stats(s.ratioWall).median : undefined, cpu: stats(s.ratioCpu).median, faults: stats(s.ratioFaults).median };
  }
  return out;
}

/**
 * Where each reference-runtime call's CPU time goes: its own marks (CONFORM_RUNTIME_PHASES,
 * bin/conform-runtime.js) split it into Node's boot up to our script, reading and
 * compiling the command's bundle, loading the syscall layer (the libc addon dist/syscalls.node), the
 * command's own work, and Node's teardown after the exit event; and how much of it ran
 * off the main thread (V8's concurrent compiling and GC). A pass of its own, so
 * that the marks never touch the numbers above. create's CLI only: its init execs the
 * user's program and writes no marks.
 */
function benchPhases() {
  const parts = ['boot', 'bundle', 'syscall layer', 'command', 'teardown', 'marks', 'other threads'];
  const rows = { 'node -e 0': { total: [] } };
  for (const op of OPS) rows[op] = Object.fromEntries(['total', ...parts].map((k) => [k, []]));
  const file = join(work, 'phases.jsonl');
  const caches = {};
  for (let i = 0; i < opts.n; i++) {
    rows['node -e 0'].total.push(measure([process.execPath, '-e', '0'], { env: FLOOR_ENV }).cpu);
    rmSync(file, { force: true });
    const m = lifecycle(REF, join(work, 'state-phases'), `bench-phases-${process.pid}-${i}`, { ...FLOOR_ENV, CONFORM_RUNTIME_PHASES: file });
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    for (const op of OPS) {
      // The calls in lifecycle()'s order; state's measured call is its second (the first finds the init's pid).
      const line = lines.filter((l) => l.command === op)[op === 'state' ? 1 : 0];
      const marks = Object.fromEntries(line.marks.map(([name, cpu]) => [name, cpu]));
      const [, exitCpu, exitMain] = line.marks.at(-1);
      const syscalls = marks.syscalls === undefined ? 0 : marks['syscalls loaded'] - marks.syscalls;
      const r = rows[op];
      r.total.push(m[op].cpu);
      r.boot.push(marks.script);
      // The recorder's own cost (its 'marks' segment) is left out of every column but the total.
      r.marks.push(marks.marks - marks.launcher);
      r.bundle.push(marks.launcher - marks.script + marks.compiled - marks.marks);
      r['syscall layer'].push(syscalls);
      r.command.push(marks.exit - marks.compiled - syscalls);
      r.teardown.push(m[op].cpu - marks.exit);
      r['other threads'].push(exitCpu - exitMain);
      (caches[op] ??= []).push(line.cache);
    }
  }
  const out = Object.fromEntries(Object.entries(rows).map(([op, r]) => [op, Object.fromEntries(Object.entries(r).map(([k, xs]) => [k, stats(xs).median]))]));
  // Which code cache the calls compiled from (bin/load-bundle.js): the first call of a fresh build trains one.
  for (const [op, kinds] of Object.entries(caches)) out[op].cache = [...new Set(kinds)].map((k) => `${k} ${kinds.filter((x) => x === k).length}`).join(', ');
  return out;
}

function printPhases(phases) {
  const floor = phases['node -e 0'].total;
  console.log(
    `\nWhere a reference-runtime call's CPU goes (ms, medians of ${opts.n} runs; create: its CLI only). Boot: Node up to bin/conform-runtime.js; bundle: reading and compiling the command's bundle; syscall layer: loading the libc addon; teardown: after the exit event, with the CPU of the children the call reaped (create's nsexec, which makes the namespaces). Marks: the recorder's own cost, in the total only (over floor leaves it out). Other threads: the part of the phases before spent off the main thread (V8's concurrent compiling, GC). Code cache: what the calls compiled from (bin/load-bundle.js: trained, build, none). Floor: node -e 0, ${f1(floor)} ms`,
  );
  const rows = [['', 'total', 'boot', 'bundle', 'syscall layer', 'command', 'teardown', 'marks', 'over floor', 'other threads', 'code cache']];
  for (const [op, r] of Object.entries(phases))
    if (op !== 'node -e 0')
      rows.push([
        op,
        f1(r.total),
        f1(r.boot),
        f1(r.bundle),
        f1(r['syscall layer']),
        f1(r.command),
        f1(r.teardown),
        f1(r.marks),
        f1(r.total - r.marks - floor),
        f1(r['other threads']),
        r.cache,
      ]);
  table(rows);
}

function printOperations(ops, faultUs) {
  console.log(
    `\nOperations: ${opts.n} interleaved runs each; ms, min / median / max; minor page faults, median (a fault costs ${faultUs} µs of CPU on this machine: bench/faults.c); ratio to the floor (Node processes × node -e 0 without NODE_EXTRA_CA_CERTS), median of per-run ratios`,
  );
  const rows = [['', 'wall min', 'median', 'max', 'cpu min', 'median', 'max', 'faults', '×floor wall', '×floor cpu', '×floor faults']];
  for (const [key, s] of Object.entries(ops)) {
    rows.push([
      key,
      f1(s.wallMs.min),
      f1(s.wallMs.median),
      f1(s.wallMs.max),
      f1(s.cpuMs.min),
      f1(s.cpuMs.median),
      f1(s.cpuMs.max),
      String(s.faults),
      s.toFloor?.wall !== undefined && !key.startsWith('runc') ? s.toFloor.wall.toFixed(2) : '',
      s.toFloor && !key.startsWith('runc') ? s.toFloor.cpu.toFixed(2) : '',
      s.toFloor && !key.startsWith('runc') ? s.toFloor.faults.toFixed(2) : '',
    ]);
  }
  table(rows);
  const runc = (op) => ops[`runc ${op}`]?.cpuMs.median;
  if (runc('create') && runc('features'))
    console.log(
      `For scale: runc's create (its CLI and its init, two Go processes) is ${(runc('create') / (2 * runc('features'))).toFixed(2)}× the CPU of two of its cheapest calls (features): the container's making costs runc ${f1(runc('create') - 2 * runc('features'))} ms over two bare runc processes.`,
    );
  console.log('Node processes per reference-runtime operation:');
  for (const [op, [n, why]] of Object.entries(NODE_PROCESSES)) console.log(`  ${op.padEnd(8)} ${n}: ${why}`);
}

// --- 2. suites --------------------------------------------------------------------

/** Holds the machine lock (flock(1) in a child that waits on our stdin) until released. */
async function holdLock(file) {
  if (!file || !existsSync(dirname(file))) return () => {};
  const child = spawn('flock', ['-o', file, 'sh', '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  process.stderr.write(`bench: waiting for ${file}…\n`);
  await new Promise((res, rej) => {
    child.stdout.once('data', res);
    child.once('exit', (code) => rej(new Error(`flock ${file} exited with ${code}`)));
  });
  return () => child.stdin.end();
}

function conformRun(runtime, jobs, label) {
  const report = join(work, `report-${label}.json`);
  // conform wants its --workdir to exist (it makes its run directory inside).
  mkdirSync(join(work, 'runs'), { recursive: true });
  const args = [join(root, 'bin/conform.js'), '--jobs', String(jobs), '--workdir', join(work, 'runs'), '--json', report, '--no-color'];
  if (runtime) args.push('--runtime', runtime);
  // The runtime's expected failures (baselines/<name>.json), so that `exit` says whether anything was unexpected.
  const baseline = runtime && join(root, 'baselines', `${basename(runtime)}.json`);
  if (baseline && existsSync(baseline)) args.push('--expect', baseline);
  process.stderr.write(`bench: conform ${label} (--jobs ${jobs})…\n`);
  const m = measure([process.execPath, ...args], { stdio: 'pipe', env: { ...process.env, NO_COLOR: '1' } });
  const json = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined;
  if (!json) throw new Error(`conform ${label} wrote no report (exit ${m.code}): ${m.stderr.slice(-2000)}`);
  const t = json.timing ?? {};
  const called = (t.runtimeMs ?? 0) + (t.waitMs ?? 0) + (t.engineMs ?? 0);
  return {
    label,
    jobs,
    exit: m.code,
    cases: json.results.length,
    counts: json.counts,
    wallS: m.wall / 1000,
    cpuS: m.cpu / 1000,
    conformRssMb: t.maxRssKb !== undefined ? t.maxRssKb / 1024 : undefined,
    planMs: t.planMs,
    runtimeCalls: t.runtimeCalls,
    runtimeS: t.runtimeMs / 1000,
    waitS: t.waitMs / 1000,
    engineS: (t.engineMs ?? 0) / 1000,
    bundleS: t.bundleMs / 1000,
    cleanupS: t.cleanupMs / 1000,
    harnessS: t.harnessMs / 1000,
    // (suite wall × jobs) ÷ (summed wall of the runtime calls, the waits on the container and the engines' commands)
    overhead: called ? (m.wall * jobs) / called : undefined,
    outcomes: Object.fromEntries(json.results.map((r) => [r.id, r.outcome])),
  };
}

function printSuites(s) {
  console.log('\nWhole plan (every case)');
  const rows = [
    [
      'run',
      'jobs',
      'cases',
      'exit',
      'wall s',
      'cpu s',
      'rss MB',
      'plan ms',
      'calls',
      'calls s',
      'waits s',
      'engines s',
      'bundles s',
      'cleanup s',
      'other s',
      'overhead',
    ],
  ];
  for (const r of s.runs) {
    rows.push([
      r.label,
      String(r.jobs),
      String(r.cases),
      String(r.exit),
      f1(r.wallS),
      f1(r.cpuS),
      f1(r.conformRssMb),
      f1(r.planMs),
      String(r.runtimeCalls ?? '-'),
      f1(r.runtimeS),
      f1(r.waitS),
      f1(r.engineS),
      f1(r.bundleS),
      f1(r.cleanupS),
      f1(r.harnessS),
      r.overhead?.toFixed(2) ?? '-',
    ]);
  }
  table(rows);
  if (s.refOverRunc) console.log(`reference runtime ÷ runc, whole plan, wall: ${s.refOverRunc.toFixed(2)}×`);
  if (s.jobsCurve) console.log(`--jobs curve against runc (speed-up over --jobs 1): ${s.jobsCurve.map(([j, x]) => `${j}: ${x.toFixed(2)}×`).join(', ')}`);
}

function table(rows) {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((x, c) => (c ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  '));
}

/**
 * `podman run --rm IMAGE true` through each runtime: what a user waits for when podman
 * drives it. Its own storage in the work dir (never the machine's), no network (nothing
 * touches the host's), a cgroup parent of our own, removed afterwards. Wall ms per runtime.
 */
function benchPodman(rootfs, rts) {
  const N = opts.n;
  const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
  const dir = join(work, 'podman');
  mkdirSync(dir);
  // podman's default RLIMIT_NOFILE/NPROC exceed what an unprivileged-limits host allows;
  // file locks in --tmpdir, not the machine-wide /dev/shm/libpod_lock (as the engines cases).
  writeFileSync(join(dir, 'containers.conf'), '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n\n[engine]\nlock_type = "file"\n');
  const env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') };
  const base = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'runroot'),
    '--tmpdir',
    join(dir, 'tmp'),
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
  ];
  const podman = (...a) => spawnSync('podman', [...base, ...a], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  const parent = `/conform-bench-${process.pid}`;
  // podman passes no --root to a runtime it does not know: the runtime's default state root
  // is made, and removed again below when this made it (and it is empty).
  const defaultRoots = ['/run/conform-runtime', '/run/runc'].filter((d) => !existsSync(d));
  const out = {};
  try {
    execFileSync('tar', ['-C', rootfs, '-cf', join(dir, 'rootfs.tar'), '.']);
    const imp = podman('import', join(dir, 'rootfs.tar'), 'localhost/conform-bench:latest');
    if (imp.status !== 0) return { error: `podman import failed: ${imp.stderr.trim()}` };
    for (const rt of rts) {
      const run = () => {
        const t = process.hrtime.bigint();
        const r = podman('--runtime', rt, 'run', '--rm', '--network', 'none', '--cgroup-parent', parent, 'localhost/conform-bench:latest', 'true');
        if (r.status !== 0) throw new Error(`podman --runtime ${rt} run: ${r.stderr.trim()}`);
        return ms(t);
      };
      run(); // warm-up: podman's first run sets up its storage
      const xs = Array.from({ length: N }, run);
      out[rt] = stats(xs);
    }
  } finally {
    podman('rm', '--all', '--force');
    podman('rmi', '--all', '--force');
    // The cgroup parent podman made in each hierarchy, and conmon's cgroup in it (empty
    // once the containers are gone).
    for (const h of ['', ...readdirSync('/sys/fs/cgroup')]) {
      for (const d of ['conmon', '']) {
        try {
          rmdirSync(join('/sys/fs/cgroup', h, parent, d));
        } catch {
          /* not made there */
        }
      }
    }
    for (const d of defaultRoots) {
      try {
        rmdirSync(d);
      } catch {
        /* not made, or not empty: a container of someone else's is there */
      }
    }
  }
  return out;
}

// --- main -------------------------------------------------------------------------

const result = { startedAt: new Date().toISOString(), node: process.version, cores: cpus().length, loadBefore: loadavg(), n: opts.n };
try {
  execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', RUSAGE, join(root, 'bench/rusage.c')], { stdio: 'inherit' });
  execFileSync('cc', ['-O2', '-Wall', '-Werror', '-o', FAULTS, join(root, 'bench/faults.c')], { stdio: 'inherit' });
  if (opts.build) execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  const { ensureRootfs, copyTree, defaultConfig } = await import(join(root, 'dist/bench-lib.js'));
  const bundle = join(work, 'bundle');
  mkdirSync(bundle);
  await copyTree(ensureRootfs(), join(bundle, 'rootfs'));
  const config = defaultConfig();
  config.process.args = ['/bin/sh', '-c', 'exec sleep 30'];
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));

  const section = (name) => (opts.only ? opts.only === name : name === 'ops' || !opts.quick);
  console.log(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${cpus().length} cores; node ${process.version}`,
  );
  if (section('ops')) {
    result.faultCostUs = Number(execFileSync(FAULTS, { encoding: 'utf8' }).trim());
    result.operations = benchOperations();
    result.nodeProcesses = Object.fromEntries(Object.entries(NODE_PROCESSES).map(([op, [n, why]]) => [op, { n, why }]));
    if (opts.compare) result.compare = opts.compare;
    printOperations(result.operations, result.faultCostUs);
    result.phases = benchPhases();
    printPhases(result.phases);
  }

  if (section('podman')) {
    if (spawnSync('podman', ['--version']).status !== 0) console.log('\npodman run --rm IMAGE true: podman not installed, skipped');
    else {
      result.podman = benchPodman(
        ensureRootfs(),
        [opts.runtime, REF].filter((p) => existsSync(p)),
      );
      console.log(`\npodman run --rm IMAGE true, ${opts.n} runs each, wall ms min / median / max`);
      if (result.podman.error) console.log(`  ${result.podman.error}`);
      else for (const [rt, x] of Object.entries(result.podman)) console.log(`  ${rt}: ${f1(x.min)} / ${f1(x.median)} / ${f1(x.max)}`);
    }
  }

  if (section('suites')) {
    const release = await holdLock(opts.lock);
    try {
      const runs = [];
      const ref = conformRun(undefined, cpus().length, 'conform-runtime');
      for (const j of opts.jobs) runs.push(conformRun(opts.runtime, j, `runc`));
      runs.unshift(ref);
      const runcDefault = runs.find((r) => r.label === 'runc' && r.jobs === ref.jobs) ?? runs.find((r) => r.label === 'runc');
      const one = runs.find((r) => r.label === 'runc' && r.jobs === 1);
      result.suites = {
        runs: runs.map(({ outcomes, ...r }) => r),
        refOverRunc: runcDefault ? ref.wallS / runcDefault.wallS : undefined,
        jobsCurve: one ? runs.filter((r) => r.label === 'runc').map((r) => [r.jobs, one.wallS / r.wallS]) : undefined,
      };
      result.outcomes = Object.fromEntries(runs.map((r) => [`${r.label} --jobs ${r.jobs}`, r.outcomes]));
      printSuites(result.suites);
    } finally {
      release();
    }
  }
  result.loadAfter = loadavg();
  console.log(
    `\nload average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  mkdirSync(dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written: ${opts.json}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
