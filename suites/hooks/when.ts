// config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": when each kind of hook
// runs (relative to create, start and delete returning, and to the user's program),
// in which namespaces, where its path resolves, and the state it reads on stdin.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleBuilder } from '../../harness/case/bundle.js';
import { defineCase, type Case } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { namespacesOf, NS_FILE, type NamespaceKind } from '../../harness/host/hostfacts.js';
import type { HookName } from '../../schemas/config.js';
import { validateState } from '../../schemas/index.js';
import { noHostViewOf } from '../support/host.js';
import { CONTAINER_NS_KINDS, HOOK_KINDS, installRecorder, mustRecord, pidInOwnNamespace, readOrder, readRecord, resolvesInContainer } from './record.js';

export const kebab = (k: HookName) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const outOf = (t: CaseContext) => join(t.bundle.builder.filesDir, 'out');

/** Namespaces compared between a hook and where it should be (time: per-process offsets aside). */
const COMPARED: NamespaceKind[] = ['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup'];

export interface Drive {
  /** The container process's host pid, from state after create. */
  pid: number;
  /** Its namespaces, read after create. */
  ns: Partial<Record<NamespaceKind, string>>;
  /**
   * Its pid as its own pid namespace sees it, read after create: once it has exited and
   * been reaped, /proc/PID says nothing more.
   */
  inside?: number;
  /** Why /proc/PID on the host is not the container's process (suites/support/host.ts). */
  noHostView?: string;
}

/**
 * Takes the case's container as far as `kind` needs to have run: create for the
 * create-time hooks, start for startContainer and poststart, delete for poststop. A
 * holding probe (`--hold`) is killed once ready.
 */
export async function driveFor(t: CaseContext, kind: HookName): Promise<Drive> {
  const { pid } = await t.create();
  if (typeof pid !== 'number' || pid <= 0) t.abort('state of the created container has no pid', { actual: pid });
  const ns = namespacesOf(pid!);
  const inside = pidInOwnNamespace(pid!);
  const noHostView = noHostViewOf(t, pid!);
  if (kind === 'startContainer' || kind === 'poststart' || kind === 'poststop') {
    await t.start();
    if (t.bundle.config.process?.args?.includes('--hold')) {
      await t.waitOutput('@@ready');
      await t.kill('SIGKILL');
    } else await t.waitOutput('@@done');
    await t.waitStatus('stopped');
  }
  if (kind === 'poststop') await t.delete();
  return { pid: pid!, ns, inside, noHostView };
}

/**
 * The status a hook of each kind must read, from runtime.md's State and Lifecycle, and
 * the requirement that defines it. The create-time hooks run "as part of the create
 * operation" (config.md): the container is "being created" (`creating`), or, since the
 * environment of step 2 exists, arguably `created` ("the runtime has finished the create
 * operation (after step 2)"): both are taken. startContainer runs at step 7, before the
 * program is executed: `created`. poststart runs at step 9, after it was executed and (the
 * case's program holds) before it exits: `running`. poststop runs once the process has
 * exited and the container is deleted: `stopped`.
 */
const STATUS: Record<HookName, { statuses: string[]; requirement: string }> = {
  prestart: { statuses: ['creating', 'created'], requirement: 'runtime:state.status-creating' },
  createRuntime: { statuses: ['creating', 'created'], requirement: 'runtime:state.status-creating' },
  createContainer: { statuses: ['creating', 'created'], requirement: 'runtime:state.status-creating' },
  startContainer: { statuses: ['created'], requirement: 'runtime:state.status-created' },
  poststart: { statuses: ['running'], requirement: 'runtime:state.status-running' },
  poststop: { statuses: ['stopped'], requirement: 'runtime:state.status-stopped' },
};

