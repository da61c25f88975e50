// runtime.md "State": the JSON `state` prints, in each status.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { validateState } from '../schemas/index.js';
import type { BundleBuilder } from '../harness/case/bundle.js';
import { defineCase } from '../harness/case/case.js';
import type { CaseContext, ContainerState } from '../harness/case/context.js';
import { cmdlineOf, namespacesOf } from '../harness/host/hostfacts.js';
import { sq } from './support/host.js';

type Status = 'created' | 'running' | 'stopped';
const STATUSES: Status[] = ['created', 'running', 'stopped'];
/** The values runtime.md defines; any other must name a state outside them. */
const SPEC_STATUSES: readonly string[] = ['creating', ...STATUSES];

const hold = (b: BundleBuilder) => {
  b.probe({ hold: true, only: ['meta'] });
};

/** The next status of the case's container, from the one before (created → running → stopped). */
async function advance(t: CaseContext, to: Status): Promise<ContainerState> {
  if (to === 'created') return t.create();
  if (to === 'running') {
    await t.start();
    // The probe traps TERM only once it is ready; before that, as PID 1 of its pid
    // namespace, it would ignore it.
    await t.waitOutput('@@ready');
    return t.state();
  }
  await t.kill('SIGTERM');
  return t.waitStatus('stopped');
}

/** Brings the case's container to `status` and returns its state there. */
async function reach(t: CaseContext, status: Status): Promise<ContainerState> {
  let st: ContainerState | undefined;
  for (const s of STATUSES.slice(0, STATUSES.indexOf(status) + 1)) st = await advance(t, s);
  return st!;
}

/**
 * `bundle` is "the absolute path to the container's bundle directory" (runtime.md): any
 * absolute spelling of it will do (symlinks in it, say), not only the canonical one.
 */
function expectBundle(t: CaseContext, bundle: unknown, dir: string): void {
  const abs = typeof bundle === 'string' && isAbsolute(bundle);
  if (!t.ok(abs, 'bundle is an absolute path', { expected: realpathSync(dir), actual: bundle })) return;
  let real: string | undefined;
  try {
    real = realpathSync(bundle as string);
  } catch {
    /* no such path: reported below */
  }
  t.equal(real, realpathSync(dir), `bundle (${String(bundle)}) is the bundle directory, symlinks resolved`);
}

function checkSchema(t: CaseContext, st: ContainerState, status: Status): void {
  for (const p of validateState(st).filter((p) => p.level === 'error')) t.ok(false, `state (${status}) ${p.path || '(root)'}: ${p.message}`, { actual: st });
}

