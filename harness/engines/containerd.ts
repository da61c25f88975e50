// containerd driving the runtime under test through its runc shim. conform starts one
// containerd per run, with its own root, state, sockets, config and temp dir in the run
// directory, imports the run's image into it once, and stops it at the end of the run.
// Each case runs its containers in the run's namespace with `ctr run --runc-binary`
// (the runtime wrapper) and `--runc-root` in its own directory, and removes them.
//
// containerd 1.6 puts its shims' sockets in /run/containerd/s whatever its state
// directory is (a constant in its code); conform removes that directory at the end only
// if it was made during the run and is empty (so does the sweep of a killed run: which
// ones it made is written in its directory); one that another run's shims still use is
// claimed in /run for the next run's stop (settleShimDirs). A shim removes its socket
// when it exits, but not one conform had to kill (its container could not be deleted: a runtime that ignores what it is
// told): conform removes those sockets, which are named for its containerd's address,
// namespace and container (shimSockets).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../errors.js';
import { cgroupsMatching, cleanupCgroups, cleanupContainers, removeIfEmpty, unmountUnder, withDescendants } from '../host/cleanup.js';
import type { CaseContext } from '../case/context.js';
import { Driver } from '../process/driver.js';
import { pidsGone } from '../host/hostfacts.js';
import { runImage, type OciImage } from '../host/image.js';
import type { Service, ServiceSite } from '../host/services.js';
import { killGroup, run } from '../process/spawn.js';
import { processesUsing, runLink } from '../host/stale.js';
import { poll } from '../process/wait.js';
import { EngineSession, writeRuntimeWrapper } from './engine.js';

export const CONTAINERD_IMAGE = 'conform/busybox:base';
const SHIM_DIRS = ['/run/containerd/s', '/run/containerd/fifo', '/run/containerd'];
/**
 * containerd refuses a socket path longer than 104 characters (its ttrpc socket is the
 * grpc one's path and `.ttrpc`), and its shim binds the pty socket of a `-t` container
 * in its TMPDIR (`<tmp>/pty<10 digits>/pty.sock`, within the kernel's 108); a run
 * directory can be deeper than that. Then the sockets and the temp dir are reached
 * through a symbolic link named after the run, removed when it stops (or by the sweep of
 * a killed run).
 */
const MAX_DIR = 60;
const SOCKET = 'containerd.sock';
/** In its directory: which of SHIM_DIRS the run's containerd made (JSON). */
const MADE_DIRS = 'made-dirs.json';
/** In /run: which of SHIM_DIRS a stopped run made and could not remove (JSON), for a later run's stop. */
const claimName = (tag: string) => `conform-containerd-dirs-${tag}`;
const CLAIM = /^conform-containerd-dirs-[0-9a-f]{6}$/;

/** A directory's device and inode, or undefined when it is not there: the same path made again is another directory. */
function identity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * At a run's stop: removes, when empty, the shim directories made during the run (`mine`:
 * by its containerd, or by another run's beside it) and those earlier runs claimed; claims
 * what stays (another run's shims still in it) in `claims` for a later run's stop. Runs that
 * overlap thus leave nothing, whichever stops last. Nothing at all while the top directory
 * holds a containerd socket: a containerd of the host's lives there (a run's has its
 * sockets in its own directory). A shim makes /run/containerd/s again when it needs it, so
 * removing an empty one under another run's live containerd is harmless. Returns what it
 * removed.
 */