function compareNs(t: CaseContext, got: Record<string, string>, want: Partial<Record<NamespaceKind, string>>, what: string): void {
  for (const k of COMPARED) {
    const w = want[k];
    const g = got[NS_FILE[k]];
    if (w === undefined || g === undefined) continue;
    t.equal(g, w, `${what}: ${k} namespace`);
  }
}

function stateCase(kind: HookName): Case {
  const containerNs = CONTAINER_NS_KINDS.has(kind);
  return defineCase({
    id: `hooks.${kebab(kind)}.state`,
    title: `a ${kind} hook reads the container state on stdin: valid, with its id, bundle and the pid ${containerNs ? 'the container sees' : 'the runtime sees'}`,
    requirements: [
      'config:hooks.state-stdin',
      'runtime:state.id',
      'runtime:state.bundle',
      ...(kind === 'poststop' ? [] : [containerNs ? 'runtime:state.pid-container-hooks' : 'runtime:state.pid-runtime-hooks']),
      STATUS[kind].requirement,
      `runtime:lifecycle.${kebab(kind)}-invoked`,
    ],
    exercises: [`hooks.${kind}`],
    needs: [`feature:hooks=${kind}`],
    bundle: (b) => {
      // poststart: a program that is still running when the hook runs, so that `running` is the only right status.
      b.probe({ only: ['meta'], hold: kind === 'poststart' }).hook(kind, installRecorder(b).hook('h'));
    },
    async check(t) {
      const { pid, inside, noHostView } = await driveFor(t, kind);
      const r = mustRecord(t.req(`runtime:lifecycle.${kebab(kind)}-invoked`), outOf(t), 'h', kind);
      const stdin = t.req('config:hooks.state-stdin');
      let st: Record<string, unknown>;
      try {
        st = JSON.parse(r.stdin) as Record<string, unknown>;
      } catch {
        return stdin.fail(`the ${kind} hook's stdin is not JSON: ${JSON.stringify(r.stdin.slice(0, 200))}`);
      }
      for (const p of validateState(st).filter((x) => x.level === 'error'))
        stdin.ok(false, `state on stdin: ${p.path || '(root)'}: ${p.message}`, { actual: st });
      t.req('runtime:state.id').equal(st['id'], t.id, 'id');
      t.req('runtime:state.bundle').equal(st['bundle'], realpathSync(t.bundle.dir), 'bundle');
      if (kind === 'poststop') {
        if (st['pid'] !== undefined) t.note(`pid in the poststop state: ${JSON.stringify(st['pid'])}`);
      } else if (containerNs && noHostView) {
        t.note(`the pid is not compared: ${noHostView}`);
      } else if (containerNs) {
        t.req('runtime:state.pid-container-hooks').equal(st['pid'], inside, `pid (the container process as the container sees it; host pid ${pid})`);
      } else {
        t.req('runtime:state.pid-runtime-hooks').equal(st['pid'], pid, 'pid (the container process as the runtime sees it)');
      }
      const { statuses, requirement } = STATUS[kind];
      if (statuses.length > 1) t.note(`status seen by the ${kind} hook: ${JSON.stringify(st['status'])}`);
      t.req(requirement).ok(
        statuses.includes(st['status'] as string),
        `status seen by the ${kind} hook is ${statuses.map((s) => JSON.stringify(s)).join(' or ')}`,
        { expected: statuses.join(' or '), actual: st['status'] },
      );
    },
  });
}

