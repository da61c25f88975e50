// What the machine and the runtime can do, found once per run, and the `needs`
// vocabulary cases use to say what they require.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { i386MkdirProgram } from '../../linux/i386.js';
import type { Features } from '../../schemas/features.js';
import { validateFeatures } from '../../schemas/index.js';
import { getPath } from '../case/jsonpath.js';
import { kernelHasNamespace, namespacesOf, type NamespaceKind } from './hostfacts.js';
import { cgroupMode, parseCgroupMounts } from '../../linux/cgroupfs.js';
import { run } from '../process/spawn.js';
import type { RuntimeCommand } from '../process/driver.js';

export type CgroupMode = 'v1' | 'v2' | 'hybrid' | 'none';

export interface HostEnv {
  kernel: { release: string; version: [number, number] };
  cgroup: { mode: CgroupMode; v1Controllers: string[]; v2Path?: string; v2Controllers: string[] };
  namespaces: Record<NamespaceKind, boolean>;
  /** The runtime namespace: the harness's own namespaces, which the runtime inherits. */
  hostNs: Partial<Record<NamespaceKind, string>>;
  capEff: bigint;
}

export interface RuntimeEnv {
  version?: string;
  /** `features` output when the runtime has the command and it printed valid JSON. */
  features?: Features;
  /** Why features is absent or was not used. */
  featuresNote?: string;
  /** Raw `features` output, for the features suite. */
  featuresRaw?: { code: number | null; stdout: string; stderr: string; timedOut: boolean };
}

export interface Env {
  host: HostEnv;
  runtime: RuntimeEnv;
  /** An ancestor of the run directory that others may not enter (no o+x): a container root mapped to another host uid cannot reach a bundle there. */
  closedWorkdir?: string;
}

export function detectHost(): HostEnv {
  const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  const v2 = mounts.find((m) => m.version === 2);
  const v1Controllers = mounts.flatMap((m) => (m.version === 1 ? m.controllers.filter((c) => !c.startsWith('name=')) : [])).sort();
  let v2Controllers: string[] = [];
  if (v2) {
    try {
      v2Controllers = readFileSync(`${v2.mountPoint}/cgroup.controllers`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      /* unreadable: treat as none */
    }
  }
  const mode: CgroupMode = cgroupMode(mounts) ?? 'none';
  const rel = release();
  const [maj, min] = rel.split('.').map((n) => parseInt(n, 10));
  const status = readFileSync('/proc/self/status', 'utf8');
  const kinds: NamespaceKind[] = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup', 'time'];
  return {
    kernel: { release: rel, version: [maj ?? 0, min ?? 0] },
    cgroup: { mode, v1Controllers, v2Path: v2?.mountPoint, v2Controllers },
    namespaces: Object.fromEntries(kinds.map((k) => [k, kernelHasNamespace(k)])) as Record<NamespaceKind, boolean>,
    hostNs: namespacesOf('self'),
    capEff: BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)?.[1] ?? '0'}`),
  };
}

export async function detectRuntime(rt: RuntimeCommand, root: string): Promise<RuntimeEnv> {
  const env: RuntimeEnv = {};
  const ver = await run([rt.path, ...rt.args, '--version'], { timeoutMs: rt.timeoutMs });
  // One line for the report's header, whatever the runtime printed.
  const line =
    ver.code === 0
      ? ver.stdout
          .slice(0, 4096)
          .split('\n')
          .find((l) => l.trim())
          ?.trim()
      : undefined;
  if (line) env.version = line.length > 200 ? `${line.slice(0, 200)}…` : line;
  const feat = await run([rt.path, ...rt.args, '--root', root, 'features'], { timeoutMs: rt.timeoutMs });
  env.featuresRaw = { code: feat.code, stdout: feat.stdout, stderr: feat.stderr, timedOut: feat.timedOut };
  if (feat.code !== 0) {
    env.featuresNote = 'the runtime has no working `features` command: cases try every feature';
    return env;
  }
  try {
    const parsed: unknown = JSON.parse(feat.stdout);
    const problems = validateFeatures(parsed).filter((p) => p.level === 'error');
    if (problems.length)
      env.featuresNote = `\`features\` output is not valid (${problems[0]!.path || '(root)'}: ${problems[0]!.message}): cases try every feature`;
    else env.features = parsed as Features;
  } catch {
    env.featuresNote = '`features` printed something that is not JSON: cases try every feature';
  }
  return env;
}

const CAP_NUMBERS: Record<string, number> = { CAP_SYS_ADMIN: 21, CAP_SYS_RESOURCE: 24, CAP_MKNOD: 27, CAP_NET_ADMIN: 12 };

