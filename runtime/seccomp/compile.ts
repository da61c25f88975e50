// Compiles linux.seccomp into a classic BPF program for seccomp(SECCOMP_SET_MODE_FILTER):
// checks and resolves the config here, lays the program out in emit.ts.
//
// Semantics, and where they differ from libseccomp (which runc and crun use):
// - Architecture mismatch returns SECCOMP_RET_KILL_THREAD: libseccomp's default
//   "bad arch" action (SCMP_ACT_KILL).
// - Without SCMP_ARCH_X32, a call on AUDIT_ARCH_X86_64 with the x32 bit set is a bad
//   arch (nr -1, which a tracer may set, is let through), as libseccomp does.
// - Several args on one rule are ANDed. If one rule names the same argument index
//   twice, each of its args becomes a rule of its own (ORed): runc does this, because
//   libseccomp refuses two comparisons on one argument.
// - Rules for the same syscall are tried in config order and the first match wins.
//   libseccomp instead merges them into a tree ordered by argument and operator, so
//   when two rules with different actions both match one call, it may pick the other
//   one; configs where that matters are ambiguous under libseccomp anyway.
// - A rule whose action (with its errno) equals the default action is left out, as
//   runc does (libseccomp refuses such rules), so that it cannot shadow later rules.
// - 64-bit arguments are compared as unsigned 64-bit numbers, high word first
//   (libseccomp ≥ 2.5's construction). On 32-bit ABIs (x86, x32) only the low word is
//   compared and the value is truncated to it, as libseccomp does.
// - MASKED_EQ: `value` is the mask and `valueTwo` the datum, (arg & value) == (valueTwo & value).
// - A name unknown on an architecture is skipped for that architecture, with a
//   warning when no listed architecture knows it. libseccomp resolves names per
//   architecture (seccomp_syscall_resolve_name_arch) and runc and crun skip a name it
//   cannot resolve; the engines' default profiles depend on it: podman's lists
//   pciconfig_iobase (alpha, powerpc, arm only), containerd's lists recv (no x86_64
//   number). A refusal here would make this runtime unusable under their defaults.
//   Whether a config naming a syscall nobody knows is invalid is disputed
//   (suites/seccomp.ts, seccomp.names.unknown-syscall); the warning is how a typo shows.
//   On x86 we match the direct socket syscalls only, not libseccomp's socketcall
//   multiplexing.
import { ConfigError } from '../errors.js';
import { SECCOMP_ARCHES } from '../../schemas/enums.js';
import { BPF_MAXINSNS, encode } from './bpf.js';
import { ACTIONS, ARCHES, EPERM, FLAGS, NATIVE_ARCH, OPERATORS, SECCOMP_FILTER_FLAG, SECCOMP_RET, type Operator } from './constants.js';
import { emitProgram, type Cond, type Rule, type SyscallEntry } from './emit.js';
import type { SeccompConfig } from './types.js';

export interface CompiledSeccomp {
  /** struct sock_filter[], little-endian; pass with sock_fprog { len: instructions, filter }. */
  program: Buffer;
  instructions: number;
  /**
   * The flags argument for seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog): the config's
   * flags, plus NEW_LISTENER when SCMP_ACT_NOTIFY is used (then the call returns the
   * listener fd), plus TSYNC_ESRCH when TSYNC and NEW_LISTENER meet (the kernel refuses
   * that pair otherwise). WAIT_KILLABLE_RECV is dropped without a listener, where it
   * means nothing and the kernel would refuse it.
   */
  flags: number;
  usesNotify: boolean;
  /** Names no listed architecture knows, skipped, each with where it is (`syscalls[0].names[13]`). */
  unknown: string[];
}

/**
 * The filter as the runtime hands it to the process that loads it (the container's init,
 * exec's process: init/protocol.ts), in a JSON message.
 */
export interface SeccompFilter {
  /** The program (CompiledSeccomp.program) in base64. */
  program: string;
  /** With TSYNC (withTsync). */
  flags: number;
  /** SCMP_ACT_NOTIFY is used: the filter is loaded early and its listener goes to the agent. */
  listener: boolean;
}

/**
 * Compiles for the init. The CLI compiles (create, exec), so that the init never
 * evaluates the syscall tables: ~75 kB of objects, enough to make V8 collect garbage once
 * in every init (~3 ms of CPU); and a bad profile fails before the init mounts anything
 * or runs a hook. `quiet` gets the names no listed architecture knows.
 */
