// The container's init: a Node process that nsexec started inside the container's
// namespaces (and cgroups, from before it reads its config). It sets up the rootfs and the rest of the environment,
// reports `created`, then blocks opening exec.fifo for writing until `start` opens
// it for reading, runs the startContainer hooks, and execs the user's program.
//
// It never touches process.stdout/stderr/stdin: fds 0-2 belong to the container
// (Node would switch a pipe to non-blocking mode, which the caller shares); with
// process.terminal they become the pty slave (./console.ts).
// Errors go to the parent on fd 3 before `created`, and into exec.fifo after.
import { closeSync, constants, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LinuxDevice as Device } from '../../schemas/config.js';
import { guardNamespace, NS_PROC_FILE, sysctlFile, sysctlNamespace, type GuardedNamespace } from '../config/host-safety.js';
import { ConfigError, oneLine } from '../errors.js';
import { runHooks } from '../hooks.js';
import {
  createDevices,
  DEFAULT_DEVICES,
  devSymlinks,
  finishRootfs,
  mountAll,
  pivotRoot,
  prepareRoot,
  type DeviceSpec,
  type RootfsContext,
} from '../mount/apply.js';
import { fileType, RootDir, S_IFDIR } from '../mount/inroot.js';
import { nsId } from '../namespaces.js';
import { planMounts } from '../mount/plan.js';
import type { OciState } from '../state/store.js';
import { FIFO_NAME, OCI_VERSION } from '../state/store.js';
import type { Syscalls } from '../syscalls.js';
import { RLIMITS } from '../../linux/rlimits.js';
import { rlimitValue } from '../config/rlimits.js';
import { finalizeAndExec, loadForAgent, planProcess, type ProcessPlan } from './finalize.js';
import { applyAttributes, planAttributes } from './attributes.js';
import { setUpConsole } from './console.js';
import { CONSOLE_FD, INIT_FD, type ExecConfig, type InitConfig, type InitMessage, type ParentMessage } from './protocol.js';
import { SyncChannel } from './sync.js';

const O_PATH = 0o10000000;
/** libuv adds it to every open anyway; said here so that no reader wonders. */
const O_CLOEXEC = 0o2000000;
const CLONE_FS = 0x200;
const CLONE_NEWNS = 0x20000;
/** Signals whose default is to end the process: the init installs _exit for them, see below. */
const TERMINATING = [1, 2, 3, 10, 12, 14, 15, 26, 27];

export function initMain(sys: Syscalls): never {
  const sync = new SyncChannel(INIT_FD);
  const send = (m: InitMessage): void => sync.send(m);
  process.on('uncaughtException', (err) => {
    try {
      send({ type: 'error', message: oneLine(err) });
    } finally {
      process.exit(1);
    }
  });
  const msg = sync.read<ParentMessage>();
  if (msg?.type === 'exec') return execMain(sys, msg, sync);
  if (!msg || msg.type !== 'config') process.exit(1);

  let plan: ProcessPlan | undefined;
  let fifo: number;
  let proc: number;
  try {
    // PID 1 of a PID namespace gets no signal it has no handler for, and Node's JS
    // handlers cannot run while we block in open(exec.fifo). _exit as the handler
    // makes SIGTERM & co. end a created container, as they end runc's (Go) init.
    for (const sig of TERMINATING) sys.exitOnSignal(sig);
    ({ plan, fifo, proc } = setUp(sys, msg, sync, send));
  } catch (err) {
    send({ type: 'error', message: oneLine(err) });
    process.exit(1);
  }
  send({ type: 'created' });
  sync.close();

  // Blocks until `start` opens the FIFO. Through the host's /proc, kept open from
  // before pivot_root, so that a container without /proc still works.
  sys.fchdir(proc);
  const fd = openSync(`self/fd/${fifo}`, constants.O_WRONLY | O_CLOEXEC);
  closeSync(proc);
  writeSync(fd, '0');
  try {
    const state: OciState = { ociVersion: OCI_VERSION, id: msg.id, status: 'created', pid: sys.getpid(), bundle: msg.bundle };
    if (msg.config.annotations) state.annotations = msg.config.annotations;
    // `start` refuses a container without process; should the FIFO be opened anyway, say so.
    if (!plan) throw new Error('the container has no process to run');
    runHooks('startContainer', msg.config.hooks?.startContainer, state);
    return finalizeAndExec(sys, plan);
  } catch (err) {
    try {
      writeSync(fd, `E${oneLine(err)}`);
    } finally {
      process.exit(1);
    }
  }
}

