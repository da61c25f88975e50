// The hooks suite's recorder: one /bin/sh script that a hook runs to write down what
// it saw (its stdin, namespaces, argv, environment, and the namespaces and argv of
// the pid its state names), plus readers for those records.
//
// The script sits at the same absolute path on the host (the case's files dir) and
// inside the rootfs, and writes under the same absolute out/ path, so that a hook
// finds it wherever its path resolves (runtime namespace: the host; startContainer:
// the container), and the case can tell from where the record landed which side ran.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import type { CaseContext } from '../../harness/case/context.js';
import type { CallResult } from '../../harness/process/driver.js';
import { parseLinks } from '../../harness/probe/parse.js';
import { poll } from '../../harness/process/wait.js';
import type { Hook, HookName } from '../../schemas/config.js';

export const HOOK_KINDS: readonly HookName[] = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];
/** Hooks that run in the container namespace (config.md); the others run in the runtime namespace. */
export const CONTAINER_NS_KINDS: ReadonlySet<HookName> = new Set(['createContainer', 'startContainer']);
/** The one kind whose path resolves in the container namespace. */
export const resolvesInContainer = (k: HookName) => k === 'startContainer';

// busybox sh (in the rootfs) and dash (on the host) both run this: POSIX sh, cat and
// ls -l only, six programs in all (a fork and exec costs this VM several ms; one readlink
// per namespace made a hook take ~0.3 s). The hook's own pid is read from /proc/self/stat
// by the shell itself (`read` is a builtin): `$$` would be its pid in its own pid
// namespace, which for a createContainer hook is not the pid namespace of the /proc it
// sees. The pid of the state is its last "pid" member, found with the shell's own
// pattern matching.
const RECORDER = `#!/bin/sh
# rec.sh OUT NAME [ORDER]: records what this hook sees under OUT/NAME.*; appends NAME to ORDER.
d=$1
n=$2
read -r me rest < /proc/self/stat
cat > "$d/$n.state"
echo "$n" >> "\${3:-$d/order}"
ls -l /proc/$me/ns/ > "$d/$n.ns"
cat /proc/$me/environ > "$d/$n.environ"
cat /proc/$me/cmdline > "$d/$n.cmdline"
s=
while IFS= read -r l || [ -n "$l" ]; do s="$s$l"; done < "$d/$n.state"
pid=
case $s in *'"pid"'*)
  pid=\${s##*'"pid"'}
  while :; do case $pid in [[:space:]:]*) pid=\${pid#?} ;; *) break ;; esac; done
  pid=\${pid%%[!0-9]*} ;;
esac
if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
  ls -l /proc/$pid/ns/ > "$d/$n.pidns"
  cat /proc/$pid/cmdline > "$d/$n.pidcmdline"
fi
exit 0
`;

export interface Recorder {
  /** The script, at this absolute path on the host and in the rootfs. */
  script: string;
  /** Where records go (same path on both sides). */
  out: string;
  /** A hook that records under `name`; `order` overrides where it appends its name. */
  hook(name: string, extra?: Partial<Hook> & { order?: string }): Hook;
  /** A hook path that exists on both sides with different contents: each says which ran. */
  decoy(name: string): Hook;
}

/** Installs the recorder (and the decoys' directory) on the host and in the rootfs. */
export function installRecorder(b: BundleBuilder): Recorder {
  const script = b.hostFile('rec.sh', RECORDER, 0o755);
  const out = b.hostDir('out', 0o777);
  b.file(script, RECORDER, 0o755).mkdir(out, 0o777);
  return {
    script,
    out,
    hook: (name, extra = {}) => {
      const { order, ...rest } = extra;
      return { path: script, args: [script, out, name, ...(order ? [order] : [])], ...rest };
    },
    decoy: (name) => {
      const path = join(out, '..', `where-${name}.sh`);
      const body = (side: string) => `#!/bin/sh\necho ${side} > "${out}/${name}.where"\nexec /bin/sh "${script}" "${out}" "${name}"\n`;
      b.hostFile(`where-${name}.sh`, body('runtime'), 0o755);
      b.file(path, body('container'), 0o755);
      return { path, args: [path] };
    },
  };
}

export interface HookRecord {
  /** Where the record landed: the host's files dir, or the same path inside the rootfs. */
  side: 'host' | 'rootfs';
  stdin: string;
  /** Namespace kind (file name in /proc/PID/ns) → link text. */
  ns: Record<string, string>;
  argv: string[];
  env: string[];
  /** The namespaces and argv of the pid in the state, read while the hook ran. */
  pidNs?: Record<string, string>;
  pidArgv?: string[];
  /** The decoy's word: 'runtime' (host copy ran) or 'container' (rootfs copy ran). */
  where?: string;
}

