// The driver against fake runtimes that hang, crash, print garbage, do nothing or
// leave a child holding their output: each must give a clear result within the
// deadline, never a hang.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Driver } from '../../harness/process/driver.js';
import { isAlive } from '../../harness/host/hostfacts.js';
import { fixture } from '../helpers/conform.js';

const dir = mkdtempSync(join(tmpdir(), 'conform-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const driver = (name: string, timeoutMs = 1000) => new Driver({ path: fixture('runtimes', name), args: ['--global'], timeoutMs }, join(dir, 'state'), dir);

describe('driver', () => {
  it('kills a hanging runtime at the deadline and says so', async () => {
    // (How long it took is not asserted: the deadline does not count time the machine was contended.)
    const r = await driver('hang.sh', 500).state('c1');
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.summary).toMatch(/^state timed out after 1s( \(\d+s of wall time on a loaded machine\))? and was killed$/);
  });

  it('kills the whole process group of a hanging create, including what it forked', async () => {
    const r = await driver('hang.sh', 300).create('c1', dir);
    expect(r.timedOut).toBe(true);
    expect(readFileSync(join(dir, 'calls.log'), 'utf8')).toContain('create --bundle');
  });

  it('reports a crash by its signal', async () => {
    const r = await driver('crash.sh').kill('c1', 'SIGTERM');
    expect(r).toMatchObject({ ok: false, timedOut: false, signal: 'SIGSEGV' });
    expect(r.summary).toBe('kill was killed by SIGSEGV');
  });

  it('state that prints garbage is an error with the reason, not an exception', async () => {
    const r = await driver('garbage.sh').state('c1');
    expect(r.ok).toBe(true);
    expect(r.state).toBeUndefined();
    expect(r.parseError).toMatch(/^state output is not JSON/);
  });

  it('a runtime that does nothing: state has no JSON to show', async () => {
    const r = await driver('noop.sh').state('c1');
    expect(r.ok).toBe(true);
    expect(r.parseError).toMatch(/not JSON/);
  });

  it('a runtime that leaves a child holding its stdout: the call does not wait for it, the child is killed and blamed on the call', async () => {
    const d = driver('orphan.sh', 5000);
    const r = await d.state('c1');
    // Returned by the runtime's exit, not by the deadline: it did not wait for the child's pipe.
    expect(r.timedOut).toBe(false);
    expect(r.state).toMatchObject({ status: 'stopped' });
    const child = Number(/child (\d+)/.exec(r.stderr)?.[1]);
    expect(isAlive(child)).toBe(false);
    // Its command line is sleep's, or still the forked shell's.
    expect(r.leftovers).toHaveLength(1);
    expect(r.leftovers[0]).toMatch(new RegExp(`^${child} `));
    expect(d.notes).toEqual([`\`state c1\` returned, but left 1 process(es); killed them: ${r.leftovers[0]}`]);
  });

  it('a missing runtime binary is reported as such', async () => {
    const d = new Driver({ path: join(dir, 'no-such-runtime'), args: [], timeoutMs: 1000 }, dir, dir);
    const r = await d.state('c1');
    expect(r.ok).toBe(false);
    expect(r.summary).toMatch(/could not be started: ENOENT/);
  });

  it('create hands the runtime the container stdio files, and reads back its own message', async () => {
    const r = await driver('fail.sh').create('c2', '/some/bundle');
    expect(r.ok).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fail.sh: refusing --global --root');
    expect(readFileSync(join(dir, 'c2.stderr'), 'utf8')).toContain('refusing');
  });

  it('passes global args before --root and the command, and can set the umask', async () => {
    const r = await driver('fail.sh').call('state', ['c3'], { umask: 0o077 });
    expect(r.argv.slice(0, 3)).toEqual(['/bin/sh', '-c', 'umask 0077 && exec "$@"']);
    expect(r.stderr).toContain('refusing --global --root');
    expect(r.stderr).toContain('state c3');
  });

  it('can start the runtime with a given umask and oom_score_adj', async () => {
    const r = await driver('fail.sh').call('state', ['c4'], { umask: 0o027, oomScoreAdj: 123 });
    expect(r.argv.slice(0, 3)).toEqual(['/bin/sh', '-c', 'umask 0027 && echo 123 > /proc/self/oom_score_adj && exec "$@"']);
    expect(r.stderr).toContain('state c4');
  });
});

describe('isAlive', () => {
  it('is false for a pid that does not exist', () => {
    expect(isAlive(2 ** 22 + 12345)).toBe(false);
    expect(isAlive(process.pid)).toBe(true);
  });
});