export function seccompFilter(seccomp: SeccompConfig, quiet: (message: string) => void): SeccompFilter {
  const compiled = compileSeccomp(seccomp);
  // Expected with the engines' default profiles (see above): the log file only, never the
  // container's stdio, which the runtime shares with it.
  if (compiled.unknown.length > 0) quiet(`linux.seccomp: skipped syscall names no listed architecture knows: ${compiled.unknown.join(', ')}`);
  return { program: compiled.program.toString('base64'), flags: withTsync(compiled.flags), listener: compiled.usesNotify };
}

/** Adds TSYNC (and TSYNC_ESRCH when a listener is asked for) to compiled flags. */
export function withTsync(flags: number): number {
  let f = flags | SECCOMP_FILTER_FLAG.TSYNC;
  if (f & SECCOMP_FILTER_FLAG.NEW_LISTENER) f |= SECCOMP_FILTER_FLAG.TSYNC_ESRCH;
  return f;
}

const U64_MAX = (1n << 64n) - 1n;

/** Own keys only: a syscall named `constructor` must not resolve through Object.prototype. */
function own(table: object, key: string): boolean {
  return typeof key === 'string' && Object.hasOwn(table, key);
}

export function compileSeccomp(seccomp: SeccompConfig, root = 'linux.seccomp'): CompiledSeccomp {
  const fail = (path: string, message: string): never => {
    throw new ConfigError(path, message);
  };

  const defaultRet = actionRet(seccomp.defaultAction, seccomp.defaultErrnoRet, `${root}.defaultAction`, `${root}.defaultErrnoRet`);
  if (seccomp.defaultAction === 'SCMP_ACT_NOTIFY') {
    // The init's own calls after loading the filter (sending the listener fd, execve)
    // would wait for an agent that has not got the fd yet.
    fail(`${root}.defaultAction`, 'SCMP_ACT_NOTIFY cannot be the default action');
  }

  const arches = [NATIVE_ARCH];
  (seccomp.architectures ?? []).forEach((name, i) => {
    if (!own(ARCHES, name)) {
      // Valid in a config (schemas/enums.ts), but not one this x86_64 runtime runs.
      const why = (SECCOMP_ARCHES as readonly string[]).includes(name) ? 'is not an architecture of this x86_64 host' : 'is not a known architecture';
      fail(`${root}.architectures[${i}]`, `${JSON.stringify(name)} ${why}; supported: ${Object.keys(ARCHES).join(', ')}`);
    }
    if (!arches.includes(name)) arches.push(name);
  });

  let flags = 0;
  (seccomp.flags ?? []).forEach((name, i) => {
    const bit = own(FLAGS, name) ? FLAGS[name] : undefined;
    if (bit === undefined) fail(`${root}.flags[${i}]`, `unknown flag ${JSON.stringify(name)}; supported: ${Object.keys(FLAGS).join(', ')}`);
    else flags |= bit;
  });

  // audit arch → syscall nr → entry; Map keeps config order, which the program follows.
  const sections = new Map<number, Map<number, SyscallEntry>>();
  for (const a of arches) sections.set(ARCHES[a]!.audit, sections.get(ARCHES[a]!.audit) ?? new Map());
  let usesNotify = false;
  const unknown: string[] = [];

  (seccomp.syscalls ?? []).forEach((sc, i) => {
    const at = `${root}.syscalls[${i}]`;
    if (!Array.isArray(sc.names) || sc.names.length === 0) fail(`${at}.names`, 'must name at least one syscall');
    const ret = actionRet(sc.action, sc.errnoRet, `${at}.action`, `${at}.errnoRet`);
    const conds = (sc.args ?? []).map((arg, k) => parseArg(arg, `${at}.args[${k}]`));

    const resolved = sc.names.map((name, j) => {
      const hits = arches.flatMap((a) => {
        const table = ARCHES[a]!.syscalls;
        return typeof name === 'string' && own(table, name) ? [{ arch: a, nr: table[name]! }] : [];
      });
      if (typeof name !== 'string' || name === '') fail(`${at}.names[${j}]`, `must be a syscall name, got ${JSON.stringify(name)}`);
      if (hits.length === 0) unknown.push(`${name} (${at.slice(root.length + 1)}.names[${j}])`);
      return hits;
    });
    if (ret === defaultRet) return;
    if (sc.action === 'SCMP_ACT_NOTIFY') usesNotify = true;

    const indexes = conds.map((c) => c.index);
    const repeated = indexes.some((x, k) => indexes.indexOf(x) !== k);
    const rules: Rule[] = repeated ? conds.map((c) => ({ conds: [c], ret })) : [{ conds, ret }];

    for (const hits of resolved) {
      for (const { arch, nr } of hits) {
        const def = ARCHES[arch]!;
        const section = sections.get(def.audit)!;
        const entry = section.get(nr) ?? { bits: def.bits, rules: [] };
        entry.rules.push(...rules);
        section.set(nr, entry);
      }
    }
  });

  if (usesNotify) {
    if (!seccomp.listenerPath) fail(`${root}.listenerPath`, 'SCMP_ACT_NOTIFY is used, so listenerPath must name the agent socket');
    flags |= SECCOMP_FILTER_FLAG.NEW_LISTENER;
    if (flags & SECCOMP_FILTER_FLAG.TSYNC) flags |= SECCOMP_FILTER_FLAG.TSYNC_ESRCH;
  } else {
    flags &= ~SECCOMP_FILTER_FLAG.WAIT_KILLABLE_RECV;
  }
  if (seccomp.listenerMetadata !== undefined && !seccomp.listenerPath) {
    fail(`${root}.listenerMetadata`, 'must not be set without listenerPath');
  }

  const insns = emitProgram(sections, arches.includes('SCMP_ARCH_X32'), defaultRet);
  if (insns.length > BPF_MAXINSNS) {
    fail(root, `the compiled filter has ${insns.length} instructions, more than the kernel's limit of ${BPF_MAXINSNS}; use fewer rules or architectures`);
  }
  return { program: encode(insns), instructions: insns.length, flags, usesNotify, unknown };
}