export function settleShimDirs(tag: string, mine: readonly string[], o: { dirs?: readonly string[]; claims?: string } = {}): string[] {
  const dirs = o.dirs ?? SHIM_DIRS;
  const claimsDir = o.claims ?? '/run';
  let names: string[] = [];
  try {
    names = readdirSync(claimsDir).filter((n) => CLAIM.test(n));
  } catch {
    /* no such directory: no claims */
  }
  const claimed = names.flatMap((n) => {
    try {
      const v: unknown = JSON.parse(readFileSync(join(claimsDir, n), 'utf8'));
      return Array.isArray(v) ? v : [];
    } catch {
      return [];
    }
  });
  // Only ever SHIM_DIRS, whatever a claim says.
  const candidates = dirs.filter((p) => mine.includes(p) || claimed.includes(p));
  const top = [...dirs].sort((a, b) => a.length - b.length)[0]!;
  const hosts = existsSync(join(top, SOCKET));
  const removed = hosts ? [] : removeIfEmpty(candidates);
  const left = hosts ? [] : candidates.filter((p) => existsSync(p));
  for (const n of names) rmSync(join(claimsDir, n), { force: true });
  if (left.length) writeFileSync(join(claimsDir, claimName(tag)), `${JSON.stringify(left)}\n`);
  return removed;
}

/** The containerd namespace of the run tagged `tag`; containerd names its containers' cgroups `/<namespace>/<id>`. */
const namespaceOf = (tag: string) => `conform-containerd-${tag}`;

/** The socket of the shim of container `id`: containerd 1.6's shim.SocketAddress, /run/containerd/s/<sha256 of address/namespace/id>. */
export function shimSocket(address: string, namespace: string, id: string): string {
  const hash = createHash('sha256')
    .update(join(address, namespace, id))
    .digest('hex');
  return join(SHIM_DIRS[0]!, hash);
}

export class Containerd implements Service {
  private daemon?: ChildProcess;
  /** Each of SHIM_DIRS before this containerd started (identity; undefined: not there): what differs at stop was made during the run. */
  private before?: Map<string, string | undefined>;

  constructor(
    readonly dir: string,
    readonly tag: string,
  ) {}

  /** The run's containerd namespace (namespaceOf). */
  get namespace(): string {
    return namespaceOf(this.tag);
  }

  /** The symbolic link to the run's directory that the sockets and temp dir go through, if they need one. */
  private get link(): string | undefined {
    return this.dir.length > MAX_DIR ? runLink('containerd', this.tag) : undefined;
  }

  /** This directory, as containerd and its shims are told it: through the link when it is long. */
  private get short(): string {
    return this.link ?? this.dir;
  }

  get socket(): string {
    return join(this.short, SOCKET);
  }

  /** `ctr` and the global arguments that reach this containerd in the run's namespace. */
  get ctr(): string[] {
    return ['ctr', '--address', this.socket, '--namespace', this.namespace];
  }

  async start(image: OciImage): Promise<void> {
    const d = (n: string) => join(this.dir, n);
    for (const n of ['root', 'state', 'opt', 'tmp']) mkdirSync(d(n), { recursive: true });
    const before = new Map(SHIM_DIRS.map((p) => [p, identity(p)]));
    this.before = before;
    writeFileSync(d(MADE_DIRS), `${JSON.stringify(SHIM_DIRS.filter((p) => before.get(p) === undefined))}\n`);
    if (this.link) symlinkSync(this.dir, this.link);
    const toml = (s: string) => JSON.stringify(s);
    writeFileSync(
      d('config.toml'),
      [
        'version = 2',
        `root = ${toml(d('root'))}`,
        `state = ${toml(d('state'))}`,
        // The CRI plugin would set up CNI networking and more; snapshotters that cannot work here only add noise.
        'disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]',
        '[grpc]',
        `  address = ${toml(this.socket)}`,
        '[ttrpc]',
        `  address = ${toml(`${this.socket}.ttrpc`)}`,
        '[debug]',
        '  address = ""',
        '[metrics]',
        '  address = ""',
        '[plugins."io.containerd.internal.v1.opt"]',
        `  path = ${toml(d('opt'))}`,
        '',
      ].join('\n'),
    );
    const log = openSync(d('containerd.log'), 'a');
    try {
      // Its own process group: a Ctrl-C at the terminal reaches conform, which stops it in order.
      // TMPDIR: where the shim writes the process specs it hands to `runc exec --process`.
      this.daemon = spawn('containerd', ['--config', d('config.toml')], {
        stdio: ['ignore', log, log],
        detached: true,
        env: { ...process.env, TMPDIR: join(this.short, 'tmp') },
      });
    } finally {
      closeSync(log);
    }
    this.daemon.on('error', () => {}); // seen below as a daemon that never answers
    const daemon = this.daemon;
    let answer = '';
    // Its own last words when it exited (a refused config or socket), ctr's when it did not answer.
    const lastLogLine = () => readFileSync(d('containerd.log'), 'utf8').trim().split('\n').pop() ?? '';
    const notStarted = () => new SetupError(`containerd did not start (see ${d('containerd.log')}): ${daemon.exitCode !== null ? lastLogLine() : answer}`);
    const up = await poll(
      async () => {
        const r = await run([...this.ctr, 'version'], { timeoutMs: 10_000 });
        if (r.code === 0) return true;
        answer = r.stderr.trim().split('\n').pop() ?? '';
        if (daemon.exitCode !== null) throw notStarted();
        return undefined;
      },
      { timeoutMs: 60_000, pauseMs: 50, maxPauseMs: 50 },
    );
    if (!up) throw notStarted();
    // The archive's index names the tags: conform/busybox:base and :probe.
    const imp = await run([...this.ctr, 'image', 'import', '--base-name', 'conform/busybox', image.archive], { timeoutMs: 120_000 });
    if (imp.code !== 0) throw new SetupError(`ctr image import: ${imp.stderr.trim()}`);
  }

