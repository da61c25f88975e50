// config-linux.md "IntelRdt": the container's resctrl group, read from the resctrl
// filesystem of the runtime mount namespace. Without one, setting `intelRdt` at all must
// make create fail; every other case needs resctrl (an Intel RDT or AMD QoS CPU, and
// `mount -t resctrl resctrl /sys/fs/resctrl`) and skips without it.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { defineCase, type Case } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import { cleanupContainers } from '../harness/host/cleanup.js';
import { parseMountinfo } from '../harness/probe/mountinfo.js';
import type { IntelRdt } from '../schemas/config-linux.js';
import { createdPid } from './cgroups/common.js';
import { skipIfNewerThanRuntime } from './support/version.js';
import { expectRefused, refusalOf } from './support/refuse.js';

/** Where resctrl is mounted in the runtime mount namespace (conform's own), if anywhere. */
function resctrlMount(): string | undefined {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).find((m) => m.fsType === 'resctrl')?.mountPoint;
}

const NO_RESCTRL = () =>
  `needs a resctrl filesystem mounted in the runtime mount namespace (none here${readFileSync('/proc/filesystems', 'utf8').includes('resctrl') ? '' : '; this kernel has no resctrl support'})`;

/** The resctrl mount, or a skip. */
function needResctrl(t: CaseContext): string {
  const m = resctrlMount();
  if (!m) t.skip(NO_RESCTRL());
  return m!;
}

const NEEDS = ['feature:linux.intelRdt.enabled'];
const rand = () => Math.random().toString(36).slice(2, 10);

/** The pids in a resctrl group's `tasks` file. */
const tasksOf = (dir: string): number[] => readFileSync(join(dir, 'tasks'), 'utf8').split('\n').filter(Boolean).map(Number);

/** Every group (CTRL_MON and MON) of a resctrl mount, as paths relative to it. */
function groupsOf(mnt: string): string[] {
  const dirs = (d: string) =>
    readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'info' && e.name !== 'mon_data' && e.name !== 'mon_groups')
      .map((e) => e.name);
  const out: string[] = [];
  for (const ctrl of ['', ...dirs(mnt)]) {
    if (ctrl) out.push(ctrl);
    const mon = join(mnt, ctrl, 'mon_groups');
    if (existsSync(mon)) for (const m of dirs(mon)) out.push(join(ctrl, 'mon_groups', m));
  }
  return out.sort();
}

function noResctrlCase(id: string, what: string, rdt: (b: { id: string }) => IntelRdt): Case {
  return defineCase({
    id: `intelrdt.no-resctrl.${id}`,
    title: `intelRdt (${what}) without a resctrl filesystem makes create fail`,
    requirements: ['config-linux:intel-rdt.no-resctrl-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.intelRdt'],
    bundle: (b) => b.probe({ only: ['meta'] }).set('linux.intelRdt', rdt({ id: rand() })),
    async check(t) {
      const m = resctrlMount();
      if (m) return t.skip(`resctrl is mounted at ${m} in the runtime mount namespace: this case needs a host without it`);
      await expectRefused(refusalOf(t), `intelRdt ${JSON.stringify(t.bundle.config.linux?.intelRdt)} with no resctrl mounted`);
    },
  });
}

