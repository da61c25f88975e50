// containerd 1.6 (ctr, through its runc shim) driving the runtime under test: one case
// per operation (operations.ts), with ctr's command lines, in the containerd conform
// starts for the run.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseContext } from '../../harness/case/context.js';
import { containerd, CONTAINERD_IMAGE, type CtrSession } from '../../harness/engines/containerd.js';
import { waitFor } from '../../harness/engines/engine.js';
import { Driver } from '../../harness/process/driver.js';
import { DETACHED } from './common.js';
import { engineCases } from './operations.js';

const logOf = (t: CaseContext, id: string) => join(t.dir, `${id}.log`);
const readLog = (t: CaseContext, id: string) => (existsSync(logOf(t, id)) ? readFileSync(logOf(t, id), 'utf8') : '');

/** `ctr task kill` with `flags`, then waits until ctr task list shows the task stopped. */
async function killTask(s: CtrSession, id: string, flags: readonly string[]): Promise<[]> {
  await s.must(['task', 'kill', ...flags, id]);
  await waitFor(s.t, `ctr task list to show ${id} STOPPED`, async () => ((await s.task(id))?.status === 'STOPPED' ? true : undefined), s.timeoutMs);
  return [];
}

export default engineCases<CtrSession>({
  name: 'containerd',
  needs: ['tool:containerd', 'tool:ctr', 'tool:containerd-shim-runc-v2', 'tool:umoci'],
  ttyNeedsTerminal: true,
  titles: {
    run: 'ctr run --rm: the process runs in the container, its exit code comes back, and the runtime deletes it',
    'run-tty': 'ctr run -t: the process runs on a terminal (the runtime sends the pty master to the shim)',
    exec: 'ctr task exec into a running container, with --user and --cwd',
    'exec-tty': "ctr task exec -t: the exec'd process runs on a terminal",
    'pause-resume': 'ctr task pause freezes the container (its cgroup freezer), ctr task resume thaws it and it runs again',
    stop: "ctr task kill (containerd's stop: SIGTERM) reaches the process through the runtime's kill, which then exits",
    kill: "ctr task kill -s SIGUSR1: the signal reaches the process through the runtime's kill",
    rm: 'ctr task delete -f of a running task, then ctr containers delete: its process is gone and the runtime deleted it',
    seccomp: "ctr run --seccomp (containerd's default profile): the process runs under the filter",
  },
  session: containerd,
  // The runtime's --root the shim used, not the case's own.
  runtime: (s) => new Driver(s.t.rt.rt, s.runtimeRoot, s.t.dir),

  // ctr applies containerd's default seccomp profile only when asked (--seccomp).
  runArgs: (s, id, argv, mode) => [
    'run',
    '--rm',
    ...{ plain: [], tty: ['--tty'], seccomp: ['--seccomp'] }[mode],
    ...s.runArgs(id),
    CONTAINERD_IMAGE,
    id,
    ...argv,
  ],
  ranId: (_s, id) => id,
  async detached(s, id) {
    await s.must(['run', '--detach', '--log-uri', `file://${logOf(s.t, id)}`, ...s.runArgs(id), CONTAINERD_IMAGE, id, ...DETACHED]);
    await waitFor(
      s.t,
      `the container's output (${logOf(s.t, id)}) to show @@ready`,
      async () => (readLog(s.t, id).includes('@@ready') ? true : undefined),
      s.timeoutMs,
    );
    const task = await s.task(id);
    if (!task) return s.t.abort(`ctr task list does not show ${id} after ctr run -d`);
    return { id, pid: task.pid };
  },
  // Without a terminal the exec'd process's output goes to a file (--log-uri) that the
  // shim writes, read once ctr has returned. Through ctr's own FIFOs and stdout, the
  // output of `ctr task exec --user 1000 --cwd /tmp` was missing twice in 40 runs of the
  // engines area on a busy machine (against the reference runtime; ctr exited 0, the
  // container's own log had none of it), never in 254 such execs run alone. Where it was
  // lost is not established; through the file, 40 runs of the same kind were whole. ctr
  // refuses --log-uri with -t, so the tty exec keeps its FIFOs.
  async exec(s, id, argv, { name, tty, flags = [] }) {
    if (tty) return s.must(['task', 'exec', '--tty', '--exec-id', name, '--fifo-dir', join(s.t.dir, 'fifo'), ...flags, id, ...argv], { tty: true });
    const out = join(s.t.dir, `exec-${name}.log`);
    const r = await s.must(['task', 'exec', '--exec-id', name, '--log-uri', `file://${out}`, ...flags, id, ...argv]);
    return { ...r, stdout: existsSync(out) ? readFileSync(out, 'utf8') : '' };
  },
  execFlags: { flags: ['--user', '1000', '--cwd', '/tmp'], script: 'echo "@@flags $(id -u) $(pwd)"', expected: '@@flags 1000 /tmp' },

  pause: async (s, id) => void (await s.must(['task', 'pause', id])),
  resume: async (s, id) => void (await s.must(['task', 'resume', id])),
  resumeVerb: 'resume',
  status: { read: async (s, id) => (await s.task(id))?.status, from: 'ctr task list', paused: 'PAUSED', running: 'RUNNING' },

  stop: (s, id) => killTask(s, id, []),
  kill: (s, id) => killTask(s, id, ['--signal', 'SIGUSR1']),
  output: async (s, id) => readLog(s.t, id),
  async remove(s, id) {
    await s.must(['task', 'delete', '--force', id]);
    await s.must(['containers', 'delete', id]);
    return { actual: await s.task(id), expected: undefined, what: 'the task in ctr task list after delete' };
  },
  removeWords: 'ctr task delete -f',
});
