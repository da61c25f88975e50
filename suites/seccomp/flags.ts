// config-linux.md "Seccomp", flags: SECCOMP_FILTER_FLAG_LOG (common.ts has what the
// files share).
import { defineCase, type Case } from '../../harness/case/case.js';
import { poll } from '../../harness/process/wait.js';
import { claimed, createOrUnsupported } from '../support/seccomp.js';
import { readKmsg, seccompLogUnavailable } from '../support/kmsg.js';
import { ENABLED, act } from './common.js';

export default [
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
      const hit = await poll(
        () => readKmsg().find((r) => r.seq > before && r.message.includes('type=1326') && r.message.includes('comm="mkdir"') && r.message.includes(code)),
        {
          timeoutMs: t.rt.rt.timeoutMs,
          pauseMs: 100,
          maxPauseMs: 100,
        },
      );
      if (hit) return t.note(`audit record: ${hit.message.slice(0, 200)}`);
      t.fail(
        `no seccomp audit record (type=1326, comm="mkdir", ${code}) reached /dev/kmsg within ${t.rt.rt.timeoutMs / 1000}s of the container's first denied mkdir`,
      );
    },
  }),
] as Case[];
