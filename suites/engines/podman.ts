// podman 4.3 (through conmon) driving the runtime under test: one case per operation.
import { readFileSync } from 'node:fs';
import { defineCase } from '../../harness/case/case.js';
import type { CaseContext } from '../../harness/case/context.js';
import { waitFor } from '../../harness/engines/engine.js';
import { podman, PODMAN_IMAGE, type PodmanSession } from '../../harness/engines/podman.js';
import { isAlive } from '../../harness/host/hostfacts.js';
import { poll } from '../../harness/process/wait.js';
import { DETACHED, engineCase, EXEC_FACTS, freezerState, isFrozen, lineWith, onTerminal, SECCOMP_FACTS, TTY_FACTS } from './common.js';

const NEEDS = ['tool:podman', 'tool:conmon', 'tool:umoci'];

/** `podman run -d` of the DETACHED process, once it has said @@ready; returns its full id. */
async function detached(s: PodmanSession, name: string): Promise<string> {
  const r = await s.must(['run', '--detach', ...s.containerArgs(name), PODMAN_IMAGE, ...DETACHED]);
  const id = r.stdout.trim().split('\n').pop()!;
  s.adopt(name, id);
  await waitFor(s.t, `podman logs ${name} to show @@ready`, async () => ((await s.call(['logs', name])).stdout.includes('@@ready') ? true : undefined), s.timeoutMs);
  await s.pid(name);
  return id;
}

/** Waits until podman reports the container `status` (exited, running, paused…). */
async function waitStatus(s: PodmanSession, name: string, status: string): Promise<void> {
  await waitFor(s.t, `podman to report ${name} ${status}`, async () => ((await s.status(name)) === status ? true : undefined), s.timeoutMs);
}

/** The runtime itself no longer knows the container (its `state` fails), within the deadline. */
async function runtimeForgets(t: CaseContext, id: string, what: string): Promise<void> {
  const forgot = await poll(async () => !(await t.rt.state(id)).ok, { timeoutMs: t.rt.rt.timeoutMs * 3, pauseMs: 100, maxPauseMs: 100 });
  if (!forgot) t.req('runtime:delete.removes-resources').ok(false, `${what}: the runtime still has container ${id} (its state succeeds): the engine's delete did not remove it`);
}

