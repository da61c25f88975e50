// runtime.md "Lifecycle", steps 3–13: what a failing hook of each kind does to the
// operation (an error, the container stopped, the lifecycle going on at step 12 —
// destroy, then poststop) or, for poststop, only a warning.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineCase, type Case } from '../../harness/case/case.js';
import { callFailure, type CaseContext } from '../../harness/case/context.js';
import { skipIfNewerThanRuntime } from '../support/version.js';
import type { Hook, HookName } from '../../schemas/config.js';
import { expectHookError, installRecorder, programRan, readRecord, settleAfterFailedStart, type Recorder } from './record.js';
import { kebab, outOf } from './when.js';

/** A hook that leaves a mark, then fails (exit 3). */
const failing = (rec: Recorder, name: string): Hook => ({ path: '/bin/sh', args: ['sh', '-c', `echo ran > "${rec.out}/${name}.failed"; exit 3`] });
/** Whether the failing hook left its mark (on the host, or in the rootfs for startContainer). */
function existsFailed(t: CaseContext, name: string): boolean {
  return existsSync(join(outOf(t), `${name}.failed`)) || existsSync(join(t.bundle.dir, 'rootfs', outOf(t), `${name}.failed`));
}

/** The kind that would run next, which a failure must keep from running (the lifecycle goes on at step 12). */
const NEXT: Partial<Record<HookName, HookName>> = {
  prestart: 'createRuntime',
  createRuntime: 'createContainer',
  createContainer: 'startContainer',
  startContainer: 'poststart',
};

/** A failing create-time hook: create fails, no container is left, neither later hooks nor the program run. */
function createFailCase(kind: 'prestart' | 'createRuntime' | 'createContainer'): Case {
  const k = kebab(kind);
  const next = NEXT[kind]!;
  return defineCase({
    id: `hooks.${k}.fail`,
    title: `a failing ${kind} hook makes create fail: no container is left, later hooks and the program never run`,
    requirements: [`runtime:lifecycle.${k}-fail-error`, `runtime:lifecycle.${k}-fail-stop`, 'runtime:create.apply-fail-no-container'],
    exercises: [`hooks.${kind}`],
    needs: [`feature:hooks=${kind}`, `feature:hooks=${next}`],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.hook(kind, failing(rec, 'bad'))
        .hook(kind, rec.hook('same-kind'))
        .hook(next, rec.hook('next'))
        .probe({ only: ['meta'] });
    },
    async check(t) {
      const r = await t.rt.create(t.id, t.bundle.dir);
      // Without the hook nothing here can be judged (hooks.*.state judges that it is invoked).
      if (!existsFailed(t, 'bad')) t.abort(`the failing ${kind} hook did not run`);
      expectHookError(t.req(`runtime:lifecycle.${k}-fail-error`), r, `create with a failing ${kind} hook`);
      t.req('runtime:create.apply-fail-no-container').expectError(await t.rt.state(t.id), 'state after the failed create (no container may be left behind)');
      const stopped = t.req(`runtime:lifecycle.${k}-fail-stop`);
      stopped.equal(readRecord(t, outOf(t), 'same-kind')?.side, undefined, `the ${kind} hook after the failing one ran`);
      stopped.equal(readRecord(t, outOf(t), 'next')?.side, undefined, `a ${next} hook ran after the ${kind} failure`);
      // Nothing may run it later either: try start on whatever the runtime left.
      if (r.ok) await t.rt.start(t.id);
      stopped.ok(!programRan(t), "the user's program ran");
    },
  });
}

