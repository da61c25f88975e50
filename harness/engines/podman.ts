// podman driving the runtime under test. One image store per run, in the run directory
// (never the machine's default storage), with the run's image pulled into it once; each
// case gets its own runtime wrapper, its containers, and removes them.
//
// What conform sets beyond podman's defaults, and why:
// - its own --root/--runroot/--tmpdir/--network-config-dir/--volumepath, an empty
//   --hooks-dir, file locks and conmon's TMPDIR (CONTAINERS_CONF): nothing of the
//   machine's podman is used or changed, and nothing is left in /tmp;
// - --cgroup-manager cgroupfs (no systemd here) and a cgroup parent named after the run,
//   so a sweep can find what a killed run left;
// - --network none: podman's default bridge network changes the host (a bridge,
//   firewall rules, /run/netns), which a conformance run must not do;
// - RLIMIT_NOFILE and RLIMIT_NPROC of 1024 when conform lacks CAP_SYS_RESOURCE: podman's
//   defaults (1048576) cannot be set then, by any runtime.
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SetupError } from '../errors.js';
import { cgroupsMatching, cleanupCgroups, unmountUnder, withDescendants } from '../host/cleanup.js';
import type { CaseContext } from '../case/context.js';
import { runImage, type OciImage } from '../host/image.js';
import type { Service, ServiceSite } from '../host/services.js';
import { run } from '../process/spawn.js';
import { processesUsing, runLink } from '../host/stale.js';
import { EngineSession, writeRuntimeWrapper } from './engine.js';

export const PODMAN_IMAGE = 'localhost/conform/busybox:base';

/**
 * podman refuses a --runroot longer than 50 characters (sockets live there, and a socket
 * path is short); a run directory can be deeper than that. Then the runroot is reached
 * through this symbolic link, removed when the store stops (or by the sweep of a killed run).
 */
const MAX_RUNROOT = 50;

/** A unix socket's path, at most (sun_path, 108 bytes with its NUL). */
const MAX_SOCKET_PATH = 107;

/** containers.conf's default for conmon's PATH (conmon_env_vars replaces the whole list). */
const CONMON_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class PodmanStore implements Service {
  constructor(
    readonly dir: string,
    readonly tag: string,
  ) {}

  get runroot(): string {
    const real = join(this.dir, 'runroot');
    return real.length > MAX_RUNROOT ? runLink('podman', this.tag) : real;
  }

  /**
   * conmon's TMPDIR, where it makes a terminal container's console socket
   * (`conmon-term.XXXXXX`), and which the runtime inherits: the real directory whenever
   * that socket's path fits, since a runtime may refuse a path through a symbolic link
   * (gVisor makes its sandbox's chroot in TMPDIR and refuses one that resolves elsewhere:
   * runsc failed every podman case run from a deep --workdir, "failed to safely mount:
   * expected to open /run/conform-podman-…/conmon, but found …"). Through the runroot's
   * link only for a run directory deeper still.
   */
  get conmonTmp(): string {
    const real = join(this.dir, 'runroot', 'conmon');
    return real.length + '/conmon-term.XXXXXX'.length <= MAX_SOCKET_PATH ? real : join(this.runroot, 'conmon');
  }

  /** podman's cgroup parent for the run's containers (and its conmons, in `<parent>/conmon`). */
  get cgroupParent(): string {
    return `/conform-podman-${this.tag}`;
  }

  get env(): Record<string, string> {
    return { CONTAINERS_CONF: join(this.dir, 'containers.conf') };
  }

  /** `podman` and the global arguments that keep it in this store. */
  get base(): string[] {
    const d = (n: string) => join(this.dir, n);
    return [
      'podman',
      '--root',
      d('root'),
      '--runroot',
      this.runroot,
      '--tmpdir',
      d('tmp'),
      '--network-config-dir',
      d('net'),
      '--volumepath',
      d('volumes'),
      '--hooks-dir',
      d('hooks'),
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'none',
    ];
  }

  async stop(): Promise<string[]> {
    const notes: string[] = [];
    const rm = await run([...this.base, 'rm', '--all', '--force', '--time', '0'], { timeoutMs: 120_000, env: { ...process.env, ...this.env } });
    if (rm.stdout.trim()) notes.push(`podman: removed containers the cases left: ${rm.stdout.trim().split('\n').length}`);
    for (const pid of processesUsing(this.dir)) {
      try {
        process.kill(pid, 'SIGKILL');
        notes.push(`podman: killed process ${pid}, left running in its store`);
      } catch {
        /* gone */
      }
    }
    const name = this.cgroupParent.slice(1);
    await cleanupCgroups(new Set(withDescendants(cgroupsMatching((n) => n === name))));
    // containers/storage keeps its overlay directory mounted (private) while it lives.
    unmountUnder(this.dir);
    if (this.runroot !== join(this.dir, 'runroot')) rmSync(this.runroot, { force: true });
    return notes;
  }
}

