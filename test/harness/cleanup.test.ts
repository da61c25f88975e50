// Cleanup: each step stands alone, cgroups are emptied only when provably the case's
// (and through pidfds), and a runtime that refuses kill is not waited on.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupCgroups, cleanupContainers, killCgroups, strayPids } from '../../harness/host/cleanup.js';
import { Driver } from '../../harness/process/driver.js';
import { isAlive, startTime } from '../../harness/host/hostfacts.js';
import { parseCgroupMounts } from '../../linux/cgroupfs.js';
import { isRoot } from '../helpers/conform.js';
import { poll } from '../../harness/process/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-cleanup-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A hierarchy where a test may make a cgroup and put a process in it: v1 pids, else cgroup2. */
function testHierarchy(): string | undefined {
  const mounts = parseCgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'));
  return (mounts.find((m) => m.version === 1 && m.controllers.includes('pids')) ?? mounts.find((m) => m.version === 2))?.mountPoint;
}

const sleeper = () => {
  const c = spawn('sleep', ['1000041'], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
};
const gone = async (pid: number) => {
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return !isAlive(pid);
};

describe.skipIf(!isRoot || !testHierarchy())('cleanupCgroups (root, a cgroup hierarchy)', () => {
  it('two cleanups of the same cgroup at once both finish, with their notes; the cgroup and its process are gone', async () => {
    const cg = join(testHierarchy()!, `conform-cleanup-test-${process.pid}-a`);
    mkdirSync(cg);
    const pid = sleeper();
    writeFileSync(join(cg, 'cgroup.procs'), String(pid));
    try {
      const [a, b] = await Promise.all([cleanupCgroups(new Set([cg])), cleanupCgroups(new Set([cg]))]);
      expect(await gone(pid)).toBe(true);
      expect(existsSync(cg)).toBe(false);
      expect([...a, ...b].filter((n) => n.startsWith(`cleanup: removed cgroup ${cg}`))).toHaveLength(1);
      expect([...a, ...b].some((n) => n.startsWith(`cleanup: killed 1 process(es) left in ${cg}`))).toBe(true);
    } finally {
      if (existsSync(cg)) rmdirSync(cg);
    }
  });

  it('a cgroup that cannot be removed is noted, and the cgroups after it are still cleaned', async () => {
    const busy = join(testHierarchy()!, `conform-cleanup-test-${process.pid}-b`);
    const other = join(testHierarchy()!, `conform-cleanup-test-${process.pid}-c`);
    mkdirSync(join(busy, 'child'), { recursive: true });
    mkdirSync(other);
    try {
      const notes = await cleanupCgroups(new Set([busy, other]));
      expect(notes).toContain(`cleanup: could not remove cgroup ${busy} (EBUSY)`);
      expect(existsSync(other)).toBe(false);
    } finally {
      for (const d of [join(busy, 'child'), busy, other]) if (existsSync(d)) rmdirSync(d);
    }
  });

  it('killCgroups kills the processes of the cgroup and no other', async () => {
    const cg = join(testHierarchy()!, `conform-cleanup-test-${process.pid}-d`);
    mkdirSync(cg);
    const inside = sleeper();
    const outside = sleeper();
    writeFileSync(join(cg, 'cgroup.procs'), String(inside));
    try {
      const killed = await killCgroups([cg]);
      expect(killed).toEqual([`${inside} sleep 1000041`]);
      expect(await gone(inside)).toBe(true);
      expect(isAlive(outside)).toBe(true);
    } finally {
      rmdirSync(cg);
    }
  });

  it('never empties a cgroup that holds conform itself', async () => {
    const notes = await cleanupCgroups(new Set([testHierarchy()!]));
    expect(notes).toEqual([]);
    expect(isAlive(process.pid)).toBe(true);
  });
});

describe('cleanupContainers', () => {
  it('a runtime that refuses kill on a created container (runsc) gets delete --force at once, without polling state', async () => {
    const rt = join(dir, 'refuses-kill.sh');
    writeFileSync(
      rt,
      `#!/bin/sh
for a; do cmd=$prev; prev=$a; done
case "$*" in
  *" state "*) echo '{"ociVersion":"1.0.2","id":"c","status":"created","pid":0,"bundle":"/"}' ;;
  *" kill "*) echo "cannot signal container in state created" >&2; exit 128 ;;
  *" delete --force "*) exit 0 ;;
  *" delete "*) echo "not stopped" >&2; exit 1 ;;
esac
`,
    );
    chmodSync(rt, 0o755);
    const d = new Driver({ path: rt, args: [], timeoutMs: 5000 }, join(dir, 'state'), dir);
    d.created.add('c');
    const notes = await cleanupContainers(d);
    expect(notes).toEqual([]);
    const calls = readFileSync(join(dir, 'calls.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('$ '))
      .map((l) => l.split(' ').slice(4).join(' '));
    expect(calls).toEqual(['state c', 'kill c SIGKILL', 'delete c', 'delete --force c']);
  });

  /** A fake runtime from a shell `case` body; returns the driver and a reader of the calls it got. */
  const fakeRuntime = (name: string, body: string) => {
    const rt = join(dir, `${name}.sh`);
    writeFileSync(rt, `#!/bin/sh\ncase "$*" in\n${body}\nesac\n`);
    chmodSync(rt, 0o755);
    const work = join(dir, name);
    mkdirSync(work);
    const d = new Driver({ path: rt, args: [], timeoutMs: 5000 }, join(work, 'state'), work);
    const calls = () =>
      readFileSync(join(work, 'calls.log'), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('$ '))
        .map((l) => l.split(' ').slice(4).join(' '));
    return { d, calls };
  };

  it('a container whose create was refused, and that state does not know, costs cleanup one state call', async () => {
    const { d, calls } = fakeRuntime(
      'refuses-create',
      `  *" create "*) echo "invalid config" >&2; exit 1 ;;
  *) echo "container does not exist" >&2; exit 1 ;;`,
    );
    expect((await d.create('c', join(dir, 'no-bundle'))).ok).toBe(false);
    expect(await cleanupContainers(d)).toEqual([]);
    expect(calls()).toEqual([`create --bundle ${join(dir, 'no-bundle')} c`, 'state c']);
  });

  it("a refused create that the case's own state already found gone costs cleanup no call; a call naming it since brings the question back", async () => {
    const { d, calls } = fakeRuntime(
      'refused-asked',
      `  *" create "*) echo "invalid config" >&2; exit 1 ;;
  *) echo "container does not exist" >&2; exit 1 ;;`,
    );
    await d.create('a', join(dir, 'no-bundle'));
    await d.create('b', join(dir, 'no-bundle'));
    expect((await d.state('a')).ok).toBe(false);
    expect((await d.state('b')).ok).toBe(false);
    // After its confirming state, b is named by another call: that call may have changed it.
    await d.kill('b', 'SIGKILL');
    const before = calls().length;
    expect(await cleanupContainers(d)).toEqual([]);
    expect(calls().slice(before)).toEqual(['state b']);
  });

  it('a container running at its last state, its process still there: kill, delete once the process died, no state', async () => {
    const pid = sleeper();
    const { d, calls } = fakeRuntime(
      'running',
      `  *" state "*) if [ -e ${dir}/running-killed ]; then s=stopped; else s=running; fi
    echo '{"ociVersion":"1.0.2","id":"c","status":"'$s'","pid":${pid},"bundle":"/"}' ;;
  *" kill "*) touch ${dir}/running-killed; kill -9 ${pid} ;;
  *) exit 0 ;;`,
    );
    await d.create('c', join(dir, 'no-bundle'));
    expect((await d.state('c')).state?.status).toBe('running');
    expect(await cleanupContainers(d)).toEqual([]);
    expect(calls().slice(2)).toEqual(['kill c SIGKILL', 'delete c']);
  });

  /** A fake runtime whose state says running while `pid` runs (stopped after), and whose delete answers `deleteExit`. */
  const exitRuntime = (name: string, pid: number, deleteExit = 0) =>
    fakeRuntime(
      name,
      `  *" state "*) if [ -e /proc/${pid} ] && ! grep -q '^State:.*Z' /proc/${pid}/status; then s=running; else s=stopped; fi
    echo '{"ociVersion":"1.0.2","id":"c","status":"'$s'","pid":${pid},"bundle":"/"}' ;;
  *" delete "*) exit ${deleteExit} ;;
  *) exit 0 ;;`,
    );

  it('waitStopped with exitSuffices: the reported process gone ends the wait without a state call, and cleanup deletes at once', async () => {
    const pid = sleeper();
    const { d, calls } = exitRuntime('exit-seen', pid);
    await d.create('c', join(dir, 'no-bundle'));
    expect((await d.state('c')).state?.status).toBe('running');
    process.kill(pid, 'SIGKILL');
    expect(await gone(pid)).toBe(true);
    expect(await d.waitStopped('c', 10_000, undefined, { exitSuffices: true })).toBe('exited');
    expect(d.exitedSinceState('c')).toBe(true);
    expect(await cleanupContainers(d)).toEqual([]);
    expect(calls().slice(2)).toEqual(['delete c']);
  });

  it('an exit seen, then a call naming the container: cleanup asks state again; a delete refused after an exit takes the long way', async () => {
    const pid = sleeper();
    const { d, calls } = exitRuntime('exit-then-call', pid);
    await d.create('c', join(dir, 'no-bundle'));
    await d.state('c');
    process.kill(pid, 'SIGKILL');
    expect(await gone(pid)).toBe(true);
    expect(await d.waitStopped('c', 10_000, undefined, { exitSuffices: true })).toBe('exited');
    await d.start('c');
    expect(d.exitedSinceState('c')).toBe(false);
    await cleanupContainers(d);
    expect(calls().slice(2)).toEqual(['start c', 'state c', 'delete c']);

    const pid2 = sleeper();
    const refused = exitRuntime('exit-delete-refused', pid2, 1);
    await refused.d.create('c', join(dir, 'no-bundle'));
    await refused.d.state('c');
    process.kill(pid2, 'SIGKILL');
    expect(await gone(pid2)).toBe(true);
    expect(await refused.d.waitStopped('c', 10_000, undefined, { exitSuffices: true })).toBe('exited');
    await cleanupContainers(refused.d);
    expect(refused.calls().slice(2)).toEqual(['delete c', 'state c', 'delete c', 'delete --force c']);
  });

  it('waitStopped with exitSuffices and no state asked: all that create left exiting ends the wait without a call; cleanup deletes at once', async () => {
    const go = join(dir, 'left-go');
    const { d, calls } = fakeRuntime(
      'create-left',
      `  *" create "*) (while [ ! -e ${go} ]; do sleep 0.01; done) & ;;
  *" state "*) echo '{"ociVersion":"1.0.2","id":"c","status":"running","pid":0,"bundle":"/"}' ;;
  *) exit 0 ;;`,
    );
    expect((await d.create('c', join(dir, 'no-bundle'))).ok).toBe(true);
    const waited = d.waitStopped('c', 10_000, undefined, { exitSuffices: true });
    // While what create left runs, state is asked at most every 250 ms, and says running.
    await new Promise((r) => setTimeout(r, 150));
    expect(calls().slice(1)).toEqual([]);
    writeFileSync(go, '');
    expect(await waited).toBe('exited');
    expect(d.exitedSinceState('c')).toBe(true);
    expect(await cleanupContainers(d)).toEqual([]);
    expect(calls().slice(1)).toEqual(['delete c']);
  });

  it('waitStopped with exitSuffices: a create that left nothing proves nothing; state is asked', async () => {
    const { d, calls } = fakeRuntime(
      'create-left-nothing',
      `  *" state "*) echo '{"ociVersion":"1.0.2","id":"c","status":"stopped","pid":0,"bundle":"/"}' ;;
  *) exit 0 ;;`,
    );
    expect((await d.create('c', join(dir, 'no-bundle'))).ok).toBe(true);
    const r = await d.waitStopped('c', 10_000, undefined, { exitSuffices: true });
    expect(r !== 'exited' && r.state?.status).toBe('stopped');
    expect(calls().slice(1)).toEqual(['state c']);
  });

  it('waitStopped with exitSuffices: after a state that failed, a gone process proves nothing; state is asked', async () => {
    const pid = sleeper();
    const failNext = join(dir, 'fail-next');
    const { d } = fakeRuntime(
      'failed-state',
      // The failing state also ends the process: what the wait sees next is a pid it no longer knows, gone.
      `  *" state "*) if [ -e ${failNext} ]; then rm ${failNext}; kill -9 ${pid}; exit 1; fi
    if [ -e /proc/${pid} ] && ! grep -q '^State:.*Z' /proc/${pid}/status; then s=running; else s=stopped; fi
    echo '{"ociVersion":"1.0.2","id":"c","status":"'$s'","pid":${pid},"bundle":"/"}' ;;
  *) exit 0 ;;`,
    );
    expect((await d.state('c')).state?.status).toBe('running');
    writeFileSync(failNext, '');
    const r = await d.waitStopped('c', 10_000, undefined, { exitSuffices: true });
    expect(r !== 'exited' && r.state?.status).toBe('stopped');
    expect(d.exitedSinceState('c')).toBe(false);
  });

  it('waitStopped with exitSuffices and no pid reported asks state as before', async () => {
    const { d, calls } = fakeRuntime(
      'no-pid',
      `  *" state "*) echo '{"ociVersion":"1.0.2","id":"c","status":"stopped","pid":0,"bundle":"/"}' ;;
  *) exit 0 ;;`,
    );
    const r = await d.waitStopped('c', 10_000, undefined, { exitSuffices: true });
    expect(r !== 'exited' && r.state?.status).toBe('stopped');
    expect(d.exitedSinceState('c')).toBe(false);
    expect(calls()).toEqual(['state c']);
  });

  it('waitStopped asks state at most every 250 ms while the pid the last state reported runs, and once when it is gone', async () => {
    const pid = sleeper();
    const times = join(dir, 'wait-times');
    const { d } = fakeRuntime(
      'wait',
      `  *" state "*) date +%s%N >> ${times}
    if [ -e /proc/${pid} ] && ! grep -q '^State:.*Z' /proc/${pid}/status; then s=running; else s=stopped; fi
    echo '{"ociVersion":"1.0.2","id":"c","status":"'$s'","pid":${pid},"bundle":"/"}' ;;
  *) exit 0 ;;`,
    );
    expect((await d.state('c')).state?.status).toBe('running');
    setTimeout(() => process.kill(pid, 'SIGKILL'), 700);
    const last = await d.waitStopped('c', 10_000);
    expect(last !== 'exited' && last.state?.status).toBe('stopped');
    const asked = readFileSync(times, 'utf8')
      .trim()
      .split('\n')
      .map((ns) => Number(BigInt(ns) / 1_000_000n));
    // The first is the state before the wait; the last, the one that saw it stopped.
    const whileRunning = asked.slice(0, -1);
    for (let i = 1; i < whileRunning.length; i++) expect(whileRunning[i]! - whileRunning[i - 1]!).toBeGreaterThanOrEqual(200);
    expect(asked.length).toBeGreaterThanOrEqual(2);
  });

  it('a delete that said yes while state still shows the container: cleanup takes the long way', async () => {
    const { d, calls } = fakeRuntime(
      'lying-delete',
      `  *" state "*) echo '{"ociVersion":"1.0.2","id":"c","status":"stopped","pid":0,"bundle":"/"}' ;;
  *) exit 0 ;;`,
    );
    await d.create('c', join(dir, 'no-bundle'));
    expect((await d.delete('c')).ok).toBe(true);
    await cleanupContainers(d);
    expect(calls().slice(2)).toEqual(['state c', 'delete c']);
  });
});

describe('strayPids', () => {
  it('notes a pid state reported that still runs, and leaves it alone', async () => {
    const pid = sleeper();
    // Spawned is not yet exec'd: until then its command line is this node's.
    await poll(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep\0'), { timeoutMs: 10_000 });
    const notes = strayPids(new Map([[pid, startTime(pid)]]));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      new RegExp(`^cleanup: state reported pid ${pid} \\(sleep 1000041\\), which still runs after delete and is not provably this container's`),
    );
    expect(isAlive(pid)).toBe(true);
  });

  it('says nothing of a pid that is gone or was reused', () => {
    const pid = sleeper();
    expect(strayPids(new Map([[pid, 'not its start time']]))).toEqual([]);
    expect(strayPids(new Map([[2 ** 22 + 7, undefined]]))).toEqual([]);
  });
});