export default [
  ...STATUSES.map((status) =>
    defineCase({
      id: `state.schema.${status}`,
      title: `the state of a ${status} container validates against the state schema`,
      requirements: [
        'runtime:state.schema',
        'runtime:query-state.returns-state',
        'runtime:state.status',
        'runtime:state.status-extra',
        `runtime:state.status-${status}`,
      ],
      exercises: ['op:state'],
      bundle: hold,
      async check(t) {
        const st = await reach(t, status);
        checkSchema(t.req('runtime:state.schema', 'runtime:query-state.returns-state'), st, status);
        // A value of its own for a state the spec names breaks status-extra too.
        const named = SPEC_STATUSES.includes(st.status)
          ? t.req(`runtime:state.status-${status}`)
          : t.req(`runtime:state.status-${status}`, 'runtime:state.status-extra');
        named.equal(st.status, status, 'status');
      },
    }),
  ),

  ...STATUSES.map((status) =>
    defineCase({
      id: `state.fields.${status}`,
      title: `ociVersion, id and bundle are right in a ${status} container's state`,
      requirements: ['runtime:state.oci-version', 'runtime:state.id', 'runtime:state.bundle'],
      exercises: ['op:state'],
      bundle: hold,
      async check(t) {
        const st = await reach(t, status);
        // runtime.md: "ociVersion (string, REQUIRED)"; SemVer is config.md's rule for config.json only.
        t.req('runtime:state.oci-version').ok(typeof st.ociVersion === 'string' && st.ociVersion !== '', 'ociVersion is a non-empty string', {
          actual: st.ociVersion,
        });
        t.req('runtime:state.id').equal(st.id, t.id, 'id');
        expectBundle(t.req('runtime:state.bundle'), st.bundle, t.bundle.dir);
      },
    }),
  ),

  defineCase({
    id: 'state.pid.created',
    title: "a created container's pid is the container process, already in the container's namespaces",
    requirements: ['runtime:state.pid'],
    exercises: ['op:state'],
    async check(t) {
      const { pid } = await t.create();
      if (!t.ok(typeof pid === 'number' && pid > 0, 'pid is a positive integer', { actual: pid })) return;
      const host = t.env.host.hostNs;
      const ns = namespacesOf(pid!);
      // The default bundle asks for new pid, mount, network, ipc and uts namespaces.
      for (const kind of ['pid', 'mount', 'network', 'ipc', 'uts'] as const) {
        t.ok(
          ns[kind] !== undefined && ns[kind] !== host[kind],
          `pid ${pid} is in a new ${kind} namespace (it is the container process, not a runtime helper)`,
          { actual: ns[kind] },
        );
      }
    },
  }),

  defineCase({
    id: 'state.pid.running',
    title: "a running container's pid is the process running the user's program",
    requirements: ['runtime:state.pid', 'runtime:state.status-running'],
    exercises: ['op:state'],
    bundle: hold,
    async check(t) {
      const st = await reach(t, 'running');
      t.req('runtime:state.status-running').equal(st.status, 'running', 'status while the program runs');
      const pid = t.req('runtime:state.pid');
      if (!pid.ok(typeof st.pid === 'number' && st.pid > 0, 'pid is a positive integer', { actual: st.pid })) return;
      pid.equal(cmdlineOf(st.pid!), t.bundle.config.process?.args, `argv of pid ${st.pid} on the host`);
    },
  }),

  defineCase({
    id: 'state.bundle.relative',
    title: 'create given a relative bundle path reports the absolute path in state',
    requirements: ['runtime:state.bundle'],
    exercises: ['op:state'],
    async check(t) {
      // Run create from the case directory with --bundle relative to it.
      const r = await t.rt.create(t.id, 'bundle', [], { cwd: t.dir });
      if (!r.ok) t.fail(`create --bundle bundle (relative, from ${t.dir}): ${r.summary}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
      const st = await t.state();
      expectBundle(t, st.bundle, join(t.dir, 'bundle'));
    },
  }),

  defineCase({
    id: 'state.annotations',
    title: 'the configured annotations appear in state, in every status',
    requirements: ['runtime:state.annotations'],
    exercises: ['annotations'],
    // Ignoring them is not catchable (annotations are OPTIONAL in the state): the strip
    // wrapper replaces them instead, and the case must see other annotations than its own.
    tamper: { annotations: { 'org.example.conform.tampered': 'not the configured map' } },
    bundle: (b) => {
      hold(b);
      b.annotation('org.example.conform.key', 'value with spaces').annotation('org.example.conform.empty', '');
    },
    async check(t) {
      const expected = t.bundle.config.annotations;
      // runtime.md makes `annotations` OPTIONAL in the state: its absence is no failure,
      // but whenever it is there it must be the configured map.
      const absent: Status[] = [];
      for (const status of STATUSES) {
        const st = await advance(t, status);
        if (st.annotations === undefined) absent.push(status);
        else t.equal(st.annotations, expected, `annotations when ${status}`);
      }
      if (absent.length === STATUSES.length) t.skip('the runtime reports no annotations in its state (runtime.md makes the property OPTIONAL)');
      if (absent.length) t.note(`the state has no annotations when ${absent.join(', ')} (OPTIONAL), but has them otherwise`);
    },
  }),

  defineCase({
    id: 'state.annotations.none',
    title: 'without annotations in config.json, state has none (absent or empty)',
    requirements: ['runtime:state.annotations-none'],
    exercises: ['op:state'],
    async check(t) {
      const st = await t.create();
      t.ok(
        st.annotations === undefined || (typeof st.annotations === 'object' && st.annotations !== null && Object.keys(st.annotations).length === 0),
        'annotations is absent or {}',
        {
          actual: st.annotations,
        },
      );
    },
  }),

  defineCase({
    id: 'state.status.creating',
    title: 'while create is in progress (asked from a createRuntime hook), state reports status "creating"',
    requirements: ['runtime:state.status-creating', 'runtime:state.status', 'runtime:query-state.returns-state'],
    exercises: ['op:state'],
    needs: ['feature:hooks=createRuntime'],
    async check(t) {
      // The hook runs the runtime's own `state` for this container, with a deadline of
      // its own (a runtime that serialises state behind create would wait forever).
      const out = join(t.dir, 'state-during-create');
      // Half the deadline of the create that runs the hook, so that create itself is not killed.
      const wait = Math.max(5, Math.floor(t.rt.rt.timeoutMs / 2000));
      const cmd = ['/usr/bin/timeout', String(wait), ...t.rt.argv('state', [t.id])].map(sq).join(' ');
      const bundle = await t.newBundle((b) => {
        b.probe({ only: ['meta'] });
        b.hook('createRuntime', {
          path: b.hostScript('state-now', `${cmd} > ${sq(out)}.json 2> ${sq(out)}.err; echo $? > ${sq(out)}.rc`),
          env: [`PATH=${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`],
        });
      });
      await t.create({ bundle });
      const read = (ext: string) => (existsSync(`${out}.${ext}`) ? readFileSync(`${out}.${ext}`, 'utf8').trim() : undefined);
      const rc = read('rc');
      // Without the hook nothing here can be judged (hooks.* cases judge the hook itself).
      if (rc === undefined) t.abort('the createRuntime hook did not run (it records the exit status of its `state` call)');
      const answers = t.req('runtime:query-state.returns-state');
      // A runtime that serialises state behind create cannot answer until the hook is done:
      // runtime.md does not make the container queryable before create returns.
      if (rc === '124')
        return t.skip(
          `the runtime's \`state\` did not answer while create was in progress (killed after ${wait} s: it waits for create to finish); runtime.md does not require it to answer then`,
        );
      if (rc !== '0') {
        // runtime.md lists `creating` among the values status MAY take; it does not make
        // the container queryable before create returns.
        return t.skip(
          `the runtime's \`state\` does not know the container while create is in progress (exit ${rc}: ${read('err')?.split('\n')[0] ?? ''}); runtime.md does not require it to`,
        );
      }
      let st: Record<string, unknown> | undefined;
      try {
        st = JSON.parse(read('json') ?? '') as Record<string, unknown>;
      } catch {
        return answers.fail('`state` during create printed no JSON', { actual: read('json') });
      }
      t.req('runtime:state.status-creating', 'runtime:state.status').equal(st.status, 'creating', 'status during create');
      answers.equal(st.id, t.id, 'id during create');
    },
  }),
];