async function startStore(site: ServiceSite, image: OciImage): Promise<PodmanStore> {
  const store = new PodmanStore(site.dir, site.tag);
  mkdirSync(join(site.dir, 'hooks'), { recursive: true });
  mkdirSync(join(site.dir, 'runroot'), { recursive: true });
  if (store.runroot !== join(site.dir, 'runroot')) symlinkSync(join(site.dir, 'runroot'), store.runroot);
  // conmon makes a terminal container's console socket in its TMPDIR (podman's default
  // environment for it has none: /tmp), and leaves it there when the runtime's create
  // fails; in the runroot it goes with the store (store.conmonTmp: the path that fits a
  // unix socket's 107 bytes, the real one if it does).
  mkdirSync(join(site.dir, 'runroot', 'conmon'));
  const conmonEnv = [`PATH=${CONMON_PATH}`, `TMPDIR=${store.conmonTmp}`];
  // File locks in --tmpdir, instead of the machine-wide /dev/shm/libpod_lock.
  writeFileSync(store.env.CONTAINERS_CONF!, `[engine]\nlock_type = "file"\nconmon_env_vars = ${JSON.stringify(conmonEnv)}\n`);
  const env = { ...process.env, ...store.env };
  try {
    // From the archive: podman names an image pulled from a layout directory after its path, which a `.cache` makes invalid.
    const pull = await run([...store.base, 'pull', '--quiet', `oci-archive:${image.archive}:base`], { timeoutMs: 120_000, env });
    if (pull.code !== 0) throw new SetupError(`podman pull oci-archive:${image.archive}:base: ${pull.stderr.trim() || `exit ${pull.code}`}`);
    const tagged = await run([...store.base, 'tag', pull.stdout.trim(), PODMAN_IMAGE], { timeoutMs: 60_000, env });
    if (tagged.code !== 0) throw new SetupError(`podman tag: ${tagged.stderr.trim()}`);
  } catch (e) {
    await store.stop();
    throw e;
  }
  return store;
}

export class PodmanSession extends EngineSession {
  /** Container names this case made → their full ids, once known. */
  private readonly containers = new Map<string, string | undefined>();
  private limitsNoted = false;

  constructor(
    t: CaseContext,
    readonly store: PodmanStore,
    readonly runtime: string,
  ) {
    super(t, 'podman', [...store.base, '--runtime', runtime], store.env);
    t.onCleanup(() => this.removeAll());
  }

  /** Options for a container of this case: its name and what the module comment explains. */
  containerArgs(name: string): string[] {
    this.containers.set(name, undefined);
    const args = ['--name', name, '--network', 'none', '--cgroup-parent', this.store.cgroupParent];
    const canRaise = (this.t.env.host.capEff >> 24n) & 1n; // CAP_SYS_RESOURCE
    if (!canRaise) {
      // podman's defaults (1048576 for both) are above the hard limits podman and conmon run
      // with here, and only CAP_SYS_RESOURCE could raise those: no runtime could set them.
      args.push('--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024');
      if (!this.limitsNoted)
        this.t.note(
          "podman: --ulimit nofile=1024:1024 --ulimit nproc=1024:1024, as conform lacks CAP_SYS_RESOURCE (podman's defaults are above the hard limits here, which no runtime can raise without it)",
        );
      this.limitsNoted = true;
    }
    return args;
  }

  async inspect(name: string, format: string): Promise<string> {
    return (await this.must(['inspect', '--format', format, name])).stdout.trim();
  }

  /** The container's init pid as podman reports it, remembered for cleanup. */
  async pid(name: string): Promise<number> {
    const pid = Number(await this.inspect(name, '{{.State.Pid}}'));
    if (pid > 0) this.t.track(pid);
    return pid;
  }

  async status(name: string): Promise<string> {
    return this.inspect(name, '{{.State.Status}}');
  }

  /** Records a container's full id, so that cleanup can also ask the runtime itself to delete it. */
  adopt(name: string, id: string): void {
    this.containers.set(name, id);
    this.t.rt.created.add(id);
  }

  private async removeAll(): Promise<string[]> {
    const notes: string[] = [];
    for (const [name, id] of this.containers) {
      if (!id) {
        const found = await this.call(['container', 'inspect', '--format', '{{.Id}}', name]);
        if (found.ok) this.adopt(name, found.stdout.trim());
        else continue; // never made, or --rm removed it
      }
      const r = await this.call(['rm', '--force', '--time', '0', name]);
      if (!r.ok && !/no such container/i.test(r.stderr)) notes.push(`cleanup: podman rm ${name}: ${r.summary}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
    }
    return notes;
  }
}

/** podman with the runtime under test, for this case; the run's store is made on first use. */
export async function podman(t: CaseContext): Promise<PodmanSession> {
  const image = await runImage(t.services);
  const store = await t.services.get('podman', (site) => startStore(site, image));
  const runtime = writeRuntimeWrapper(join(t.dir, 'engine-runtime'), t.rt.rt, t.rt.root, join(t.dir, 'calls.log'));
  if (!existsSync(runtime)) throw new SetupError(`could not write the runtime wrapper ${runtime}`);
  return new PodmanSession(t, store, runtime);
}
