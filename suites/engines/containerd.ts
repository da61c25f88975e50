// containerd 1.6 (ctr, through its runc shim) driving the runtime under test: one case
// per operation, in the containerd conform starts for the run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCase } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { containerd, CONTAINERD_IMAGE, type CtrSession } from '../../harness/engines/containerd.js';
import { waitFor } from '../../harness/engines/engine.js';
import { Driver } from '../../harness/process/driver.js';
import { isAlive } from '../../harness/host/hostfacts.js';
import { poll } from '../../harness/process/wait.js';
import { DETACHED, engineCase, EXEC_FACTS, freezerState, isFrozen, lineWith, onTerminal, SECCOMP_FACTS, TTY_FACTS } from './common.js';

const NEEDS = ['tool:containerd', 'tool:ctr', 'tool:containerd-shim-runc-v2', 'tool:umoci'];

const logOf = (t: CaseContext, id: string) => join(t.dir, `${id}.log`);
const readLog = (t: CaseContext, id: string) => (existsSync(logOf(t, id)) ? readFileSync(logOf(t, id), 'utf8') : '');

/** `ctr run -d` of the DETACHED process (its output to a file), once it has said @@ready. */
async function detached(s: CtrSession, id: string): Promise<number> {
  await s.must(['run', '--detach', '--log-uri', `file://${logOf(s.t, id)}`, ...s.runArgs(id), CONTAINERD_IMAGE, id, ...DETACHED]);
  await waitFor(s.t, `the container's output (${logOf(s.t, id)}) to show @@ready`, async () => (readLog(s.t, id).includes('@@ready') ? true : undefined), s.timeoutMs);
  const task = await s.task(id);
  if (!task) s.t.abort(`ctr task list does not show ${id} after ctr run -d`);
  return task.pid;
}

async function waitTask(s: CtrSession, id: string, status: string): Promise<void> {
  await waitFor(s.t, `ctr task list to show ${id} ${status}`, async () => ((await s.task(id))?.status === status ? true : undefined), s.timeoutMs);
}

/** The runtime itself no longer knows the container (its `state`, under the root the shim used, fails). */
async function runtimeForgets(s: CtrSession, id: string, what: string): Promise<void> {
  const rt = new Driver(s.t.rt.rt, s.runtimeRoot, s.t.dir);
  const forgot = await poll(async () => !(await rt.state(id)).ok, { timeoutMs: s.t.rt.rt.timeoutMs * 3, pauseMs: 100, maxPauseMs: 100 });
  if (!forgot) s.t.req('runtime:delete.removes-resources').ok(false, `${what}: the runtime still has container ${id} (its state succeeds): the engine's delete did not remove it`);
}

