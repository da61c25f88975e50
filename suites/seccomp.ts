// config-linux.md "Seccomp": the filter is enforced, not just accepted. Each case
// gives one syscall busybox can drive (mkdir, chmod, renice → setpriority, the
// shell's kill builtin) a rule, runs it from the probe and reads back how it ended:
// the exact errno (glibc's message), death by SIGSYS (status 159), or success.
import { defineCase } from '../harness/case.js';
import type { BundleBuilder } from '../harness/bundle.js';
import { callFailure, type CaseContext } from '../harness/context.js';
import { parseProbe } from '../harness/probe/parse.js';
import { poll } from '../harness/wait.js';
import type { Seccomp, SeccompArg } from '../schemas/config.js';
import type { SeccompOperator } from '../schemas/enums.js';
import {
  ERRNO_A,
  ERRNO_B,
  SIGSYS_STATUS,
  TRY_FN,
  UNUSED_SYSCALLS,
  attemptsOf,
  claimed,
  createOrUnsupported,
  denyByDefault,
  outcome,
  probeUnder,
  writeRootfsBinary,
  type Attempt,
} from './support/seccomp.js';
import { readKmsg, seccompLogUnavailable } from './support/kmsg.js';
import { refusalOf } from './support/refuse.js';
import { startSeccompAgent } from '../harness/seccomp-agent.js';
import { i386ExitProgram, i386MkdirProgram } from '../linux/i386.js';

/** What the control i386 program exits with: no errno a mkdir gives, no shell status. */
const I386_EXIT = 42;

const ENABLED = 'feature:linux.seccomp.enabled';
const act = (a: string) => `feature:linux.seccomp.actions=${a}`;
const op = (o: string) => `feature:linux.seccomp.operators=${o}`;

/** The probe with one snippet, `try`, made of `t_ LABEL CMD…` lines. */
function tries(b: BundleBuilder, lines: string[], more: Record<string, string> = {}): BundleBuilder {
  return b.probe({ only: ['meta'], cmds: { try: [TRY_FN, ...lines].join('\n'), ...more } });
}

/**
 * Checks each labelled attempt ended as expected ('ok', an errno name, or 'SIGSYS'), each
 * against `about[label]` (the requirements the attempt shows) when given, else against `t`.
 */
function expectOutcomes(t: CaseContext, got: Map<string, Attempt>, want: Record<string, string>, why: string, about: Record<string, string[]> = {}): void {
  for (const [label, expected] of Object.entries(want)) {
    const a = got.get(label);
    const actual = a?.rc === SIGSYS_STATUS ? 'SIGSYS' : outcome(a);
    const [first, ...rest] = about[label] ?? [];
    (first ? t.req(first, ...rest) : t).equal(actual, expected, `${label} ${why}`);
  }
}

const ACTION = 'config-linux:seccomp.syscalls.action';
const ERRNO_RET = 'config-linux:seccomp.syscalls.errno-ret';
const DEFAULT_ACTION = 'config-linux:seccomp.default-action';
const DEFAULT_ERRNO_RET = 'config-linux:seccomp.default-errno-ret';

const MKDIR = 't_ mkdir mkdir /conform-dir';
const GONE = 't_ absent test ! -e /conform-dir';
const TOUCH = 't_ touch touch /conform-file';

/** Cases where a config the runtime must refuse is given to create. */
function mustRefuse(o: { id: string; title: string; requirements: string[]; exercises: string[]; seccomp: Seccomp }) {
  return defineCase({
    id: `seccomp.invalid.${o.id}`,
    title: o.title,
    requirements: [...o.requirements, 'runtime:create.apply-fail-no-container'],
    exercises: o.exercises,
    invalid: true,
    bundle: (b) => b.probe({ only: ['meta'] }).seccomp(o.seccomp),
    async check(t) {
      refusalOf(t).expectError(await t.rt.create(t.id, t.bundle.dir), `create (${o.title.replace(/ makes create fail$/, '')})`);
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state of the container whose create failed');
    },
  });
}

const OPERATOR_CASES: [SeccompOperator, string, number[]][] = [
  ['SCMP_CMP_EQ', 'eq', [7]],
  ['SCMP_CMP_NE', 'ne', [6, 8]],
  ['SCMP_CMP_LT', 'lt', [6]],
  ['SCMP_CMP_LE', 'le', [6, 7]],
  ['SCMP_CMP_GT', 'gt', [8]],
  ['SCMP_CMP_GE', 'ge', [7, 8]],
];

