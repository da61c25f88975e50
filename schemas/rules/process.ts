// Static rules for `process` (config.md#configProcess and the POSIX/Linux parts).
import { RLIMITS } from '../../linux/rlimits.js';
import { CAPABILITIES } from '../enums.js';
import { duplicates, entries, isInt, isObject, list, type Finding, type Rule } from './rule.js';

const KNOWN_CAPABILITIES = new Set<string>(CAPABILITIES);
/** (uid_t)-1. */
const NO_ID = 4294967295;
const CAPABILITY_SETS = ['effective', 'bounding', 'inheritable', 'permitted', 'ambient'] as const;

/** POSIX absolute, or on Windows a drive (`c:\`) or UNC/device (`\\`) path. */
function isAbsolute(path: string, windows: boolean): boolean {
  return path.startsWith('/') || (windows && /^([A-Za-z]:[\\/]|\\\\)/.test(path));
}

export const processRules: Rule[] = [
  {
    id: 'process.cwd.absolute',
    spec: 'config.md#configProcess',
    requirement: 'config:process.cwd.absolute',
    level: 'error',
    // "cwd ... This value MUST be an absolute path."
    check: (c, ctx) =>
      typeof c.process?.cwd === 'string' && !isAbsolute(c.process.cwd, ctx.windows) ? [{ path: ['process', 'cwd'], message: 'must be an absolute path' }] : [],
  },
  {
    id: 'process.args.required',
    spec: 'config.md#configProcess',
    requirement: 'config:process.args.required',
    level: 'error',
    // "at least one entry is REQUIRED (non-Windows) ... OPTIONAL on Windows, and
    // commandLine is REQUIRED if this field is omitted."
    check: (c, ctx) => {
      const p = c.process;
      if (!isObject(p) || (p.args !== undefined && !Array.isArray(p.args))) return []; // the schema reports a wrong type
      if (ctx.windows) {
        return p.args === undefined && p.commandLine === undefined ? [{ path: ['process', 'args'], message: 'args or commandLine is required' }] : [];
      }
      return Array.isArray(p.args) && p.args.length > 0 ? [] : [{ path: ['process', 'args'], message: 'must have at least one entry (the program to run)' }];
    },
  },
  {
    id: 'env.format',
    spec: 'config.md#configProcess',
    requirement: 'config:process.env',
    level: 'warning',
    // env has "the same semantics as ... environ": every entry is NAME=value
    // (for hooks too, config.md#configHooks).
    check: (c) => {
      const lists: [(string | number)[], readonly unknown[]][] = [[['process', 'env'], list(c.process?.env)]];
      for (const [name, hooks] of entries(c.hooks)) {
        list(hooks).forEach((h, i) => lists.push([['hooks', name, i, 'env'], list(isObject(h) ? h.env : undefined)]));
      }
      const out: Finding[] = [];
      for (const [path, env] of lists) {
        env.forEach((e, i) => {
          if (typeof e === 'string' && !/^[^=]+=/.test(e)) out.push({ path: [...path, i], message: 'should be NAME=value' });
        });
      }
      return out;
    },
  },
  {
    id: 'process.rlimits.unique',
    spec: 'config.md#configPOSIXProcess',
    requirement: 'config:process.rlimits.duplicate-error',
    level: 'error',
    // "If rlimits contains duplicated entries with same type, the runtime MUST generate an error."
    check: (c) =>
      duplicates(list(c.process?.rlimits).map((r) => (isObject(r) ? r.type : undefined))).map((i) => ({
        path: ['process', 'rlimits', i, 'type'],
        message: `duplicates an earlier ${String(c.process?.rlimits?.[i]?.type)} entry`,
      })),
  },
  {
    id: 'process.rlimits.type',
    spec: 'config.md#configPOSIXProcess',
    requirement: 'config:process.rlimits.unknown-type-error',
    level: 'error',
    // "Linux: valid values are defined in the getrlimit(2) man page"; a runtime MUST
    // generate an error for any value it cannot map.
    check: (c, ctx) =>
      ctx.linux
        ? list(c.process?.rlimits).flatMap((r, i) =>
            isObject(r) && typeof r.type === 'string' && /^RLIMIT_[A-Z]+$/.test(r.type) && !(r.type in RLIMITS)
              ? [{ path: ['process', 'rlimits', i, 'type'], message: `is not a Linux resource limit (getrlimit(2))` }]
              : [],
          )
        : [],
  },
  {
    id: 'process.rlimits.soft-le-hard',
    spec: 'config.md#configPOSIXProcess',
    requirement: 'config:process.rlimits.soft',
    level: 'error',
    // hard is "the ceiling for the soft limit"; setrlimit(2) fails with EINVAL otherwise.
    check: (c) =>
      list(c.process?.rlimits).flatMap((r, i) =>
        isObject(r) && isInt(r.soft) && isInt(r.hard) && r.soft > r.hard
          ? [{ path: ['process', 'rlimits', i, 'soft'], message: 'must not be greater than hard' }]
          : [],
      ),
  },
  {
    id: 'process.capabilities.known',
    spec: 'config.md#configLinuxProcess',
    requirement: 'config:process.capabilities.unknown-warn',
    level: 'warning',
    affectsRun: true,
    // "Valid values are defined in the capabilities(7) man page"; an unmappable value
    // "MUST be logged as a warning", and runtimes SHOULD NOT fail.
    check: (c) =>
      CAPABILITY_SETS.flatMap((set) =>
        list(c.process?.capabilities?.[set]).flatMap((name, i) =>
          typeof name === 'string' && !KNOWN_CAPABILITIES.has(name)
            ? [{ path: ['process', 'capabilities', set, i], message: `${name} is not a capability in capabilities(7)` }]
            : [],
        ),
      ),
  },
  {
    id: 'process.capabilities.grantable',
    spec: 'config.md#configLinuxProcess',
    requirement: 'config:process.capabilities.unknown-warn',
    level: 'warning',
    affectsRun: true,
    // capabilities(7): effective ⊆ permitted, and an ambient capability must be both
    // permitted and inheritable; anything else "cannot be granted" and MUST be warned about.
    check: (c) => {
      const caps = c.process?.capabilities;
      if (!isObject(caps)) return [];
      const set = (name: (typeof CAPABILITY_SETS)[number]) => new Set(list(caps[name]));
      const permitted = set('permitted');
      const inheritable = set('inheritable');
      const out: Finding[] = [];
      list(caps.effective).forEach((name, i) => {
        if (!permitted.has(name))
          out.push({ path: ['process', 'capabilities', 'effective', i], message: `${name} is not in permitted, so it cannot be effective` });
      });
      list(caps.ambient).forEach((name, i) => {
        if (!permitted.has(name) || !inheritable.has(name)) {
          out.push({ path: ['process', 'capabilities', 'ambient', i], message: `${name} must be both permitted and inheritable to be ambient` });
        }
      });
      return out;
    },
  },
  {
    id: 'process.user.required',
    spec: 'config.md#configPOSIXUser',
    requirement: 'config:process.user.required-fields',
    level: 'error',
    // The POSIX user "structure has the following fields: uid (int, REQUIRED), gid (int,
    // REQUIRED)": a POSIX process without one has neither.
    check: (c, ctx) =>
      ctx.linux && isObject(c.process) && c.process.user === undefined
        ? [{ path: ['process', 'user'], message: 'is required on POSIX platforms (uid and gid are REQUIRED)' }]
        : [],
  },
  {
    id: 'process.user.umask',
    spec: 'config.md#configPOSIXUser',
    requirement: 'config:process.user.umask',
    level: 'error',
    // umask "specifies the umask of the user"; umask(2) keeps only mask & 0777, so a value
    // with other bits cannot be the process's umask.
    check: (c) => {
      const umask = c.process?.user?.umask;
      return isInt(umask) && umask > 0o777
        ? [{ path: ['process', 'user', 'umask'], message: `must be at most 511 (0777): umask(2) keeps no other bits (got ${umask})` }]
        : [];
    },
  },
  {
    id: 'process.user.id',
    spec: 'config.md#configPOSIXUser',
    requirement: 'config:process.user.uid',
    level: 'error',
    // uid, gid and additionalGids are IDs "in the container namespace" the process runs
    // with. On Linux 4294967295 is (uid_t)-1: no ID (the kernel's INVALID_UID), and
    // setresuid(2)/setresgid(2) read it as "leave unchanged", so the process would keep
    // the runtime's IDs, root: a process cannot run as it.
    check: (c, ctx) => {
      const u = c.process?.user;
      if (!ctx.linux || !isObject(u)) return [];
      const ids: Array<[(string | number)[], unknown]> = [
        [['process', 'user', 'uid'], u.uid],
        [['process', 'user', 'gid'], u.gid],
      ];
      list(u.additionalGids).forEach((g, i) => ids.push([['process', 'user', 'additionalGids', i], g]));
      return ids
        .filter(([, v]) => v === NO_ID)
        .map(([path]) => ({ path, message: 'is 4294967295, (uid_t)-1: not an ID on Linux; setresuid(2) would leave the process as root' }));
    },
  },
  {
    id: 'process.oomScoreAdj.range',
    spec: 'config.md#configLinuxProcess',
    requirement: 'config:process.oom-score-adj.set',
    level: 'error',
    // The runtime "MUST set oom_score_adj to the given value"; proc(5) accepts -1000..1000.
    check: (c, ctx) =>
      ctx.linux && isInt(c.process?.oomScoreAdj) && Math.abs(c.process.oomScoreAdj) > 1000
        ? [{ path: ['process', 'oomScoreAdj'], message: 'must be from -1000 to 1000 (proc(5) oom_score_adj)' }]
        : [],
  },
  {
    id: 'process.scheduler.nice',
    spec: 'config.md#configLinuxProcess',
    requirement: 'config:process.scheduler.nice',
    level: 'error',
    // nice "is the nice value for the process": sched(7) nice values are -20..19.
    check: (c) => {
      const nice = c.process?.scheduler?.nice;
      return isInt(nice) && (nice < -20 || nice > 19) ? [{ path: ['process', 'scheduler', 'nice'], message: 'must be from -20 to 19 (sched(7))' }] : [];
    },
  },
  {
    id: 'process.scheduler.priority',
    spec: 'config.md#configLinuxProcess',
    requirement: 'config:process.scheduler.priority',
    level: 'error',
    // priority is "the static priority ... used by real-time policies like SCHED_FIFO and
    // SCHED_RR": sched(7) gives those 1..99, and every other policy 0.
    check: (c) => {
      const s = c.process?.scheduler;
      if (!isObject(s) || !isInt(s.priority)) return [];
      const realtime = s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR';
      if (realtime && (s.priority < 1 || s.priority > 99)) {
        return [{ path: ['process', 'scheduler', 'priority'], message: `must be from 1 to 99 for ${s.policy} (sched(7))` }];
      }
      if (!realtime && s.priority !== 0) {
        return [{ path: ['process', 'scheduler', 'priority'], message: `must be 0 for ${String(s.policy)}: only SCHED_FIFO and SCHED_RR use it (sched(7))` }];
      }
      return [];
    },
  },
  {
    id: 'process.scheduler.deadline',
    spec: 'config.md#configLinuxProcess',
    requirement: 'config:process.scheduler.deadline',
    level: 'error',
    // runtime, deadline and period are "used by the deadline scheduler"; sched(7) requires
    // runtime <= deadline <= period (a period of 0 means "same as deadline").
    check: (c) => {
      const s = c.process?.scheduler;
      if (!isObject(s) || s.policy !== 'SCHED_DEADLINE') return [];
      const runtime = isInt(s.runtime) ? s.runtime : 0;
      const deadline = isInt(s.deadline) ? s.deadline : 0;
      const period = isInt(s.period) ? s.period : 0;
      const out: Finding[] = [];
      if (runtime > deadline) out.push({ path: ['process', 'scheduler', 'runtime'], message: 'must not be greater than deadline (sched(7))' });
      if (period !== 0 && deadline > period) out.push({ path: ['process', 'scheduler', 'deadline'], message: 'must not be greater than period (sched(7))' });
      return out;
    },
  },
];