export default [
  createFailCase('prestart'),
  createFailCase('createRuntime'),
  createFailCase('createContainer'),

  defineCase({
    id: 'hooks.create-fail.poststop',
    title:
      'after a failing prestart, createRuntime or createContainer hook the lifecycle goes on at step 12: the container is destroyed and the poststop hooks run',
    requirements: [
      'runtime:lifecycle.prestart-fail-destroy',
      'runtime:lifecycle.create-runtime-fail-destroy',
      'runtime:lifecycle.create-container-fail-destroy',
      'runtime:lifecycle.poststop-invoked',
    ],
    exercises: ['hooks.poststop'],
    needs: ['feature:hooks=prestart', 'feature:hooks=createRuntime', 'feature:hooks=createContainer', 'feature:hooks=poststop'],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.hook('prestart', failing(rec, 'bad-prestart'))
        .hook('poststop', rec.hook('poststop-prestart'))
        .probe({ only: ['meta'] });
    },
    async check(t) {
      for (const kind of ['prestart', 'createRuntime', 'createContainer'] as const) {
        const id = kind === 'prestart' ? t.id : t.newId();
        const bundle =
          kind === 'prestart'
            ? t.bundle
            : await t.newBundle((b) => {
                const rec = installRecorder(b);
                b.hook(kind, failing(rec, `bad-${kind}`))
                  .hook('poststop', rec.hook(`poststop-${kind}`))
                  .probe({ only: ['meta'] });
              });
        const destroy = t.req(`runtime:lifecycle.${kebab(kind)}-fail-destroy`);
        await t.rt.create(id, bundle.dir);
        if (!destroy.ok(existsFailed(t, `bad-${kind}`), `the failing ${kind} hook did not run`)) continue;
        destroy.expectError(await t.rt.state(id), `state after the failed create (${kind}): the container must be destroyed`);
        t.req(`runtime:lifecycle.${kebab(kind)}-fail-destroy`, 'runtime:lifecycle.poststop-invoked').ok(
          readRecord(t, outOf(t), `poststop-${kind}`) !== undefined,
          `the poststop hook did not run after the failing ${kind} hook (lifecycle step 12, 13)`,
        );
      }
    },
  }),

  defineCase({
    id: 'hooks.start-container.fail',
    title: 'a failing startContainer hook makes start fail; the program never runs and the container stops',
    requirements: ['runtime:lifecycle.start-container-fail-error', 'runtime:lifecycle.start-container-fail-stop'],
    exercises: ['hooks.startContainer'],
    needs: ['feature:hooks=startContainer'],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.hook('startContainer', failing(rec, 'bad'))
        .hook('startContainer', rec.hook('same-kind'))
        .probe({ only: ['meta'] });
    },
    async check(t) {
      await t.create();
      const r = await t.rt.start(t.id);
      // Also lets a runtime that runs the hook after start returned get there.
      const left = await settleAfterFailedStart(t, 'stopped');
      if (!existsFailed(t, 'bad')) t.abort('the failing startContainer hook did not run');
      expectHookError(t.req('runtime:lifecycle.start-container-fail-error'), r, 'start with a failing startContainer hook');
      const stopped = t.req('runtime:lifecycle.start-container-fail-stop');
      stopped.ok(left === undefined, `the container did not stop after the failing startContainer hook (${left})`);
      stopped.equal(readRecord(t, outOf(t), 'same-kind')?.side, undefined, 'the startContainer hook after the failing one ran');
      stopped.ok(!programRan(t), "the user's program ran although a startContainer hook failed");
    },
  }),

  defineCase({
    id: 'hooks.start-container.fail-poststop',
    title: 'after a failing startContainer hook the lifecycle goes on at step 12: the container is destroyed and the poststop hooks run',
    requirements: ['runtime:lifecycle.start-container-fail-destroy', 'runtime:lifecycle.poststop-invoked'],
    exercises: ['hooks.poststop'],
    needs: ['feature:hooks=startContainer', 'feature:hooks=poststop'],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.hook('startContainer', failing(rec, 'bad'))
        .hook('poststop', rec.hook('poststop'))
        .probe({ only: ['meta'] });
    },
    async check(t) {
      await t.create();
      await t.rt.start(t.id);
      // Destroyed (state fails), whether before start returned or soon after.
      const left = await settleAfterFailedStart(t, 'gone');
      if (!existsFailed(t, 'bad')) t.abort('the failing startContainer hook did not run');
      t.req('runtime:lifecycle.start-container-fail-destroy', 'runtime:lifecycle.poststop-invoked').ok(
        readRecord(t, outOf(t), 'poststop') !== undefined,
        'the poststop hook ran after the failing startContainer hook, without delete',
      );
      t.req('runtime:lifecycle.start-container-fail-destroy').ok(
        left === undefined,
        `state after the failing startContainer hook: the container must be destroyed, but state still answers (${left})`,
      );
    },
  }),

  // runtime.md Lifecycle step 9 (v1.3.0, the version this bundle says): "If any poststart
  // hook fails, the runtime MUST generate an error, stop the container, and continue the
  // lifecycle at step 12." (1.0.2 made it a warning; nothing in v1.3.0 says so any more.)
  defineCase({
    id: 'hooks.poststart.fail',
    title: 'a failing poststart hook: start fails and the container is stopped and destroyed (poststop runs)',
    requirements: [
      'runtime:lifecycle.poststart-fail-error',
      'runtime:lifecycle.poststart-fail-stop',
      'runtime:lifecycle.poststart-fail-destroy',
      'runtime:lifecycle.poststop-invoked',
    ],
    exercises: ['hooks.poststart'],
    needs: ['feature:hooks=poststart', 'feature:hooks=poststop'],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.ociVersion('1.3.0')
        .hook('poststart', failing(rec, 'bad'))
        .hook('poststop', rec.hook('poststop'))
        .probe({ only: ['meta'], hold: true });
    },
    async check(t) {
      // What 1.0.2 made a warning: a runtime implementing an older release may still do that.
      skipIfNewerThanRuntime(t, '1.3.0', 'a failing poststart hook that stops and destroys the container (runtime.md Lifecycle step 9)');
      const c = await t.rt.create(t.id, t.bundle.dir);
      if (c.signal || c.timedOut) t.abort(callFailure(`create ${t.id}`, c));
      if (!c.ok)
        t.skip(
          `the runtime refused a config at ociVersion 1.3.0, the release whose text this case judges by (${c.summary}: ${c.stderr.trim().split('\n')[0] ?? ''})`,
        );
      await t.state(); // registers the pid for cleanup
      const r = await t.rt.start(t.id);
      // Destroyed (state fails), whether before start returned or soon after.
      const left = await settleAfterFailedStart(t, 'gone');
      if (!existsFailed(t, 'bad')) t.abort('the failing poststart hook did not run');
      expectHookError(t.req('runtime:lifecycle.poststart-fail-error'), r, 'start with a failing poststart hook');
      const st = await t.rt.state(t.id);
      t.req('runtime:lifecycle.poststart-fail-stop').ok(
        !st.ok || st.state?.['status'] === 'stopped',
        'the container is stopped after the failing poststart hook',
        { actual: st.ok ? st.state?.['status'] : 'destroyed' },
      );
      const destroy = t.req('runtime:lifecycle.poststart-fail-destroy');
      destroy.ok(
        left === undefined,
        `state after the failing poststart hook: the container must be destroyed (lifecycle step 12), but state still answers (${left})`,
      );
      t.req('runtime:lifecycle.poststart-fail-destroy', 'runtime:lifecycle.poststop-invoked').ok(
        readRecord(t, outOf(t), 'poststop') !== undefined,
        'the poststop hook ran (lifecycle step 12, 13)',
      );
    },
  }),

  defineCase({
    id: 'hooks.poststop.fail',
    title: 'a failing poststop hook is only a warning: delete succeeds, the container is gone, the next poststop hook runs',
    requirements: ['runtime:lifecycle.poststop-fail-warn', 'runtime:lifecycle.poststop-fail-continue'],
    exercises: ['hooks.poststop'],
    needs: ['feature:hooks=poststop'],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.hook('poststop', failing(rec, 'bad'))
        .hook('poststop', rec.hook('next'))
        .probe({ only: ['meta'] });
    },
    async check(t) {
      await t.probe();
      const r = await t.rt.delete(t.id);
      if (!existsFailed(t, 'bad')) t.abort('the failing poststop hook did not run');
      t.req('runtime:lifecycle.poststop-fail-warn').ok(r.ok, `delete with a failing poststop hook must succeed (a warning only): ${r.summary}`);
      const goOn = t.req('runtime:lifecycle.poststop-fail-continue');
      goOn.ok(readRecord(t, outOf(t), 'next') !== undefined, 'the poststop hook after the failing one ran');
      goOn.expectError(await t.rt.state(t.id), 'state after delete (the container is gone)');
    },
  }),
] satisfies Case[];
