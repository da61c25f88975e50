// Root-only. The hostile-config generator (test/helpers/hostile-configs.ts) run
// through the reference runtime's `create` and through `conform validate`. For each
// config: a one-line error naming the field (or success where the config is valid),
// within a deadline, nothing left behind (state, cgroups, mounts, processes), and the
// host's hostname, domain name and sysctls as they were. Where the runtime refuses a
// config that validate calls valid, the refusal must be the runtime's own choice (the
// table below says why, and what runc does), not a spec rule validate lacks.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateBundle } from '../../schemas/validate.js';
import { defaultConfig } from '../../runtime/commands/spec.js';
import { makeBusyboxRootfs } from '../helpers/busybox-rootfs.js';
import { processesMounting } from '../helpers/leftovers.js';
import { cannotRunContainers } from '../helpers/runtime-cli.js';
import { hostileCases, type BundleContext, type HostileCase, type Json } from '../helpers/hostile-configs.js';

const repo = join(import.meta.dirname, '../..');
const reference = join(repo, 'bin/conform-runtime.js');
/**
 * HOSTILE_RUNTIME=/usr/bin/runc runs the same configs through another runtime, for
 * comparison (its verdicts will differ), and HOSTILE_REPORT=FILE writes every result.
 */
const foreign = process.env.HOSTILE_RUNTIME;
const runtimeCommand = (args: string[]): [string, string[]] => (foreign ? [foreign, args] : [process.execPath, [reference, ...args]]);
const canRun = cannotRunContainers() === undefined;

/** A create that takes longer than this is a hang (the machine may be loaded: generous). */
const DEADLINE_MS = 120_000;
/** Cases at once: the machine has few cores, and most cases are a Node boot or two. */
const CONCURRENCY = 2;

/**
 * Refusals that are this runtime's own choice where the spec has no rule a validator
 * could apply, with what runc 1.1.5 does with the same config.
 */
