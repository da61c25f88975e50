// config.md "POSIX-platform Hooks" and runtime.md "Lifecycle": when each kind of hook
// runs (relative to create, start and delete returning, and to the user's program),
// in which namespaces, where its path resolves, and the state it reads on stdin.
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleBuilder } from '../../harness/bundle.js';
import { defineCase, type Case } from '../../harness/case.js';
import type { CaseContext } from '../../harness/context.js';
import { namespacesOf, NS_FILE, type NamespaceKind } from '../../harness/hostfacts.js';
import type { HookName } from '../../schemas/config.js';
import { validateState } from '../../schemas/index.js';
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
}

/**
 * Takes the case's container as far as `kind` needs to have run: create for the
 * create-time hooks, start for startContainer and poststart, delete for poststop.
 */
export async function driveFor(t: CaseContext, kind: HookName): Promise<Drive> {
  const { pid } = await t.create();
  if (typeof pid !== 'number' || pid <= 0) t.fail('state of the created container has no pid', { actual: pid });
  const ns = namespacesOf(pid!);
  const inside = pidInOwnNamespace(pid!);
  if (kind === 'startContainer' || kind === 'poststart' || kind === 'poststop') {
    await t.start();
    await t.waitOutput('@@done');
    await t.waitStatus('stopped');
  }
  if (kind === 'poststop') await t.delete();
  return { pid: pid!, ns, inside };
}

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
      `runtime:lifecycle.${kebab(kind)}-invoked`,
    ],
    exercises: [`hooks.${kind}`],
    needs: [`feature:hooks=${kind}`],
    bundle: (b) => {
      b.probe({ only: ['meta'] }).hook(kind, installRecorder(b).hook('h'));
    },
    async check(t) {
      const { pid, inside } = await driveFor(t, kind);
      const r = mustRecord(t, outOf(t), 'h', kind);
      let st: Record<string, unknown>;
      try {
        st = JSON.parse(r.stdin) as Record<string, unknown>;
      } catch {
        return t.fail(`the ${kind} hook's stdin is not JSON: ${JSON.stringify(r.stdin.slice(0, 200))}`);
      }
      for (const p of validateState(st).filter((x) => x.level === 'error')) t.ok(false, `state on stdin: ${p.path || '(root)'}: ${p.message}`, { actual: st });
      t.equal(st['id'], t.id, 'id');
      t.equal(st['bundle'], realpathSync(t.bundle.dir), 'bundle');
      if (kind === 'poststop') {
        if (st['pid'] !== undefined) t.note(`pid in the poststop state: ${JSON.stringify(st['pid'])}`);
      } else if (containerNs) {
        t.equal(st['pid'], inside, `pid (the container process as the container sees it; host pid ${pid})`);
      } else {
        t.equal(st['pid'], pid, 'pid (the container process as the runtime sees it)');
      }
      t.note(`status seen by the ${kind} hook: ${JSON.stringify(st['status'])}`);
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
      const { ns } = await driveFor(t, kind);
      const r = mustRecord(t, outOf(t), 'h', kind);
      const side = resolvesInContainer(kind) ? 'container' : 'runtime';
      t.equal(r.where, side, `which copy of the hook's path ran (one is on the host, one at the same path in the rootfs)`);
      if (inContainer) compareNs(t, r.ns, ns, `the ${kind} hook vs the container process`);
      else compareNs(t, r.ns, t.env.host.hostNs, `the ${kind} hook vs the runtime namespace (conform's own)`);
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
      const { ns } = await driveFor(t, kind);
      const r = mustRecord(t, outOf(t), 'h', kind);
      if (!r.pidNs) t.fail(`the ${kind} hook could not see the pid of its state as a live process`, { actual: r.stdin });
      compareNs(t, r.pidNs!, ns, `the state's pid during the ${kind} hook vs the container process after create`);
    },
  });
}

const PROGRAM_MARK = 'program';
/** The user's program: appends its mark to the order log, then runs the probe. */
const markedProgram = (b: BundleBuilder, order: string) =>
  b.args('/bin/sh', '-c', `echo ${PROGRAM_MARK} >> ${order}; exec /bin/sh /conform/probe --only meta`);

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
      const pairs = (...ks: HookName[]) => ks.flatMap((k) => [`${k}1`, `${k}2`]);
      const hooksOnly = () => readOrder(log).filter((n) => n !== PROGRAM_MARK);
      await t.create();
      t.equal(hooksOnly(), pairs('prestart', 'createRuntime', 'createContainer'), 'hooks run when create returned');
      await t.start();
      t.equal(hooksOnly(), pairs('prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart'), 'hooks run when start returned');
      await t.waitOutput('@@done');
      const all = readOrder(log);
      const program = all.indexOf(PROGRAM_MARK);
      t.ok(program > all.indexOf('startContainer2'), 'the program starts after the last startContainer hook', { actual: all });
      await t.waitStatus('stopped');
      t.equal(hooksOnly(), pairs('prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart'), 'hooks run once the container stopped (before delete)');
      await t.delete();
      t.equal(hooksOnly(), pairs(...HOOK_KINDS), 'hooks run when delete returned');
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
      await t.create();
      t.equal(readRecord(t, outOf(t), 'h'), undefined, 'a poststart record before start was called');
      await t.start();
      const r = readRecord(t, outOf(t), 'h');
      if (!r) return t.fail('no poststart record when start returned');
      t.equal(r.pidArgv, t.bundle.config.process?.args, "the argv of the state's pid while the poststart hook ran (the user's program, exec'd)");
    },
  }),

  ...HOOK_KINDS.map(stateCase),
  ...HOOK_KINDS.map(namespaceCase),
  afterEnvironmentCase('prestart'),
  afterEnvironmentCase('createRuntime'),
];