export default [
  defineCase(
    engineCase({
      id: 'engines.podman.run',
      title: 'podman run --rm: the process runs in the container, its exit code comes back, and the runtime deletes it',
      requirements: ['runtime:create.new-container', 'runtime:start.runs-program', 'runtime:delete.removes-resources'],
      exercises: ['process.args'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        const cid = `${t.dir}/${t.id}.cid`;
        const r = await s.call(['run', '--rm', '--cidfile', cid, ...s.containerArgs(t.id), PODMAN_IMAGE, 'sh', '-c', 'echo "@@ran pid=$$"; exit 3']);
        if (r.code !== 3) t.req('runtime:start.runs-program').fail(`podman run: expected the process's exit code 3, but ${r.summary}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 3).join(' | ')}`);
        t.req('runtime:create.new-container', 'runtime:start.runs-program').equal(lineWith(r.stdout, '@@ran'), '@@ran pid=1', "the process's output (pid 1 of its own pid namespace)");
        const id = readFileSync(cid, 'utf8').trim();
        s.adopt(t.id, id);
        await runtimeForgets(t, id, 'after podman run --rm');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.run-tty',
      title: 'podman run -t: the process runs on a terminal (the runtime sends the pty master to conmon)',
      requirements: ['config:process.terminal', 'runtime:start.runs-program'],
      exercises: ['process.terminal'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        const r = await s.must(['run', '--rm', '--tty', ...s.containerArgs(t.id), PODMAN_IMAGE, ...TTY_FACTS]);
        t.req('config:process.terminal').ok(onTerminal(r.stdout), 'stdin and stdout of the process are a terminal', { expected: '@@tty yes …', actual: r.stdout.trim() });
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.exec',
      title: 'podman exec into a running container, with --user, --workdir and --env',
      requirements: ['runtime:operations.supported', 'runtime:state.status-running'],
      exercises: ['op:exec'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        await detached(s, t.id);
        const r = await s.must(['exec', t.id, ...EXEC_FACTS]);
        t.req('runtime:operations.supported').equal(lineWith(r.stdout, '@@exec'), `@@exec 0 / ${DETACHED.join(' ')}`, "the exec'd process: uid, cwd, and pid 1 of its pid namespace (the container's process)");
        const flags = await s.must(['exec', '--user', '1000:1000', '--workdir', '/tmp', '--env', 'CONFORM_EXEC=yes', t.id, 'sh', '-c', 'echo "@@flags $(id -u):$(id -g) $(pwd) $CONFORM_EXEC"']);
        t.req('runtime:operations.supported').equal(lineWith(flags.stdout, '@@flags'), '@@flags 1000:1000 /tmp yes', 'exec --user 1000:1000 --workdir /tmp --env CONFORM_EXEC=yes');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.exec-tty',
      title: 'podman exec -t: the exec\'d process runs on a terminal',
      requirements: ['runtime:operations.supported'],
      exercises: ['op:exec'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        await detached(s, t.id);
        const r = await s.must(['exec', '--tty', t.id, ...TTY_FACTS]);
        t.ok(onTerminal(r.stdout), 'stdin and stdout of the process are a terminal', { expected: '@@tty yes …', actual: r.stdout.trim() });
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.pause-resume',
      title: 'podman pause freezes the container (its cgroup freezer), podman unpause thaws it and it runs again',
      requirements: ['runtime:operations.supported', 'runtime:state.status-extra'],
      exercises: ['op:pause', 'op:resume'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        await detached(s, t.id);
        const pid = await s.pid(t.id);
        await s.must(['pause', t.id]);
        t.req('runtime:operations.supported').equal(await s.status(t.id), 'paused', 'podman inspect after pause');
        const frozen = freezerState(pid);
        t.req('runtime:operations.supported').ok(isFrozen(frozen), `after pause the container's cgroup is not frozen (${frozen})`, { expected: 'FROZEN', actual: frozen });
        await s.must(['unpause', t.id]);
        t.req('runtime:operations.supported').equal(await s.status(t.id), 'running', 'podman inspect after unpause');
        const thawed = freezerState(pid);
        t.req('runtime:operations.supported').ok(!isFrozen(thawed), `after unpause the container's cgroup is still frozen (${thawed})`, { expected: 'THAWED', actual: thawed });
        const r = await s.must(['exec', t.id, 'echo', '@@after-resume']);
        t.req('runtime:operations.supported').ok(r.stdout.includes('@@after-resume'), 'a process runs in the container after unpause', { actual: r.stdout });
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.stop',
      title: 'podman stop: SIGTERM reaches the process through the runtime\'s kill, which then exits',
      requirements: ['runtime:kill.sends-signal'],
      exercises: ['op:kill'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        await detached(s, t.id);
        await s.must(['stop', '--time', '20', t.id]);
        t.equal(await s.inspect(t.id, '{{.State.ExitCode}}'), '42', "the exit code (42: the process's TERM trap; 137 would mean podman had to SIGKILL it)");
        t.equal(lineWith((await s.must(['logs', t.id])).stdout, '@@signal'), '@@signal TERM', 'the signal the process caught');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.kill',
      title: 'podman kill -s USR1: the signal reaches the process through the runtime\'s kill',
      requirements: ['runtime:kill.sends-signal'],
      exercises: ['op:kill'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        await detached(s, t.id);
        await s.must(['kill', '--signal', 'USR1', t.id]);
        await waitStatus(s, t.id, 'exited');
        t.equal(await s.inspect(t.id, '{{.State.ExitCode}}'), '43', "the exit code (43: the process's USR1 trap)");
        t.equal(lineWith((await s.must(['logs', t.id])).stdout, '@@signal'), '@@signal USR1', 'the signal the process caught');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.rm',
      title: 'podman rm -f of a running container: its process is gone and the runtime deleted it',
      requirements: ['runtime:kill.sends-signal', 'runtime:delete.removes-resources'],
      exercises: ['op:delete'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        const id = await detached(s, t.id);
        const pid = await s.pid(t.id);
        await s.must(['rm', '--force', '--time', '0', t.id]);
        const exists = await s.call(['container', 'exists', t.id]);
        t.req('runtime:delete.removes-resources').equal(exists.code, 1, 'podman container exists after rm (1: no such container)');
        await waitFor(t.req('runtime:kill.sends-signal'), `the container's process ${pid} to be gone`, async () => (isAlive(pid) ? undefined : true), s.timeoutMs);
        await runtimeForgets(t, id, 'after podman rm -f');
      },
    }),
  ),
  defineCase(
    engineCase({
      id: 'engines.podman.seccomp',
      title: "podman run with podman's default seccomp profile: the process runs under the filter",
      requirements: ['config-linux:seccomp.default-action', 'runtime:create.apply-config'],
      exercises: ['linux.seccomp'],
      needs: NEEDS,
      async check(t) {
        const s = await podman(t);
        const r = await s.must(['run', '--rm', ...s.containerArgs(t.id), PODMAN_IMAGE, ...SECCOMP_FACTS]);
        t.all().equal(lineWith(r.stdout, 'Seccomp:')?.replace(/\s+/g, ' '), 'Seccomp: 2', 'the process\'s seccomp mode (2: a filter)');
      },
    }),
  ),
];
