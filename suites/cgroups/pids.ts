// config-linux.md "Control groups", pids: each setting read back from the container's
// cgroup after create, or refused where this host cannot take it (resource-case.ts).
import { defineCase, type Case } from '../../harness/case/case.js';
import { parseProbe } from '../../harness/probe/parse.js';
import { errnosIn } from '../../linux/errno.js';
import { createOrRefuse } from '../support/refuse.js';
import { expectFiles } from './common.js';
import { pidsExpectation } from './expect.js';
import { readCgroupFile } from './host.js';

const PIDS_LIMIT = 32;
const TRIES = 100;
/** Starts background sleeps until fork fails; prints how many ran. The sleeps die with the container. */
const FORK_MANY = `n=0; while [ $n -lt ${TRIES} ]; do sleep 1000 & n=$((n + 1)); echo "forked $n"; done`;

const pids: Case[] = [
  defineCase({
    id: 'cgroups.pids.limit',
    title: 'pids.limit caps the tasks in the cgroup: pids.max, and fork fails beyond it',
    requirements: ['config-linux:resources.pids.limit'],
    exercises: ['linux.resources.pids.limit'],
    needs: ['cgroup-controller:pids'],
    bundle: (b) => b.resources({ pids: { limit: PIDS_LIMIT } }).probe({ only: ['meta'], cmds: { fork: FORK_MANY }, hold: true }),
    async check(t) {
      await t.create();
      await t.start();
      const facts = parseProbe(await t.waitOutput('@@ready'));
      const { pid } = await t.state();
      expectFiles(t, pid!, pidsExpectation(PIDS_LIMIT), 'pids');
      const out = facts.cmds['fork']?.output ?? '';
      const forked = out.split('\n').filter((l) => l.startsWith('forked ')).length;
      // The probe's shell and the --cmd subshell count too: PIDS_LIMIT - 2 sleeps fit.
      t.ok(forked < TRIES, `fork went on past pids.limit ${PIDS_LIMIT}: ${forked} background processes started`, {
        expected: `at most ${PIDS_LIMIT - 2}`,
        actual: forked,
      });
      t.ok(forked <= PIDS_LIMIT - 2, `with pids.limit ${PIDS_LIMIT}, ${forked} background processes started besides the probe's shell and subshell`, {
        expected: PIDS_LIMIT - 2,
        actual: forked,
      });
      t.ok(errnosIn(out).includes('EAGAIN'), 'the failed fork reports EAGAIN (what the pids controller returns)', { actual: out.trim().split('\n').at(-1) });
    },
  }),
  defineCase({
    id: 'cgroups.pids.zero',
    title: 'pids.limit 0 is a real limit (pids.max 0), not "unset"',
    requirements: ['config-linux:resources.pids.zero'],
    exercises: ['linux.resources.pids.limit'],
    needs: ['cgroup-controller:pids'],
    // config-linux.md: 0 "SHOULD be treated as a valid limit": not followed (runc up to
    // 1.1 leaves pids.max at max), it is a recommendation not followed (warn).
    bundle: (b) => b.resources({ pids: { limit: 0 } }),
    async check(t) {
      // With no task allowed, a runtime that puts its init in the cgroup before it forks
      // cannot create the container: a clean refusal says nothing against treating 0 as a limit.
      await createOrRefuse(t, 'pids.limit 0 (no task allowed in the cgroup)');
      const { pid } = await t.state();
      if (typeof pid !== 'number' || pid <= 0) t.abort('state of the created container has no pid', { actual: pid });
      const got = readCgroupFile(pid!, 'pids', 'pids.max');
      t.note(`pids.limit 0: the container's pids.max reads ${JSON.stringify(got)}`);
      t.equal(got, '0', 'pids.max of the container cgroup');
    },
  }),
];

export default pids;
