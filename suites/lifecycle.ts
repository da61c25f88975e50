// runtime.md "Lifecycle" and "Operations": the state machine as `state` shows it,
// and the errors the operations must generate.
import type { BundleBuilder } from '../harness/case/bundle.js';
import { defineCase } from '../harness/case/case.js';
import type { CaseContext } from '../harness/case/context.js';
import { cmdlineOf, isAlive } from '../harness/host/hostfacts.js';
import { parseProbe } from '../harness/probe/parse.js';
import { expectNoLeftovers } from './support/leftovers.js';

/** The probe in --hold mode: it prints its facts, then waits for a signal and reports it. */
const hold = (b: BundleBuilder) => {
  b.probe({ hold: true, only: ['meta'] });
};

const BANNER = '@@conform-probe 1';
const banners = (out: string) => out.split('\n').filter((l) => l === BANNER).length;

/** Create + start a holding probe and wait until it runs. */
async function running(t: CaseContext, id = t.id): Promise<void> {
  await t.create({ id });
  await t.start(id);
  await t.waitOutput('@@ready', { id });
}

async function stateFails(t: CaseContext, id: string, what: string): Promise<void> {
  t.expectError(await t.rt.state(id), what);
}

function signalCase(sig: 'TERM' | 'USR1' | 'HUP') {
  return defineCase({
    id: `lifecycle.kill.sig${sig.toLowerCase()}`,
    title: `kill with SIG${sig} delivers that signal to the container process`,
    requirements: ['runtime:kill.sends-signal'],
    exercises: ['op:kill'],
    bundle: hold,
    async check(t) {
      await running(t);
      await t.kill(`SIG${sig}`);
      await t.waitOutput(`@@signal ${sig}`);
      const facts = parseProbe(t.stdout());
      t.equal(facts.signal, sig, 'the signal the process trapped');
      await t.waitStatus('stopped');
    },
  });
}

