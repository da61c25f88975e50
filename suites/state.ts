// runtime.md "State": the JSON `state` prints, in each status.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { validateState } from '../schemas/index.js';
import type { BundleBuilder } from '../harness/bundle.js';
import { defineCase } from '../harness/case.js';
import type { CaseContext, ContainerState } from '../harness/context.js';
import { cmdlineOf, namespacesOf } from '../harness/hostfacts.js';
import { parseSemVer } from '../schemas/semver.js';

type Status = 'created' | 'running' | 'stopped';

const hold = (b: BundleBuilder) => {
  b.probe({ hold: true, only: ['meta'] });
};

/** Brings the case's container to `status` and returns its state there. */
async function reach(t: CaseContext, status: Status): Promise<ContainerState> {
  await t.create();
  if (status === 'created') return t.state();
  await t.start();
  // The probe traps TERM only once it is ready; before that, as PID 1 of its pid
  // namespace, it would ignore it.
  await t.waitOutput('@@ready');
  if (status === 'running') return t.state();
  await t.kill('SIGTERM');
  return t.waitStatus('stopped');
}

function checkSchema(t: CaseContext, st: ContainerState, status: Status): void {
  for (const p of validateState(st).filter((p) => p.level === 'error')) t.ok(false, `state (${status}) ${p.path || '(root)'}: ${p.message}`, { actual: st });
}

const STATUSES: Status[] = ['created', 'running', 'stopped'];

export default [
  ...STATUSES.map((status) =>
    defineCase({
      id: `state.schema.${status}`,
      title: `the state of a ${status} container validates against the state schema`,
      requirements: ['runtime:state.schema', 'runtime:query-state.returns-state', `runtime:state.status-${status}`],
      bundle: hold,
      async check(t) {
        const st = await reach(t, status);
        checkSchema(t, st, status);
        t.equal(st.status, status, 'status');
      },
    }),
  ),

  ...STATUSES.map((status) =>
    defineCase({
      id: `state.fields.${status}`,
      title: `ociVersion, id and bundle are right in a ${status} container's state`,
      requirements: ['runtime:state.oci-version', 'runtime:state.id', 'runtime:state.bundle'],
      bundle: hold,
      async check(t) {
        const st = await reach(t, status);
        t.ok(typeof st.ociVersion === 'string' && parseSemVer(st.ociVersion) !== undefined, 'ociVersion is a SemVer 2.0.0 string', { actual: st.ociVersion });
        t.equal(st.id, t.id, 'id');
        t.equal(st.bundle, realpathSync(t.bundle.dir), 'bundle (the absolute path of the bundle directory)');
      },
    }),
  ),

  defineCase({
    id: 'state.pid.created',
    title: "a created container's pid is the container process, already in the container's namespaces",
    requirements: ['runtime:state.pid'],
    async check(t) {
      const { pid } = await t.create();
      if (!t.ok(typeof pid === 'number' && pid > 0, 'pid is a positive integer', { actual: pid })) return;
      const host = t.env.host.hostNs;
      const ns = namespacesOf(pid!);
      // The default bundle asks for new pid, mount, network, ipc and uts namespaces.
      for (const kind of ['pid', 'mount', 'network', 'ipc', 'uts'] as const) {
        t.ok(ns[kind] !== undefined && ns[kind] !== host[kind], `pid ${pid} is in a new ${kind} namespace (it is the container process, not a runtime helper)`, { actual: ns[kind] });
      }
    },
  }),

  defineCase({
    id: 'state.pid.running',
    title: "a running container's pid is the process running the user's program",
    requirements: ['runtime:state.pid', 'runtime:state.status-running'],
    bundle: hold,
    async check(t) {
      const st = await reach(t, 'running');
      if (!t.ok(typeof st.pid === 'number' && st.pid > 0, 'pid is a positive integer', { actual: st.pid })) return;
      t.equal(cmdlineOf(st.pid!), t.bundle.config.process?.args, `argv of pid ${st.pid} on the host`);
    },
  }),

  defineCase({
    id: 'state.bundle.relative',
    title: 'create given a relative bundle path reports the absolute path in state',
    requirements: ['runtime:state.bundle'],
    async check(t) {
      // Run create from the case directory with --bundle relative to it.
      const r = await t.rt.create(t.id, 'bundle', [], { cwd: t.dir });
      if (!r.ok) t.fail(`create --bundle bundle (relative, from ${t.dir}): ${r.summary}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
      const st = await t.state();
      t.equal(st.bundle, realpathSync(join(t.dir, 'bundle')), 'bundle');
    },
  }),

  defineCase({
    id: 'state.annotations',
    title: 'the configured annotations appear in state, in every status',
    requirements: ['runtime:state.annotations'],
    exercises: ['annotations'],
    bundle: (b) => {
      hold(b);
      b.annotation('org.example.conform.key', 'value with spaces').annotation('org.example.conform.empty', '');
    },
    async check(t) {
      const expected = t.bundle.config.annotations;
      for (const status of STATUSES) {
        const st = status === 'created' ? await t.create() : status === 'running' ? await reach2running(t) : await reach2stopped(t);
        if (st.annotations === undefined) t.skip(`the runtime does not report annotations in its state (${status}); runtime.md makes the property optional`);
        t.equal(st.annotations, expected, `annotations when ${status}`);
      }
    },
  }),

  defineCase({
    id: 'state.annotations.none',
    title: 'without annotations in config.json, state has none (absent or empty)',
    requirements: ['runtime:state.annotations-none'],
    async check(t) {
      const st = await t.create();
      t.ok(st.annotations === undefined || (typeof st.annotations === 'object' && st.annotations !== null && Object.keys(st.annotations).length === 0), 'annotations is absent or {}', {
        actual: st.annotations,
      });
    },
  }),
];

async function reach2running(t: CaseContext): Promise<ContainerState> {
  await t.start();
  await t.waitOutput('@@ready');
  return t.state();
}

async function reach2stopped(t: CaseContext): Promise<ContainerState> {
  await t.kill('SIGTERM');
  return t.waitStatus('stopped');
}
