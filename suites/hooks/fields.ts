// config.md "POSIX-platform Hooks": a hook entry's args (args[0] is argv[0], as for
// execv), env (exactly the configured environment, not the runtime's), and timeout
// (a hook still running then is aborted, and the operation fails).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { pidsGone } from '../../harness/host/hostfacts.js';
import type { HookName } from '../../schemas/config.js';
import { expectHookError, HOOK_KINDS, installRecorder, programRan, readRecord, resolvesInContainer, settleAfterFailedStart } from './record.js';
import { outOf } from './when.js';

/** argv[0] for a hook: the host's /bin/sh (dash) takes any; busybox (in the rootfs) picks its applet by it. */
const argv0 = (k: HookName) => (resolvesInContainer(k) ? 'sh' : 'conform-hook-argv0');
const EXTRA = ['two words', '', '*', 'ünï'];
const hookEnv = (k: HookName) => ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', `CONFORM_HOOK=${k}`, 'SPACES=a  b', 'EMPTY=', 'EQUALS=x=y'];

/** Drives the container through the whole lifecycle, so that every kind has run. */
async function wholeLifecycle(t: CaseContext): Promise<void> {
  await t.create();
  await t.start();
  await t.waitOutput('@@done');
  await t.waitStatus('stopped');
  await t.delete();
}

const sorted = (xs: readonly string[] | undefined) => (xs ? [...xs].sort() : xs);

/** Waits (bounded) for a pid written by a hook to be gone; returns whether it is. */
async function goneSoon(pid: number, ms = 3000): Promise<boolean> {
  return pidsGone([pid], ms);
}

const SLOW = 6;
/** A hook that writes its pid, then outlives its timeout by far. */
const slowHook = (pidFile: string) => ({ path: '/bin/sh', args: ['sh', '-c', `echo $$ > ${pidFile}; exec sleep ${SLOW}`], timeout: 1 });

function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