export default [
  defineCase(
    engineCase({
      id: 'engines.containerd.run',
      title: 'ctr run --rm: the process runs in the container, its exit code comes back, and the runtime deletes it',
      requirements: ['runtime:create.new-container', 'runtime:start.runs-program', 'runtime:delete.removes-resources'],
      exercises: ['process.args'],
      needs: NEEDS,
      async check(t) {
        const s = await containerd(t);
        const r = await s.call(['run', '--rm', ...s.runArgs(t.id), CONTAINERD_IMAGE, t.id, 'sh', '-c', 'echo "@@ran pid=$$"; exit 3']);
        if (r.code !== 3) t.req('runtime:start.runs-program').fail(`ctr run: expected the process's exit code 3, but ${r.summary}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`);
        t.req('runtime:create.new-container', 'runtime:start.runs-program').equal(lineWith(r.stdout, '@@ran'), '@@ran pid=1', "the process's output (pid 1 of its own pid namespace)");
        await runtimeForgets(s, t.id, 'after ctr run --rm');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.run-tty',
      title: 'ctr run -t: the process runs on a terminal (the runtime sends the pty master to the shim)',
      requirements: ['config:process.terminal', 'runtime:start.runs-program'],
      exercises: ['process.terminal'],
      needs: [...NEEDS, 'tool:script'],
      async check(t) {
        const s = await containerd(t);
        const r = await s.must(['run', '--rm', '--tty', ...s.runArgs(t.id), CONTAINERD_IMAGE, t.id, ...TTY_FACTS], { tty: true });
        t.req('config:process.terminal').ok(onTerminal(r.stdout), 'stdin and stdout of the process are a terminal', { expected: '@@tty yes …', actual: r.stdout.trim() });
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.exec',
      title: 'ctr task exec into a running container, with --user and --cwd',
      requirements: ['runtime:operations.supported', 'runtime:state.status-running'],
      exercises: ['op:exec'],
      needs: NEEDS,
      async check(t) {
        const s = await containerd(t);
        await detached(s, t.id);
        const r = await s.must(['task', 'exec', '--exec-id', 'facts', '--fifo-dir', join(t.dir, 'fifo'), t.id, ...EXEC_FACTS]);
        t.req('runtime:operations.supported').equal(lineWith(r.stdout, '@@exec'), `@@exec 0 / ${DETACHED.join(' ')}`, "the exec'd process: uid, cwd, and pid 1 of its pid namespace (the container's process)");
        const flags = await s.must(['task', 'exec', '--exec-id', 'flags', '--fifo-dir', join(t.dir, 'fifo'), '--user', '1000', '--cwd', '/tmp', t.id, 'sh', '-c', 'echo "@@flags $(id -u) $(pwd)"']);
        t.req('runtime:operations.supported').equal(lineWith(flags.stdout, '@@flags'), '@@flags 1000 /tmp', 'exec --user 1000 --cwd /tmp');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.exec-tty',
      title: "ctr task exec -t: the exec'd process runs on a terminal",
      requirements: ['runtime:operations.supported'],
      exercises: ['op:exec'],
      needs: [...NEEDS, 'tool:script'],
      async check(t) {
        const s = await containerd(t);
        await detached(s, t.id);
        const r = await s.must(['task', 'exec', '--tty', '--exec-id', 'tty', '--fifo-dir', join(t.dir, 'fifo'), t.id, ...TTY_FACTS], { tty: true });
        t.ok(onTerminal(r.stdout), 'stdin and stdout of the process are a terminal', { expected: '@@tty yes …', actual: r.stdout.trim() });
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.pause-resume',
      title: 'ctr task pause freezes the container (its cgroup freezer), ctr task resume thaws it and it runs again',
      requirements: ['runtime:operations.supported', 'runtime:state.status-extra'],
      exercises: ['op:pause', 'op:resume'],
      needs: NEEDS,
      async check(t) {
        const s = await containerd(t);
        const pid = await detached(s, t.id);
        await s.must(['task', 'pause', t.id]);
        t.req('runtime:operations.supported').equal((await s.task(t.id))?.status, 'PAUSED', 'ctr task list after pause');
        const frozen = freezerState(pid);
        t.req('runtime:operations.supported').ok(isFrozen(frozen), `after pause the container's cgroup is not frozen (${frozen})`, { expected: 'FROZEN', actual: frozen });
        await s.must(['task', 'resume', t.id]);
        t.req('runtime:operations.supported').equal((await s.task(t.id))?.status, 'RUNNING', 'ctr task list after resume');
        const thawed = freezerState(pid);
        t.req('runtime:operations.supported').ok(!isFrozen(thawed), `after resume the container's cgroup is still frozen (${thawed})`, { expected: 'THAWED', actual: thawed });
        const r = await s.must(['task', 'exec', '--exec-id', 'after', '--fifo-dir', join(t.dir, 'fifo'), t.id, 'echo', '@@after-resume']);
        t.req('runtime:operations.supported').ok(r.stdout.includes('@@after-resume'), 'a process runs in the container after resume', { actual: r.stdout });
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.stop',
      title: "ctr task kill (containerd's stop: SIGTERM) reaches the process through the runtime's kill, which then exits",
      requirements: ['runtime:kill.sends-signal'],
      exercises: ['op:kill'],
      needs: NEEDS,
      async check(t) {
        const s = await containerd(t);
        await detached(s, t.id);
        await s.must(['task', 'kill', t.id]);
        await waitTask(s, t.id, 'STOPPED');
        t.equal(lineWith(readLog(t, t.id), '@@signal'), '@@signal TERM', 'the signal the process caught');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.kill',
      title: "ctr task kill -s SIGUSR1: the signal reaches the process through the runtime's kill",
      requirements: ['runtime:kill.sends-signal'],
      exercises: ['op:kill'],
      needs: NEEDS,
      async check(t) {
        const s = await containerd(t);
        await detached(s, t.id);
        await s.must(['task', 'kill', '--signal', 'SIGUSR1', t.id]);
        await waitTask(s, t.id, 'STOPPED');
        t.equal(lineWith(readLog(t, t.id), '@@signal'), '@@signal USR1', 'the signal the process caught');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.rm',
      title: 'ctr task delete -f of a running task, then ctr containers delete: its process is gone and the runtime deleted it',
      requirements: ['runtime:kill.sends-signal', 'runtime:delete.removes-resources'],
      exercises: ['op:delete'],
      needs: NEEDS,
      async check(t) {
        const s = await containerd(t);
        const pid = await detached(s, t.id);
        await s.must(['task', 'delete', '--force', t.id]);
        await s.must(['containers', 'delete', t.id]);
        t.req('runtime:delete.removes-resources').equal(await s.task(t.id), undefined, 'the task in ctr task list after delete');
        await waitFor(t.req('runtime:kill.sends-signal'), `the container's process ${pid} to be gone`, async () => (isAlive(pid) ? undefined : true), s.timeoutMs);
        await runtimeForgets(s, t.id, 'after ctr task delete -f');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.containerd.seccomp',
      title: "ctr run --seccomp (containerd's default profile): the process runs under the filter",
      requirements: ['config-linux:seccomp.default-action', 'runtime:create.apply-config'],
      exercises: ['linux.seccomp'],
      needs: NEEDS,
      async check(t) {
        const s = await containerd(t);
        const r = await s.must(['run', '--rm', '--seccomp', ...s.runArgs(t.id), CONTAINERD_IMAGE, t.id, ...SECCOMP_FACTS]);
        t.all().equal(lineWith(r.stdout, 'Seccomp:')?.replace(/\s+/g, ' '), 'Seccomp: 2', "the process's seccomp mode (2: a filter)");
      },
    }),
  ),
];
