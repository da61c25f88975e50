// Running a command under the reaper (harness/native/reaper.c): what it leaves, however
// it daemonizes, is killed when it returns (or kept until release with `hold`), at its
// deadline everything it started goes, and its output is kept to a bounded head and tail.
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../harness/host/hostfacts.js';
import { Capture, KEEP_HEAD, KEEP_TAIL, reaperPath, run, useReaperServer } from '../../harness/process/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A shell script that starts a daemon (new session, SIGTERM ignored) and prints its pid once it is there. */
const daemonize = () => {
  const f = join(dir, `pid${++n}`);
  return `setsid sh -c 'trap "" TERM; echo $$ > ${f}.tmp; mv ${f}.tmp ${f}; exec sleep 1000031' </dev/null >/dev/null 2>&1 & while [ ! -s ${f} ]; do sleep 0.01; done; cat ${f}`;
};

// Both ways a command's reaper starts: forked by the reaper server (`reaper --serve`, the
// default), and spawned by Node itself (before the server is up, or without it).
describe.each([
  ['through the reaper server', true],
  ['spawned by Node', false],
])('run, %s', (_how, served) => {
  beforeAll(async () => expect(await useReaperServer(served)).toBe(served));
  afterAll(() => useReaperServer(true));

  it('starts the reaper from the server, or from conform', async () => {
    // The command's parent is its reaper; the reaper's parent, the server or conform itself.
    const r = await run(['sh', '-c', 'cut -d" " -f4 /proc/$PPID/stat'], { timeoutMs: 10_000 });
    expect(Number(r.stdout) === process.pid).toBe(!served);
  });

  it('kills what a command left when it returns, a daemon in a session of its own included, and lists it', async () => {
    const r = await run(['sh', '-c', daemonize()], { timeoutMs: 10_000 });
    expect(r.code).toBe(0);
    const pid = Number(r.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
    expect(r.leftovers).toHaveLength(1);
    expect(r.leftovers[0]).toMatch(new RegExp(`^${pid} `));
  });

  it('with hold, keeps what the command left until release, then kills it and says what it killed', async () => {
    const r = await run(['sh', '-c', daemonize()], { timeoutMs: 10_000, hold: true });
    expect(r.code).toBe(0);
    const pid = Number(r.stdout.trim());
    expect(r.leftovers).toEqual([]);
    expect(isAlive(pid)).toBe(true);
    expect(await r.held!.release()).toEqual([`${pid} sleep 1000031`]);
    expect(isAlive(pid)).toBe(false);
  });

  it('with hold, reaps what the command left as it exits (no zombie for a runtime to mistake for a live container)', async () => {
    const r = await run(['sh', '-c', 'sleep 0.2 & echo $!'], { timeoutMs: 10_000, hold: true });
    const pid = Number(r.stdout.trim());
    // Gone from /proc altogether (a zombie stays there until its parent reaps it).
    const deadline = Date.now() + 10_000;
    while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(await r.held!.release()).toEqual([]);
  });

  it('with hold, counts what the command left and says when all of it, and what it started, has exited', async () => {
    const go1 = join(dir, `go${++n}`);
    const go2 = join(dir, `go${++n}`);
    const waitFor = (f: string) => `while [ ! -e ${f} ]; do sleep 0.01; done`;
    // Left: one process that ends when told, and one that starts a grandchild (ending when
    // told too) and exits at once: the grandchild becomes the reaper's.
    const r = await run(['sh', '-c', `(${waitFor(go1)}) & echo $!; (sh -c '${waitFor(go2)}' &) &`], { timeoutMs: 10_000, hold: true });
    const first = Number(r.stdout.trim());
    expect(r.held!.left).toBeGreaterThan(0);
    expect(r.held!.allExited).toBe(false);
    writeFileSync(go1, '');
    const until = async (f: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!f() && Date.now() < deadline) await new Promise((res) => setTimeout(res, 10));
      return f();
    };
    expect(await until(() => !isAlive(first))).toBe(true);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.held!.allExited).toBe(false); // the grandchild still runs
    writeFileSync(go2, '');
    expect(await until(() => r.held!.allExited)).toBe(true);
    expect(await r.held!.release()).toEqual([]);
  });

  it('with hold, a command that left nothing never counts as all exited (nothing says its container ended)', async () => {
    const r = await run(['true'], { timeoutMs: 10_000, hold: true });
    expect(r.held!.left).toBe(0);
    await new Promise((res) => setTimeout(res, 100));
    expect(r.held!.allExited).toBe(false);
    expect(await r.held!.release()).toEqual([]);
  });

  it('with hold and a grace, lets what the command left end by itself before killing what is still there', async () => {
    const r = await run(['sh', '-c', 'sleep 0.3 & sleep 1000033 & echo $!'], { timeoutMs: 10_000, hold: true, holdGraceMs: 3000 });
    const stays = Number(r.stdout.trim());
    const killed = await r.held!.release();
    expect(killed).toEqual([`${stays} sleep 1000033`]);
  });

  it('at the deadline, kills the command and everything it started, even in another session', async () => {
    const started = Date.now();
    const r = await run(['sh', '-c', `${daemonize()} >&2; exec sleep 1000032`], { timeoutMs: 500 });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
    const pid = Number(r.stderr.trim());
    expect(isAlive(pid)).toBe(false);
    expect(r.leftovers.some((l) => l.startsWith(`${pid} `))).toBe(true);
  });

  it('reports a command that cannot be started by its errno', async () => {
    const r = await run(['/nonexistent/runtime'], { timeoutMs: 5000 });
    expect(r.spawnError).toMatch(/^ENOENT /);
    expect(r.code).toBeNull();
  });

  it('gives the exit code and the signal of the command, not of the reaper', async () => {
    expect((await run(['sh', '-c', 'exit 3'], { timeoutMs: 5000 })).code).toBe(3);
    expect((await run(['sh', '-c', 'kill -SEGV $$'], { timeoutMs: 5000 })).signal).toBe('SIGSEGV');
  });

  it('keeps a bounded head and tail of a flood of output, and says how much it dropped', async () => {
    const r = await run(['sh', '-c', 'head -c 50000000 /dev/zero | tr "\\0" x; echo; echo the-end'], { timeoutMs: 30_000 });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeLessThan(KEEP_HEAD + KEEP_TAIL + 100);
    expect(r.stdout).toMatch(/\[… \d+ bytes dropped …\]/);
    expect(r.stdout.endsWith('the-end\n')).toBe(true);
  });

  it('hands over fds by number (as stdout, as fd 3), and gives the input', async () => {
    const out = join(dir, `out${++n}`);
    const extra = join(dir, `extra${n}`);
    const [o, e] = [openSync(out, 'w'), openSync(extra, 'w')];
    try {
      const r = await run(['sh', '-c', 'echo to-stdout; echo to-fd3 >&3; cat >&2'], { timeoutMs: 5000, stdout: o, extraFds: [e], input: 'the input' });
      expect([r.code, r.stderr]).toEqual([0, 'the input']);
    } finally {
      closeSync(o);
      closeSync(e);
    }
    expect(readFileSync(out, 'utf8')).toBe('to-stdout\n');
    expect(readFileSync(extra, 'utf8')).toBe('to-fd3\n');
  });

  it('runs commands at once, each answered with its own result', async () => {
    const rs = await Promise.all(
      [1, 2, 3, 4].map((i) => run(['sh', '-c', `sleep 0.${i}; echo ${i}; exit ${i}`], { timeoutMs: 10_000, env: { ...process.env, N: String(i) }, cwd: dir })),
    );
    expect(rs.map((r) => [r.stdout, r.code])).toEqual([1, 2, 3, 4].map((i) => [`${i}\n`, i]));
  });

  it('runs the command in its directory, with its environment', async () => {
    const r = await run(['sh', '-c', 'pwd; echo "$ONLY_HERE"'], { timeoutMs: 5000, cwd: dir, env: { PATH: process.env.PATH, ONLY_HERE: 'yes' } });
    expect(r.stdout).toBe(`${dir}\nyes\n`);
    const bad = await run(['true'], { timeoutMs: 5000, cwd: join(dir, 'nonexistent') });
    expect(bad.spawnError).toMatch(/^ENOENT /);
  });
});

