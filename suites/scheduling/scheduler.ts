// config.md "Linux Process": `scheduler`, read back from /proc/$$/stat (policy, nice,
// rt_priority) and /proc/$$/sched (SCHED_DEADLINE's budget) inside the container.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import type { ProbeFacts } from '../../harness/probe/parse.js';
import { parseCgroupMounts } from '../../linux/cgroupfs.js';
import type { Scheduler } from '../../schemas/config.js';
import { expectRefused, refusalOf } from '../support/refuse.js';
import { probeAsCaller } from '../support/caller.js';
import { output, parseStat, POLICY_NUMBERS, SINCE, skipIfUnknownField, type StatFields } from './common.js';

const CMDS = { stat: 'cat /proc/$$/stat', child: 'cat /proc/self/stat', sched: 'cat /proc/$$/sched' };

/**
 * With RT group scheduling (v1 cpu.rt_runtime_us), a new cpu cgroup gets no RT time and
 * SCHED_FIFO/SCHED_RR fail there with EPERM: the bundle then gives the container's
 * cgroup some (config-linux.md realtimeRuntime), as a user of such a host must.
 */
function rtGroupScheduling(): boolean {
  const cpu = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8')).find((m) => m.version === 1 && m.controllers.includes('cpu'));
  return cpu !== undefined && existsSync(join(cpu.mountPoint, 'cpu.rt_runtime_us'));
}

function schedBundle(b: BundleBuilder, s: Scheduler): void {
  b.ociVersion(SINCE.scheduler)
    .probe({ only: ['meta'], cmds: CMDS })
    .set('process.scheduler', s);
  const realtime = s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR';
  if (realtime && rtGroupScheduling()) b.resources({ cpu: { realtimeRuntime: 10000, realtimePeriod: 1000000 } });
}

function stat(t: CaseContext, facts: ProbeFacts, cmd: 'stat' | 'child'): StatFields | undefined {
  const text = output(t, facts, cmd);
  if (text === undefined) return undefined;
  const st = parseStat(text);
  t.ok(st !== undefined, `/proc/${cmd === 'stat' ? '$$' : 'self'}/stat inside the container could not be parsed: ${text.slice(0, 80)}`);
  return st;
}

const NAMES: Record<keyof StatFields, string> = { policy: 'policy (field 41)', nice: 'nice (field 19)', rtPriority: 'rt_priority (field 40)' };

/** The requirement each field shows. */
const REQUIREMENT: Record<keyof StatFields, string> = {
  policy: 'config:process.scheduler.policy',
  nice: 'config:process.scheduler.nice',
  rtPriority: 'config:process.scheduler.priority',
};

/** Each field against its own requirement (`about` overrides: a child's fields show `flags`). */
function expectStat(t: CaseContext, got: StatFields | undefined, want: Partial<StatFields>, whose: string, about?: string): void {
  if (!got) return;
  for (const k of Object.keys(want) as (keyof StatFields)[]) {
    const id = about ?? REQUIREMENT[k];
    // A field the case does not cite (policy in reset-on-fork) shows what the case's first requirement set up.
    t.req(t.requirements.includes(id) ? id : t.requirements[0]!).equal(got[k], want[k], `${whose}: scheduling ${NAMES[k]}`);
  }
}

interface ApplyDef {
  id: string;
  title: string;
  requirements: string[];
  exercises?: string[];
  scheduler: Scheduler;
  /** What /proc/$$/stat must say. */
  want: Partial<StatFields>;
  /** What a child's /proc/self/stat must say. */
  child?: Partial<StatFields>;
  extra?: (t: CaseContext, facts: ProbeFacts) => void;
}

function applyCase(d: ApplyDef): Case {
  return defineCase({
    id: `scheduling.scheduler.${d.id}`,
    title: d.title,
    requirements: d.requirements,
    exercises: d.exercises ?? ['process.scheduler'],
    bundle: (b) => schedBundle(b, d.scheduler),
    async check(t) {
      skipIfUnknownField(t, 'scheduler');
      const facts = await t.probe();
      // What the probe could not read says nothing of one field: it is about all the case checks.
      const all = t.req(d.requirements[0]!, ...d.requirements.slice(1));
      expectStat(t, stat(all, facts, 'stat'), d.want, 'the container process');
      // What children get is the flags' doing (SCHED_FLAG_RESET_ON_FORK), where the case sets them.
      if (d.child)
        expectStat(
          t,
          stat(all, facts, 'child'),
          d.child,
          'a child of the container process',
          d.requirements.includes('config:process.scheduler.flags') ? 'config:process.scheduler.flags' : undefined,
        );
      d.extra?.(t, facts);
    },
  });
}

