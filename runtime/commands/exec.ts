// `exec`: runs a process in a created or running container: nsexec joins the init's
// namespaces (those that differ from ours) and the container's cgroups, forks, and
// the Node init joins the mount namespace and carries out process.* as for the
// container's own process. Without --detach, waits and exits with its status.
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Cgroups, type CgroupsState } from '../cgroups/index.js';
import { CAPABILITIES } from '../../linux/capabilities.js';
import type { Config, Process } from '../config/validate.js';
import { keepExactRlimits } from '../config/rlimits.js';
import { refuseUnsupportedProcess } from '../config/unsupported.js';
import { RuntimeError } from '../errors.js';
import { parseList } from '../cgroups/values.js';
import { planAttributes } from '../init/attributes.js';
import { sendToAgent } from '../seccomp/agent.js';
import type { Syscalls } from '../syscalls.js';
import type { ExecConfig, InitMessage } from '../init/protocol.js';
import { forwardSignals } from './forward.js';
import type { Logger } from '../log.js';
import { ENTRY, NSEXEC } from '../self.js';
import { checkId, StateStore } from '../state/store.js';
import { checkConsoleOptions, connectConsole } from './console-socket.js';
import { writePidFile } from './pid-file.js';
import { LineReader } from './lines.js';
import { initStdio } from './preserve-fds.js';

export interface ExecOptions {
  root: string;
  id: string;
  args: string[];
  processFile?: string;
  env: string[];
  cwd?: string;
  user?: string;
  detach: boolean;
  pidFile?: string;
  tty: boolean;
  consoleSocket?: string;
  /** --cap: added to the bounding, effective and permitted sets (and ambient where inheritable has it). */
  caps?: string[];
  noNewPrivs?: boolean;
  additionalGids?: string[];
  apparmor?: string;
  processLabel?: string;
  preserveFds?: number;
  ignorePaused?: boolean;
  log: Logger;
  sys: Syscalls;
}

const JOINED = ['user', 'ipc', 'uts', 'net', 'pid', 'cgroup', 'time'] as const;

export async function exec(o: ExecOptions): Promise<number> {
  const id = checkId(o.id);
  const store = new StateStore(o.root);
  const s = store.read(id);
  const status = store.status(s);
  if (status === 'paused' && !o.ignorePaused) throw new RuntimeError(`container ${id} is paused: resume it first (or exec --ignore-paused)`);
  if (status !== 'created' && status !== 'running' && status !== 'paused')
    throw new RuntimeError(`container ${id} is ${status}: exec needs a created or running container`);
  const config = JSON.parse(readFileSync(join(store.dir(id), 'config.json'), 'utf8')) as Config;
  const proc = execProcess(config, o);
  refuseUnsupportedProcess(proc);
  planAttributes(proc, undefined, { exec: true });
  // Imported when there is a profile, for the syscall tables' sake (seccomp/compile.ts).
  const profile = config.linux?.seccomp;
  const seccomp = profile && (await import('../seccomp/compile.js')).seccompFilter(profile, (m) => o.log.quiet(m));
  const terminal = proc.terminal === true;
  checkConsoleOptions(terminal, o.consoleSocket, o.processFile ? `${o.processFile}: terminal` : '--tty');
  const consoleSock = o.consoleSocket !== undefined ? await connectConsole(o.consoleSocket) : undefined;

  const args: string[] = [];
  for (const ns of JOINED) {
    const theirs = `/proc/${s.pid}/ns/${ns}`;
    try {
      if (statSync(theirs).ino !== statSync(`/proc/self/ns/${ns}`).ino) args.push('-j', `${ns}:${theirs}`);
    } catch {
      // The kernel lacks this namespace type.
    }
  }
  if (!o.detach) args.push('-w');
  // A controlling terminal needs a session of its own.
  if (terminal) args.push('-S');
  const child = spawn(NSEXEC, [...args, '--', process.execPath, '--no-warnings', ENTRY, 'init'], {
    stdio: initStdio(consoleSock, o.preserveFds ?? 0),
    env: {},
    cwd: '/',
  });
  consoleSock?.destroy();
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? 9 : 0))));
  const sock = child.stdio[3] as Readable & Writable;
  let stopForwarding = () => {};
  const lines = new LineReader(sock);
  const next = async (): Promise<string | undefined> => {
    const line = await lines.next();
    if (line?.startsWith('error ')) throw new RuntimeError(`nsexec: ${line.slice(6)}`);
    return line;
  };
  try {
    const ready = /^ready (\d+)$/.exec((await next()) ?? '');
    if (!ready) throw new RuntimeError('the exec helper exited early');
    // execCPUAffinity.initial: where the process runs until it is in the container's cgroup.
    const initial = proc.execCPUAffinity?.initial;
    if (initial) o.sys.schedSetaffinity(Number(ready[1]), parseList(initial, 'process.execCPUAffinity.initial'));
    if (s.cgroup) Cgroups.fromState(s.cgroup as CgroupsState).join(Number(ready[1]));
    sock.write('go\n');
    const pid = /^pid (\d+)$/.exec((await next()) ?? '');
    if (!pid) throw new RuntimeError('the exec helper exited early');
    if (o.pidFile) writePidFile(o.pidFile, Number(pid[1]));
    if (!o.detach) stopForwarding = forwardSignals(Number(pid[1]));
    const msg: ExecConfig = {
      type: 'exec',
      process: proc,
      mountNamespace: `/proc/${s.pid}/ns/mnt`,
      userns: (config.linux?.namespaces ?? []).some((n) => n.type === 'user'),
      console: consoleSock !== undefined,
      ...(seccomp ? { seccomp } : {}),
      ...(o.preserveFds ? { preserveFds: o.preserveFds } : {}),
    };
    sock.write(`${JSON.stringify(msg)}\n`);
    for (let line = await next(); line !== undefined; line = await next()) {
      const m = JSON.parse(line) as InitMessage;
      if (m.type === 'warning') o.log[m.quiet ? 'quiet' : 'warn'](m.message);
      if (m.type === 'error') throw new RuntimeError(m.message);
      if (m.type === 'seccomp-listener') {
        const seccomp = config.linux!.seccomp!;
        await sendToAgent(o.sys, seccomp.listenerPath!, Number(pid[1]), m.fd, store.ociState(s), seccomp.listenerMetadata);
        sock.write(`${JSON.stringify({ type: 'seccomp-done' })}\n`);
      }
    }
  } catch (err) {
    stopForwarding();
    if (child.exitCode === null) child.kill('SIGKILL');
    throw err;
  } finally {
    sock.destroy();
  }
  if (o.detach) return 0;
  return exited.finally(stopForwarding);
}

