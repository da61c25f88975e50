// `create`: checks the bundle (refusing what this runtime cannot apply), makes the
// state directory, starts nsexec → the Node init inside the new namespaces (with the
// --console-socket connection when process.terminal is true), answers the init's
// requests (id maps, cgroups, prestart/createRuntime hooks), and returns once the
// container is `created`. nsexec is started with posix_spawn (../nsexec.ts), and the
// conversation is synchronous, as on the init's side.
// Any failure undoes everything: the init is killed (its mounts live in its own
// mount namespace and go with it), cgroups and the state directory are removed.
import { chmodSync, chownSync, closeSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { applyCgroups, applyDeviceRules, checkCgroupFree, destroyCgroups, planCgroups } from '../cgroups-bridge.js';
import type { ResourceCgroups } from '../cgroups/index.js';
import { loadBundle } from '../config/load.js';
import type { Config } from '../config/validate.js';
import { refuseUnsupported } from '../config/unsupported.js';
import { ConfigError, RuntimeError, oneLine } from '../errors.js';
import { planAttributes } from '../init/attributes.js';
import { runHooks, runHooksWarning } from '../hooks.js';
import type { InitConfig, InitMessage, ParentMessage } from '../init/protocol.js';
import { isoTime, type Logger } from '../log.js';
import type { CgroupMountSource } from '../mount/apply.js';
import { parseMountinfo } from '../mount/mountinfo.js';
import { idMapText, isRuntimesNamespace, nsId, planNamespaces } from '../namespaces.js';
import { NS_PROC_FILE, ownNamespaces, refuseHostChanges, type GuardedNamespace } from '../config/host-safety.js';
import { moveNetDevices, planNetDevices, type NetDeviceMove } from '../net/devices.js';
import { idmappedTreeFor } from '../mount/mapping-userns.js';
import { planMounts, type PlannedMount } from '../mount/plan.js';
import { readStat, waitGone, isAlive } from '../proc.js';
import { checkId, FIFO_NAME, OCI_VERSION, StateStore, type OciState, type StoredState } from '../state/store.js';
import { ENTRY, NSEXEC } from '../self.js';
import { sendToAgent } from '../seccomp/agent.js';
import type { SeccompConfig } from '../seccomp/types.js';
import { socketFd } from '../fd-passing.js';
import type { Syscalls } from '../syscalls.js';
import { checkConsoleOptions, connectConsole } from './console-socket.js';
import { writePidFile } from './pid-file.js';
import { initSlots } from './preserve-fds.js';
import type { SyncChannel } from '../init/sync.js';
import { reapNsexec, spawnNsexec } from '../nsexec.js';

export interface CreateOptions {
  root: string;
  id: string;
  bundle?: string;
  pidFile?: string;
  consoleSocket?: string;
  /** --preserve-fds (already checked by parsePreserveFds). */
  preserveFds?: number;
  log: Logger;
  /** The syscall layer (runtime/syscalls-libc.ts), given by the entry. */
  sys: Syscalls;
}

/** The result, for `run`. */
export interface Created {
  pid: number;
  state: StoredState;
}

export async function create(o: CreateOptions): Promise<Created> {
  const id = checkId(o.id);
  // config.md: `process` is OPTIONAL, "REQUIRED when start is called": start refuses.
  const { bundle, config, rootfs, text } = loadBundle(o.bundle, { requireProcess: false });
  refuseUnsupported(config);
  refuseHostChanges(config, ownNamespaces(config, isRuntimesNamespace));
  // The init applies them; checked here so that a bad value fails before anything is made.
  if (config.process) planAttributes(config.process, config.linux, { exec: false });
  const terminal = config.process?.terminal === true;
  checkConsoleOptions(terminal, o.consoleSocket);
  const ns = planNamespaces(config.linux);
  const netDevices = planNetDevices(config.linux);
  // The init plans them again where it mounts; here for errors before anything is made, and the id mappings.
  const mounts = planMounts(config.mounts, bundle, { userns: ns.userns });
  const { sys } = o;
  const cgroups = planCgroups(id, config.linux, sys);
  const store = new StateStore(o.root);
  const lock = store.createDir(id, sys);
  const stateDir = store.dir(id);
  const me = readStat(process.pid);
  const stored: StoredState = {
    ociVersion: OCI_VERSION,
    id,
    bundle,
    rootfs,
    creator: { pid: process.pid, ...(me ? { startTime: me.startTime } : {}) },
    ...(config.annotations ? { annotations: config.annotations } : {}),
    hooks: { poststart: config.hooks?.poststart, poststop: config.hooks?.poststop },
    ...(config.process ? {} : { noProcess: true as const }),
  };
  // The schema check runs while the init boots (Node's boot is the longest step of
  // create), before anything of the container is visible to anyone but us.
  const run = new InitRun(
    o.log,
    sys,
    cgroups,
    async () => {
      const { checkSchema } = await import('../config/schema-check.js');
      checkSchema(text, bundle, o.log);
    },
    () => store.write(stored),
  );
  try {
    checkCgroupFree(cgroups);
    store.write(stored);
    writeFileSync(join(stateDir, 'config.json'), JSON.stringify(config));
    const fifo = join(stateDir, FIFO_NAME);
    sys.mkfifo(fifo, 0o622);
    chmodSync(fifo, 0o622);
    writeFileSync(join(stateDir, 'hook-output'), '', { mode: 0o600 });
    mkdirSync(join(stateDir, 'scratch'), { mode: 0o700 });
    const consoleSock = o.consoleSocket !== undefined ? await connectConsole(o.consoleSocket) : undefined;
    try {
      await run.start(id, config, ns, netDevices, mounts, stored, bundle, rootfs, stateDir, consoleSock, o.preserveFds ?? 0);
    } finally {
      consoleSock?.destroy();
    }
    stored.created = isoTime();
    delete stored.creator;
    store.write(stored);
    if (o.pidFile) writePidFile(o.pidFile, run.pid!);
    return { pid: run.pid!, state: stored };
  } catch (err) {
    await run.undo(stored);
    store.remove(id);
    throw err;
  } finally {
    run.close();
    lock.release();
  }
}

/** The host ids of uid/gid 0 in the namespaces of `pid` (ours without a user namespace). */
function rootOwner(pid: number): { uid: number; gid: number } {
  const host = (file: string): number => {
    for (const line of readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\n')) {
      const [inside, outside, count] = line.trim().split(/\s+/).map(Number);
      if (inside !== undefined && outside !== undefined && count !== undefined && inside === 0 && count > 0) return outside;
    }
    return 0;
  };
  return { uid: host('uid_map'), gid: host('gid_map') };
}

/** The runtime's own namespaces, which the init must not change (config/host-safety.ts). */
function ownNamespaceIds(): Partial<Record<GuardedNamespace, string>> {
  const out: Partial<Record<GuardedNamespace, string>> = {};
  for (const [ns, file] of Object.entries(NS_PROC_FILE) as [GuardedNamespace, string][]) {
    const id = nsId(`/proc/self/ns/${file}`);
    if (id !== undefined) out[ns] = id;
  }
  return out;
}

/** /proc/PID/{uid,gid}_map: the kernel's refusal (overlapping ranges…) is an error naming the field. */
function writeIdMap(pid: number, kind: 'uid' | 'gid', maps: NonNullable<Config['linux']>['uidMappings'] & object): void {
  try {
    writeFileSync(`/proc/${pid}/${kind}_map`, idMapText(maps));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? oneLine(err);
    throw new ConfigError(`linux.${kind}Mappings`, `was refused by the kernel (${code}): ranges must not overlap, and there may be at most 340 of them`);
  }
}

/** The nsexec → init child and the conversation with it. */
class InitRun {
  /** nsexec, until it exited and was reaped (right after it said the init's pid). */
  private nsexec?: number;
  private chan?: SyncChannel;
  pid?: number;
  startTime?: string;
  /** Set once the init reached the hooks: a failure then runs poststop hooks (spec step 13). */
  reachedHooks = false;
  private poststop?: Config['hooks'];

  private cgroupsTouched = false;

  constructor(
    private readonly log: Logger,
    private readonly sys: Syscalls,
    private readonly cgroups: ResourceCgroups,
    private readonly checkSchema: () => Promise<void>,
    /** Writes state.json: what is made is recorded before it is made, for a delete after a killed create. */
    private readonly record: () => void,
  ) {}

  async start(
    id: string,
    config: Config,
    ns: ReturnType<typeof planNamespaces>,
    netDevices: NetDeviceMove[],
    mounts: PlannedMount[],
    stored: StoredState,
    bundle: string,
    rootfs: string,
    stateDir: string,
    consoleSock: Socket | undefined,
    preserveFds: number,
  ): Promise<void> {
    this.poststop = config.hooks;
    const consoleFd = consoleSock ? socketFd(consoleSock) : undefined;
    // fd 3: the socket to nsexec and the init; fd 4: the console socket (init/protocol.ts).
    const args = [...ns.args, '-S', '--', process.execPath, '--no-warnings', ENTRY, 'init'];
    this.log.debug(`create ${id}: ${NSEXEC} ${args.join(' ')}`);
    const helper = spawnNsexec(this.sys, args, initSlots(consoleFd, preserveFds));
    this.nsexec = helper.pid;
    const chan = helper.chan;
    this.chan = chan;
    const send = (m: ParentMessage | string): void => chan.sendLine(typeof m === 'string' ? m : JSON.stringify(m));
    const next = (): string => {
      const line = chan.readLine();
      if (line === undefined) throw this.initExited();
      if (line.startsWith('error ')) throw new RuntimeError(nsexecError(line.slice(6)));
      return line;
    };

    // nsexec: namespaces joined, user namespace made; it waits for id maps and cgroups.
    const ready = /^ready (\d+)$/.exec(next());
    if (!ready) throw new RuntimeError('unexpected message from nsexec');
    const helperPid = Number(ready[1]);
    if (ns.newUserns) {
      const linux = config.linux!;
      writeIdMap(helperPid, 'uid', linux.uidMappings!);
      writeIdMap(helperPid, 'gid', linux.gidMappings!);
    }
    // What the init writes in the state dir is owned by the container's root: in a user
    // namespace (new, or joined) that is another host uid; otherwise root, who made them.
    if (ns.userns || process.geteuid?.() !== 0) {
      const owner = rootOwner(helperPid);
      for (const f of ['hook-output', 'scratch']) chownSync(join(stateDir, f), owner.uid, owner.gid);
    }
    // The container's cgroups hold the init before it reads its config, and so before it
    // does anything of the container's. Joining them is done while the init's Node boots:
    // the first write to a v1 cgroup.procs waits out an RCU grace period in the kernel
    // (~10 ms of wall time; runc waits for it before its init runs). Two things need
    // nsexec in them before it forks: a new cgroup namespace (its root is the cgroup it
    // unshares in), and a pids limit, which Node's threads count against: joined while
    // it boots, Node could be refused a thread it starts after the join, and hang (seen
    // with pids.limit 0, in two whole runs of ten), where before the fork the limit decides.
    const joinFirst = ns.newCgroupns || config.linux?.resources?.pids !== undefined;
    if (joinFirst) this.joinCgroups(stored, helperPid);
    send('go');
    const pidLine = /^pid (\d+)$/.exec(next());
    if (!pidLine) throw new RuntimeError('unexpected message from nsexec');
    // nsexec's last step: it exits as soon as that line is written.
    reapNsexec(this.sys, this.nsexec);
    this.nsexec = undefined;
    this.pid = Number(pidLine[1]);
    const st = readStat(this.pid);
    if (!st) throw this.initExited();
    this.startTime = st.startTime;
    stored.pid = this.pid;
    stored.pidStartTime = this.startTime;
    if (joinFirst) this.record();
    else this.joinCgroups(stored, this.pid);
    // The init's network namespace is there (nsexec made or joined it).
    moveNetDevices(this.sys, netDevices, this.pid);
    // While the init's Node boots.
    await this.checkSchema();
    // Compiled here, after the schema check (whose messages say more), and loaded by the
    // init (seccomp/compile.ts); with a process only. Imported when there is a profile,
    // for the syscall tables' sake.
    const profile: SeccompConfig | undefined = config.process ? config.linux?.seccomp : undefined;
    const seccomp = profile && (await import('../seccomp/compile.js')).seccompFilter(profile, (m) => this.log.quiet(m));

    const initConfig: InitConfig = {
      type: 'config',
      id,
      // The init loads the compiled filter: the profile (an engine's default is ~20 kB of
      // JSON for the init to parse) stays here.
      config: profile ? { ...config, linux: { ...config.linux, seccomp: undefined } } : config,
      bundle,
      rootfs,
      stateDir,
      mountNamespace: ns.mount,
      userns: ns.userns,
      cgroupSources: mounts.some((m) => m.kind === 'cgroup') ? cgroupSources(this.pid) : [],
      console: consoleSock !== undefined,
      hostNamespaces: ownNamespaceIds(),
      ...(preserveFds > 0 ? { preserveFds } : {}),
      ...(seccomp ? { seccomp } : {}),
    };
    send(initConfig);
    const state = (): OciState => ({
      ociVersion: OCI_VERSION,
      id,
      status: 'creating',
      pid: this.pid,
      bundle,
      ...(config.annotations ? { annotations: config.annotations } : {}),
    });
    for (;;) {
      const m = JSON.parse(next()) as InitMessage;
      if (m.type === 'warning') this.log[m.quiet ? 'quiet' : 'warn'](m.message);
      else if (m.type === 'error') throw new RuntimeError(m.message);
      else if (m.type === 'hooks') {
        applyDeviceRules(this.cgroups);
        this.reachedHooks = true;
        try {
          runHooks('prestart', config.hooks?.prestart, state());
          runHooks('createRuntime', config.hooks?.createRuntime, state());
        } catch (err) {
          send({ type: 'abort' });
          throw err;
        }
        send({ type: 'hooks-done' });
      } else if (m.type === 'idmap-mount') {
        const tree = idmappedTreeFor(this.sys, mounts[m.index]!, this.pid!);
        try {
          this.sys.sendFd(chan.fd, tree, `${JSON.stringify({ type: 'idmap-tree' })}\n`);
        } finally {
          closeSync(tree);
        }
      } else if (m.type === 'seccomp-listener') {
        const seccomp = config.linux!.seccomp!;
        await sendToAgent(this.sys, seccomp.listenerPath!, this.pid, m.fd, state(), seccomp.listenerMetadata);
        send({ type: 'seccomp-done' });
      } else if (m.type === 'created') {
        return;
      }
    }
  }

  /** Puts `pid` (and the children it makes after) in the container's cgroups, recorded before they are made. */
  private joinCgroups(stored: StoredState, pid: number): void {
    stored.cgroup = this.cgroups.intent();
    this.record();
    this.cgroupsTouched = true;
    applyCgroups(this.cgroups, pid);
    stored.cgroup = this.cgroups.toJSON();
    this.record();
  }

  /** Why the init is gone: a memory limit it could not live in (as runc says), or we do not know. */
  private initExited(): RuntimeError {
    if (this.cgroupsTouched && this.cgroups.oomKills() > 0) {
      return new ConfigError('linux.resources.memory.limit', "is too low: the container's init was killed for lack of memory while it set the container up");
    }
    return new RuntimeError('the container init exited before the container was created');
  }

  /** Stops whatever was started, removes cgroups, and runs poststop hooks if the container existed. */
  async undo(stored: StoredState): Promise<void> {
    if (this.pid !== undefined && isAlive(this.pid, this.startTime)) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      await waitGone(this.pid, this.startTime, 5000);
    }
    if (this.nsexec !== undefined) reapNsexec(this.sys, this.nsexec);
    this.nsexec = undefined;
    try {
      if (this.cgroupsTouched) destroyCgroups(this.cgroups);
    } catch (err) {
      this.log.warn(`removing the cgroups of ${stored.id}: ${oneLine(err)}`);
    }
    if (this.reachedHooks) {
      const state = {
        ociVersion: OCI_VERSION,
        id: stored.id,
        status: 'stopped' as const,
        bundle: stored.bundle,
        ...(stored.annotations ? { annotations: stored.annotations } : {}),
      };
      runHooksWarning('poststop', this.poststop?.poststop, state, (m) => this.log.warn(oneLine(m)));
    }
  }

  close(): void {
    this.chan?.close();
  }
}