describe('the reaper server', () => {
  it('when it dies, the command in flight fails as a harness error and is killed; later ones are spawned by Node', async () => {
    expect(await useReaperServer(true)).toBe(true);
    const servers = () =>
      readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
          try {
            return (
              readFileSync(`/proc/${p}/cmdline`, 'utf8') === `${reaperPath}\0--serve\0` &&
              readFileSync(`/proc/${p}/stat`, 'utf8').split(' ')[3] === String(process.pid)
            );
          } catch {
            return false;
          }
        });
    const [pid] = servers();
    expect(pid).toBeDefined();
    const inFlight = run(['sh', '-c', 'echo $$; exec sleep 1000034'], { timeoutMs: 30_000 });
    // Once the command runs (its pid printed through the server), the server goes.
    const f = join(dir, `inflight${++n}`);
    const started = await run(['sh', '-c', `while ! pgrep -f '^sleep 1000034' > ${f}; do sleep 0.01; done`], { timeoutMs: 10_000 });
    expect(started.code).toBe(0);
    process.kill(Number(pid), 'SIGKILL');
    const r = await inFlight;
    expect(r.spawnError).toMatch(/ended before the command did/);
    const sleeper = Number(readFileSync(f, 'utf8').trim().split('\n')[0]);
    const deadline = Date.now() + 10_000;
    while (isAlive(sleeper) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(isAlive(sleeper)).toBe(false);
    const after = await run(['sh', '-c', 'cut -d" " -f4 /proc/$PPID/stat'], { timeoutMs: 10_000 });
    expect(Number(after.stdout)).toBe(process.pid);
    expect(await useReaperServer(true)).toBe(true);
  });
});

