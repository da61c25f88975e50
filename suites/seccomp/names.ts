// config-linux.md "Seccomp", syscall names the runtime cannot resolve (common.ts has
// what the files share).
import { defineCase, type Case } from '../../harness/case/case.js';
import { parseProbe } from '../../harness/probe/parse.js';
import { attemptsOf, outcome } from '../support/seccomp.js';
import { ENABLED, act, tries, MKDIR } from './common.js';

export default [
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
] as Case[];
