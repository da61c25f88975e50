// What a run may leave behind on the machine: a conformance tool must leave nothing.
// Each test gives its runs a work directory of their own (`root`: conform's --workdir, or
// TMPDIR) and looks only there, so that runs of other test files alongside are not
// taken for this one's leftovers.
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Mount points below `root` that belong to conform runs. */
export function conformMounts(root = tmpdir()): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${root}/conform-`));
}

/** conform run directories in `root` (mkdtemp's `conform-` and six characters; tests' own temp dirs have longer names). */
export function conformRunDirs(root = tmpdir()): string[] {
  return readdirSync(root).filter((n) => /^conform-[A-Za-z0-9]{6}$/.test(n));
}

/**
 * Whether a process belongs to a run below `root`: its command line names it (an engine,
 * a sandbox), or the root mount it sees is made from it (a container on a rootfs in the
 * run directory: the mount's root or its options, overlay's upperdir, name the path).
 */
function belongsTo(pid: string, cmd: string, root: string): boolean {
  if (cmd.includes(root)) return true;
  try {
    const rootMount = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[4] === '/');
    return rootMount?.includes(`${root}/`) ?? false;
  } catch {
    return false;
  }
}

/** Processes whose mounts mention `dir` (their root, a bind, overlay's upperdir): containers made from it. */
export function processesMounting(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/mountinfo`, 'utf8').includes(dir)) found.push(pid);
    } catch {
      /* gone */
    }
  }
  return found;
}

/**
 * Processes whose command line looks like a container left by a run (the probe, or its
 * sleeper, or an engines case's process), or an engine a run started (containerd, its
 * shims, conmon: they name the run directory).
 */
export function probeProcesses(root = tmpdir()): string[] {
  const out: string[] = [];
  const runDir = `${root}/conform-`;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const engine = /^(\S*\/)?(conmon|containerd|containerd-shim-runc-v2|podman) /.test(cmd) && cmd.includes(runDir);
      const container = cmd.startsWith('/bin/sh /conform/probe') || cmd === 'sleep 86400' || cmd.includes('echo "@@ready"');
      if ((container && belongsTo(pid, cmd, root)) || engine) out.push(`${pid} ${cmd.slice(0, 200)}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Where containerd 1.6's shims put their sockets, whatever containerd's own directories. */
const SHIM_SOCKETS = '/run/containerd/s';

/**
 * Sockets in /run/containerd/s that nothing listens on: what a containerd shim that was
 * killed leaves (a live shim listens on its own; one that exits removes it). Their names
 * are hashes, not a run's tag.
 */
export function staleShimSockets(): string[] {
  let names: string[];
  try {
    names = readdirSync(SHIM_SOCKETS);
  } catch {
    return [];
  }
  // /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path; Flags 00010000 is a listening socket.
  const listening = new Set<string>();
  for (const line of readFileSync('/proc/net/unix', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[3] === '00010000' && f[7]) listening.add(f[7]);
  }
  return names.map((n) => `${SHIM_SOCKETS}/${n}`).filter((p) => !listening.has(p));
}

/** Cgroups an engines run makes (podman's cgroup parent, containerd's namespace), /run links named after a run, and stale shim sockets. */
export function engineLeftovers(): string[] {
  const out: string[] = [...staleShimSockets()];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    try {
      for (const n of readdirSync(`/sys/fs/cgroup/${h}`)) if (/^conform-(podman|containerd)-[0-9a-f]+$/.test(n)) out.push(`/sys/fs/cgroup/${h}/${n}`);
    } catch {
      /* not a directory */
    }
  }
  for (const n of readdirSync('/run')) if (/^conform-(podman|containerd)-[0-9a-f]+$/.test(n)) out.push(`/run/${n}`);
  return out;
}

export interface Snapshot {
  mounts: string[];
  dirs: string[];
  processes: string[];
  engines: string[];
}

/** What conform runs below `root` have on the machine now (and the engines' cgroups, which name no directory). */
export function snapshot(root = tmpdir()): Snapshot & { root: string } {
  return { root, mounts: conformMounts(root), dirs: conformRunDirs(root), processes: probeProcesses(root), engines: engineLeftovers() };
}

/** Nothing left: what leftSince must return. */
export const NOTHING_LEFT: Snapshot = { mounts: [], dirs: [], processes: [], engines: [] };

/**
 * What is there now below `before.root` that was not in `before`: a run's leftovers. The
 * engines' cgroups and /run links name the run's tag, not its directory: they are counted
 * for a run that had engines cases (`engines`): those of its tags (the report's), or all
 * new ones (`true`: a run without a report to tell its tag); another run's live ones, in
 * a test file beside this one, would otherwise look like this run's.
 */
export function leftSince(before: Snapshot & { root: string }, opts: { engines?: boolean | readonly string[] } = {}): Snapshot {
  const now = snapshot(before.root);
  const fresh = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  const { engines } = opts;
  // A stale shim socket names no run; none is ever anyone's to leave, so a new one counts wherever engines ran.
  const ours = (name: string) =>
    engines === true || name.startsWith(`${SHIM_SOCKETS}/`) || (Array.isArray(engines) && engines.some((tag) => name.endsWith(`-${tag}`)));
  return {
    mounts: fresh(now.mounts, before.mounts),
    dirs: fresh(now.dirs, before.dirs),
    processes: fresh(now.processes, before.processes),
    engines: engines ? fresh(now.engines, before.engines).filter(ours) : [],
  };
}