function namespaceCase(kind: HookName): Case {
  const inContainer = CONTAINER_NS_KINDS.has(kind);
  const req = kebab(kind);
  return defineCase({
    id: `hooks.${req}.namespace`,
    title: `a ${kind} hook runs in the ${inContainer ? 'container' : 'runtime'} namespaces, its path resolved in the ${resolvesInContainer(kind) ? 'container' : 'runtime'} namespace`,
    requirements: [
      `config:hooks.${req}.${inContainer ? 'runs-in-container-ns' : 'runs-in-runtime-ns'}`,
      `config:hooks.${req}.${resolvesInContainer(kind) ? 'path-container-ns' : 'path-runtime-ns'}`,
    ],
    exercises: [`hooks.${kind}`],
    needs: [`feature:hooks=${kind}`],
    bundle: (b) => {
      b.probe({ only: ['meta'] }).hook(kind, installRecorder(b).decoy('h'));
    },
    async check(t) {
      const { ns, noHostView } = await driveFor(t, kind);
      const r = mustRecord(t, outOf(t), 'h', kind);
      const side = resolvesInContainer(kind) ? 'container' : 'runtime';
      t.req(`config:hooks.${req}.${resolvesInContainer(kind) ? 'path-container-ns' : 'path-runtime-ns'}`).equal(
        r.where,
        side,
        `which copy of the hook's path ran (one is on the host, one at the same path in the rootfs)`,
      );
      const runs = t.req(`config:hooks.${req}.${inContainer ? 'runs-in-container-ns' : 'runs-in-runtime-ns'}`);
      if (inContainer && noHostView) t.note(`the hook's namespaces are not compared with the container's: ${noHostView}`);
      else if (inContainer) compareNs(runs, r.ns, ns, `the ${kind} hook vs the container process`);
      else compareNs(runs, r.ns, t.env.host.hostNs, `the ${kind} hook vs the runtime namespace (conform's own)`);
    },
  });
}

/** prestart and createRuntime run once the container's namespaces exist: the pid they are handed is already in them. */
function afterEnvironmentCase(kind: 'prestart' | 'createRuntime'): Case {
  return defineCase({
    id: `hooks.${kebab(kind)}.after-namespaces`,
    title: `when a ${kind} hook runs, the container process it is handed is already in the container's namespaces`,
    requirements: [`config:hooks.${kebab(kind)}.when`],
    exercises: [`hooks.${kind}`],
    needs: [`feature:hooks=${kind}`],
    bundle: (b) => {
      b.probe({ only: ['meta'] }).hook(kind, installRecorder(b).hook('h'));
    },
    async check(t) {
      const { ns, noHostView } = await driveFor(t, kind);
      if (noHostView) t.skip(noHostView);
      const r = mustRecord(t, outOf(t), 'h', kind);
      if (!r.pidNs) t.fail(`the ${kind} hook could not see the pid of its state as a live process`, { actual: r.stdin });
      compareNs(t, r.pidNs!, ns, `the state's pid during the ${kind} hook vs the container process after create`);
    },
  });
}

const PROGRAM_MARK = 'program';
/** The user's program: appends its mark to the order log, then runs the probe. */
const markedProgram = (b: BundleBuilder, order: string) => b.args('/bin/sh', '-c', `echo ${PROGRAM_MARK} >> ${order}; exec /bin/sh /conform/probe --only meta`);