function actionRet(action: string, errnoRet: number | undefined, actionPath: string, errnoPath: string): number {
  const def = own(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!def) throw new ConfigError(actionPath, `unknown action ${JSON.stringify(action)}; supported: ${Object.keys(ACTIONS).join(', ')}`);
  if (errnoRet === undefined) return (def.takesErrno ? def.ret | EPERM : def.ret) >>> 0;
  if (!def.takesErrno) throw new ConfigError(errnoPath, `${action} does not take an errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)`);
  if (!Number.isInteger(errnoRet) || errnoRet < 0 || errnoRet > SECCOMP_RET.DATA) {
    throw new ConfigError(errnoPath, `must be an integer from 0 to ${SECCOMP_RET.DATA}, got ${JSON.stringify(errnoRet)}`);
  }
  return (def.ret | errnoRet) >>> 0;
}

function u64(v: unknown, path: string): bigint {
  if (typeof v === 'bigint' && v >= 0n && v <= U64_MAX) return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) {
    // Past 2^53 a JSON number has already been rounded by JSON.parse, so the filter
    // would compare against a value the user did not write.
    if (!Number.isSafeInteger(v)) throw new ConfigError(path, `${v} is above 2^53 and lost precision when parsed as a JSON number`);
    return BigInt(v);
  }
  throw new ConfigError(path, `must be an unsigned 64-bit integer, got ${JSON.stringify(typeof v === 'bigint' ? v.toString() : v)}`);
}

function parseArg(arg: { index: number; value: number | bigint; valueTwo?: number | bigint; op: string }, at: string): Cond {
  if (!Number.isInteger(arg.index) || arg.index < 0 || arg.index > 5) {
    throw new ConfigError(`${at}.index`, `must be a syscall argument index from 0 to 5, got ${JSON.stringify(arg.index)}`);
  }
  if (!(OPERATORS as readonly string[]).includes(arg.op)) {
    throw new ConfigError(`${at}.op`, `unknown operator ${JSON.stringify(arg.op)}; supported: ${OPERATORS.join(', ')}`);
  }
  const op = arg.op as Operator;
  const value = u64(arg.value, `${at}.value`);
  const valueTwo = arg.valueTwo === undefined ? 0n : u64(arg.valueTwo, `${at}.valueTwo`);
  // Profiles written for Docker carry "valueTwo": 0 on every arg, so only a non-zero
  // valueTwo on an operator that has no use for it is refused.
  if (op !== 'SCMP_CMP_MASKED_EQ' && valueTwo !== 0n) {
    throw new ConfigError(`${at}.valueTwo`, `only SCMP_CMP_MASKED_EQ uses valueTwo (${op} compares against value alone)`);
  }
  return { index: arg.index, op, value, valueTwo };
}
