// config-linux.md "Seccomp", filters the runtime must refuse at create (common.ts has
// what the files share).
import type { Seccomp } from '../../schemas/config.js';
import type { SeccompOperator } from '../../schemas/enums.js';
import { ERRNO_A } from '../support/seccomp.js';
import type { Case } from '../../harness/case/case.js';
import { mustRefuse } from './common.js';

export default [
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
] as Case[];