export default [
  noResctrlCase('empty', 'an empty object', () => ({})),
  noResctrlCase('clos-id', 'closID only', ({ id }) => ({ closID: `conform-${id}` })),
  noResctrlCase('l3-schema', 'an L3 cache schema', () => ({ l3CacheSchema: 'L3:0=1' })),

  // Values the spec rules out, refused whatever the host has (our validator rejects them too).
  ...(
    [
      ['mem-bw-prefix', 'a memBwSchema not starting with MB:', 'config-linux:intel-rdt.mem-bw-prefix', { memBwSchema: 'L3:0=7f0' }, undefined],
      ['mem-bw-newline', 'a memBwSchema with a newline', 'config-linux:intel-rdt.mem-bw-no-newline', { memBwSchema: 'MB:0=20\nMB:1=70' }, undefined],
      // "config-linux: add intelRdt.schemata field (#1230)" came with 1.3.0.
      ['schemata-newline', 'a schemata line with a newline', 'config-linux:intel-rdt.schemata-no-newline', { schemata: ['L3:0=7f0\nMB:0=20'] }, '1.3.0'],
    ] as const
  ).map(([id, what, req, rdt, since]) =>
    defineCase({
      id: `intelrdt.invalid.${id}`,
      title: `${what} makes create fail`,
      requirements: [req, 'config:valid-values.invalid-error', 'runtime:create.apply-fail-no-container'],
      exercises: ['linux.intelRdt'],
      invalid: true,
      bundle: (b) => {
        b.probe({ only: ['meta'] }).set('linux.intelRdt', rdt);
        if (since) b.ociVersion(since);
      },
      async check(t) {
        if (since) skipIfNewerThanRuntime(t, since, 'linux.intelRdt.schemata');
        await expectRefused(refusalOf(t), what);
      },
    }),
  ),

  defineCase({
    id: 'intelrdt.default-group',
    title: 'intelRdt without closID: a group named after the container holds its pid, and delete removes it',
    requirements: [
      'config-linux:intel-rdt.tasks',
      'config-linux:intel-rdt.default-clos-id',
      'config-linux:intel-rdt.remove-created',
      'features-linux:intel-rdt.flags',
    ],
    exercises: ['linux.intelRdt'],
    needs: NEEDS,
    bundle: (b) => b.probe({ only: ['meta'] }).set('linux.intelRdt', {}),
    async check(t) {
      const mnt = needResctrl(t);
      const group = join(mnt, t.id);
      try {
        const pid = await createdPid(t);
        if (!t.req('config-linux:intel-rdt.default-clos-id').ok(existsSync(group), `a resctrl group ${group} named after the container exists after create`))
          return;
        t.req('config-linux:intel-rdt.tasks').ok(tasksOf(group).includes(pid), `the container pid ${pid} is in ${group}/tasks`);
        await t.kill('SIGKILL');
        await t.waitStatus('stopped');
        await t.delete();
        t.req('config-linux:intel-rdt.remove-created').ok(!existsSync(group), `delete removed the group ${group} the runtime made`);
      } finally {
        if (existsSync(group)) {
          for (const n of await cleanupContainers(t.rt)) t.note(n);
          try {
            rmdirSync(group);
          } catch {
            t.note(`cleanup: could not remove ${group}`);
          }
        }
      }
    },
  }),

  defineCase({
    id: 'intelrdt.clos-root',
    title: 'closID "/" puts the container in the default CLOS (the resctrl root) and makes no group',
    requirements: ['config-linux:intel-rdt.clos-id-root', 'config-linux:intel-rdt.tasks'],
    exercises: ['linux.intelRdt'],
    needs: NEEDS,
    bundle: (b) =>
      b
        .ociVersion('1.3.0')
        .probe({ only: ['meta'] })
        .set('linux.intelRdt', { closID: '/' }),
    async check(t) {
      // "config-linux: define default clos for intelRdt (#1289)" came with 1.3.0.
      skipIfNewerThanRuntime(t, '1.3.0', 'linux.intelRdt.closID "/"');
      const mnt = needResctrl(t);
      const before = groupsOf(mnt);
      const pid = await createdPid(t);
      t.req('config-linux:intel-rdt.tasks', 'config-linux:intel-rdt.clos-id-root').ok(
        tasksOf(mnt).includes(pid),
        `the container pid ${pid} is in ${mnt}/tasks`,
      );
      t.req('config-linux:intel-rdt.clos-id-root').equal(groupsOf(mnt), before, `resctrl groups under ${mnt} after create`);
    },
  }),

  defineCase({
    id: 'intelrdt.clos-preconfigured',
    title: 'closID naming an existing group, and no schema: the container joins it, and delete leaves it',
    requirements: ['config-linux:intel-rdt.clos-preconfigured', 'config-linux:intel-rdt.keep-not-created', 'config-linux:intel-rdt.tasks'],
    exercises: ['linux.intelRdt'],
    needs: NEEDS,
    bundle: (b) => b.probe({ only: ['meta'] }).set('linux.intelRdt', { closID: `conform-${rand()}` }),
    async check(t) {
      const mnt = needResctrl(t);
      const group = join(mnt, t.bundle.config.linux!.intelRdt!.closID!);
      try {
        mkdirSync(group);
      } catch (e) {
        return t.skip(`cannot make a resctrl group here (${(e as Error).message}): the hardware may have no CLOS left`);
      }
      try {
        const pid = await createdPid(t);
        t.req('config-linux:intel-rdt.tasks', 'config-linux:intel-rdt.clos-preconfigured').ok(
          tasksOf(group).includes(pid),
          `the container pid ${pid} is in ${group}/tasks`,
        );
        await t.kill('SIGKILL');
        await t.waitStatus('stopped');
        await t.delete();
        t.req('config-linux:intel-rdt.keep-not-created').ok(existsSync(group), `delete left the group ${group}, which the runtime did not make`);
      } finally {
        for (const n of await cleanupContainers(t.rt)) t.note(n);
        try {
          rmdirSync(group);
        } catch {
          /* gone: the failure above says so */
        }
      }
    },
  }),

  defineCase({
    id: 'intelrdt.clos-preconfigured-missing',
    title: 'closID naming a group that does not exist, and no schema, makes create fail and makes no group',
    requirements: ['config-linux:intel-rdt.clos-preconfigured-missing', 'runtime:create.apply-fail-no-container'],
    exercises: ['linux.intelRdt'],
    needs: NEEDS,
    bundle: (b) => b.probe({ only: ['meta'] }).set('linux.intelRdt', { closID: `conform-${rand()}` }),
    async check(t) {
      const mnt = needResctrl(t);
      const group = join(mnt, t.bundle.config.linux!.intelRdt!.closID!);
      try {
        await expectRefused(refusalOf(t), `closID ${group} with no schema, where no such group exists`);
        t.req('config-linux:intel-rdt.clos-preconfigured-missing').ok(!existsSync(group), `no group ${group} after the refused create`);
      } finally {
        try {
          rmdirSync(group);
        } catch {
          /* not there, as it should be */
        }
      }
    },
  }),

  defineCase({
    id: 'intelrdt.unset-untouched',
    title: 'without intelRdt the runtime makes, joins and removes no resctrl group',
    requirements: ['config-linux:intel-rdt.unset-untouched'],
    // A runtime that makes a resctrl group all the same (one named after the container).
    tamper: { 'linux.intelRdt': {} },
    bundle: (b) => b.probe({ only: ['meta'] }),
    async check(t) {
      const mnt = needResctrl(t);
      const before = groupsOf(mnt);
      const pid = await createdPid(t);
      t.equal(groupsOf(mnt), before, `resctrl groups under ${mnt} after create`);
      const holders = groupsOf(mnt).filter((g) => !g.includes('mon_groups') && tasksOf(join(mnt, g)).includes(pid));
      t.equal(holders, [], 'resctrl groups (other than the root) holding the container pid');
      await t.kill('SIGKILL');
      await t.waitStatus('stopped');
      await t.delete();
      t.equal(groupsOf(mnt), before, `resctrl groups under ${mnt} after delete`);
    },
  }),
] as Case[];
