// config-linux.md "Seccomp", architectures: a rule applies to the architectures listed
// (common.ts has what the files share).
import { defineCase, type Case } from '../../harness/case/case.js';
import { ERRNO_A, SIGSYS_STATUS, attemptsOf, claimed, outcome, probeUnder, writeRootfsBinary } from '../support/seccomp.js';
import { i386ExitProgram, i386MkdirProgram } from '../../linux/i386.js';
import { I386_EXIT, ENABLED, act, tries, expectOutcomes, ERRNO_RET, MKDIR } from './common.js';

export default [
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
      // Killed by SIGSYS, though every listed architecture's default is to allow: the kernel's
      // answer to a syscall of an architecture the filter does not cover, i.e. SCMP_ARCH_X86
      // was left out (what libseccomp does with a filter for x86_64 alone).
      if (control?.rc === SIGSYS_STATUS) {
        arch.ok(
          false,
          'the i386 program that only exits was killed by SIGSYS under a filter whose default action is SCMP_ACT_ALLOW: its syscalls are not those of an architecture the filter covers',
        );
        return;
      }
      if (control?.rc !== I386_EXIT)
        t.skip(
          `the container cannot run an i386 program that only exits ${I386_EXIT} (${outcome(control)}), so the filter's effect on i386 syscalls cannot be seen`,
        );
      const i386 = got.get('i386');
      // The program exits with the errno its mkdir got.
      arch.equal(i386?.rc === SIGSYS_STATUS ? 'killed by SIGSYS' : i386?.rc, ERRNO_A.code, 'exit status of the i386 program (the errno of its mkdir)');
      expectOutcomes(t, got, { mkdir: ERRNO_A.name }, '(x86_64) under the same rule', { mkdir: [ERRNO_RET] });
    },
  }),
] as Case[];