/** --process FILE, or the container's process with the given args and overrides (runc's way). */
function execProcess(config: Config, o: ExecOptions): Process {
  let p: Process;
  if (o.processFile) {
    const text = readFileSync(o.processFile, 'utf8');
    p = JSON.parse(text) as Process;
    keepExactRlimits(text, [], p.rlimits);
    if (!Array.isArray(p.args) || p.args.length === 0) throw new RuntimeError(`${o.processFile}: args must be a non-empty array`);
    p.user ??= { uid: 0, gid: 0 };
    p.cwd ??= '/';
  } else {
    if (o.args.length === 0) throw new RuntimeError('exec needs a command (or --process FILE)');
    const base = config.process;
    if (!base) throw new RuntimeError('the container has no process in its config.json to base exec on: give --process FILE');
    p = { ...base, args: o.args, terminal: o.tty, env: [...(base.env ?? []), ...o.env] };
  }
  if (o.processFile && o.tty) p.terminal = true;
  if (o.cwd) p.cwd = o.cwd;
  if (o.user) {
    const [uid, gid] = o.user.split(':').map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
    if (!Number.isSafeInteger(uid) || (gid !== undefined && !Number.isSafeInteger(gid)) || o.user.split(':').length > 2)
      throw new RuntimeError(`--user ${o.user}: use UID[:GID] (numbers)`);
    p.user = { ...p.user, uid: uid!, gid: gid ?? 0 };
  }
  if (o.additionalGids?.length) {
    const gids = o.additionalGids
      .flatMap((g) => g.split(','))
      .map((g) => {
        if (!/^\d+$/.test(g) || !Number.isSafeInteger(Number(g))) throw new RuntimeError(`--additional-gids ${g}: must be a group id (a number)`);
        return Number(g);
      });
    p.user = { ...p.user, additionalGids: [...(p.user.additionalGids ?? []), ...gids] };
  }
  if (o.caps?.length) {
    const c = { ...p.capabilities };
    for (const cap of o.caps) {
      if (!(CAPABILITIES as readonly string[]).includes(cap)) throw new RuntimeError(`--cap ${cap}: not a capability this runtime knows (e.g. CAP_NET_ADMIN)`);
      c.bounding = [...new Set([...(c.bounding ?? []), cap])];
      c.effective = [...new Set([...(c.effective ?? []), cap])];
      c.permitted = [...new Set([...(c.permitted ?? []), cap])];
      // Ambient needs the capability inheritable too; runc adds it there only then.
      if (c.inheritable?.includes(cap)) c.ambient = [...new Set([...(c.ambient ?? []), cap])];
    }
    p.capabilities = c;
  }
  if (o.noNewPrivs) p.noNewPrivileges = true;
  // As process.apparmorProfile and process.selinuxLabel (config/unsupported.ts).
  if (o.apparmor !== undefined) throw new RuntimeError('--apparmor cannot be applied: this runtime has no AppArmor support');
  if (o.processLabel !== undefined) throw new RuntimeError('--process-label cannot be applied: this runtime has no SELinux support');
  return p;
}