/**
 * A case's needs, as strings:
 * - `cgroup:v1` / `cgroup:v2`: the host's cgroup mode provides that version for resources
 *   (on a hybrid host, v1 controllers; v2 needs the unified hierarchy with controllers).
 * - `cgroup-controller:NAME`: the controller is usable in the mode resources go to.
 * - `ns:TYPE`: the kernel has that namespace type.
 * - `cap:NAME`: the harness (so the runtime) has that capability.
 * - `kernel:M.N`: kernel version at least M.N.
 * - `tool:NAME`: the program NAME is on PATH (umoci, podman, containerd…).
 * - `exec:i386`: the host executes i386 programs (IA-32 emulation), tried once per run.
 * - `feature:PATH[=VALUE]`: the runtime's `features` lists VALUE in the array at PATH
 *   (e.g. `feature:hooks=startContainer`, `feature:linux.namespaces=time`), or PATH is
 *   true (`feature:linux.seccomp.enabled`). A runtime without `features`, or whose
 *   features omit PATH, satisfies it: the case then tries.
 * Returns undefined when met, else the reason to skip.
 */
export function unmetNeed(need: string, env: Env): string | undefined {
  const [kind, arg = ''] = splitOnce(need, ':');
  const h = env.host;
  switch (kind) {
    case 'cgroup':
      if (arg === 'v1' && !(h.cgroup.mode === 'v1' || h.cgroup.mode === 'hybrid')) return `needs cgroup v1: the host's cgroups are ${h.cgroup.mode}`;
      if (arg === 'v2' && !(h.cgroup.mode === 'v2')) {
        return h.cgroup.mode === 'hybrid'
          ? `needs cgroup v2: this host is hybrid (v1 controllers; cgroup2 at ${h.cgroup.v2Path} has ${h.cgroup.v2Controllers.length ? h.cgroup.v2Controllers.join(' ') : 'no controllers'})`
          : `needs cgroup v2: the host's cgroups are ${h.cgroup.mode}`;
      }
      return undefined;
    case 'cgroup-controller': {
      const have = h.cgroup.mode === 'v2' ? h.cgroup.v2Controllers : h.cgroup.v1Controllers;
      return have.includes(arg) ? undefined : `needs the ${arg} cgroup controller, which this host does not provide (${h.cgroup.mode})`;
    }
    case 'ns':
      return h.namespaces[arg as NamespaceKind] ? undefined : `needs ${arg} namespaces, which this kernel does not have`;
    case 'cap': {
      const n = CAP_NUMBERS[arg];
      if (n === undefined) throw new Error(`unknown capability in needs: ${arg}`);
      return (h.capEff >> BigInt(n)) & 1n ? undefined : `needs ${arg}, which conform (and so the runtime) does not have here`;
    }
    case 'kernel': {
      const [maj, min] = arg.split('.').map(Number) as [number, number];
      const [hm, hn] = h.kernel.version;
      return hm > maj || (hm === maj && hn >= min) ? undefined : `needs Linux ${arg} or later (this is ${h.kernel.release})`;
    }
    case 'tool':
      return onPath(arg) ? undefined : `needs ${arg}, which is not on PATH (apt-get install -y ${TOOL_PACKAGES[arg] ?? arg})`;
    case 'feature': {
      const f = env.runtime.features;
      if (!f) return undefined;
      const [path, value] = splitOnce(arg, '=');
      const got = getPath(f, path);
      if (got === undefined || got === null) return undefined;
      if (value === undefined) return got === true ? undefined : `the runtime's features says ${path} is ${JSON.stringify(got)}`;
      return Array.isArray(got) && got.includes(value) ? undefined : `the runtime's features does not list ${value} in ${path}`;
    }
    case 'exec': {
      if (arg !== 'i386') throw new Error(`unknown program kind in needs: ${arg}`);
      const why = i386Unrunnable();
      return why && `needs a host that executes i386 programs: ${why}`;
    }
    default:
      throw new Error(`unknown need: ${need}`);
  }
}

/** Debian packages of the tools cases may need, for the skip message. */
const TOOL_PACKAGES: Record<string, string> = { ctr: 'containerd', 'containerd-shim-runc-v2': 'containerd', script: 'bsdutils' };

/** The full path of an executable on PATH, or undefined. */
export function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      /* next */
    }
  }
  return undefined;
}

let i386Verdict: { why?: string } | undefined;

/**
 * Why this host cannot execute an i386 program, or undefined when it can. Tried once:
 * a tiny program that makes a directory through int 0x80 must exit 0 and leave the
 * directory (a kernel without IA-32 emulation refuses the exec with ENOEXEC, and a
 * shell would then run the file as a script: only the directory proves it ran).
 */
export function i386Unrunnable(): string | undefined {
  if (!i386Verdict) i386Verdict = { why: tryI386() };
  return i386Verdict.why;
}

function tryI386(): string | undefined {
  if (process.arch !== 'x64') return `this is ${process.arch}, not x86_64`;
  const dir = mkdtempSync(join(tmpdir(), 'conform-i386-'));
  try {
    const made = join(dir, 'made');
    const prog = join(dir, 'prog');
    writeFileSync(prog, i386MkdirProgram(made), { mode: 0o755 });
    const r = spawnSync(prog, [], { stdio: 'ignore', timeout: 10_000 });
    if (r.error) return `executing one fails (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
    if (r.status === 0 && existsSync(made)) return undefined;
    return `an i386 program did not run (${r.signal ? `killed by ${r.signal}` : `exit status ${r.status}`}; the kernel likely lacks IA-32 emulation)`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}
