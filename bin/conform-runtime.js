#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node
// conform-runtime: the reference OCI runtime of conform. `npm run build` bundles it into
// dist/runtime-<command>.cjs (what one command reaches; dist/runtime.cjs has them all)
// with a V8 code cache each (scripts/bundles.mjs). Every runtime operation is a Node
// boot, so this loader does the least it can: it reads the one bundle the command needs,
// compiled code included (npm run bench measures the result against `node -e 0`). It is
// CommonJS (bin/package.json) because Node's ESM loader alone costs ~10 ms of CPU.
// The shebang drops NODE_EXTRA_CA_CERTS: Node 20 reads and parses every certificate of
// that file at boot, before any script runs (~35 ms of CPU for Debian's bundle, more than
// half of a boot), and this runtime makes no TLS connections. Its children do not
// inherit it either way: the init, exec's process and the hooks get their environment
// from config.json.
'use strict';
// For npm run bench's marks (recordPhases below): the CPU and wall time when Node reached this file.
const reached = [process.cpuUsage(), process.uptime()];
const { existsSync, writeSync } = require('node:fs');
const { join } = require('node:path');
const { loadBundle } = require('./load-bundle.js');

const dist = join(__dirname, '..', 'dist');
const word = command(process.argv.slice(2));
const phase = process.env.CONFORM_RUNTIME_PHASES ? recordPhases(process.env.CONFORM_RUNTIME_PHASES) : undefined;
// An installed package compiles its native helpers (nsexec, and the libc addon
// syscalls.node, the newer of the two) at first use (cli/native-build.ts): one stat per
// call otherwise. The init is started by nsexec, after a CLI that had them.
if (word !== 'init' && !existsSync(join(dist, 'syscalls.node'))) compileNatives();
// A call trains its command's code cache (bin/load-bundle.js) when it ran the command to
// the end (runtime/launcher.ts) and exits 0. The init never does: it ends in execve, or in
// the container's root, where dist/ is out of reach.
const train = word !== 'init' && ((code) => code === 0 && process[Symbol.for('conform-runtime.ran')] === true);
const options = { compiled: phase && ((cache) => phase('compiled', cache)), train };
try {
  loadBundle(dist, word ? `runtime-${word}` : 'runtime', options);
} catch (e) {
  if (e.code !== 'ENOENT' || !word) missing(e);
  try {
    loadBundle(dist, 'runtime', options);
  } catch (e2) {
    missing(e2);
  }
}

function missing(e) {
  if (e.code !== 'ENOENT') throw e;
  writeSync(2, 'conform-runtime: dist/runtime.cjs is missing: run `npm run build` in the conform checkout first\n');
  process.exit(1);
}

function compileNatives() {
  try {
    const { ensureNative } = require(join(dist, 'native.cjs'));
    for (const helper of ['nsexec', 'syscalls.node']) ensureNative(join(__dirname, '..'), helper);
  } catch (e) {
    if (e.code === 'MODULE_NOT_FOUND') missing({ code: 'ENOENT' });
    writeSync(2, `conform-runtime: ${e.message}\n`);
    process.exit(1);
  }
}

/**
 * For `npm run bench`: where this call's CPU time goes. Marks, at named points, the CPU
 * time (user + system) of the process and of its main thread (the rest is V8's and
 * libuv's threads: concurrent compiling, GC) and the wall time since the process
 * started: 'script' (Node booted and reached this file: its CPU time only), 'launcher'
 * (this file's requires done), 'marks' (the recorder set up: its own cost, ~0.2 ms,
 * is the bench's to leave out), 'compiled' (the command's bundle read and compiled; with
 * the code cache it compiled from), the syscall layer's load (runtime/launcher.ts),
 * 'exit'; appends them as one JSON line to `file` at exit. Taken out of the environment,
 * so that no child (the init, hooks) writes too.
 */
function recordPhases(file) {
  const launcher = [process.cpuUsage(), process.uptime()];
  delete process.env.CONFORM_RUNTIME_PHASES;
  const { readFileSync, appendFileSync } = require('node:fs');
  const ms = ({ user, system }) => (user + system) / 1000;
  // Before the recorder's first read of the main thread's time: only the process's, and the wall.
  const marks = [reached, launcher].map(([cpu, s], i) => [i ? 'launcher' : 'script', ms(cpu), null, s * 1000]);
  let cache;
  const mark = (name, compiledFrom) => {
    const cpu = ms(process.cpuUsage());
    const mainNs = Number(readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]);
    marks.push([name, cpu, mainNs / 1e6, process.uptime() * 1000]);
    if (compiledFrom) cache = compiledFrom;
  };
  process[Symbol.for('conform-runtime.phase')] = mark;
  process.on('exit', () => {
    mark('exit');
    appendFileSync(file, `${JSON.stringify({ command: word, cache, marks })}\n`);
  });
  mark('marks');
  return mark;
}

/** The command word of a runc-style command line (after the global options), when it can be a bundle's name. */
function command(argv) {
  const takesValue = new Set(['--root', '--log', '--log-format', '--criu', '--rootless']);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) return /^[a-z]+$/.test(a) ? a : undefined;
    if (takesValue.has(a)) i++;
  }
  return undefined;
}
