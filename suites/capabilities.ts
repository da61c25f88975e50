// config.md "Linux Process": capabilities. The probe reads CapBnd/CapPrm/CapEff/CapInh/
// CapAmb from /proc/$$/status after the runtime's execve, so the configured sets are
// chosen to be ones execve keeps (capabilities(7)): for uid 0 without file
// capabilities, permitted and effective become bounding ∪ inheritable; for any other
// uid they become the ambient set. Configs outside that are not checkable this way.
import { defineCase } from '../harness/case/case.js';
import type { Capabilities } from '../schemas/config.js';
import { capMask, capNames } from '../linux/capabilities.js';
import { parseProbe, type ProcStatus } from '../harness/probe/parse.js';
import type { CaseContext } from '../harness/case/context.js';
import { errnosIn } from '../linux/errno.js';
import { REFUSED, SOME_CAPABILITIES } from './support/tamper.js';

type SetName = 'bounding' | 'effective' | 'inheritable' | 'permitted' | 'ambient';

const FIELD: Readonly<Record<SetName, keyof ProcStatus>> = {
  bounding: 'capBnd',
  effective: 'capEff',
  inheritable: 'capInh',
  permitted: 'capPrm',
  ambient: 'capAmb',
};

const ROOT_SET = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'];
const ROOT_INHERITABLE = ['CAP_KILL', 'CAP_NET_BIND_SERVICE'];
const ROOT_AMBIENT = ['CAP_NET_BIND_SERVICE'];

/** Compares one set by name, so that a failure says which capabilities differ; about that set's requirement. */
function expectSet(t: CaseContext, st: ProcStatus | undefined, set: SetName, names: readonly string[]): void {
  const actual = st ? capNames(st[FIELD[set]] as bigint) : undefined;
  t.req(`config:process.capabilities.${set}`).equal(actual, capNames(capMask(names)), `${set} set (${FIELD[set].replace('cap', 'Cap')} in /proc/self/status)`);
}

function expectAll(t: CaseContext, st: ProcStatus | undefined, caps: Required<Capabilities>): void {
  for (const set of ['bounding', 'permitted', 'effective', 'inheritable', 'ambient'] as const) expectSet(t, st, set, caps[set]);
}

/** Root keeps these five sets exactly across execve (permitted = effective = bounding ⊇ inheritable ⊇ ambient). */
const rootSets: Required<Capabilities> = {
  bounding: ROOT_SET,
  permitted: ROOT_SET,
  effective: ROOT_SET,
  inheritable: ROOT_INHERITABLE,
  ambient: ROOT_AMBIENT,
};

