// config-linux.md "Control groups", unified (cgroup v2): each setting read back from the container's
// cgroup after create, or refused where this host cannot take it (resource-case.ts).
import { defineCase, type Case } from '../../harness/case/case.js';
import type { Env } from '../../harness/host/env.js';
import { refusalOf } from '../support/refuse.js';
import { skipIfNewerThanRuntime } from '../support/version.js';
import { expectRefusedNoCgroup } from './common.js';
import { unifiedExpectation } from './expect.js';
import { MiB, valueCase } from './resource-case.js';

/** A cgroup v2 file of a controller the unified hierarchy does not offer here, if any. */
function absentV2Controller(env: Env): [string, string] | undefined {
  const files: Array<[string, string]> = [
    ['pids', 'pids.max'],
    ['memory', 'memory.max'],
    ['cpu', 'cpu.max'],
    ['io', 'io.weight'],
  ];
  return files.find(([c]) => !env.host.cgroup.v2Controllers.includes(c));
}

const unified: Case[] = [
  valueCase({
    id: 'cgroups.unified.write',
    title: 'each unified key is written to that file of the container cgroup',
    requirements: ['config-linux:resources.unified.write', 'config-linux:resources.unified.enable-controllers'],
    exercises: ['linux.resources.unified'],
    needs: ['cgroup:v2', 'cgroup-controller:pids', 'cgroup-controller:memory'],
    since: ['1.1.0', 'linux.resources.unified'],
    controller: '',
    resources: () => ({ unified: { 'pids.max': '9', 'memory.high': String(192 * MiB) } }),
    expect: (r) => unifiedExpectation(r.unified!),
  }),
  valueCase({
    id: 'cgroups.unified.unknown-key',
    title: 'a unified key few runtimes know (memory.oom.group) is written all the same',
    requirements: ['config-linux:resources.unified.unknown-written'],
    exercises: ['linux.resources.unified'],
    needs: ['cgroup:v2', 'cgroup-controller:memory'],
    since: ['1.1.0', 'linux.resources.unified'],
    controller: '',
    resources: () => ({ unified: { 'memory.oom.group': '1' } }),
    expect: (r) => unifiedExpectation(r.unified!),
  }),
  defineCase({
    id: 'cgroups.unified.absent-controller',
    title: 'a unified key of a controller the unified hierarchy does not have is an error',
    requirements: ['config-linux:resources.unified.missing-controller-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.resources.unified'],
    bundle: (b, env) => {
      const [, file] = absentV2Controller(env) ?? ['pids', 'pids.max'];
      b.ociVersion('1.1.0')
        .resources({ unified: { [file]: '10' } })
        .cgroupsPath(`/conform-refused-${Math.random().toString(36).slice(2, 10)}`);
    },
    async check(t) {
      skipIfNewerThanRuntime(t, '1.1.0', 'linux.resources.unified');
      const absent = absentV2Controller(t.env);
      if (!absent) t.skip(`the unified hierarchy here has every controller this case could name (${t.env.host.cgroup.v2Controllers.join(' ')})`);
      t.note(`the unified hierarchy has no ${absent![0]} controller here (it offers: ${t.env.host.cgroup.v2Controllers.join(' ') || 'none'})`);
      await expectRefusedNoCgroup(
        refusalOf(t),
        `unified ${absent![1]} without the ${absent![0]} controller in the unified hierarchy`,
        t.bundle.config.linux!.cgroupsPath!,
      );
    },
  }),
];

export default unified;