/** create for a bundle with SCMP_ACT_NOTIFY: a refusal is a skip, unless the runtime's features list the action. */
async function createWithNotify(t: CaseContext): Promise<void> {
  const r = await t.rt.create(t.id, t.bundle.dir);
  if (r.ok) {
    await t.state(); // registers the pid for cleanup
    return;
  }
  if (claimed(t, 'actions', 'SCMP_ACT_NOTIFY')) t.abort(callFailure("create with SCMP_ACT_NOTIFY, which the runtime's features list", r));
  t.skip(`the runtime refused SCMP_ACT_NOTIFY at create (${r.summary}), which config.md "Valid values" allows for a value it does not support`);
}

export default [
  defineCase({
    id: 'seccomp.status',
    title: 'with linux.seccomp the process runs in seccomp filter mode (Seccomp: 2, at least one filter)',
    requirements: ['config-linux:seccomp.default-action', 'config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO')],
    bundle: (b) => b.probe({ only: ['status'] }).seccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }),
    async check(t) {
      // Filter mode shows the filter (its default action and its rule) was loaded at all.
      const loaded = t.all();
      const st = (await probeUnder(loaded, 'a seccomp filter', claimed(t, 'actions', 'SCMP_ACT_ERRNO'))).status;
      loaded.equal(st?.seccomp, 2, 'Seccomp in /proc/self/status (2: filter mode)');
      if (st?.seccompFilters === undefined) t.note('the kernel does not report Seccomp_filters (before Linux 5.9, or not Linux)');
      else loaded.ok(st.seccompFilters >= 1, 'Seccomp_filters is at least 1', { actual: st.seccompFilters });
    },
  }),

  defineCase({
    id: 'seccomp.errno.default-eperm',
    title: 'SCMP_ACT_ERRNO without errnoRet fails the syscall with EPERM; other syscalls are untouched',
    requirements: ['config-linux:seccomp.syscalls.action', 'config-linux:seccomp.syscalls.errno-ret'],
    exercises: ['linux.seccomp.syscalls[0]'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO')],
    bundle: (b) => tries(b, [MKDIR, GONE, TOUCH]).seccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] }),
    async check(t) {
      const got = attemptsOf(await probeUnder(t.req(ACTION), 'SCMP_ACT_ERRNO', claimed(t, 'actions', 'SCMP_ACT_ERRNO')));
      // EPERM is errnoRet's default; that only mkdir fails is the rule's action.
      expectOutcomes(t, got, { mkdir: 'EPERM', absent: 'ok', touch: 'ok' }, 'under a mkdir rule with SCMP_ACT_ERRNO', { mkdir: [ACTION, ERRNO_RET], absent: [ACTION], touch: [ACTION] });
    },
  }),

  defineCase({
    id: 'seccomp.errno.errno-ret',
    title: "each rule's errnoRet is the exact errno its syscalls fail with",
    requirements: ['config-linux:seccomp.syscalls.errno-ret', 'config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp.syscalls[0].errnoRet', 'linux.seccomp.syscalls[1].errnoRet'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO')],
    bundle: (b) =>
      tries(b, [MKDIR, TOUCH, 't_ chmod chmod 600 /conform-file']).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code },
          { names: ['chmod'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_B.code },
        ],
      }),
    async check(t) {
      const got = attemptsOf(await probeUnder(t.req(ACTION), 'SCMP_ACT_ERRNO with errnoRet', claimed(t, 'actions', 'SCMP_ACT_ERRNO')));
      expectOutcomes(t, got, { mkdir: ERRNO_A.name, touch: 'ok', chmod: ERRNO_B.name }, `(mkdir rule errnoRet ${ERRNO_A.code}, chmod rule errnoRet ${ERRNO_B.code})`, { mkdir: [ERRNO_RET], chmod: [ERRNO_RET], touch: [ACTION] });
    },
  }),

  defineCase({
    id: 'seccomp.default.errno',
    title: 'defaultAction SCMP_ACT_ERRNO denies what no rule allows (with EPERM) while the allowed syscalls run',
    requirements: ['config-linux:seccomp.default-action', 'config-linux:seccomp.default-errno-ret', 'config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO'), act('SCMP_ACT_ALLOW')],
    bundle: (b) => tries(b, [MKDIR, 't_ cat cat /etc/passwd']).seccomp(denyByDefault('SCMP_ACT_ERRNO')),
    async check(t) {
      const got = attemptsOf(await probeUnder(t.req(DEFAULT_ACTION), 'defaultAction SCMP_ACT_ERRNO', claimed(t, 'actions', 'SCMP_ACT_ERRNO')));
      expectOutcomes(t, got, { mkdir: 'EPERM', cat: 'ok' }, 'under defaultAction SCMP_ACT_ERRNO with an allow list that leaves mkdir out', { mkdir: [DEFAULT_ACTION, DEFAULT_ERRNO_RET], cat: [ACTION] });
    },
  }),

  defineCase({
    id: 'seccomp.default.errno-ret',
    title: 'defaultErrnoRet is the errno of the syscalls the default action denies',
    requirements: ['config-linux:seccomp.default-errno-ret', 'config-linux:seccomp.default-action'],
    exercises: ['linux.seccomp.defaultErrnoRet'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO'), act('SCMP_ACT_ALLOW')],
    bundle: (b) => tries(b, [MKDIR]).seccomp(denyByDefault('SCMP_ACT_ERRNO', { defaultErrnoRet: ERRNO_A.code })),
    async check(t) {
      const got = attemptsOf(await probeUnder(t.req(DEFAULT_ERRNO_RET), 'defaultErrnoRet', claimed(t, 'actions', 'SCMP_ACT_ERRNO')));
      expectOutcomes(t, got, { mkdir: ERRNO_A.name }, `under defaultAction SCMP_ACT_ERRNO, defaultErrnoRet ${ERRNO_A.code}`, { mkdir: [DEFAULT_ERRNO_RET] });
    },
  }),

  defineCase({
    id: 'seccomp.default.kill',
    title: 'defaultAction SCMP_ACT_KILL kills a process making a syscall no rule allows (SIGSYS)',
    requirements: ['config-linux:seccomp.default-action', 'config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp'],
    needs: [ENABLED, act('SCMP_ACT_KILL'), act('SCMP_ACT_ALLOW')],
    bundle: (b) => tries(b, [MKDIR, GONE, 't_ cat cat /etc/passwd']).seccomp(denyByDefault('SCMP_ACT_KILL')),
    async check(t) {
      const got = attemptsOf(await probeUnder(t.req(DEFAULT_ACTION), 'defaultAction SCMP_ACT_KILL', claimed(t, 'actions', 'SCMP_ACT_KILL')));
      expectOutcomes(t, got, { mkdir: 'SIGSYS', absent: 'ok', cat: 'ok' }, 'under defaultAction SCMP_ACT_KILL with an allow list that leaves mkdir out', { mkdir: [DEFAULT_ACTION], absent: [ACTION], cat: [ACTION] });
    },
  }),

  defineCase({
    id: 'seccomp.action.log',
    title: 'SCMP_ACT_LOG lets the syscall run (under a deny-by-default filter)',
    requirements: ['config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp.syscalls[1]'],
    needs: [ENABLED, act('SCMP_ACT_LOG'), act('SCMP_ACT_ERRNO')],
    bundle: (b) =>
      tries(b, [MKDIR, 't_ chmod chmod 700 /conform-dir']).seccomp(denyByDefault('SCMP_ACT_ERRNO', { syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_LOG' }] })),
    async check(t) {
      const got = attemptsOf(await probeUnder(t, 'SCMP_ACT_LOG', claimed(t, 'actions', 'SCMP_ACT_LOG')));
      expectOutcomes(t, got, { mkdir: 'ok', chmod: 'EPERM' }, 'with mkdir under SCMP_ACT_LOG and chmod left to defaultAction SCMP_ACT_ERRNO');
    },
  }),

  ...(['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD'] as const).map((action) =>
    defineCase({
      id: `seccomp.action.${action.slice('SCMP_ACT_'.length).toLowerCase().replace('_', '-')}`,
      title: `${action} kills the process making the syscall with SIGSYS, before the syscall has any effect`,
      requirements: ['config-linux:seccomp.syscalls.action'],
      exercises: ['linux.seccomp.syscalls[0]'],
      needs: [ENABLED, act(action)],
      bundle: (b) => tries(b, [MKDIR, GONE, TOUCH]).seccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action }] }),
      async check(t) {
        const got = attemptsOf(await probeUnder(t, action, claimed(t, 'actions', action)));
        expectOutcomes(t, got, { mkdir: 'SIGSYS', absent: 'ok', touch: 'ok' }, `under a mkdir rule with ${action}`);
      },
    }),
  ),

  defineCase({
    id: 'seccomp.action.trap',
    title: 'SCMP_ACT_TRAP delivers a SIGSYS the process can catch (and that kills it when not caught)',
    requirements: ['config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp.syscalls[0]'],
    needs: [ENABLED, act('SCMP_ACT_TRAP')],
    bundle: (b) =>
      // The shell's kill builtin makes the kill(2) call in the shell itself, where the trap is set.
      tries(b, [MKDIR], { trap: 'trap "echo @trapped" SYS; kill -0 $$; echo @survived' }).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['kill', 'mkdir'], action: 'SCMP_ACT_TRAP' }],
      }),
    async check(t) {
      const facts = await probeUnder(t, 'SCMP_ACT_TRAP', claimed(t, 'actions', 'SCMP_ACT_TRAP'));
      const trap = facts.cmds.trap?.output.split('\n') ?? [];
      t.ok(trap.includes('@trapped'), 'the shell\'s SIGSYS trap ran after its kill(2) call', { actual: facts.cmds.trap?.output });
      t.ok(trap.includes('@survived'), 'the shell survived the trapped syscall', { actual: facts.cmds.trap?.output });
      expectOutcomes(t, attemptsOf(facts), { mkdir: 'SIGSYS' }, 'under SCMP_ACT_TRAP, with no handler for SIGSYS');
    },
  }),

  ...OPERATOR_CASES.map(([operator, name, denied]) =>
    defineCase({
      id: `seccomp.args.${name}`,
      title: `an argument condition with ${operator} 7 matches exactly the values it should (setpriority's priority 6, 7, 8)`,
      requirements: ['config-linux:seccomp.syscalls.args'],
      exercises: ['linux.seccomp.syscalls[0].args'],
      needs: [ENABLED, act('SCMP_ACT_ERRNO'), op(operator)],
      bundle: (b) =>
        tries(b, [6, 7, 8].map((n) => `t_ nice${n} renice ${n} -p 0`)).seccomp({
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [{ names: ['setpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code, args: [{ index: 2, value: 7, op: operator }] }],
        }),
      async check(t) {
        const got = attemptsOf(await probeUnder(t, operator, claimed(t, 'operators', operator)));
        const want = Object.fromEntries([6, 7, 8].map((n) => [`nice${n}`, denied.includes(n) ? ERRNO_A.name : 'ok']));
        expectOutcomes(t, got, want, `(setpriority denied when its priority ${operator} 7)`);
      },
    }),
  ),

  defineCase({
    id: 'seccomp.args.masked-eq',
    title: 'SCMP_CMP_MASKED_EQ compares (argument & value) with valueTwo (chmod modes)',
    requirements: ['config-linux:seccomp.syscalls.args'],
    exercises: ['linux.seccomp.syscalls[0].args'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO'), op('SCMP_CMP_MASKED_EQ')],
    bundle: (b) =>
      // mode & 022 == 002: denies 646 and 602; allows 644 and 666. With value and
      // valueTwo swapped (mode & 002 == 022) nothing would be denied.
      tries(b, [TOUCH, ...['644', '646', '666', '602'].map((m) => `t_ m${m} chmod ${m} /conform-file`)]).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code, args: [{ index: 1, value: 0o022, valueTwo: 0o002, op: 'SCMP_CMP_MASKED_EQ' }] }],
      }),
    async check(t) {
      const got = attemptsOf(await probeUnder(t, 'SCMP_CMP_MASKED_EQ', claimed(t, 'operators', 'SCMP_CMP_MASKED_EQ')));
      expectOutcomes(t, got, { touch: 'ok', m644: 'ok', m646: ERRNO_A.name, m666: 'ok', m602: ERRNO_A.name }, '(chmod denied when mode & 022 == 002)');
    },
  }),

  defineCase({
    id: 'seccomp.args.all-conditions',
    title: 'a rule with conditions on two arguments matches only when both hold',
    requirements: ['config-linux:seccomp.syscalls.args'],
    exercises: ['linux.seccomp.syscalls[0].args'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO'), op('SCMP_CMP_EQ')],
    bundle: (b) => {
      const args: SeccompArg[] = [
        { index: 0, value: 0, op: 'SCMP_CMP_EQ' }, // which == PRIO_PROCESS
        { index: 2, value: 7, op: 'SCMP_CMP_EQ' }, // priority == 7
      ];
      // renice -g 0 is PRIO_PGRP (1): it renices the probe's own group, so it goes last.
      tries(b, ['t_ p7 renice 7 -p 0', 't_ p8 renice 8 -p 0', 't_ g7 renice 7 -g 0']).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['setpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code, args }],
      });
    },
    async check(t) {
      const got = attemptsOf(await probeUnder(t, 'argument conditions', claimed(t, 'operators', 'SCMP_CMP_EQ')));
      expectOutcomes(t, got, { p7: ERRNO_A.name, p8: 'ok', g7: 'ok' }, '(setpriority denied only when which == PRIO_PROCESS and priority == 7)');
    },
  }),

  defineCase({
    id: 'seccomp.args.same-index',
    title: 'two conditions on the same argument: both must hold (5 <= priority <= 9)',
    requirements: ['config-linux:seccomp.syscalls.args'],
    disputed:
      'config-linux.md does not say how the conditions of one rule combine; libseccomp ANDs them, but runc (and Docker profiles) turn conditions on the same argument into separate rules, i.e. OR',
    needs: [ENABLED, act('SCMP_ACT_ERRNO'), op('SCMP_CMP_GE'), op('SCMP_CMP_LE')],
    bundle: (b) =>
      tries(b, [4, 7, 12].map((n) => `t_ nice${n} renice ${n} -p 0`)).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          {
            names: ['setpriority'],
            action: 'SCMP_ACT_ERRNO',
            errnoRet: ERRNO_A.code,
            args: [
              { index: 2, value: 5, op: 'SCMP_CMP_GE' },
              { index: 2, value: 9, op: 'SCMP_CMP_LE' },
            ],
          },
        ],
      }),
    async check(t) {
      const got = attemptsOf(await probeUnder(t, 'two conditions on one argument', claimed(t, 'operators', 'SCMP_CMP_GE')));
      t.note(`renice 4, 7, 12: ${['nice4', 'nice7', 'nice12'].map((l) => outcome(got.get(l))).join(', ')}`);
      expectOutcomes(t, got, { nice4: 'ok', nice7: ERRNO_A.name, nice12: 'ok' }, '(both conditions must hold)');
    },
  }),

  defineCase({
    id: 'seccomp.architectures.x86',
    title: 'with SCMP_ARCH_X86 in architectures, the rules also filter i386 syscalls',
    requirements: ['config-linux:seccomp.architectures', 'config-linux:seccomp.syscalls.errno-ret'],
    exercises: ['linux.seccomp.architectures'],
    needs: ['exec:i386', ENABLED, act('SCMP_ACT_ERRNO'), 'feature:linux.seccomp.archs=SCMP_ARCH_X86'],
    bundle: (b) =>
      tries(b, [`t_ i386-exit /conform-i386-exit`, 't_ i386 /conform-i386', MKDIR]).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code }],
      }),
    async check(t) {
      writeRootfsBinary(t, 'conform-i386', i386MkdirProgram('/conform-i386-dir'));
      const arch = t.req('config-linux:seccomp.architectures');
      writeRootfsBinary(t, 'conform-i386-exit', i386ExitProgram(I386_EXIT));
      const got = attemptsOf(await probeUnder(arch, 'SCMP_ARCH_X86', claimed(t, 'archs', 'SCMP_ARCH_X86')));
      // The host runs i386 programs (the need); a sandbox between it and the container
      // may not. A program that only exits tells, under the same filter (exit is allowed).
      const control = got.get('i386-exit');
      if (control?.rc !== I386_EXIT) t.skip(`the container cannot run an i386 program that only exits ${I386_EXIT} (${outcome(control)}), so the filter's effect on i386 syscalls cannot be seen`);
      const i386 = got.get('i386');
      // The program exits with the errno its mkdir got.
      arch.equal(i386?.rc === SIGSYS_STATUS ? 'killed by SIGSYS' : i386?.rc, ERRNO_A.code, 'exit status of the i386 program (the errno of its mkdir)');
      expectOutcomes(t, got, { mkdir: ERRNO_A.name }, '(x86_64) under the same rule', { mkdir: [ERRNO_RET] });
    },
  }),

  defineCase({
    id: 'seccomp.flags.log',
    title: 'SECCOMP_FILTER_FLAG_LOG: the syscalls the filter denies with SCMP_ACT_ERRNO reach the kernel audit log',
    requirements: ['config-linux:seccomp.flags'],
    exercises: ['linux.seccomp.flags'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO'), 'feature:linux.seccomp.knownFlags=SECCOMP_FILTER_FLAG_LOG'],
    bundle: (b) =>
      // Repeated attempts: the kernel rate-limits audit messages to the console log.
      b.args('/bin/sh', '-c', 'echo @@ready; while :; do mkdir /conform-flag-log 2>/dev/null; usleep 100000; done').seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        flags: ['SECCOMP_FILTER_FLAG_LOG'],
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
      }),
    async check(t) {
      const why = seccompLogUnavailable('errno');
      if (why) t.skip(why);
      const before = readKmsg().reduce((m, r) => Math.max(m, r.seq), -1);
      await createOrUnsupported(t, 'SECCOMP_FILTER_FLAG_LOG', claimed(t, 'supportedFlags', 'SECCOMP_FILTER_FLAG_LOG'));
      await t.start();
      await t.waitOutput('@@ready');
      // The record carries the action without its data: SECCOMP_RET_ERRNO is 0x00050000. Without
      // the flag the kernel does not log errno actions, and no other case sets it, so a record
      // for mkdir newer than the container is this filter's.
      const code = 'code=0x50000';
      const hit = await poll(() => readKmsg().find((r) => r.seq > before && r.message.includes('type=1326') && r.message.includes('comm="mkdir"') && r.message.includes(code)), {
        timeoutMs: t.rt.rt.timeoutMs,
        pauseMs: 100,
        maxPauseMs: 100,
      });
      if (hit) return t.note(`audit record: ${hit.message.slice(0, 200)}`);
      t.fail(`no seccomp audit record (type=1326, comm="mkdir", ${code}) reached /dev/kmsg within ${t.rt.rt.timeoutMs / 1000}s of the container's first denied mkdir`);
    },
  }),

  defineCase({
    id: 'seccomp.listener.state',
    title: 'with SCMP_ACT_NOTIFY the runtime sends one container process state with the listener fd to listenerPath, then closes the connection',
    requirements: [
      'config-linux:seccomp.listener.socket-type',
      'config-linux:seccomp.listener.one-state',
      'config-linux:seccomp.listener.close',
      'config-linux:seccomp.listener.seccomp-fd',
      'config-linux:seccomp.listener.no-reuse',
      'config-linux:seccomp.listener-metadata.sent',
      'config-linux:process-state.scm-rights',
      'config-linux:process-state.fds-first',
      'config-linux:process-state.fds-index',
      'config-linux:process-state.json',
      'config-linux:process-state.required-fields',
      'config-linux:process-state.pid',
    ],
    exercises: ['linux.seccomp'],
    needs: [ENABLED, act('SCMP_ACT_NOTIFY')],
    bundle: (b) =>
      b.probe({ only: ['meta'] }).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('a.sock'),
        listenerMetadata: 'conform-metadata',
        syscalls: [{ names: [UNUSED_SYSCALLS[0]!], action: 'SCMP_ACT_NOTIFY' }],
      }),
    async check(t) {
      const agent = await startSeccompAgent(t, t.bundle.config.linux!.seccomp!.listenerPath!, ERRNO_A.code);
      await createWithNotify(t);
      const st = await t.state();
      await agent.until((ev) => ev.closed, t.rt.rt.timeoutMs);
      const ev = agent.events();
      // The agent listens on an AF_UNIX SOCK_STREAM socket: a connection shows the runtime used that type.
      if (!t.req('config-linux:seccomp.listener.socket-type').ok(ev.connections >= 1, 'the runtime connected to listenerPath during create')) return;
      t.req('config-linux:seccomp.listener.no-reuse', 'config-linux:seccomp.listener.one-state').equal(ev.connections, 1, 'connections to listenerPath');
      t.req('config-linux:seccomp.listener.seccomp-fd', 'config-linux:process-state.scm-rights').equal(ev.fdLink, 'anon_inode:seccomp notify', 'the fd that came with the state (SCM_RIGHTS) is a seccomp listener');
      t.req('config-linux:process-state.fds-first').equal(ev.fdAt, 0, 'bytes sent before the message that carried the fd (it rides on the first sendmsg)');
      t.req('config-linux:seccomp.listener.close').ok(ev.closed, 'the runtime closed the connection after sending the state');
      let msg: Record<string, unknown> | undefined;
      try {
        msg = JSON.parse(agent.received()) as Record<string, unknown>;
      } catch {
        t.req('config-linux:process-state.json', 'config-linux:seccomp.listener.one-state').fail('what the runtime sent is not one JSON document', { actual: agent.received().slice(0, 300) });
      }
      const fields = t.req('config-linux:process-state.required-fields');
      fields.ok(typeof msg?.ociVersion === 'string', 'the process state has an ociVersion string', { actual: msg?.ociVersion });
      t.req('config-linux:process-state.pid').equal(msg?.pid, st.pid, 'pid in the process state (the container process, as the runtime sees it)');
      // The n-th name belongs to the n-th fd: the first fd is the listener (checked above).
      const fds = Array.isArray(msg?.fds) ? (msg.fds as unknown[]) : undefined;
      t.req('config-linux:seccomp.listener.seccomp-fd', 'config-linux:process-state.fds-index').equal(fds?.[0], 'seccompFd', 'fds[0], the name of the first fd sent (the listener)');
      t.req('config-linux:process-state.fds-index').equal(fds?.length, 1 + ev.extraFds, 'names in fds, one per fd sent');
      t.req('config-linux:seccomp.listener-metadata.sent').equal(msg?.metadata, 'conform-metadata', 'metadata (listenerMetadata)');
      const state = msg?.state as Record<string, unknown> | undefined;
      fields.equal(state?.id, t.id, 'state.id in the process state');
      fields.equal(state?.pid, st.pid, 'state.pid in the process state');
      await t.start();
      await t.waitOutput('@@done');
    },
  }),

  defineCase({
    id: 'seccomp.notify.agent-answers',
    title: "with SCMP_ACT_NOTIFY on mkdir, the agent holding the listener fd decides: the process's mkdir fails with the errno the agent answers",
    requirements: ['config-linux:seccomp.syscalls.action', 'config-linux:seccomp.listener.seccomp-fd'],
    exercises: ['linux.seccomp.syscalls[0]'],
    needs: [ENABLED, act('SCMP_ACT_NOTIFY')],
    bundle: (b) =>
      tries(b, [MKDIR, GONE]).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('a.sock'),
        syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
      }),
    async check(t) {
      const agent = await startSeccompAgent(t, t.bundle.config.linux!.seccomp!.listenerPath!, ERRNO_A.code);
      await createWithNotify(t);
      await t.start();
      const out = await t.waitOutput('@@done');
      // The agent decides only if it got the listener (seccompFd); the syscall reaching it is the action's doing.
      const decided = t.req(ACTION, 'config-linux:seccomp.listener.seccomp-fd');
      expectOutcomes(decided, attemptsOf(parseProbe(out)), { mkdir: ERRNO_A.name, absent: 'ok' }, 'under a mkdir rule with SCMP_ACT_NOTIFY (the agent answers EDOM)');
      const ev = agent.events();
      decided.ok(ev.notifications.length > 0, 'the agent received a notification for the mkdir', { actual: ev });
      if (ev.error) t.note(`the agent: ${ev.error}`);
    },
  }),

  defineCase({
    id: 'seccomp.listener.connect-error',
    title: 'with SCMP_ACT_NOTIFY and nothing listening at listenerPath, create fails',
    requirements: ['config-linux:seccomp.listener.send-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.seccomp'],
    needs: [ENABLED],
    bundle: (b) =>
      b.probe({ only: ['meta'] }).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('nobody-listens.sock'),
        syscalls: [{ names: [UNUSED_SYSCALLS[0]!], action: 'SCMP_ACT_NOTIFY' }],
      }),
    async check(t) {
      t.req('config-linux:seccomp.listener.send-error').expectError(await t.rt.create(t.id, t.bundle.dir), 'create');
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state of the container whose create failed');
    },
  }),

  defineCase({
    id: 'seccomp.listener.unused',
    title: 'without SCMP_ACT_NOTIFY, listenerPath is ignored: create succeeds and the filter applies',
    requirements: ['config-linux:seccomp.listener.ignored-without-notify', 'config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp.syscalls[0]'],
    needs: [ENABLED, act('SCMP_ACT_ERRNO')],
    bundle: (b) =>
      tries(b, [MKDIR]).seccomp({
        defaultAction: 'SCMP_ACT_ALLOW',
        listenerPath: b.hostPath('nobody-listens.sock'),
        syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code }],
      }),
    async check(t) {
      // Ignored: create works as if listenerPath were not there; the filter is the action's.
      await t.req('config-linux:seccomp.listener.ignored-without-notify').create();
      await t.start();
      const out = await t.waitOutput('@@done');
      expectOutcomes(t, attemptsOf(parseProbe(out)), { mkdir: ERRNO_A.name }, 'under a mkdir rule (listenerPath set, no SCMP_ACT_NOTIFY)', { mkdir: [ACTION] });
    },
  }),

  mustRefuse({
    id: 'default-action',
    title: 'an unknown defaultAction makes create fail',
    requirements: ['config:valid-values.invalid-error'],
    exercises: ['linux.seccomp'],
    seccomp: { defaultAction: 'SCMP_ACT_CONFORM_UNKNOWN' as Seccomp['defaultAction'] },
  }),
  mustRefuse({
    id: 'action',
    title: 'an unknown syscall action makes create fail',
    requirements: ['config:valid-values.invalid-error'],
    exercises: ['linux.seccomp.syscalls[0]'],
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_CONFORM_UNKNOWN' as Seccomp['defaultAction'] }] },
  }),
  mustRefuse({
    id: 'arch',
    title: 'an unknown architecture makes create fail',
    requirements: ['config:valid-values.invalid-error', 'config-linux:seccomp.architectures'],
    exercises: ['linux.seccomp.architectures'],
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_CONFORM_UNKNOWN' as 'SCMP_ARCH_X86'] },
  }),
  mustRefuse({
    id: 'operator',
    title: 'an unknown argument operator makes create fail',
    requirements: ['config:valid-values.invalid-error', 'config-linux:seccomp.syscalls.args'],
    exercises: ['linux.seccomp.syscalls[0].args'],
    seccomp: {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, value: 0, op: 'SCMP_CMP_CONFORM_UNKNOWN' as SeccompOperator }] }],
    },
  }),
  mustRefuse({
    id: 'flag',
    title: 'an unknown seccomp flag makes create fail',
    requirements: ['config:valid-values.invalid-error', 'config-linux:seccomp.flags'],
    exercises: ['linux.seccomp.flags'],
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_CONFORM_UNKNOWN' as 'SECCOMP_FILTER_FLAG_LOG'] },
  }),
  mustRefuse({
    id: 'errno-ret-action',
    title: 'errnoRet on a rule whose action takes no errno (SCMP_ACT_ALLOW) makes create fail',
    requirements: ['config-linux:seccomp.syscalls.errno-unsupported'],
    exercises: ['linux.seccomp.syscalls[0].errnoRet'],
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ALLOW', errnoRet: ERRNO_A.code }] },
  }),
  mustRefuse({
    id: 'default-errno-ret-action',
    title: 'defaultErrnoRet with a defaultAction that takes no errno (SCMP_ACT_ALLOW) makes create fail',
    requirements: ['config-linux:seccomp.default-errno-unsupported'],
    exercises: ['linux.seccomp.defaultErrnoRet'],
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: ERRNO_A.code },
  }),
  mustRefuse({
    id: 'names-empty',
    title: 'a rule with an empty names list makes create fail',
    requirements: ['config-linux:seccomp.syscalls.names-non-empty', 'config:valid-values.invalid-error'],
    exercises: ['linux.seccomp.syscalls[0]'],
    seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] },
  }),

  defineCase({
    id: 'seccomp.names.unknown-syscall',
    title: 'a syscall name the runtime does not know makes create fail',
    requirements: ['config:valid-values.invalid-error'],
    disputed:
      'config-linux.md gives no list of syscall names; "Valid values" asks for an error, but runc and crun skip names libseccomp cannot resolve, and common profiles (Docker\'s) rely on that to list syscalls of newer kernels',
    needs: [ENABLED, act('SCMP_ACT_ERRNO')],
    bundle: (b) =>
      tries(b, [MKDIR]).seccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['conform_no_such_syscall', 'mkdir'], action: 'SCMP_ACT_ERRNO' }] }),
    async check(t) {
      const r = await t.rt.create(t.id, t.bundle.dir);
      if (!r.ok) return t.note('the runtime refused the unknown syscall name');
      await t.state();
      await t.start();
      const got = attemptsOf(parseProbe(await t.waitOutput('@@done')));
      t.note(`the runtime accepted the unknown name; mkdir, named in the same rule, ended: ${outcome(got.get('mkdir'))}`);
      t.ok(false, 'create accepted a rule naming a syscall that does not exist');
    },
  }),
];