  async stop(): Promise<string[]> {
    const notes: string[] = [];
    if (this.daemon?.pid && this.daemon.exitCode === null) {
      const left = await run([...this.ctr, 'containers', 'list', '--quiet'], { timeoutMs: 30_000 });
      for (const id of left.stdout.split('\n').filter(Boolean)) {
        await run([...this.ctr, 'task', 'kill', '--signal', 'SIGKILL', id], { timeoutMs: 30_000 });
        await run([...this.ctr, 'task', 'delete', '--force', id], { timeoutMs: 30_000 });
        await run([...this.ctr, 'containers', 'delete', id], { timeoutMs: 30_000 });
        notes.push(`containerd: removed container ${id}, which a case left`);
      }
      killGroup(this.daemon.pid, 'SIGTERM');
      if (!(await pidsGone([this.daemon.pid], 15_000))) {
        killGroup(this.daemon.pid, 'SIGKILL');
        notes.push('containerd: did not stop on SIGTERM within 15s; killed');
      }
    }
    // Shims outlive containerd by design; theirs name this directory.
    for (const pid of processesUsing(this.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
        notes.push(`containerd: killed process ${pid}, left running in its directory`);
      } catch {
        /* gone */
      }
    }
    // What the shims killed above could not remove themselves (shimSockets).
    for (const socket of shimSockets(this.dir, this.tag).filter((f) => existsSync(f))) {
      rmSync(socket, { force: true });
      notes.push(`containerd: removed ${socket}, the socket of a shim that was killed`);
    }
    await cleanupCgroups(new Set(withDescendants(cgroupsMatching((n) => n === this.namespace))));
    unmountUnder(this.dir);
    if (this.link) rmSync(this.link, { force: true });
    const before = this.before;
    const madeDuringRun = (p: string) => {
      const now = identity(p);
      return now !== undefined && now !== before?.get(p);
    };
    // Without a start, nothing was made during the run.
    settleShimDirs(this.tag, before ? SHIM_DIRS.filter(madeDuringRun) : []);
    return notes;
  }
}

/**
 * The sockets of the shims of the containers a run's containerd (in `dir`) still has,
 * which its state directory names, under either address it may have had: a container it
 * could not delete (the runtime left it running) keeps its task directory, and its shim,
 * killed at the end, leaves its socket. Their names prove them the run's: the hash of its
 * containerd's address, its namespace and the container.
 */
function shimSockets(dir: string, tag: string): string[] {
  const namespace = namespaceOf(tag);
  let ids: string[];
  try {
    ids = readdirSync(join(dir, 'state', 'io.containerd.runtime.v2.task', namespace));
  } catch {
    return [];
  }
  const addresses = [join(dir, SOCKET), join(runLink('containerd', tag), SOCKET)];
  return ids.flatMap((id) => addresses.map((address) => shimSocket(address, namespace, id)));
}

