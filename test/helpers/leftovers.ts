// What a run may leave behind on the machine: a conformance tool must leave nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Mount points under the temp dir that belong to conform runs. */
export function conformMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p.startsWith(`${tmpdir()}/conform-`));
}

/** conform run directories in the temp dir (mkdtemp's `conform-` and six characters; tests' own temp dirs have longer names). */
export function conformRunDirs(): string[] {
  return readdirSync(tmpdir()).filter((n) => /^conform-[A-Za-z0-9]{6}$/.test(n));
}

/**
 * Processes whose command line looks like a container left by a run (the probe, or its
 * sleeper, or an engines case's process), or an engine a run started (containerd, its
 * shims, conmon: they name the run directory).
 */
export function probeProcesses(): string[] {
  const out: string[] = [];
  const runDir = `${tmpdir()}/conform-`;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      const engine = /^(\S*\/)?(conmon|containerd|containerd-shim-runc-v2|podman) /.test(cmd) && cmd.includes(runDir);
      if (cmd.startsWith('/bin/sh /conform/probe') || cmd === 'sleep 86400' || cmd.includes('echo "@@ready"') || engine) out.push(`${pid} ${cmd.slice(0, 200)}`);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Cgroups an engines run makes (podman's cgroup parent, containerd's namespace) and /run links named after a run. */
export function engineLeftovers(): string[] {
  const out: string[] = [];
  for (const h of readdirSync('/sys/fs/cgroup')) {
    try {
      for (const n of readdirSync(`/sys/fs/cgroup/${h}`)) if (/^conform-(podman|containerd)-[0-9a-f]+$/.test(n)) out.push(`/sys/fs/cgroup/${h}/${n}`);
    } catch {
      /* not a directory */
    }
  }
  for (const n of readdirSync('/run')) if (/^conform-podman-[0-9a-f]+$/.test(n)) out.push(`/run/${n}`);
  return out;
}

export type Snapshot = ReturnType<typeof snapshot>;

export function snapshot() {
  return { mounts: conformMounts(), dirs: conformRunDirs(), processes: probeProcesses(), engines: engineLeftovers() };
}

/** What is there now that was not in `before`: a run's leftovers (other tests running alongside may remove their own things meanwhile). */
export function leftSince(before: Snapshot): Snapshot {
  const now = snapshot();
  const fresh = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  return { mounts: fresh(now.mounts, before.mounts), dirs: fresh(now.dirs, before.dirs), processes: fresh(now.processes, before.processes), engines: fresh(now.engines, before.engines) };
}
