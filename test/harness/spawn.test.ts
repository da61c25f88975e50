// Running a command under the reaper (harness/native/reaper.c): what it leaves, however
// it daemonizes, is killed when it returns (or kept until release with `hold`), at its
// deadline everything it started goes, and its output is kept to a bounded head and tail.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../harness/host/hostfacts.js';
import { Capture, KEEP_HEAD, KEEP_TAIL, run } from '../../harness/process/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
/** A shell script that starts a daemon (new session, SIGTERM ignored) and prints its pid once it is there. */
const daemonize = () => {
  const f = join(dir, `pid${++n}`);
  return `setsid sh -c 'trap "" TERM; echo $$ > ${f}.tmp; mv ${f}.tmp ${f}; exec sleep 1000031' </dev/null >/dev/null 2>&1 & while [ ! -s ${f} ]; do sleep 0.01; done; cat ${f}`;
};

describe('run', () => {
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