const nul = (s: string) => (s.endsWith('\0') ? s.slice(0, -1) : s).split('\0');
/** `ls -l /proc/PID/ns/`: namespace kind → link text. */
const nsLines = (s: string) => Object.fromEntries(parseLinks(s));

/** The record a hook made under `name`, or undefined when it never ran (on either side). */
export function readRecord(t: CaseContext, out: string, name: string): HookRecord | undefined {
  const rootfs = join(t.bundle.dir, t.bundle.config.root?.path ?? 'rootfs');
  for (const [side, dir] of [
    ['host', out],
    ['rootfs', join(rootfs, out)],
  ] as const) {
    const f = (ext: string) => {
      const p = join(dir, `${name}.${ext}`);
      return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
    };
    const stdin = f('state');
    if (stdin === undefined) continue;
    const pidNs = f('pidns');
    const pidArgv = f('pidcmdline');
    return {
      side,
      stdin,
      ns: nsLines(f('ns') ?? ''),
      argv: nul(f('cmdline') ?? ''),
      env: nul(f('environ') ?? '').filter(Boolean),
      pidNs: pidNs === undefined ? undefined : nsLines(pidNs),
      pidArgv: pidArgv === undefined ? undefined : nul(pidArgv),
      where: f('where')?.trim(),
    };
  }
  return undefined;
}

/** Names appended to an order log, in order (missing log: none). */
export function readOrder(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];
}

/** The pid of a host process as its own (innermost) pid namespace sees it (NSpid's last field). */
export function pidInOwnNamespace(hostPid: number): number | undefined {
  try {
    const line = /^NSpid:\s*(.*)$/m.exec(readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1];
    return line ? Number(line.trim().split(/\s+/).at(-1)) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A record that must exist: ends the case when the hook did not run (on `t`, nothing of the
 * case could be judged; on `t.req(id)`, `id` failed: the hook's "invoked" requirement).
 */
export function mustRecord(t: CaseContext, out: string, name: string, kind: HookName): HookRecord {
  const r = readRecord(t, out, name);
  if (!r) t.abort(`the ${kind} hook did not run (no record of it on the host or in the rootfs)`);
  return r!;
}

/**
 * The error a failing hook makes the operation generate (runtime.md Lifecycle: "the
 * runtime MUST generate an error"). A non-zero exit reports it; a crash or a hang reports
 * nothing and fails. An exit 0 leaves `t`'s requirement unjudged: runtime.md#runtimeErrors
 * "does not mandate how, or even if, that error is returned or exposed to the user", so
 * the cases judge the error's mandated effects instead (the container stopped, the program
 * never run, the lifecycle going on at step 12).
 */
export function expectHookError(t: CaseContext, r: CallResult, what: string): void {
  if (r.ok) t.unjudged(`${what} exited 0, and runtime.md#runtimeErrors does not mandate how, or even if, an error is returned`);
  else t.expectError(r, what);
}

const BANNER = '@@conform-probe 1';
/** Whether the user's program (the probe) ever started: its banner is on the container's stdout. */
export const programRan = (t: CaseContext) => t.stdout().split('\n').includes(BANNER);

/**
 * After a failing startContainer hook: polls `state` until the container is stopped or,
 * with `gone`, destroyed (state fails). Lifecycle step 7 stops it and goes on at step 12
 * (destroy) without saying whether that is done before start returns, so a runtime may
 * pass through either state at its own pace. Returns undefined once there, else the last
 * status seen: at the deadline (5 s at most), or at the first answer asked once every
 * process create left had exited (the reaper held them; what start left was killed when
 * it returned), since no process of the runtime's is then left to get there later.
 */
export async function settleAfterFailedStart(t: CaseContext, want: 'stopped' | 'gone'): Promise<string | undefined> {
  let last = '';
  const settled = await poll(
    async () => {
      const final = t.rt.createLeftExited(t.id);
      const r = await t.rt.state(t.id);
      if (!r.ok && !r.timedOut && !r.signal) return 'there'; // gone: stopped and destroyed
      if (want === 'stopped' && r.state?.['status'] === 'stopped') return 'there';
      last = r.state ? `status ${JSON.stringify(r.state['status'])}` : r.summary;
      return final ? 'final' : undefined;
    },
    { timeoutMs: Math.min(t.rt.rt.timeoutMs, 5000), pauseMs: 20, maxPauseMs: 200 },
  );
  return settled === 'there' ? undefined : last;
}