describe('the reaper server, full', () => {
  it('starts the calls past what it keeps at once from Node: more held calls than it takes all run', async () => {
    expect(await useReaperServer(true)).toBe(true);
    // Each prints its reaper's parent: the server's pid, or conform's (spawned by Node).
    const held = await Promise.all(Array.from({ length: 260 }, () => run(['sh', '-c', 'cut -d" " -f4 /proc/$PPID/stat'], { timeoutMs: 60_000, hold: true })));
    try {
      expect(held.filter((r) => r.code !== 0).map((r) => `${r.code} ${r.spawnError ?? ''} ${r.stderr}`)).toEqual([]);
      const byNode = held.filter((r) => Number(r.stdout) === process.pid).length;
      expect(byNode).toBeGreaterThanOrEqual(4);
      expect(byNode).toBeLessThan(held.length);
    } finally {
      await Promise.all(held.map((r) => r.held?.release()));
    }
    // Released, the server takes calls again.
    const after = await run(['sh', '-c', 'cut -d" " -f4 /proc/$PPID/stat'], { timeoutMs: 10_000 });
    expect(Number(after.stdout)).not.toBe(process.pid);
  }, 120_000);
});

describe('Capture', () => {
  it('keeps everything below the limits', () => {
    const c = new Capture(4, 4);
    c.push(Buffer.from('abc'));
    c.push(Buffer.from('def'));
    expect(c.text()).toBe('abcdef');
  });

  it('keeps the head and the tail and counts what it dropped', () => {
    const c = new Capture(4, 4);
    for (const s of ['0123', '4567', '89', 'abcdef']) c.push(Buffer.from(s));
    expect(c.dropped).toBe(8);
    expect(c.text()).toBe('0123\n[… 8 bytes dropped …]\ncdef');
  });
});