/**
 * For the sweep of a run that was killed (harness/host/stale.ts, which kills its
 * containerd and shims): its shims' sockets, and the directories of SHIM_DIRS its
 * containerd made (removed if empty).
 */
export function outsideOfRun(runDir: string, tag: string): { files: string[]; dirs: string[] } {
  const dir = join(runDir, 'services', 'containerd');
  let made: unknown;
  try {
    made = JSON.parse(readFileSync(join(dir, MADE_DIRS), 'utf8'));
  } catch {
    made = [];
  }
  // Only ever SHIM_DIRS, whatever the file says.
  const dirs = SHIM_DIRS.filter((p) => Array.isArray(made) && made.includes(p));
  return { files: shimSockets(dir, tag), dirs };
}

async function startContainerd(site: ServiceSite, image: OciImage): Promise<Containerd> {
  const c = new Containerd(site.dir, site.tag);
  try {
    await c.start(image);
  } catch (e) {
    await c.stop();
    throw e;
  }
  return c;
}

export class CtrSession extends EngineSession {
  /** The runtime's --root the shim uses for this case's containers: `--runc-root` and the namespace. */
  readonly runtimeRoot: string;
  private readonly ids = new Set<string>();

  constructor(
    t: CaseContext,
    readonly daemon: Containerd,
    readonly runtime: string,
  ) {
    super(t, 'ctr', daemon.ctr);
    this.runtimeRoot = join(t.dir, 'state', daemon.namespace);
    t.onCleanup(() => this.removeAll());
  }

  /** `ctr run` options for a container of this case: the runtime under test and the case's own runtime root and fifos. */
  runArgs(id: string): string[] {
    this.ids.add(id);
    const fifos = join(this.t.dir, 'fifo');
    mkdirSync(fifos, { recursive: true });
    return ['--runc-binary', this.runtime, '--runc-root', join(this.t.dir, 'state'), '--fifo-dir', fifos];
  }

  /** The task's pid and status from `ctr task list`, its pid remembered for cleanup. */
  async task(id: string): Promise<{ pid: number; status: string } | undefined> {
    const r = await this.must(['task', 'list']);
    const line = r.stdout.split('\n').find((l) => l.split(/\s+/)[0] === id);
    if (!line) return undefined;
    const [, pid, status] = line.trim().split(/\s+/);
    if (Number(pid) > 0) this.t.track(Number(pid));
    return { pid: Number(pid), status: status ?? '' };
  }

  private async removeAll(): Promise<string[]> {
    const notes: string[] = [];
    for (const id of this.ids) {
      const info = await this.call(['containers', 'info', id]);
      if (!info.ok) continue; // never made, or --rm removed it
      await this.call(['task', 'kill', '--signal', 'SIGKILL', id]);
      await this.call(['task', 'delete', '--force', id]);
      const r = await this.call(['containers', 'delete', id]);
      if (!r.ok) notes.push(`cleanup: ctr containers delete ${id}: ${r.summary}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    }
    // Whatever the engine could not remove, the runtime is asked to, under the root the shim used.
    const driver = new Driver(this.t.rt.rt, this.runtimeRoot, this.t.dir);
    for (const id of this.ids) driver.created.add(id);
    if (existsSync(this.runtimeRoot)) notes.push(...(await cleanupContainers(driver)));
    return notes;
  }
}

/** containerd with the runtime under test, for this case; the run's containerd starts on first use. */
export async function containerd(t: CaseContext): Promise<CtrSession> {
  const image = await runImage(t.services);
  const daemon = await t.services.get('containerd', (site) => startContainerd(site, image));
  const runtime = writeRuntimeWrapper(join(t.dir, 'engine-runtime'), t.rt.rt, t.rt.root, join(t.dir, 'calls.log'));
  return new CtrSession(t, daemon, runtime);
}