/**
 * `exec`: nsexec joined the other namespaces; the mount namespace is joined here
 * (it needs this thread's own fs info, hence unshare(CLONE_FS)). Success is the
 * socket closing at execve (close-on-exec); a failure is an error message.
 */
function execMain(sys: Syscalls, msg: ExecConfig, sync: SyncChannel): never {
  const send = (m: InitMessage): void => sync.send(m);
  try {
    const nsFd = openSync(msg.mountNamespace, 'r');
    sys.unshare(CLONE_FS);
    sys.setns(nsFd, CLONE_NEWNS);
    closeSync(nsFd);
    sys.chdir('/');
    const p = msg.process;
    if (msg.console) setUpConsole(sys, { socketFd: CONSOLE_FD, size: p.consoleSize, uid: p.user.uid, mountConsole: false });
    for (const r of p.rlimits ?? []) sys.setrlimit(RLIMITS[r.type]!.resource, rlimitValue(r, 'soft'), rlimitValue(r, 'hard'));
    applyAttributes(sys, planAttributes(p, undefined, { exec: true }));
    const plan = planProcess(p, msg.seccomp, msg.userns, (message) => send({ type: 'warning', message }));
    plan.preserveFds = msg.preserveFds;
    loadForAgent(sys, plan, (fd) => handOver(sync, fd));
    return finalizeAndExec(sys, plan);
  } catch (err) {
    send({ type: 'error', message: oneLine(err) });
    process.exit(1);
  }
}

function setUp(sys: Syscalls, msg: InitConfig, sync: SyncChannel, send: (m: InitMessage) => void): { plan?: ProcessPlan; fifo: number; proc: number } {
  const { config } = msg;
  const linux = config.linux ?? {};
  if (typeof msg.mountNamespace === 'object') {
    const nsFd = openSync(msg.mountNamespace.path, 'r');
    sys.unshare(CLONE_FS);
    sys.setns(nsFd, CLONE_NEWNS);
    closeSync(nsFd);
  }
  const fifo = openSync(join(msg.stateDir, FIFO_NAME), O_PATH | O_CLOEXEC);
  const proc = openSync('/proc', constants.O_DIRECTORY | constants.O_RDONLY | O_CLOEXEC);
  // Made by the parent, owned by the container's root (which may not be ours).
  const hookLog = openSync(join(msg.stateDir, 'hook-output'), 'r+');

  // The runtime's own mount namespace would have pivot_root re-root the host.
  guardNamespace('mount', 'linux.namespaces', nsId('/proc/self/ns/mnt'), msg.hostNamespaces.mount);
  const ctx: RootfsContext = {
    sys,
    root: prepareRoot(sys, msg.rootfs),
    scratch: join(msg.stateDir, 'scratch'),
    cgroupSources: msg.cgroupSources,
    idmappedTree: (m) => {
      send({ type: 'idmap-mount', index: m.index });
      return sync.readFd(sys, 'idmap-tree');
    },
  };
  mountAll(ctx, planMounts(config.mounts, msg.bundle, { userns: msg.userns }));
  createDevices(ctx, [...DEFAULT_DEVICES, ...(linux.devices ?? []).map(deviceSpec)], msg.userns);
  devSymlinks(ctx);

  // prestart and createRuntime run in the runtime namespace: the parent runs them.
  send({ type: 'hooks' });
  const reply = sync.read<ParentMessage>();
  if (!reply || reply.type !== 'hooks-done') process.exit(1);
  const state: OciState = { ociVersion: OCI_VERSION, id: msg.id, status: 'creating', pid: sys.getpid(), bundle: msg.bundle };
  if (config.annotations) state.annotations = config.annotations;
  runHooks('createContainer', config.hooks?.createContainer, state, { outputFd: hookLog });
  closeSync(hookLog);

  pivotRoot(ctx);
  ctx.root.close();
  // No process (OPTIONAL until start): the container is everything else; start refuses it.
  const p = config.process;
  // runc creates a missing cwd; do it before the root may become read-only.
  if (p) makeCwd(sys, p.cwd);
  // Before the root may become read-only: /dev/console may have to be made.
  if (p && msg.console) setUpConsole(sys, { socketFd: CONSOLE_FD, size: p.consoleSize, uid: p.user.uid, mountConsole: true });
  finishRootfs(sys, {
    rootfsPropagation: linux.rootfsPropagation,
    maskedPaths: linux.maskedPaths,
    readonlyPaths: linux.readonlyPaths,
    readonlyRoot: config.root?.readonly === true,
  });
  // create refused these without a namespace of the container's own; this checks the
  // namespace the init is really in, right before writing.
  const inOwn = (ns: GuardedNamespace, field: string): void => guardNamespace(ns, field, procNsId(sys, proc, ns), msg.hostNamespaces[ns]);
  if (config.hostname !== undefined) {
    inOwn('uts', 'hostname');
    sys.sethostname(config.hostname);
  }
  if (config.domainname !== undefined) {
    inOwn('uts', 'domainname');
    sys.setdomainname(config.domainname);
  }
  for (const [key, value] of Object.entries(linux.sysctl ?? {})) {
    const field = `linux.sysctl.${key}`;
    const where = sysctlNamespace(key);
    if ('refuse' in where) throw new ConfigError(field, where.refuse);
    inOwn(where.ns, field);
    const file = sysctlFile(key);
    if (file === undefined) throw new ConfigError(field, 'is not a sysctl name');
    try {
      procWrite(sys, proc, `sys/${file}`, value);
    } catch (err) {
      throw new Error(`${field}: cannot write ${value}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`);
    }
  }
  if (!p) return { fifo, proc };
  for (const r of p.rlimits ?? []) {
    try {
      sys.setrlimit(RLIMITS[r.type]!.resource, rlimitValue(r, 'soft'), rlimitValue(r, 'hard'));
    } catch (err) {
      throw new Error(`process.rlimits: cannot set ${r.type} to soft ${rlimitValue(r, 'soft')}, hard ${rlimitValue(r, 'hard')}: ${oneLine(err)}`);
    }
  }
  if (p.oomScoreAdj !== undefined) {
    try {
      procWrite(sys, proc, 'self/oom_score_adj', String(p.oomScoreAdj));
    } catch (err) {
      throw new Error(`process.oomScoreAdj: cannot set ${p.oomScoreAdj}: ${(err as NodeJS.ErrnoException).code ?? oneLine(err)}`);
    }
  }
  applyAttributes(sys, planAttributes(p, linux, { exec: false }));
  const plan = planProcess(p, msg.seccomp, msg.userns, (message) => send({ type: 'warning', message }));
  plan.preserveFds = msg.preserveFds;
  loadForAgent(sys, plan, (fd) => handOver(sync, fd));
  return { plan, fifo, proc };
}

