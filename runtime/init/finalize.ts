// The last steps before the user's program: user and groups, capabilities,
// umask, cwd, no_new_privs, seccomp, signals and fds, then execve. Shared by the
// container's init (after `start`) and by `exec`.
//
// Order (runc's, for the same reasons):
// - the bounding set is dropped while we still have CAP_SETPCAP, KEEPCAPS keeps the
//   permitted set across setresuid, then capset installs the final sets;
// - seccomp needs CAP_SYS_ADMIN or no_new_privs: with noNewPrivileges it is loaded
//   last (so none of the runtime's own calls are filtered); without, it is loaded
//   before the capabilities are dropped, and then also filters the few calls left
//   (setresuid, capset, prctl, execve), as in runc.
import { closeSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { lastCap } from '../../linux/capabilities.js';
import {
  PR_CAP_AMBIENT,
  PR_CAP_AMBIENT_CLEAR_ALL,
  PR_CAP_AMBIENT_RAISE,
  PR_CAPBSET_DROP,
  PR_SET_KEEPCAPS,
  planCapabilities,
  type CapabilityPlan,
} from '../capabilities.js';
import type { Process } from '../config/validate.js';
import { isLinuxId, MAX_ID } from '../config/validate.js';
import { ConfigError, RuntimeError, SyscallError, oneLine } from '../errors.js';
import { O_DIRECTORY, RootDir } from '../mount/inroot.js';
import type { SeccompFilter } from '../seccomp/compile.js';
import type { Syscalls } from '../syscalls.js';

const PR_SET_NO_NEW_PRIVS = 38;
const SIGPIPE = 13;
const SIGXFSZ = 25;
/** What execvp uses when PATH is unset (confstr _CS_PATH). */
const DEFAULT_PATH = '/bin:/usr/bin';

/** What can be computed (and fail) before the container is reported created. */
export interface ProcessPlan {
  process: Process;
  /** args[0] resolved on the container's PATH, like execvp. */
  executable: string;
  env: string[];
  caps?: CapabilityPlan;
  /** `listener`: SCMP_ACT_NOTIFY is used, the filter is loaded early (loadForAgent). */
  seccomp?: { program: Uint8Array; flags: number; listener: boolean };
  userns: boolean;
  /** --preserve-fds: this many fds, held from PRESERVED_FDS_BASE on, become 3, 4, … of the program. */
  preserveFds?: number;
}

/** Where the runtime hands the init the fds of --preserve-fds (after the sync socket and the console slot). */
export const PRESERVED_FDS_BASE = 5;

/**
 * Checks and computes everything for the user's process, in the container's root
 * (after pivot_root): so that a missing program fails `create`, as in runc, and `start`
 * only has to carry the plan out. The seccomp filter comes compiled (the runtime's CLI
 * compiled it: seccomp/compile.ts). `warn`: a warning for the user.
 */
export function planProcess(p: Process, seccomp: SeccompFilter | undefined, userns: boolean, warn: (m: string) => void): ProcessPlan {
  const env = withHome(p.env ?? [], p.user.uid);
  const plan: ProcessPlan = { process: p, executable: resolveExecutable(p.args![0]!, env, p.cwd), env, userns };
  if (p.capabilities) {
    plan.caps = planCapabilities(p.capabilities, lastCap());
    for (const w of plan.caps.warnings) warn(w.message);
  }
  if (seccomp) plan.seccomp = { program: Buffer.from(seccomp.program, 'base64'), flags: seccomp.flags, listener: seccomp.listener };
  return plan;
}

/** runc sets HOME from the container's /etc/passwd (or /) when the config does not. */
function withHome(env: string[], uid: number): string[] {
  if (env.some((e) => e.startsWith('HOME='))) return env;
  let home = '/';
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 6 && Number(f[2]) === uid && f[5]) {
        home = f[5];
        break;
      }
    }
  } catch {
    // No /etc/passwd in the container: "/" as runc does.
  }
  return [...env, `HOME=${home}`];
}