const RUNTIME_SPECIFIC: Record<string, string> = {
  'host: hostname without a uts namespace':
    "config.md allows the runtime's UTS namespace; changing the host is refused (runc refuses too; validate warns: hostname.uts)",
  'host: domainname without a uts namespace': 'as hostname (validate warns); runc 1.1.5 accepts it and sets no domain name',
  "host: hostname in the runtime's own uts namespace (by path)": 'as hostname; runc accepts a joined uts namespace without comparing it with its own',
  'host: sysctl kernel.printk_ratelimit_burst (no namespace has it)': 'the spec sets no limit on sysctl keys; a host-wide sysctl is refused (runc refuses too)',
  'host: sysctl vm.swappiness': 'host-wide sysctl (runc refuses too)',
  'host: sysctl kernel.pid_max': 'host-wide sysctl (runc refuses too)',
  'host: sysctl net.core.somaxconn without a network namespace':
    "would change the host's network namespace (runc refuses too; validate warns: sysctl.namespace)",
  'host: sysctl net/core/somaxconn (slashes) without a network namespace': "as above, sysctl(8)'s slash form (runc refuses too)",
  "host: sysctl net.ipv4.ip_forward in the runtime's own network namespace (by path)":
    "the joined namespace is the host's (runc refuses too: it compares the path with its own)",
  'host: sysctl kernel.shmmax without an ipc namespace': "would change the host's ipc namespace (runc refuses too; validate warns)",
  'host: sysctl fs.mqueue.msg_max without an ipc namespace': 'as above (runc refuses too)',
  'host: sysctl kernel.domainname without a uts namespace': "would change the host's domain name (runc refuses too)",
  'host: sysctl kernel.hostname (use hostname)': 'conflicts with the hostname field (runc refuses too)',
  "host: mount namespace: the runtime's own (by path)": 'pivot_root there would re-root the host; runc was not tried with it',
  'range: uid not mapped in the new user namespace': 'setresuid cannot switch to an unmapped id (runc refuses too)',
  'range: uidMappings overlapping': 'the kernel refuses the uid_map (runc fails too)',
  'range: hostname of 65 bytes': 'sethostname(2) refuses more than HOST_NAME_MAX (runc fails too)',
  'range: domainname of 65 bytes': 'setdomainname(2) refuses more than HOST_NAME_MAX (runc 1.1.5 accepts it: it sets no domain name)',
  'range: cgroupsPath the root': 'a container cannot own the root cgroup (runc fails too)',
  'misc: env entry without =': 'config.md gives environ(7) semantics; validate warns (env.format); runc refuses too',
  'misc: env entry with an empty name': 'as above (runc refuses too)',
  'misc: env entry with a NUL': 'execve(2) cannot pass it (runc refuses too)',
  'misc: hook env entry without =': 'as process.env (runc accepts it for hooks)',
  'misc: args[0] missing in the rootfs': 'create resolves the program the way execvp would, to fail early (runc fails at create too)',
  'misc: apparmorProfile (not implemented)': 'runtime.md: a property the runtime cannot apply is an error',
  'misc: intelRdt (not implemented)': 'runtime.md: a property the runtime cannot apply is an error (runc accepts a closID alone)',
  'misc: terminal without a console socket': "runc's --console-socket convention (runc refuses too)",
  'misc: no mount namespace': 'this runtime needs one for pivot_root (runc refuses too: masked paths need one)',
  'misc: a new user namespace without mappings': 'validate warns (idmappings.missing); this runtime needs mappings to write',
  'missing: linux.uidMappings': 'validate warns (idmappings.missing): a new user namespace without mappings; this runtime needs mappings to write',
  'missing: mounts[0].type': 'type is OPTIONAL; a mount that is not a bind needs a filesystem type for mount(2) (runc fails too)',
  'range: memory limit -5': 'the kernel takes -1 (no limit) or a size (runc fails too)',
  'range: cpu shares 2^40': 'the kernel clamps cpu.shares to 262144; a value that does not hold is an error (runc refuses too)',
  'range: blkio weight 0': "below the kernel's range, 1 (BFQ) or 10 (CFQ) to 1000 (runc 1.1.5 takes 0 as unset)",
  'range: blkio weight 1001': "the kernel's range is 10 to 1000 (runc fails too)",
  'range: timeOffsets without a time namespace':
    'validate warns (timeOffsets.timens); offsets are written for a new time namespace only (runc 1.1.5 accepts and ignores them)',
  'range: cgroupsPath with ..': 'config-linux.md lets a runtime call cgroupsPath values invalid (runc resolves "..")',
  'host: sysctl name climbing out of /proc/sys': 'not a sysctl name (runc fails too: it reads it as net/etc/passwd)',
  'misc: args[0] empty': 'an empty file name cannot be executed (runc fails too)',
  'misc: ociVersion 2.0.0': 'validate warns (ociVersion.major); this runtime implements 1.x only (runc accepts any version)',
  'misc: memory limit too low for the init': 'the init is killed for lack of memory while it sets up (runc fails too)',
  'path: cwd /proc/self/fd/30 (hung create)': 'the cwd cannot be made in procfs (runc fails too)',
  'path: cwd /proc/self/cwd (a magic link)': 'a magic link could lead out of the container (runc 1.1.12+ refuses too)',
  'path: cwd /proc/1/root/etc (a magic link)': 'as above',
  'path: cwd a file': 'the cwd must be a directory (runc fails too)',
  'path: cwd below a file': 'as above',
  'path: mount destination below a file': 'a mount point cannot be made below a file (runc fails too)',
  'path: mount destination through a magic link': 'a magic link could lead out of the rootfs (runc refuses too)',
  'path: mount destination through /proc/self/root': 'as above (runc 1.1.5 accepts it)',
  'path: mount destination through a symlink loop': 'ELOOP (runc fails too)',
  'path: bind source missing': 'a missing source cannot be mounted (runc fails too)',
  'path: hook path missing': 'runtime.md: a failing createRuntime hook is an error (runc fails too)',
  'path: maskedPaths through a magic link': 'as mount destinations (runc 1.1.5 accepts it)',
  'path: namespace path missing': 'a namespace that does not exist cannot be joined (runc fails too)',
  'file: rootfs a symlink': 'a symlink could be swapped between checks (runc refuses too)',
  'file: rootfs below a symlinked directory': 'as above (runc refuses too)',
};

interface Outcome {
  code: number | null;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

let dir: string;
let root: string;
let rootfs: string;
let hostDir: string;
let n = 0;

function runtime(args: string[], stderrFile: string): Promise<Outcome> {
  const start = Date.now();
  // create hands its stdio to the container: files, never pipes the container keeps open.
  const out = openSync('/dev/null', 'w');
  const err = openSync(stderrFile, 'w+');
  const [cmd, argv] = runtimeCommand(['--root', root, ...args]);
  const child = spawn(cmd, argv, { stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, DEADLINE_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: readFileSync(stderrFile, 'utf8'), ms: Date.now() - start, timedOut });
    });
  });
}

/** What must not change on the host: names and a set of sysctls of every kind. */
const WATCHED = [
  'kernel/hostname',
  'kernel/domainname',
  'kernel/printk_ratelimit_burst',
  'vm/swappiness',
  'kernel/pid_max',
  'net/core/somaxconn',
  'net/ipv4/ip_forward',
  'kernel/shmmax',
  'fs/mqueue/msg_max',
];
const readHost = (): Record<string, string> => Object.fromEntries(WATCHED.map((k) => [k, readFileSync(`/proc/sys/${k}`, 'utf8')]));

