// podman 4.3 (through conmon) driving the runtime under test: one case per operation
// (operations.ts), with podman's command lines.
import { readFileSync } from 'node:fs';
import type { CaseContext } from '../../harness/case/context.js';
import { waitFor } from '../../harness/engines/engine.js';
import { podman, PODMAN_IMAGE, type PodmanSession } from '../../harness/engines/podman.js';
import { DETACHED } from './common.js';
import { engineCases } from './operations.js';

/** Where `podman run --cidfile` writes the full id of the case's container. */
const cidFile = (t: CaseContext) => `${t.dir}/${t.id}.cid`;

/** Waits until podman reports the container `status` (exited, running, paused…). */
async function waitStatus(s: PodmanSession, name: string, status: string): Promise<void> {
  await waitFor(s.t, `podman to report ${name} ${status}`, async () => ((await s.status(name)) === status ? true : undefined), s.timeoutMs);
}

const exitCode = async (s: PodmanSession, name: string) => s.inspect(name, '{{.State.ExitCode}}');

export default engineCases<PodmanSession>({
  name: 'podman',
  needs: ['tool:podman', 'tool:conmon', 'tool:umoci'],
  ttyNeedsTerminal: false,
  titles: {
    run: 'podman run --rm: the process runs in the container, its exit code comes back, and the runtime deletes it',
    'run-tty': 'podman run -t: the process runs on a terminal (the runtime sends the pty master to conmon)',
    exec: 'podman exec into a running container, with --user, --workdir and --env',
    'exec-tty': "podman exec -t: the exec'd process runs on a terminal",
    'pause-resume': 'podman pause freezes the container (its cgroup freezer), podman unpause thaws it and it runs again',
    stop: "podman stop: SIGTERM reaches the process through the runtime's kill, which then exits",
    kill: "podman kill -s USR1: the signal reaches the process through the runtime's kill",
    rm: 'podman rm -f of a running container: its process is gone and the runtime deleted it',
    seccomp: "podman run with podman's default seccomp profile: the process runs under the filter",
  },
  session: podman,
  runtime: (s) => s.t.rt,

  // podman applies its default seccomp profile unasked; a plain run records the full id.
  runArgs: (s, name, argv, mode) => [
    'run',
    '--rm',
    ...{ plain: ['--cidfile', cidFile(s.t)], tty: ['--tty'], seccomp: [] }[mode],
    ...s.containerArgs(name),
    PODMAN_IMAGE,
    ...argv,
  ],
  ranId(s, name) {
    const id = readFileSync(cidFile(s.t), 'utf8').trim();
    s.adopt(name, id);
    return id;
  },
  async detached(s, name) {
    const r = await s.must(['run', '--detach', ...s.containerArgs(name), PODMAN_IMAGE, ...DETACHED]);
    const id = r.stdout.trim().split('\n').pop()!;
    s.adopt(name, id);
    await waitFor(
      s.t,
      `podman logs ${name} to show @@ready`,
      async () => ((await s.call(['logs', name])).stdout.includes('@@ready') ? true : undefined),
      s.timeoutMs,
    );
    return { id, pid: await s.pid(name) };
  },
  exec: (s, name, argv, { tty, flags = [] }) => s.must(['exec', ...(tty ? ['--tty'] : []), ...flags, name, ...argv]),
  execFlags: {
    flags: ['--user', '1000:1000', '--workdir', '/tmp', '--env', 'CONFORM_EXEC=yes'],
    script: 'echo "@@flags $(id -u):$(id -g) $(pwd) $CONFORM_EXEC"',
    expected: '@@flags 1000:1000 /tmp yes',
  },

  pause: async (s, name) => void (await s.must(['pause', name])),
  resume: async (s, name) => void (await s.must(['unpause', name])),
  resumeVerb: 'unpause',
  status: { read: (s, name) => s.status(name), from: 'podman inspect', paused: 'paused', running: 'running' },

  async stop(s, name) {
    await s.must(['stop', '--time', '20', name]);
    return [{ actual: await exitCode(s, name), expected: '42', what: "the exit code (42: the process's TERM trap; 137 would mean podman had to SIGKILL it)" }];
  },
  async kill(s, name) {
    await s.must(['kill', '--signal', 'USR1', name]);
    await waitStatus(s, name, 'exited');
    return [{ actual: await exitCode(s, name), expected: '43', what: "the exit code (43: the process's USR1 trap)" }];
  },
  output: async (s, name) => (await s.must(['logs', name])).stdout,
  async remove(s, name) {
    await s.must(['rm', '--force', '--time', '0', name]);
    const exists = await s.call(['container', 'exists', name]);
    return { actual: exists.code, expected: 1, what: 'podman container exists after rm (1: no such container)' };
  },
  removeWords: 'podman rm -f',
});