/** /proc/PID/sched's `dl.runtime`: the budget left in the current period, in ns. */
function dlRuntime(text: string): number | undefined {
  const m = /^dl\.runtime\s*:\s*(-?\d+)/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

const DL = { runtime: 10_000_000, deadline: 30_000_000, period: 100_000_000 };

export default [
  applyCase({
    id: 'batch-nice',
    title: 'SCHED_BATCH with nice 7: the process runs under SCHED_BATCH at nice 7',
    requirements: ['config:process.scheduler.policy', 'config:process.scheduler.nice'],
    scheduler: { policy: 'SCHED_BATCH', nice: 7 },
    want: { policy: POLICY_NUMBERS.SCHED_BATCH!, nice: 7, rtPriority: 0 },
  }),

  applyCase({
    id: 'idle',
    title: 'SCHED_IDLE: the process runs under SCHED_IDLE',
    requirements: ['config:process.scheduler.policy'],
    scheduler: { policy: 'SCHED_IDLE' },
    want: { policy: POLICY_NUMBERS.SCHED_IDLE!, rtPriority: 0 },
  }),

  applyCase({
    id: 'other-negative-nice',
    title: 'SCHED_OTHER with nice -5: the process gets the raised priority',
    requirements: ['config:process.scheduler.policy', 'config:process.scheduler.nice'],
    scheduler: { policy: 'SCHED_OTHER', nice: -5 },
    want: { policy: POLICY_NUMBERS.SCHED_OTHER!, nice: -5 },
  }),

  applyCase({
    id: 'rr-priority',
    title: 'SCHED_RR with priority 10: the process runs round-robin at static priority 10',
    requirements: ['config:process.scheduler.policy', 'config:process.scheduler.priority'],
    scheduler: { policy: 'SCHED_RR', priority: 10 },
    want: { policy: POLICY_NUMBERS.SCHED_RR!, rtPriority: 10 },
  }),

  applyCase({
    id: 'fifo-priority',
    title: 'SCHED_FIFO with priority 20: the process runs first-in-first-out at static priority 20',
    requirements: ['config:process.scheduler.policy', 'config:process.scheduler.priority'],
    scheduler: { policy: 'SCHED_FIFO', priority: 20 },
    want: { policy: POLICY_NUMBERS.SCHED_FIFO!, rtPriority: 20 },
  }),

  applyCase({
    id: 'reset-on-fork',
    title: 'flags SCHED_FLAG_RESET_ON_FORK: the process keeps nice -5, its children start at nice 0',
    requirements: ['config:process.scheduler.flags', 'config:process.scheduler.nice'],
    exercises: ['process.scheduler.flags'],
    scheduler: { policy: 'SCHED_OTHER', nice: -5, flags: ['SCHED_FLAG_RESET_ON_FORK'] },
    want: { policy: POLICY_NUMBERS.SCHED_OTHER!, nice: -5 },
    // sched(7): with reset-on-fork a child does not inherit a negative nice value.
    child: { policy: POLICY_NUMBERS.SCHED_OTHER!, nice: 0 },
  }),

  applyCase({
    id: 'deadline',
    title:
      'SCHED_DEADLINE with runtime, deadline and period (and reset-on-fork, so the shell can fork): the process runs under SCHED_DEADLINE within its runtime',
    requirements: ['config:process.scheduler.policy', 'config:process.scheduler.deadline', 'config:process.scheduler.flags'],
    scheduler: { policy: 'SCHED_DEADLINE', ...DL, flags: ['SCHED_FLAG_RESET_ON_FORK'] },
    want: { policy: POLICY_NUMBERS.SCHED_DEADLINE! },
    // A SCHED_DEADLINE task may fork only with reset-on-fork; the children run SCHED_OTHER.
    child: { policy: POLICY_NUMBERS.SCHED_OTHER! },
    extra: (t, facts) => {
      // The kernel shows the budget left in the current period, never more than the runtime given.
      const left = dlRuntime(facts.cmds.sched?.output ?? '');
      if (left === undefined) return t.note('/proc/$$/sched shows no dl.runtime on this kernel: the runtime parameter is not checked');
      t.req('config:process.scheduler.deadline').ok(left <= DL.runtime, `dl.runtime of the container process (${left} ns) is within the configured runtime`, {
        expected: `<= ${DL.runtime}`,
        actual: left,
      });
    },
  }),

  defineCase({
    id: 'scheduling.scheduler.nice-unset',
    title: 'nice unset means nice 0: create and start run at nice 5, the process runs at 0',
    requirements: ['config:process.scheduler.nice'],
    exercises: ['process.scheduler'],
    bundle: (b) => schedBundle(b, { policy: 'SCHED_OTHER' }),
    async check(t) {
      skipIfUnknownField(t, 'scheduler');
      const facts = await probeAsCaller(t, { wrap: ['nice', '-n', '5'] });
      expectStat(t, stat(t, facts, 'stat'), { policy: POLICY_NUMBERS.SCHED_OTHER!, nice: 0 }, 'the container process');
    },
  }),

  defineCase({
    id: 'scheduling.scheduler.fifo-priority-unset-error',
    title: 'SCHED_FIFO without priority is refused: the runtime must use 0, which SCHED_FIFO does not take',
    requirements: ['config:process.scheduler.priority', 'runtime:create.apply-fail-error'],
    exercises: ['process.scheduler'],
    bundle: (b) => schedBundle(b, { policy: 'SCHED_FIFO' }),
    async check(t) {
      skipIfUnknownField(t, 'scheduler');
      await expectRefused(refusalOf(t), 'SCHED_FIFO with priority 0 (sched(7): 1 to 99)', { processProperty: true });
    },
  }),
] as Case[];