/** cgroup directories named like this test's containers, in every hierarchy. */
/**
 * The ids of this run's containers: the runtime puts a container without cgroupsPath in
 * /conform/<id> whatever its --root, so another run of this file (another checkout) must
 * not share them.
 */
const ID_PREFIX = `hostile-${process.pid}-`;

function hostileCgroups(): string[] {
  const found: string[] = [];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    for (const parent of [join('/sys/fs/cgroup', h), join('/sys/fs/cgroup', h, 'conform')]) {
      try {
        for (const e of readdirSync(parent)) if (e.startsWith(ID_PREFIX)) found.push(join(parent, e));
      } catch {
        /* no such parent */
      }
    }
  }
  return found;
}

/** Processes that hold our directory in their mounts: a leaked container. */
const leftProcesses = (): string[] => processesMounting(dir);

interface Result {
  c: HostileCase;
  id: string;
  create: Outcome;
  validErrors: string[];
  validateSkipped: boolean;
  leftovers: string[];
}

async function runCase(c: HostileCase): Promise<Result> {
  try {
    return await tryCase(c);
  } catch (err) {
    // A case that cannot even be set up is this test's bug: reported as such, the others go on.
    return {
      c,
      id: '',
      create: { code: null, stderr: `setting the case up failed: ${String(err)}`, ms: 0, timedOut: false },
      validErrors: [],
      validateSkipped: true,
      leftovers: [],
    };
  }
}

async function tryCase(c: HostileCase): Promise<Result> {
  const i = ++n;
  const bundle = join(dir, `b${i}`);
  mkdirSync(bundle);
  const config: Json = structuredClone(defaultConfig());
  config.root = { path: rootfs, readonly: true };
  config.process.args = ['true'];
  let own = false;
  const ctx: BundleContext = {
    bundle,
    hostDir,
    pid: process.pid,
    ownRootfs: () => {
      if (!own) cpSync(rootfs, join(bundle, 'rootfs'), { recursive: true, verbatimSymlinks: true });
      own = true;
      return join(bundle, 'rootfs');
    },
  };
  c.prepare?.(ctx);
  if (own) config.root.path = 'rootfs';
  const edited = c.edit?.(config, ctx);
  const final = edited === undefined ? config : edited;
  const file = join(bundle, 'config.json');
  if (c.write) c.write(file, final, ctx);
  else writeFileSync(file, JSON.stringify(final));
  const id = c.id ?? `${ID_PREFIX}${i}`;

  const validateSkipped = c.id !== undefined;
  const validErrors = validateSkipped ? [] : (await validateBundle(bundle)).problems.filter((p) => p.level === 'error').map((p) => `${p.path} ${p.message}`);

  const create = await runtime(['create', '--bundle', bundle, id], join(dir, `b${i}.err`));
  const leftovers: string[] = [];
  if (create.code === 0) {
    const del = await runtime(['delete', '--force', id], join(dir, `b${i}.del`));
    if (del.code !== 0) leftovers.push(`delete --force failed: ${del.stderr.trim()}`);
  }
  if (!c.id && existsSync(join(root, id))) leftovers.push(`state ${join(root, id)}`);
  leftovers.push(...hostileCgroups().filter((p) => p.endsWith(`/${id}`)));
  return { c, id, create, validErrors, validateSkipped, leftovers };
}