export default [
  defineCase({
    id: 'hooks.order.lifecycle',
    title: 'all six kinds run in array order, each at its point: before create, start and delete return, startContainer before the program',
    requirements: [
      'config:hooks.order',
      'config:hooks.prestart.before-create-runtime',
      'config:hooks.create-container.after-create-runtime',
      'config:hooks.prestart.when',
      'config:hooks.create-runtime.when',
      'config:hooks.create-container.when',
      'config:hooks.start-container.when',
      'config:hooks.poststart.when',
      'config:hooks.poststop.when',
    ],
    exercises: ['hooks'],
    needs: HOOK_KINDS.map((k) => `feature:hooks=${k}`),
    bundle: (b) => {
      const rec = installRecorder(b);
      // One log in the rootfs: host-side hooks reach it through the bundle, startContainer and the program from inside.
      const hostLog = join(b.dir, 'rootfs', 'conform-order');
      for (const k of HOOK_KINDS) {
        const order = k === 'startContainer' ? '/conform-order' : hostLog;
        b.hook(k, rec.hook(`${k}1`, { order })).hook(k, rec.hook(`${k}2`, { order }));
      }
      markedProgram(b, '/conform-order');
    },
    async check(t) {
      const log = join(t.bundle.dir, 'rootfs', 'conform-order');
      const hooksOnly = () => readOrder(log).filter((n) => n !== PROGRAM_MARK);
      /** Each kind's pair has run (`ran`) or not at all: its `when`, at this point of the lifecycle. */
      const at = (point: string, ran: readonly HookName[]) => {
        const seen = hooksOnly();
        for (const k of HOOK_KINDS) {
          const want = ran.includes(k) ? [`${k}1`, `${k}2`] : [];
          t.req(`config:hooks.${kebab(k)}.when`).equal(seen.filter((n) => n === `${k}1` || n === `${k}2`).sort(), want, `${k} hooks run ${point}`);
        }
      };
      await t.create();
      at('when create returned', ['prestart', 'createRuntime', 'createContainer']);
      await t.start();
      at('when start returned', ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart']);
      await t.waitOutput('@@done');
      const all = readOrder(log);
      t.req('config:hooks.start-container.when').ok(
        all.indexOf(PROGRAM_MARK) > all.indexOf('startContainer2'),
        'the program starts after the last startContainer hook',
        { actual: all },
      );
      await t.waitStatus('stopped');
      at('once the container stopped (before delete)', ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart']);
      await t.delete();
      at('when delete returned', HOOK_KINDS);
      const seen = hooksOnly();
      const before = (a: string, b: string) => seen.includes(a) && seen.includes(b) && seen.indexOf(a) < seen.indexOf(b);
      for (const k of HOOK_KINDS)
        t.req('config:hooks.order').ok(!seen.includes(`${k}1`) || before(`${k}1`, `${k}2`), `the ${k} hooks run in array order`, { actual: seen });
      t.req('config:hooks.prestart.before-create-runtime').ok(before('prestart2', 'createRuntime1'), 'the prestart hooks run before the createRuntime hooks', {
        actual: seen,
      });
      t.req('config:hooks.create-container.after-create-runtime').ok(
        before('createRuntime2', 'createContainer1'),
        'the createContainer hooks run after the createRuntime hooks',
        { actual: seen },
      );
    },
  }),

  defineCase({
    id: 'hooks.poststart.when',
    title: "a poststart hook runs once the user's program has been executed, and before start returns",
    requirements: ['config:hooks.poststart.when', 'runtime:lifecycle.poststart-invoked'],
    exercises: ['hooks.poststart'],
    needs: ['feature:hooks=poststart'],
    bundle: (b) => {
      const rec = installRecorder(b);
      b.hook('poststart', rec.hook('h'));
      // The probe itself, not a shell that execs it: its argv never changes once executed,
      // so what the hook sees has no window of "executed, but not yet the final argv".
      b.probe({ only: ['meta'], hold: true });
    },
    async check(t) {
      const when = t.req('config:hooks.poststart.when');
      await t.create();
      when.equal(readRecord(t, outOf(t), 'h'), undefined, 'a poststart record before start was called');
      await t.start();
      const r = readRecord(t, outOf(t), 'h');
      if (!r) return t.req('runtime:lifecycle.poststart-invoked', 'config:hooks.poststart.when').fail('no poststart record when start returned');
      // What the hook saw at state's pid tells only if that pid is the container's process.
      const why = noHostViewOf(t, (await t.state()).pid ?? -1, { running: true });
      if (why) t.skip(`what the hook saw at state's pid cannot show the program ran: ${why}`);
      when.equal(r.pidArgv, t.bundle.config.process?.args, "the argv of the state's pid while the poststart hook ran (the user's program, exec'd)");
    },
  }),

  ...HOOK_KINDS.map(stateCase),
  ...HOOK_KINDS.map(namespaceCase),
  afterEnvironmentCase('prestart'),
  afterEnvironmentCase('createRuntime'),
];