function nsexecError(text: string): string {
  const m = /^(?:open|setns) (\w+) namespace (\S+): (.*)$/.exec(text);
  if (m) return `linux.namespaces: cannot join the ${m[1]} namespace ${m[2]}: ${m[3]}`;
  if (text.startsWith('write timens_offsets')) return `linux.timeOffsets: the kernel refused them (${text.replace(/^[^:]*: /, '')})`;
  return `nsexec: ${text}`;
}

/** The host's v1 hierarchies and the init's cgroup in each, for `cgroup` mounts. */
function cgroupSources(pid: number): CgroupMountSource[] {
  const paths = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
    const [hid, controllers, path] = line.split(':');
    if (!hid || hid === '0' || controllers === undefined || path === undefined) continue;
    paths.set(controllers, path);
  }
  const out: CgroupMountSource[] = [];
  for (const m of parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))) {
    if (m.fstype !== 'cgroup') continue;
    const controllers = m.superOptions;
    const key = [...paths.keys()].find((k) => k.split(',').every((c) => controllers.includes(c)));
    if (!key) continue;
    const rel = paths.get(key)!;
    // The mount's root may itself be a cgroup below the hierarchy's root (nested runtimes).
    const sub = rel.startsWith(m.root) ? rel.slice(m.root === '/' ? 0 : m.root.length) : rel;
    out.push({ name: m.mountPoint.split('/').pop()!, hostPath: join(m.mountPoint, sub) });
  }
  return out;
}