const cases: Case[] = [
  defineCase({
    id: 'hooks.args',
    title: "every kind of hook gets its args as argv, args[0] included (spaces, empty strings, '*', UTF-8 untouched)",
    requirements: ['config:hooks.args'],
    exercises: HOOK_KINDS.map((k) => `hooks.${k}[0].args`),
    needs: HOOK_KINDS.map((k) => `feature:hooks=${k}`),
    bundle: (b) => {
      const rec = installRecorder(b);
      // rec.sh's third argument is where it appends its name: give it explicitly, before the extras.
      for (const k of HOOK_KINDS) b.hook(k, { path: '/bin/sh', args: [argv0(k), rec.script, rec.out, k, `${rec.out}/order`, ...EXTRA] });
      b.probe({ only: ['meta'] });
    },
    async check(t) {
      await wholeLifecycle(t);
      for (const k of HOOK_KINDS) {
        const r = readRecord(t, outOf(t), k);
        if (!t.ok(r !== undefined, `the ${k} hook did not run`)) continue;
        t.equal(r!.argv, t.bundle.config.hooks![k]![0]!.args, `argv of the ${k} hook`);
      }
    },
  }),

  defineCase({
    id: 'hooks.env',
    title: "every kind of hook gets exactly its env as its environment (nothing of the runtime's own)",
    requirements: ['config:hooks.env'],
    exercises: HOOK_KINDS.map((k) => `hooks.${k}[0].env`),
    needs: HOOK_KINDS.map((k) => `feature:hooks=${k}`),
    bundle: (b) => {
      const rec = installRecorder(b);
      for (const k of HOOK_KINDS) b.hook(k, rec.hook(k, { env: hookEnv(k) }));
      b.probe({ only: ['meta'] });
    },
    async check(t) {
      await wholeLifecycle(t);
      for (const k of HOOK_KINDS) {
        const r = readRecord(t, outOf(t), k);
        if (!t.ok(r !== undefined, `the ${k} hook did not run`)) continue;
        t.equal(sorted(r!.env), sorted(hookEnv(k)), `environment of the ${k} hook`);
      }
    },
  }),

  defineCase({
    id: 'hooks.timeout.create-runtime',
    title: 'a createRuntime hook that outlives its timeout is aborted, and create fails leaving no container',
    requirements: ['config:hooks.timeout', 'runtime:lifecycle.create-runtime-fail-error', 'runtime:create.apply-fail-no-container'],
    exercises: ['hooks.createRuntime[0].timeout'],
    needs: ['feature:hooks=createRuntime'],
    bundle: (b) => {
      b.hook('createRuntime', slowHook(b.hostPath('slow.pid'))).probe({ only: ['meta'] });
    },
    async check(t) {
      const started = Date.now();
      const r = await t.rt.create(t.id, t.bundle.dir);
      const took = (Date.now() - started) / 1000;
      const pid = readPid(t.bundle.builder.hostPath('slow.pid'));
      // Without the hook nothing here can be judged (hooks.when judges that it runs).
      if (pid === undefined) t.abort('the createRuntime hook did not run');
      const timeout = t.req('config:hooks.timeout');
      expectHookError(t.req('runtime:lifecycle.create-runtime-fail-error'), r, 'create whose createRuntime hook outlived its 1 s timeout');
      timeout.ok(took < SLOW, `create returned after ${took.toFixed(1)} s: the hook was not aborted at its 1 s timeout (it sleeps ${SLOW} s)`);
      timeout.ok(await goneSoon(pid!), `the hook process ${pid} is still running after create returned`);
      const none = t.req('runtime:create.apply-fail-no-container');
      none.expectError(await t.rt.state(t.id), 'state after the failed create (no container may be left behind)');
      none.ok(!programRan(t), "the user's program ran");
    },
  }),

  defineCase({
    id: 'hooks.timeout.start-container',
    title: 'a startContainer hook that outlives its timeout is aborted: start fails, the program never runs, the container stops',
    requirements: ['config:hooks.timeout', 'runtime:lifecycle.start-container-fail-error', 'runtime:lifecycle.start-container-fail-stop'],
    exercises: ['hooks.startContainer[0].timeout'],
    needs: ['feature:hooks=startContainer'],
    bundle: (b) => {
      b.hook('startContainer', slowHook('/conform-slow.pid')).probe({ only: ['meta'] });
    },
    async check(t) {
      await t.create();
      const started = Date.now();
      const r = await t.rt.start(t.id);
      const took = (Date.now() - started) / 1000;
      expectHookError(t.req('runtime:lifecycle.start-container-fail-error'), r, 'start whose startContainer hook outlived its 1 s timeout');
      t.req('config:hooks.timeout').ok(
        took < SLOW,
        `start returned after ${took.toFixed(1)} s: the hook was not aborted at its 1 s timeout (it sleeps ${SLOW} s)`,
      );
      const left = await settleAfterFailedStart(t, 'stopped');
      if (readPid(join(t.bundle.dir, 'rootfs', 'conform-slow.pid')) === undefined) t.abort('the startContainer hook did not run');
      const stop = t.req('runtime:lifecycle.start-container-fail-stop');
      stop.ok(left === undefined, `the container did not stop after its startContainer hook timed out (${left})`);
      stop.ok(!programRan(t), "the user's program ran although its startContainer hook timed out");
    },
  }),

  defineCase({
    id: 'hooks.timeout.poststop',
    title: 'a poststop hook that outlives its timeout is aborted; delete still succeeds and the next poststop hook runs',
    requirements: ['config:hooks.timeout', 'runtime:lifecycle.poststop-fail-warn', 'runtime:lifecycle.poststop-fail-continue'],
    exercises: ['hooks.poststop[0].timeout'],
    needs: ['feature:hooks=poststop'],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.hook('poststop', slowHook(b.hostPath('slow.pid')))
        .hook('poststop', rec.hook('next'))
        .probe({ only: ['meta'] });
    },
    async check(t) {
      await t.probe();
      const started = Date.now();
      const r = await t.rt.delete(t.id);
      const took = (Date.now() - started) / 1000;
      const pid = readPid(t.bundle.builder.hostPath('slow.pid'));
      if (pid === undefined) t.abort('the poststop hook did not run');
      const timeout = t.req('config:hooks.timeout');
      const goOn = t.req('runtime:lifecycle.poststop-fail-continue');
      t.req('runtime:lifecycle.poststop-fail-warn').ok(r.ok, `delete with a timed-out poststop hook must succeed (a warning only): ${r.summary}`);
      timeout.ok(took < SLOW, `delete returned after ${took.toFixed(1)} s: the hook was not aborted at its 1 s timeout (it sleeps ${SLOW} s)`);
      timeout.ok(await goneSoon(pid!), `the hook process ${pid} is still running after delete returned`);
      goOn.ok(readRecord(t, outOf(t), 'next') !== undefined, 'the poststop hook after the timed-out one ran');
      goOn.expectError(await t.rt.state(t.id), 'state after delete (the container is gone)');
    },
  }),
];

export default cases;