/** A non-root user keeps permitted and effective only through ambient. */
const userSets: Required<Capabilities> = {
  bounding: ['CAP_CHOWN', 'CAP_FOWNER', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE'],
  permitted: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
  effective: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
  inheritable: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
  ambient: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
};

const NONE: Required<Capabilities> = { bounding: [], permitted: [], effective: [], inheritable: [], ambient: [] };

/** A file owned by root (the bundle's files are written by conform, as root), for chown. */
const TARGET = '/conform/chown-target';
/** Works with CAP_CHOWN, EPERM without it. */
const CHOWN = `chown 4321:4321 ${TARGET} && stat -c %u:%g ${TARGET}`;

export default [
  defineCase({
    id: 'capabilities.root.all-sets',
    title: 'uid 0: all five sets are exactly the configured ones (bounding = permitted = effective ⊋ inheritable ⊋ ambient)',
    requirements: [
      'config:process.capabilities.bounding',
      'config:process.capabilities.permitted',
      'config:process.capabilities.effective',
      'config:process.capabilities.inheritable',
      'config:process.capabilities.ambient',
    ],
    exercises: ['process.capabilities'],
    bundle: (b) => b.probe({ only: ['status'] }).capabilities(rootSets),
    async check(t) {
      expectAll(t, (await t.probe()).status, rootSets);
    },
  }),

  defineCase({
    id: 'capabilities.bounding',
    title: 'the bounding set is exactly capabilities.bounding (a set unlike every other one)',
    requirements: ['config:process.capabilities.bounding'],
    exercises: ['process.capabilities.bounding'],
    bundle: (b) =>
      b
        .probe({ only: ['status'] })
        .capabilities({ bounding: ['CAP_KILL', 'CAP_SYS_CHROOT', 'CAP_AUDIT_WRITE'], permitted: ['CAP_KILL'], effective: ['CAP_KILL'] }),
    async check(t) {
      const st = (await t.probe()).status;
      expectSet(t, st, 'bounding', ['CAP_KILL', 'CAP_SYS_CHROOT', 'CAP_AUDIT_WRITE']);
    },
  }),

  defineCase({
    id: 'capabilities.inheritable',
    title: 'the inheritable set is exactly capabilities.inheritable',
    requirements: ['config:process.capabilities.inheritable'],
    exercises: ['process.capabilities.inheritable'],
    bundle: (b) => b.probe({ only: ['status'] }).capabilities({ ...rootSets, ambient: [] }),
    async check(t) {
      expectSet(t, (await t.probe()).status, 'inheritable', ROOT_INHERITABLE);
    },
  }),

  defineCase({
    id: 'capabilities.ambient',
    title: 'uid 0: the ambient set is exactly capabilities.ambient',
    requirements: ['config:process.capabilities.ambient'],
    exercises: ['process.capabilities.ambient'],
    bundle: (b) => b.probe({ only: ['status'] }).capabilities(rootSets),
    async check(t) {
      expectSet(t, (await t.probe()).status, 'ambient', ROOT_AMBIENT);
    },
  }),

  ...(['ambient', 'permitted', 'inheritable'] as const).map((set) =>
    defineCase({
      id: `capabilities.user.${set}`,
      title: `uid 1000: the five sets are the configured ones, through the ambient set (exercising ${set})`,
      requirements: [
        'config:process.capabilities.ambient',
        'config:process.capabilities.permitted',
        'config:process.capabilities.effective',
        'config:process.capabilities.inheritable',
        'config:process.capabilities.bounding',
      ],
      // Without ambient (or without the permitted or inheritable capability that raising
      // it needs) a non-root process loses every capability at execve.
      exercises: [`process.capabilities.${set}`],
      bundle: (b) =>
        b
          .probe({ only: ['status'] })
          .user({ uid: 1000, gid: 1000 })
          .capabilities(userSets),
      async check(t) {
        expectAll(t, (await t.probe()).status, userSets);
      },
    }),
  ),

  defineCase({
    id: 'capabilities.drop-all',
    title: 'all five sets empty: the root process has no capability at all',
    requirements: [
      'config:process.capabilities.bounding',
      'config:process.capabilities.permitted',
      'config:process.capabilities.effective',
      'config:process.capabilities.inheritable',
      'config:process.capabilities.ambient',
    ],
    // No `exercises`: runc reads a missing set as an empty one, so the strip wrapper cannot
    // play a runtime that ignores the sets; one that leaves the caller's capabilities fails.
    tamper: SOME_CAPABILITIES,
    bundle: (b) =>
      b
        .probe({ only: ['status'], cmds: { chown: CHOWN } })
        .file(TARGET, 'x\n')
        .capabilities(NONE),
    async check(t) {
      const facts = await t.probe();
      expectAll(t, facts.status, NONE);
      const r = facts.cmds.chown;
      t.req('config:process.capabilities.effective').ok(r !== undefined && r.rc !== 0, 'chown without any capability fails', {
        expected: 'an error (EPERM)',
        actual: r?.output,
      });
    },
  }),

  defineCase({
    id: 'capabilities.use.without-chown',
    title: 'without CAP_CHOWN, root cannot chown a file (EPERM)',
    requirements: ['config:process.capabilities.effective', 'config:process.capabilities.bounding'],
    // No `exercises`, as for drop-all: a runtime that keeps the caller's capabilities fails.
    tamper: SOME_CAPABILITIES,
    bundle: (b) => {
      const others = ROOT_SET.filter((c) => c !== 'CAP_CHOWN');
      b.probe({ only: ['meta'], cmds: { chown: CHOWN } })
        .file(TARGET, 'x\n')
        .capabilities({ bounding: others, permitted: others, effective: others });
    },
    async check(t) {
      const r = (await t.probe()).cmds.chown;
      // CAP_CHOWN is in no set: chown fails whichever set a runtime would wrongly have kept it in.
      const without = t.req('config:process.capabilities.effective', 'config:process.capabilities.bounding');
      if (!without.ok(r !== undefined && r.rc !== 0, 'chown without CAP_CHOWN fails', { expected: 'an error (EPERM)', actual: r?.output })) return;
      without.equal(errnosIn(r!.output), ['EPERM'], 'the error chown reports');
    },
  }),

  defineCase({
    id: 'capabilities.use.with-chown',
    title: 'with CAP_CHOWN in bounding, permitted and effective, root can chown a file',
    requirements: ['config:process.capabilities.effective', 'config:process.capabilities.permitted'],
    // Without the sets, runc gives the process no capability at all: chown then fails.
    exercises: ['process.capabilities'],
    bundle: (b) =>
      b
        .probe({ only: ['meta'], cmds: { chown: CHOWN } })
        .file(TARGET, 'x\n')
        .capabilities({ bounding: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], effective: ['CAP_CHOWN'] }),
    async check(t) {
      const r = (await t.probe()).cmds.chown;
      // chown needs CAP_CHOWN effective, which it can only be if it is permitted.
      t.req('config:process.capabilities.effective', 'config:process.capabilities.permitted').equal(
        r && { rc: r.rc, owner: r.output.trim() },
        { rc: 0, owner: '4321:4321' },
        'chown with CAP_CHOWN (exit status, new owner)',
      );
    },
  }),

  defineCase({
    id: 'capabilities.use.user-ambient-chown',
    title: 'uid 1000 with CAP_CHOWN in its ambient set keeps it across execve: a freshly exec-ed chown works',
    requirements: ['config:process.capabilities.ambient'],
    exercises: ['process.capabilities.ambient'],
    bundle: (b) =>
      b
        // A path, not an applet name: the shell must execve, which keeps capabilities of a
        // non-root process only through the ambient set (capabilities(7)).
        .probe({ only: ['meta'], cmds: { chown: `/bin/busybox ${CHOWN}` } })
        .file(TARGET, 'x\n')
        .user({ uid: 1000, gid: 1000 })
        .capabilities(userSets),
    async check(t) {
      const r = (await t.probe()).cmds.chown;
      t.equal(r && { rc: r.rc, owner: r.output.trim() }, { rc: 0, owner: '4321:4321' }, 'chown by uid 1000 with ambient CAP_CHOWN (exit status, new owner)');
    },
  }),

  // config.md#configLinuxProcess: "Any value which cannot be mapped to a relevant kernel
  // interface, or cannot be granted otherwise MUST be logged as a warning by the runtime.
  // Runtimes SHOULD NOT fail if the container configuration requests capabilities that
  // cannot be granted". That sentence is about exactly these values, so it decides over
  // the general "Valid values" rule (an error for invalid values): a warning, and a
  // refusal is a SHOULD NOT not followed. Whether the warning was logged is not cited:
  // runtime.md#runtimeWarnings "does not mandate how, or even if, that warning is
  // returned or exposed", so no case can tell (what create printed is noted).
  defineCase({
    id: 'capabilities.unknown-name',
    title: 'an unknown capability name (CAP_CONFORM_BOGUS) does not make the runtime fail; the rest of the set applies',
    requirements: ['config:process.capabilities.no-fail', 'config:process.capabilities.bounding'],
    // A runtime that refuses the config.
    tamper: REFUSED,
    bundle: (b) =>
      b.probe({ only: ['status'] }).capabilities({
        bounding: [...ROOT_SET, 'CAP_CONFORM_BOGUS'],
        permitted: ROOT_SET,
        effective: ROOT_SET,
      }),
    async check(t) {
      const created = await t.rt.create(t.id, t.bundle.dir);
      if (!created.ok)
        t.req('config:process.capabilities.no-fail').fail(
          `create refused a capability it cannot grant (config.md: runtimes SHOULD NOT fail): ${created.summary}`,
        );
      const warned = created.stderr.trim() !== '';
      t.note(
        warned
          ? `create succeeded and wrote to stderr: ${created.stderr.trim().split('\n')[0]}`
          : 'create succeeded and wrote nothing to stderr (the spec does not say how a warning is exposed)',
      );
      await t.state();
      // A capability is a `process` property, which a runtime may apply (and so refuse) at start.
      const started = await t.rt.start(t.id);
      if (!started.ok)
        t.req('config:process.capabilities.no-fail').fail(
          `start refused a capability it cannot grant (config.md: runtimes SHOULD NOT fail): ${started.summary}`,
        );
      const st = parseProbe(await t.waitOutput('@@done')).status;
      expectSet(t, st, 'bounding', ROOT_SET);
    },
  }),
];
