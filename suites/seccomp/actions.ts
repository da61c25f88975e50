// config-linux.md "Seccomp", the actions (defaultAction, each rule's action and
// errnoRet) and the argument conditions (common.ts has what the files share).
import { defineCase, type Case } from '../../harness/case/case.js';
import type { SeccompArg } from '../../schemas/config.js';
import { ERRNO_A, ERRNO_B, attemptsOf, claimed, denyByDefault, outcome, probeUnder } from '../support/seccomp.js';
import { ENABLED, act, op, tries, expectOutcomes, ACTION, ERRNO_RET, DEFAULT_ACTION, DEFAULT_ERRNO_RET, MKDIR, GONE, TOUCH, OPERATOR_CASES } from './common.js';

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
      expectOutcomes(t, got, { mkdir: 'EPERM', absent: 'ok', touch: 'ok' }, 'under a mkdir rule with SCMP_ACT_ERRNO', {
        mkdir: [ACTION, ERRNO_RET],
        absent: [ACTION],
        touch: [ACTION],
      });
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
      expectOutcomes(
        t,
        got,
        { mkdir: ERRNO_A.name, touch: 'ok', chmod: ERRNO_B.name },
        `(mkdir rule errnoRet ${ERRNO_A.code}, chmod rule errnoRet ${ERRNO_B.code})`,
        { mkdir: [ERRNO_RET], chmod: [ERRNO_RET], touch: [ACTION] },
      );
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
      expectOutcomes(t, got, { mkdir: 'EPERM', cat: 'ok' }, 'under defaultAction SCMP_ACT_ERRNO with an allow list that leaves mkdir out', {
        mkdir: [DEFAULT_ACTION, DEFAULT_ERRNO_RET],
        cat: [ACTION],
      });
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
      expectOutcomes(t, got, { mkdir: 'SIGSYS', absent: 'ok', cat: 'ok' }, 'under defaultAction SCMP_ACT_KILL with an allow list that leaves mkdir out', {
        mkdir: [DEFAULT_ACTION],
        absent: [ACTION],
        cat: [ACTION],
      });
    },
  }),

  defineCase({
    id: 'seccomp.action.log',
    title: 'SCMP_ACT_LOG lets the syscall run (under a deny-by-default filter)',
    requirements: ['config-linux:seccomp.syscalls.action'],
    exercises: ['linux.seccomp.syscalls[1]'],
    needs: [ENABLED, act('SCMP_ACT_LOG'), act('SCMP_ACT_ERRNO')],
    bundle: (b) =>
      tries(b, [MKDIR, 't_ chmod chmod 700 /conform-dir']).seccomp(
        denyByDefault('SCMP_ACT_ERRNO', { syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_LOG' }] }),
      ),
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
      t.ok(trap.includes('@trapped'), "the shell's SIGSYS trap ran after its kill(2) call", { actual: facts.cmds.trap?.output });
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
        tries(
          b,
          [6, 7, 8].map((n) => `t_ nice${n} renice ${n} -p 0`),
        ).seccomp({
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
        syscalls: [
          { names: ['chmod'], action: 'SCMP_ACT_ERRNO', errnoRet: ERRNO_A.code, args: [{ index: 1, value: 0o022, valueTwo: 0o002, op: 'SCMP_CMP_MASKED_EQ' }] },
        ],
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
      tries(
        b,
        [4, 7, 12].map((n) => `t_ nice${n} renice ${n} -p 0`),
      ).seccomp({
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
] as Case[];