/** Tells the runtime which fd is the seccomp listener and waits until it went to the agent. */
function handOver(sync: SyncChannel, fd: number): void {
  sync.send({ type: 'seccomp-listener', fd } satisfies InitMessage);
  const reply = sync.read<ParentMessage>();
  if (!reply || reply.type !== 'seccomp-done') process.exit(1);
}

/**
 * process.cwd, made where missing inside the root (never through a symlink out of it
 * or a magic link such as /proc/self/fd/N), and a directory.
 */
function makeCwd(sys: Syscalls, cwd: string): void {
  const root = RootDir.open(sys);
  try {
    const fd = root.ensure(cwd, 'dir');
    const type = fileType(fd);
    closeSync(fd);
    if (type !== S_IFDIR) throw new Error(`${cwd} is not a directory`);
  } catch (err) {
    throw new ConfigError('process.cwd', `${cwd} cannot be made: ${oneLine(err)}`);
  } finally {
    root.close();
  }
}

/** The identity of the init's namespace `ns`, through the host's procfs kept open. */
function procNsId(sys: Syscalls, proc: number, ns: GuardedNamespace): string | undefined {
  sys.fchdir(proc);
  try {
    return nsId(`self/ns/${NS_PROC_FILE[ns]}`);
  } finally {
    sys.chdir('/');
  }
}

/**
 * Writes a /proc file through the host's procfs, kept open from before pivot_root:
 * sysctls act on the writer's namespaces, so this works whether or not the
 * container mounts /proc.
 */
function procWrite(sys: Syscalls, proc: number, rel: string, value: string): void {
  sys.fchdir(proc);
  try {
    writeFileSync(rel, value);
  } finally {
    sys.chdir('/');
  }
}

function deviceSpec(d: Device, i: number): DeviceSpec {
  return {
    field: `linux.devices[${i}]`,
    path: d.path,
    type: d.type,
    major: d.major ?? 0,
    minor: d.minor ?? 0,
    fileMode: d.fileMode ?? 0o666,
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
  };
}
