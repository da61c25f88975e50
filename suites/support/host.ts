// Host-side helpers for the namespaces, rootfs, paths and devices suites: a running
// container's mount table and ids as the host sees them, host mounts a case sets up
// (and always takes down), a user-namespace holder, and stat lines for the probe.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { BuiltBundle, CaseContext } from '../../harness/case/context.js';
import type { Env } from '../../harness/host/env.js';
import { parseDev, parseProbe, type DevEntry, type ProbeFacts } from '../../harness/probe/parse.js';
import { parseMountinfo, type MountEntry } from '../../harness/probe/mountinfo.js';
import { cmdlineOf, namespacesOf } from '../../harness/host/hostfacts.js';
import type { IDMapping } from '../../schemas/config.js';
import { createOrRefuse } from './refuse.js';

/** Single-quotes a word for the probe's sh. */
export const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A probe command that stats paths (without following symlinks) in the `dev` section's format. */
export const statCmd = (...paths: string[]) => `stat -c '%n|%f|%t|%T|%u|%g|%N' ${paths.map(sq).join(' ')}`;

/** The entries of a statCmd output, by path. */
export const statOf = (output: string | undefined): Map<string, DevEntry> => parseDev(output ?? '');

export interface Running {
  facts: ProbeFacts;
  pid: number;
  /** Why /proc/PID on the host does not describe the container process, when it does not. */
  noHostView?: string;
}

/**
 * Why /proc/PID on the host does not describe the container's process, when it does
 * not (undefined when it may). A sandboxed runtime such as gVisor reports the pid of
 * its sandbox (`runsc-sandbox`): that process is in the runtime's pid namespace however
 * the config asks for a new one, and it never runs the user's program. `running`: the
 * program has been started, so the pid must run its argv. The cases that judge the pid
 * itself (state.pid.created, state.pid.running) fail such a runtime; the others skip
 * what the host cannot see.
 */
export function noHostViewOf(t: CaseContext, pid: number, opts: { bundle?: BuiltBundle; running?: boolean } = {}): string | undefined {
  const config = (opts.bundle ?? t.bundle).config;
  const sandboxed = `a sandboxed runtime such as gVisor; state.pid.created and state.pid.running judge the pid`;
  const newPidNs = config.linux?.namespaces?.some((n) => n.type === 'pid' && !n.path);
  const pidNs = namespacesOf(pid).pid;
  if (newPidNs && pidNs !== undefined && pidNs === t.env.host.hostNs.pid) {
    return `state's pid ${pid} (${cmdlineOf(pid)?.[0] ?? 'gone'}) is in the runtime's pid namespace although the config asks for a new one, so /proc/${pid} on the host is not the container's process (${sandboxed})`;
  }
  if (opts.running) {
    const argv = cmdlineOf(pid);
    if (JSON.stringify(argv) !== JSON.stringify(config.process?.args)) {
      return `state's pid ${pid} runs ${argv?.[0] ?? '(nothing)'}, not the container's program, so /proc/${pid} on the host says nothing about the container (${sandboxed})`;
    }
  }
  return undefined;
}

/** Create, start and wait for a holding probe; returns its facts and its host pid. */
export async function running(t: CaseContext, opts: { id?: string; bundle?: BuiltBundle; refusable?: string; claimed?: boolean } = {}): Promise<Running> {
  const id = opts.id ?? t.id;
  // `refusable`: what the bundle asks that the runtime may refuse at create (createOrRefuse),
  // unless its features claim it (`claimed`). The `state` once the probe is ready names the pid.
  if (opts.refusable) await createOrRefuse(t, opts.refusable, { id, bundle: opts.bundle, claimed: opts.claimed, stateUnlessHeld: true });
  else await t.createForProbe({ id, bundle: opts.bundle });
  await t.start(id);
  const facts = parseProbe(await t.waitOutput('@@ready', { id }));
  const { pid } = await t.state(id);
  if (typeof pid !== 'number' || pid <= 0) t.fail(`state of the running container ${id} has no usable pid`, { actual: pid });
  return { facts, pid, noHostView: noHostViewOf(t, pid, { bundle: opts.bundle, running: true }) };
}

/** Skips unless the host can see the container process at its pid. */
export async function runningOnHost(t: CaseContext, opts: { id?: string; bundle?: BuiltBundle; refusable?: string } = {}): Promise<Running> {
  const r = await running(t, opts);
  if (r.noHostView) t.skip(r.noHostView);
  return r;
}

/** The mount table of a live process, as /proc/PID/mountinfo shows it from the host. */
export function mountinfoOf(pid: number): MountEntry[] {
  return parseMountinfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
}

/** The harness's own mount table (the runtime mount namespace). */
export const hostMounts = (): MountEntry[] => parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));

/** Peer group ids (shared:N) the runtime mount namespace has. */
export const hostPeerGroups = (): Set<string> => new Set(hostMounts().flatMap((m) => m.optional.filter((o) => o.startsWith('shared:')).map((o) => o.slice(7))));

/** Uid/Gid lines of a live process's status, as the host sees them (host ids). */
export function hostIdsOf(pid: number): { uid: number[]; gid: number[] } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const ids = (k: string) => (new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).filter(Boolean).map(Number);
  return { uid: ids('Uid'), gid: ids('Gid') };
}

/**
 * Mounts on the host for the length of a case. `take` always undoes them, deepest
 * first (the case directory's removal would too, but with a note, and not under --keep).
 */
export class HostMounts {
  private readonly points: string[] = [];

  /** `mount ARGS… TARGET`; the target is recorded for `take`. */
  mount(args: string[], target: string): void {
    execFileSync('mount', [...args, target], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.points.push(target);
  }

  /** Makes `dir` a mount of its own in a new peer group, so that mounts under it propagate to copies of it. */
  sharedBind(dir: string): void {
    this.mount(['--bind', dir], dir);
    execFileSync('mount', ['--make-shared', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  take(): void {
    for (const p of this.points.splice(0).reverse()) {
      try {
        execFileSync('umount', ['-l', p], { stdio: 'ignore' });
      } catch {
        /* already gone; the case directory's removal reports anything left */
      }
    }
  }
}

/**
 * A host process in a new user namespace with the given maps, for cases that join a
 * user namespace by path (the harness's holdNamespaces leaves it unmapped, and
 * unshare(1) needs newuidmap for ranges). Root in the runtime's namespace writes them.
 */
export async function holdMappedUserNs(t: CaseContext, uid: readonly IDMapping[], gid: readonly IDMapping[]): Promise<number> {
  const pid = await t.holdNamespaces(['user']);
  const lines = (m: readonly IDMapping[]) => m.map((e) => `${e.containerID} ${e.hostID} ${e.size}\n`).join('');
  writeFileSync(`/proc/${pid}/uid_map`, lines(uid));
  writeFileSync(`/proc/${pid}/gid_map`, lines(gid));
  return pid;
}

/**
 * Why device cgroup rules cannot be enforced on this host, or undefined when they can:
 * the v1 `devices` controller where resources go to v1 (v1 or hybrid), an eBPF device
 * program on a pure cgroup v2 host.
 */
export function deviceCgroupUnmet(env: Env): string | undefined {
  const c = env.host.cgroup;
  if (c.mode === 'v2') return undefined;
  if ((c.mode === 'v1' || c.mode === 'hybrid') && c.v1Controllers.includes('devices')) return undefined;
  return `needs a device controller: the host's cgroups are ${c.mode}${c.mode === 'none' ? '' : ' without the v1 devices controller'}`;
}