export function resolveExecutable(file: string, env: readonly string[], cwd: string): string {
  if (file.includes('/')) {
    const path = posix.isAbsolute(file) ? file : posix.join(cwd, file);
    if (!isExecutableFile(path)) throw new RuntimeError(`process.args[0]: ${file} is not an executable file in the container`);
    return path;
  }
  const pathVar =
    [...env]
      .reverse()
      .find((e) => e.startsWith('PATH='))
      ?.slice(5) ?? DEFAULT_PATH;
  for (const dir of pathVar.split(':')) {
    const candidate = posix.join(dir === '' ? cwd : dir, file);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new RuntimeError(`process.args[0]: ${file} was not found in the container's PATH (${pathVar})`);
}

function isExecutableFile(path: string): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * SCMP_ACT_NOTIFY: loads the filter now, while the runtime still waits on the init, and
 * hands the listener fd to `handOver` (which returns once the runtime has passed a copy
 * to the agent); the init's own copy is closed before the program runs. As in runc, the
 * runtime's remaining calls (up to execve) then go through the filter.
 */
export function loadForAgent(sys: Syscalls, plan: ProcessPlan, handOver: (fd: number) => void): void {
  if (!plan.seccomp?.listener) return;
  const fd = sys.seccompSetFilter(plan.seccomp.flags, plan.seccomp.program);
  plan.seccomp = undefined;
  try {
    handOver(fd);
  } finally {
    closeSync(fd);
  }
}

/** Carries out the plan and execs; never returns. */
export function finalizeAndExec(sys: Syscalls, plan: ProcessPlan): never {
  const p = plan.process;
  const nnp = p.noNewPrivileges === true;
  if (plan.seccomp && !nnp) sys.seccompSetFilter(plan.seccomp.flags, plan.seccomp.program);

  chdirAs(sys, p.cwd, () => {
    if (plan.caps) {
      for (const step of plan.caps.steps) {
        switch (step.op) {
          case 'bounding-drop':
            sys.prctl(PR_CAPBSET_DROP, step.cap);
            break;
          case 'keep-caps':
            sys.prctl(PR_SET_KEEPCAPS, step.value);
            break;
          case 'switch-user':
            switchUser(sys, p, plan.userns);
            break;
          case 'capset':
            sys.capset(words(step.effective), words(step.permitted), words(step.inheritable));
            break;
          case 'ambient-clear':
            sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL);
            break;
          case 'ambient-raise':
            sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, step.cap);
            break;
        }
      }
    } else {
      switchUser(sys, p, plan.userns);
    }
  });
  if (p.user.umask !== undefined) sys.umask(p.user.umask);
  if (nnp) sys.prctl(PR_SET_NO_NEW_PRIVS, 1);

  // Node ignores SIGPIPE and SIGXFSZ, and marks 0-2 close-on-exec: undo both, and
  // let no other descriptor of ours reach the program.
  sys.resetSignal(SIGPIPE);
  sys.resetSignal(SIGXFSZ);
  sys.unblockAllSignals();
  closeOnExecAbove2(sys);
  for (const fd of [0, 1, 2]) {
    try {
      sys.setCloexec(fd, false);
    } catch (err) {
      if (!(err instanceof SyscallError && err.code === 'EBADF')) throw err;
    }
  }
  if (plan.seccomp && nnp) sys.seccompSetFilter(plan.seccomp.flags, plan.seccomp.program);
  // Last, since it overwrites the sync socket (fd 3): ascending order is safe because
  // each source (5 + i) lies above its target (3 + i) and was read before it is overwritten.
  for (let i = 0; i < (plan.preserveFds ?? 0); i++) sys.dup3(PRESERVED_FDS_BASE + i, 3 + i);
  return sys.execve(plan.executable, p.args!, plan.env);
}

function words(w: [number, number]): bigint {
  return BigInt(w[0] >>> 0) | (BigInt(w[1] >>> 0) << 32n);
}

/**
 * chdir before dropping privileges, or after when only the user may enter cwd. Through
 * an fd resolved in the root: a magic link (/proc/self/fd/N of a descriptor the
 * runtime holds) must not take the process's cwd out of the container.
 */
function chdirAs(sys: Syscalls, cwd: string, dropPrivileges: () => void): void {
  const enter = (): void => {
    const root = RootDir.open(sys);
    try {
      const fd = root.open(cwd, O_DIRECTORY);
      try {
        sys.fchdir(fd);
      } finally {
        closeSync(fd);
      }
    } finally {
      root.close();
    }
  };
  let early: unknown;
  try {
    enter();
  } catch (err) {
    early = err;
  }
  dropPrivileges();
  if (early !== undefined) {
    try {
      enter();
    } catch {
      throw new RuntimeError(`process.cwd: cannot change to ${cwd}: ${(early as Error).message}`);
    }
  }
}

function switchUser(sys: Syscalls, p: Process, userns: boolean): void {
  const groups = p.user.additionalGids ?? [];
  // Checked with the config, and again here for exec's --user and -p: never pass -1 on.
  const bad = [['process.user.uid', p.user.uid], ['process.user.gid', p.user.gid], ...groups.map((g, i) => [`process.user.additionalGids[${i}]`, g])].find(
    ([, v]) => !isLinuxId(v),
  );
  if (bad) throw new ConfigError(String(bad[0]), `${String(bad[1])} is not a user or group ID (0 to ${MAX_ID})`);
  const step = (field: string, value: string, call: () => void): void => {
    try {
      call();
    } catch (err) {
      const hint = err instanceof SyscallError && err.code === 'EINVAL' ? ": not mapped in the container's user namespace" : '';
      throw new ConfigError(field, `cannot switch to ${value}${hint} (${oneLine(err)})`);
    }
  };
  try {
    sys.setgroups(groups);
  } catch (err) {
    // A user namespace whose setgroups is "deny" cannot change groups; only an error if some were asked for.
    if (!(userns && groups.length === 0))
      step('process.user.additionalGids', groups.join(','), () => {
        throw err;
      });
  }
  step('process.user.gid', String(p.user.gid), () => sys.setresgid(p.user.gid));
  step('process.user.uid', String(p.user.uid), () => sys.setresuid(p.user.uid));
}

function closeOnExecAbove2(sys: Syscalls): void {
  const dir = '/proc/self/fd';
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const fd = Number(name);
    if (fd > 2) {
      try {
        sys.setCloexec(fd, true);
      } catch {
        // The directory's own fd is gone by now.
      }
    }
  }
}