export default [
  defineCase({
    id: 'lifecycle.create.created',
    title: 'after create the status is "created" and the pid is a live process',
    requirements: ['runtime:create.new-container', 'runtime:state.status-created', 'runtime:state.pid', 'runtime:query-state.returns-state'],
    exercises: ['op:create'],
    async check(t) {
      const st = await t.create();
      const pid = t.req('runtime:state.pid');
      if (pid.ok(typeof st.pid === 'number' && st.pid > 0, 'state.pid of a created container is a positive integer', { actual: st.pid })) {
        pid.ok(isAlive(st.pid!), `the created container's pid ${st.pid} is a live process on the host`);
      }
    },
  }),

  defineCase({
    id: 'lifecycle.create.program-not-run',
    title: 'create does not run the user-specified program; start does',
    requirements: ['runtime:create.no-process-run', 'runtime:lifecycle.create-no-program', 'runtime:start.runs-program'],
    exercises: ['op:start'],
    async check(t) {
      const { pid } = await t.create();
      // The container process has not executed the program: it does not run the program's argv.
      const notAtCreate = t.req('runtime:create.no-process-run', 'runtime:lifecycle.create-no-program');
      if (typeof pid === 'number' && pid > 0)
        notAtCreate.ok(
          JSON.stringify(cmdlineOf(pid)) !== JSON.stringify(t.bundle.config.process?.args),
          `the created container's process ${pid} is not already running the program`,
          { actual: cmdlineOf(pid) },
        );
      await t.state(); // a round trip after create: a program started early would have printed by now
      notAtCreate.equal(banners(t.stdout()), 0, 'times the program ran before start');
      const atStart = t.req('runtime:start.runs-program');
      await atStart.start();
      await atStart.waitOutput('@@done');
      atStart.equal(banners(t.stdout()), 1, 'times the program ran after start');
    },
  }),

  defineCase({
    id: 'lifecycle.start.running',
    title: 'after start, while the program runs, the status is "running"',
    requirements: ['runtime:state.status-running', 'runtime:lifecycle.start-runs-program'],
    exercises: ['op:start'],
    bundle: hold,
    async check(t) {
      await running(t.req('runtime:lifecycle.start-runs-program'));
      const st = await t.state();
      t.req('runtime:state.status-running').equal(st.status, 'running', 'status while the program runs');
    },
  }),

  defineCase({
    id: 'lifecycle.exit.stopped',
    title: 'when the container process exits the status becomes "stopped"',
    requirements: ['runtime:state.status-stopped'],
    exercises: ['op:start'],
    async check(t) {
      await t.create();
      await t.start();
      await t.waitOutput('@@done');
      await t.waitStatus('stopped');
    },
  }),

  signalCase('TERM'),
  signalCase('USR1'),
  signalCase('HUP'),

  defineCase({
    id: 'lifecycle.kill.sigkill',
    title: 'kill with SIGKILL stops a running container',
    requirements: ['runtime:kill.sends-signal', 'runtime:state.status-stopped'],
    exercises: ['op:kill'],
    bundle: hold,
    async check(t) {
      await running(t);
      const pid = (await t.state()).pid;
      const sent = t.req('runtime:kill.sends-signal');
      await sent.kill('SIGKILL');
      await t.req('runtime:state.status-stopped').waitStatus('stopped');
      sent.ok(typeof pid === 'number' && !isAlive(pid), `the container process ${pid} is gone`);
      sent.equal(parseProbe(t.stdout()).signal, undefined, 'a trapped signal (SIGKILL cannot be trapped)');
    },
  }),

  defineCase({
    id: 'lifecycle.kill.created',
    title: 'kill works on a created container: SIGKILL stops it before its program ever runs',
    requirements: ['runtime:kill.sends-signal'],
    exercises: ['op:kill'],
    async check(t) {
      const { pid } = await t.create();
      await t.kill('SIGKILL');
      await t.waitStatus('stopped');
      t.ok(typeof pid === 'number' && !isAlive(pid), `the container process ${pid} is gone`);
      t.equal(banners(t.stdout()), 0, 'times the program ran');
    },
  }),

  defineCase({
    id: 'lifecycle.delete.stopped',
    title: 'delete removes a stopped container: state then fails for its id',
    requirements: ['runtime:lifecycle.delete-destroys', 'runtime:delete.removes-resources', 'runtime:query-state.unknown-id-error'],
    exercises: ['op:delete'],
    async check(t) {
      await t.probe();
      await t.delete();
      await stateFails(
        t.req('runtime:lifecycle.delete-destroys', 'runtime:delete.removes-resources', 'runtime:query-state.unknown-id-error'),
        t.id,
        'state of a deleted container',
      );
    },
  }),

  defineCase({
    id: 'lifecycle.delete.id-reusable',
    title: 'once deleted, the id can be used for a new container (or its reuse is refused cleanly)',
    requirements: ['runtime:delete.id-reusable', 'runtime:delete.removes-resources'],
    exercises: ['op:delete'],
    async check(t) {
      await t.probe();
      await t.delete();
      // runtime.md: "Once a container is deleted its ID MAY be used by a subsequent
      // container": a runtime that never reuses ids is within the spec. One whose delete
      // left the container behind is not.
      const reuse = t.req('runtime:delete.id-reusable');
      const r = await t.rt.create(t.id, t.bundle.dir);
      if (!r.ok) {
        reuse.expectError(r, 'create with the id of a deleted container');
        await stateFails(t.req('runtime:delete.removes-resources'), t.id, 'state of the deleted container');
        if (t.failures.length) return;
        t.skip(`the runtime refused to create a container with the id of a deleted one (${r.summary}), which runtime.md allows ("its ID MAY be used")`);
      }
      const st = await t.state();
      reuse.equal(st.status, 'created', 'status of the new container with the reused id');
      reuse.equal(banners(t.stdout()), 1, "times a program ran (the deleted container's only: the new one is not started)");
    },
  }),

  defineCase({
    id: 'lifecycle.create.duplicate-id',
    title: 'create with an id in use fails and leaves the existing container as it was',
    requirements: ['runtime:create.unique-id', 'runtime:create.bad-id-no-container', 'runtime:state.id-unique'],
    exercises: ['op:create'],
    async check(t) {
      const before = await t.create();
      const other = await t.newBundle((b) => b.probe({ only: ['meta'] }));
      t.req('runtime:create.unique-id').expectError(await t.rt.create(t.id, other.dir), 'create with an id that is in use');
      const after = await t.state();
      // The existing container is still the one with this id: the refused create made no second one.
      const one = t.req('runtime:create.bad-id-no-container', 'runtime:state.id-unique');
      one.equal(after.status, 'created', 'status of the existing container');
      one.equal(after.pid, before.pid, 'pid of the existing container');
      one.equal(after.bundle, before.bundle, 'bundle of the existing container');
      one.equal(banners(t.stdout()), 0, 'times any program ran');
    },
  }),

  defineCase({
    id: 'lifecycle.start.running-error',
    title: 'start on a running container fails and has no effect',
    requirements: ['runtime:start.not-created-error', 'runtime:start.not-created-no-effect'],
    exercises: ['op:start'],
    bundle: hold,
    async check(t) {
      await running(t);
      const { pid } = await t.state();
      t.req('runtime:start.not-created-error').expectError(await t.rt.start(t.id), 'start on a running container');
      const st = await t.state();
      const noEffect = t.req('runtime:start.not-created-no-effect');
      noEffect.equal(st.status, 'running', 'status afterwards');
      noEffect.equal(st.pid, pid, 'pid afterwards');
      noEffect.equal(banners(t.stdout()), 1, 'times the program ran');
    },
  }),

  defineCase({
    id: 'lifecycle.start.stopped-error',
    title: 'start on a stopped container fails and does not run the program again',
    requirements: ['runtime:start.not-created-error', 'runtime:start.not-created-no-effect'],
    exercises: ['op:start'],
    async check(t) {
      await t.probe();
      t.req('runtime:start.not-created-error').expectError(await t.rt.start(t.id), 'start on a stopped container');
      const noEffect = t.req('runtime:start.not-created-no-effect');
      noEffect.equal((await t.state()).status, 'stopped', 'status afterwards');
      noEffect.equal(banners(t.stdout()), 1, 'times the program ran');
    },
  }),

  defineCase({
    id: 'lifecycle.kill.stopped-error',
    title: 'kill on a stopped container fails and has no effect',
    requirements: ['runtime:kill.not-running-error', 'runtime:kill.not-running-no-effect'],
    exercises: ['op:kill'],
    async check(t) {
      await t.probe();
      t.req('runtime:kill.not-running-error').expectError(await t.rt.kill(t.id, 'SIGKILL'), 'kill on a stopped container');
      t.req('runtime:kill.not-running-no-effect').equal((await t.state()).status, 'stopped', 'status afterwards');
    },
  }),

  defineCase({
    id: 'lifecycle.delete.running-error',
    title: 'delete on a running container fails and the container keeps running',
    requirements: ['runtime:delete.not-stopped-error', 'runtime:delete.not-stopped-no-effect'],
    exercises: ['op:delete'],
    bundle: hold,
    async check(t) {
      await running(t);
      const { pid } = await t.state();
      t.req('runtime:delete.not-stopped-error').expectError(await t.rt.delete(t.id), 'delete on a running container');
      const noEffect = t.req('runtime:delete.not-stopped-no-effect');
      const st = await noEffect.state();
      noEffect.equal(st.status, 'running', 'status afterwards');
      noEffect.ok(typeof pid === 'number' && isAlive(pid), `the container process ${pid} is still alive`);
      // And it still answers to signals: it was not half torn down.
      await noEffect.kill('SIGTERM');
      await noEffect.waitOutput('@@signal TERM');
    },
  }),

  // runtime.md#runtimeDelete: "Attempting to `delete` a container that is not `stopped`
  // MUST have no effect on the container and MUST generate an error." `created` is not
  // `stopped`; runc and crun delete a created container anyway (their baselines say so).
  defineCase({
    id: 'lifecycle.delete.created',
    title: 'delete on a created (not stopped) container fails and the container stays created',
    requirements: ['runtime:delete.not-stopped-error', 'runtime:delete.not-stopped-no-effect'],
    exercises: ['op:delete'],
    async check(t) {
      const { pid } = await t.create();
      t.req('runtime:delete.not-stopped-error').expectError(await t.rt.delete(t.id), 'delete on a created container');
      const noEffect = t.req('runtime:delete.not-stopped-no-effect');
      const st = await t.rt.state(t.id);
      if (
        !noEffect.ok(st.ok && st.state?.status === 'created', 'the container is still there, created, after delete', {
          expected: 'created',
          actual: st.ok ? st.state?.status : st.summary,
        })
      )
        return;
      noEffect.equal(st.state?.pid, pid, 'its pid');
      noEffect.ok(typeof pid === 'number' && isAlive(pid), `its process ${pid} is alive`);
      noEffect.equal(banners(t.stdout()), 0, 'times the program ran');
    },
  }),

  ...(['state', 'start', 'kill', 'delete'] as const).map((op) =>
    defineCase({
      id: `lifecycle.unknown-id.${op}`,
      title: `${op} on an id that names no container fails`,
      exercises: [`op:${op}`],
      requirements: [
        {
          state: 'runtime:query-state.unknown-id-error',
          start: 'runtime:start.not-created-error',
          kill: 'runtime:kill.not-running-error',
          delete: 'runtime:delete.not-stopped-error',
        }[op],
      ],
      async check(t) {
        // A real container exists under another id, so that a runtime cannot pass by failing everything.
        await t.create();
        const ghost = t.newId();
        const args = op === 'kill' ? [ghost, 'SIGKILL'] : [ghost];
        t.expectError(await t.rt.call(op, args), `${op} ${ghost} (no such container)`);
        t.equal((await t.state()).status, 'created', 'the other container is untouched');
      },
    }),
  ),

  ...(['state', 'start', 'kill', 'delete'] as const).map((op) =>
    defineCase({
      id: `lifecycle.missing-id.${op}`,
      title: `${op} without a container id fails`,
      requirements: [`runtime:${op === 'state' ? 'query-state' : op}.missing-id-error`],
      exercises: [`op:${op}`],
      async check(t) {
        await t.create();
        t.expectError(await t.rt.call(op, []), `${op} with no id`);
        t.equal((await t.state()).status, 'created', 'the existing container is untouched');
      },
    }),
  ),

  defineCase({
    id: 'lifecycle.create.missing-id',
    title: 'create without a container id fails and creates nothing',
    requirements: ['runtime:create.missing-args-error'],
    exercises: ['op:create'],
    async check(t) {
      t.expectError(await t.rt.call('create', ['--bundle', t.bundle.dir]), 'create with a bundle but no id');
      t.equal(banners(t.stdout()), 0, 'times the program ran');
    },
  }),

  defineCase({
    id: 'lifecycle.create.config-frozen',
    title: 'changes to config.json after create do not affect the container',
    requirements: ['runtime:lifecycle.config-frozen'],
    unprovable:
      'the misbehaviour is reading config.json again at start; runc and the reference runtime read it once, at create, and no edit made before create plays a runtime that reads it later',
    bundle: (b) => b.probe({ only: ['cmdline', 'environ'] }).setEnv('CONFORM_MARK', 'at-create'),
    async check(t) {
      await t.create();
      t.bundle.builder
        .setEnv('CONFORM_MARK', 'after-create')
        .probe({ only: ['meta'], extra: ['changed'] })
        .writeFiles();
      await t.start();
      await t.waitOutput('@@done');
      const facts = parseProbe(t.stdout());
      t.ok(facts.env?.includes('CONFORM_MARK=at-create') ?? false, 'the environment is the one config.json had at create', {
        expected: 'CONFORM_MARK=at-create',
        actual: facts.env?.find((e) => e.startsWith('CONFORM_MARK=')),
      });
      t.equal(facts.args?.includes('changed'), false, 'the args edited after create are used');
    },
  }),

  defineCase({
    id: 'lifecycle.create.error-leaves-nothing',
    title: 'a create that fails (root.path missing) creates no container, and the id stays free',
    requirements: [
      'runtime:lifecycle.create-error',
      'runtime:create.apply-fail-error',
      'runtime:create.apply-fail-no-container',
      'runtime:errors.no-side-effects',
    ],
    exercises: ['op:create'],
    invalid: true,
    bundle: (b) => {
      b.skipRootfs = true;
    },
    async check(t) {
      const what = 'create with a root.path that does not exist';
      t.req('runtime:lifecycle.create-error', 'runtime:create.apply-fail-error').expectError(await t.rt.create(t.id, t.bundle.dir), what);
      const noContainer = t.req('runtime:create.apply-fail-no-container');
      await stateFails(noContainer, t.id, `state for the id of the failed ${what}`);
      expectNoLeftovers(t.req('runtime:errors.no-side-effects'), t.id, `the failed ${what}`);
      // The id is free again: nothing of the failed container holds it.
      const good = await t.newBundle();
      await noContainer.create({ bundle: good });
    },
  }),

  // config.md: `process` is "OPTIONAL … REQUIRED when start is called", so create must
  // accept a config without it (runtime.md#runtimeCreate: "This operation MUST create a
  // new container"), and start must then fail.
  defineCase({
    id: 'lifecycle.start.no-process',
    title: 'a container without `process` is created, and cannot be started',
    requirements: ['runtime:create.new-container', 'runtime:start.no-process-error', 'config:process.required-on-start'],
    exercises: ['op:start'],
    bundle: (b) => b.unset('process'),
    async check(t) {
      await t.req('runtime:create.new-container').create();
      t.req('runtime:start.no-process-error', 'config:process.required-on-start').expectError(
        await t.rt.start(t.id),
        'start of a container whose config has no process',
      );
    },
  }),
];