describe.skipIf(!canRun)('hostile configs: create refuses in one line naming the field, or runs; nothing left, the host unchanged (root)', () => {
  const cases = hostileCases().filter((c) => !(foreign && c.referenceOnly));
  const results: Result[] = [];
  let hostBefore: Record<string, string>;
  const hostChanges: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hostile-'));
    chmodSync(dir, 0o755);
    root = join(dir, 'state');
    rootfs = join(dir, 'rootfs');
    hostDir = join(dir, 'host');
    mkdirSync(hostDir);
    makeBusyboxRootfs(rootfs);
    hostBefore = readHost();
    const queue = [...cases];
    const worker = async (): Promise<void> => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        results.push(await runCase(c));
        const now = readHost();
        for (const [k, v] of Object.entries(now)) {
          if (v === hostBefore[k]) continue;
          hostChanges.push(`${k}: ${hostBefore[k]!.trim()} → ${v.trim()} (around ${c.name})`);
          writeFileSync(`/proc/sys/${k}`, hostBefore[k]!); // put it back at once: this host is shared
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  }, cases.length * DEADLINE_MS);

  afterAll(() => {
    if (!dir) return;
    for (const id of existsSync(root) ? readdirSync(root) : []) spawnSync(...runtimeCommand(['--root', root, 'delete', '--force', id]));
    if (process.env.HOSTILE_REPORT) {
      const rows = results.map((r) => ({
        name: r.c.name,
        expect: String(r.c.expect),
        code: r.create.code,
        ms: r.create.ms,
        stderr: r.create.stderr.trim(),
        validate: r.validErrors,
        leftovers: r.leftovers,
      }));
      writeFileSync(process.env.HOSTILE_REPORT, JSON.stringify({ runtime: foreign ?? 'conform-runtime', hostChanges, rows }, null, 1));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(`has at least 200 configs of every family (${hostileCases().length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const family of ['wrong type', 'missing', 'range', 'path', 'file', 'id', 'host', 'misc']) {
      expect(
        cases.some((c) => c.name.startsWith(`${family}:`)),
        family,
      ).toBe(true);
    }
  });

  it('each create ends by itself, in time', () => {
    expect(results.filter((r) => r.create.timedOut).map((r) => r.c.name)).toEqual([]);
  });

  it('each refusal is one line naming the field; each valid config runs', () => {
    const wrong: string[] = [];
    for (const r of results) {
      const err = r.create.stderr.trim();
      if (r.c.expect === 'accept') {
        if (r.create.code !== 0) wrong.push(`${r.c.name}: refused a valid config: ${err}`);
        continue;
      }
      if (r.create.code !== 1) wrong.push(`${r.c.name}: exit ${r.create.code}, not 1: ${err}`);
      else if (err.split('\n').length !== 1) wrong.push(`${r.c.name}: ${err.split('\n').length} lines: ${err.slice(0, 300)}`);
      else if (!r.c.expect.test(err)) wrong.push(`${r.c.name}: does not name ${r.c.expect}: ${err}`);
    }
    expect(wrong).toEqual([]);
  });

  it('leaves nothing behind: state, cgroups, mounts, processes', () => {
    expect(results.flatMap((r) => r.leftovers.map((l) => `${r.c.name}: ${l}`))).toEqual([]);
    expect(existsSync(root) ? readdirSync(root) : []).toEqual([]);
    expect(hostileCgroups()).toEqual([]);
    expect(
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((l) => l.includes(dir)),
    ).toEqual([]);
    expect(leftProcesses()).toEqual([]);
    // Symlinks out of the rootfs must not have led anything onto the host.
    expect(readdirSync(hostDir).filter((e) => !e.endsWith('.json'))).toEqual([]);
  });

  it("never changes the host's hostname, domain name or sysctls", () => {
    expect(hostChanges).toEqual([]);
    expect(readHost()).toEqual(hostBefore);
  });

  it("conform validate agrees, or the refusal is the runtime's own (listed, with why)", () => {
    const disagreements: string[] = [];
    for (const r of results) {
      if (r.validateSkipped) continue;
      const refused = r.create.code !== 0;
      const valid = r.validErrors.length === 0;
      const listed = RUNTIME_SPECIFIC[r.c.name] !== undefined;
      if (refused && valid && !listed) disagreements.push(`${r.c.name}: the runtime refuses (${r.create.stderr.trim()}), validate finds it valid`);
      if (listed && !(refused && valid))
        disagreements.push(
          `${r.c.name}: listed as runtime-specific, but validate ${valid ? 'agrees it is valid' : 'refuses it'} and the runtime ${refused ? 'refuses' : 'accepts'} it`,
        );
      if (!refused && !valid) disagreements.push(`${r.c.name}: the runtime accepts what validate refuses: ${r.validErrors.join('; ')}`);
    }
    expect(disagreements).toEqual([]);
    expect(Object.keys(RUNTIME_SPECIFIC).filter((name) => !results.some((r) => r.c.name === name))).toEqual([]);
  });
});

describe.skipIf(!canRun)('conform validate on hostile config.json files: bounded, one line, no stack trace', () => {
  it('FIFO, /dev/zero, null, 100,000 nested arrays, huge', () => {
    const d = mkdtempSync(join(tmpdir(), 'hostile-validate-'));
    try {
      const make: Array<[string, (f: string) => void]> = [
        ['fifo', (f) => spawnSync('mkfifo', [f])],
        ['zero', (f) => spawnSync('mknod', [f, 'c', '1', '5'])],
        ['null', (f) => writeFileSync(f, 'null')],
        ['deep', (f) => writeFileSync(f, `${'['.repeat(100_000)}${']'.repeat(100_000)}`)],
        ['huge', (f) => writeFileSync(f, ' '.repeat(17 * 1024 * 1024))],
      ];
      for (const [name, f] of make) {
        mkdirSync(join(d, name));
        f(join(d, name, 'config.json'));
        const r = spawnSync(process.execPath, [join(repo, 'bin/conform.js'), 'validate', join(d, name)], { encoding: 'utf8', timeout: 60_000 });
        expect(r.error, name).toBeUndefined(); // no timeout
        expect(r.status, name).toBe(1);
        expect(`${r.stdout}${r.stderr}`, name).not.toMatch(/\n\s+at /);
        expect(r.stdout.trim().split('\n'), name).toHaveLength(2); // the problem, then the summary
      }
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
