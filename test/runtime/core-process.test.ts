import { chmodSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Process } from '../../runtime/config/validate.js';
import { HookError, runHooks, runHooksWarning } from '../../runtime/hooks.js';
import { finalizeAndExec, resolveExecutable, type ProcessPlan } from '../../runtime/init/finalize.js';
import { planCapabilities } from '../../runtime/capabilities.js';
import { FakeExec, FakeSyscalls } from '../../runtime/syscalls-fake.js';

const proc = (over: Partial<Process> = {}): Process => ({
  cwd: '/work',
  args: ['sh', '-c', 'true'],
  user: { uid: 1000, gid: 100, additionalGids: [5] },
  ...over,
});

function run(plan: ProcessPlan): FakeSyscalls {
  const sys = new FakeSyscalls();
  expect(() => finalizeAndExec(sys, plan)).toThrow(FakeExec);
  return sys;
}

describe('finalizeAndExec (recording fake)', () => {
  it('switches user, then umask, signals, fds and execve with the env', () => {
    const sys = run({ process: proc({ user: { uid: 1000, gid: 100, umask: 0o77, additionalGids: [5] } }), executable: '/bin/sh', env: ['A=1'], userns: false });
    const names = sys.names().filter((n) => n !== 'setCloexec' && n !== 'openat2');
    expect(names).toEqual(['fchdir', 'setgroups', 'setresgid', 'setresuid', 'umask', 'resetSignal', 'resetSignal', 'unblockAllSignals', 'execve']);
    expect(sys.resolved().find((c) => c[0] === 'fchdir')).toEqual(['fchdir', '/work']);
    expect(sys.calls.find((c) => c.name === 'setgroups')!.args).toEqual([[5]]);
    expect(sys.calls.at(-1)!.args).toEqual(['/bin/sh', ['sh', '-c', 'true'], ['A=1']]);
    // 0-2 lose close-on-exec (Node sets it), everything else gets it.
    const cloexec = sys.calls.filter((c) => c.name === 'setCloexec');
    expect(cloexec.filter((c) => c.args[1] === false).map((c) => c.args[0])).toEqual([0, 1, 2]);
    expect(cloexec.filter((c) => c.args[1] === true).every((c) => (c.args[0] as number) > 2)).toBe(true);
  });

  it('drops the bounding set before the uid change and installs capabilities after it', () => {
    const caps = planCapabilities({ bounding: ['CAP_KILL'], permitted: ['CAP_KILL'], effective: ['CAP_KILL'] }, 40);
    const sys = run({ process: proc(), executable: '/bin/sh', env: [], caps, userns: false });
    const names = sys.names();
    const firstDrop = names.indexOf('prctl');
    expect(firstDrop).toBeGreaterThan(-1);
    expect(names.indexOf('setresuid')).toBeGreaterThan(firstDrop);
    expect(names.indexOf('capset')).toBeGreaterThan(names.indexOf('setresuid'));
    expect(sys.calls.find((c) => c.name === 'capset')!.args).toEqual([1n << 5n, 1n << 5n, 0n]);
  });

  it('loads seccomp last with noNewPrivileges, and before dropping privileges without', () => {
    const seccomp = { program: new Uint8Array(16), flags: 1, listener: false };
    const nnp = run({ process: proc({ noNewPrivileges: true }), executable: '/bin/sh', env: [], seccomp, userns: false }).names();
    expect(nnp.slice(-2)).toEqual(['seccompSetFilter', 'execve']);
    expect(nnp.indexOf('prctl')).toBeLessThan(nnp.indexOf('seccompSetFilter'));
    const plain = run({ process: proc(), executable: '/bin/sh', env: [], seccomp, userns: false }).names();
    expect(plain.indexOf('seccompSetFilter')).toBeLessThan(plain.indexOf('setresuid'));
  });

  it('retries chdir after the user switch when only the user may enter cwd', () => {
    const sys = new FakeSyscalls();
    let first = true;
    sys.failWith('fchdir', 'EACCES', () => {
      const f = first;
      first = false;
      return f;
    });
    expect(() => finalizeAndExec(sys, { process: proc(), executable: '/bin/sh', env: [], userns: false })).toThrow(FakeExec);
    expect(sys.names().filter((n) => n === 'fchdir' || n === 'setresuid')).toEqual(['fchdir', 'setresuid', 'fchdir']);
  });

  it('never enters a cwd through a magic link (/proc/self/fd/N, /proc/self/cwd): it could be a host directory', () => {
    for (const cwd of ['/proc/self/cwd', `/proc/self/fd/${openSync('/', 'r')}`, '/proc/self/root/etc']) {
      const sys = new FakeSyscalls();
      expect(() => finalizeAndExec(sys, { process: proc({ cwd }), executable: '/bin/sh', env: [], userns: false }), cwd).toThrow(
        /^process\.cwd: cannot change to .*magic link/,
      );
      expect(sys.names()).not.toContain('fchdir');
      expect(sys.names()).not.toContain('execve');
    }
  });

  it('never passes (uid_t)-1 on, which setresuid takes as "no change" (root stays root)', () => {
    for (const [user, field] of [
      [{ uid: 4294967295, gid: 0 }, 'process.user.uid'],
      [{ uid: 0, gid: 4294967295 }, 'process.user.gid'],
      [{ uid: 0, gid: 0, additionalGids: [1, 4294967295] }, 'process.user.additionalGids[1]'],
      [{ uid: -1, gid: 0 }, 'process.user.uid'], // exec --user -1
    ] as const) {
      const sys = new FakeSyscalls();
      expect(() => finalizeAndExec(sys, { process: proc({ user: user as Process['user'] }), executable: '/bin/sh', env: [], userns: false })).toThrow(
        `config.json: ${field} `,
      );
      expect(sys.names().filter((n) => /^set(res[ug]id|groups)$/.test(n))).toEqual([]);
    }
  });

  it('names the field when the kernel refuses an id (unmapped in a user namespace)', () => {
    const sys = new FakeSyscalls().failWith('setresuid', 'EINVAL');
    expect(() => finalizeAndExec(sys, { process: proc(), executable: '/bin/sh', env: [], userns: true })).toThrow(
      /^config\.json: process\.user\.uid cannot switch to 1000: not mapped in the container's user namespace/,
    );
  });
});

describe('resolveExecutable', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'core-exec-'));
    mkdirSync(join(dir, 'bin'));
    writeFileSync(join(dir, 'bin/prog'), '#!/bin/sh\n');
    chmodSync(join(dir, 'bin/prog'), 0o755);
    writeFileSync(join(dir, 'bin/data'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('searches PATH like execvp, skipping non-executables', () => {
    expect(resolveExecutable('prog', [`PATH=/nonexistent:${dir}/bin`], '/')).toBe(`${dir}/bin/prog`);
    expect(() => resolveExecutable('data', [`PATH=${dir}/bin`], '/')).toThrow(/process\.args\[0\]: data was not found in the container's PATH/);
  });
  it('takes a path with a slash as it is', () => {
    expect(resolveExecutable(`${dir}/bin/prog`, [], '/')).toBe(`${dir}/bin/prog`);
    expect(resolveExecutable('bin/prog', [], dir)).toBe(`${dir}/bin/prog`);
  });
});

describe('runHooks', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'core-hooks-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const state = { ociVersion: '1.3.0', id: 'c1', status: 'creating' as const, pid: 5, bundle: '/b' };

  it('runs in order with the state on stdin, args and env', () => {
    const out = join(dir, 'out');
    runHooks(
      'prestart',
      [
        { path: '/bin/sh', args: ['sh', '-c', `echo "$0 $FOO $(cat)" >> ${out}`, 'first'], env: ['FOO=bar'] },
        { path: '/bin/sh', args: ['sh', '-c', `echo second >> ${out}`] },
      ],
      state,
    );
    expect(readFileSync(out, 'utf8')).toBe(`first bar ${JSON.stringify(state)}\nsecond\n`);
  });

  it('stops at the first failure, naming the hook and quoting its output', () => {
    const log = join(dir, 'log');
    const fd = openSync(log, 'w+');
    let err: unknown;
    try {
      runHooks('createRuntime', [{ path: '/bin/sh', args: ['sh', '-c', 'echo oops >&2; exit 3'] }, { path: '/bin/false' }], state, { outputFd: fd });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HookError);
    expect((err as Error).message).toBe('hooks.createRuntime[0]: /bin/sh exited with status 3 (output: oops)');
  });

  it('kills a hook that outlives its timeout', () => {
    const t0 = Date.now();
    expect(() => runHooks('poststart', [{ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }], state)).toThrow(
      'hooks.poststart[0]: /bin/sleep timed out after 1s and was killed',
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('poststop: a failure is a warning and the later hooks still run (runtime.md lifecycle 13)', () => {
    const out = join(dir, 'out');
    const warnings: string[] = [];
    runHooksWarning(
      'poststop',
      [{ path: '/bin/false' }, { path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }, { path: '/bin/sh', args: ['sh', '-c', `echo third >> ${out}`] }],
      { ...state, status: 'stopped' },
      (m) => warnings.push(m),
    );
    expect(warnings).toEqual(['hooks.poststop[0]: /bin/false exited with status 1', 'hooks.poststop[1]: /bin/sleep timed out after 1s and was killed']);
    expect(readFileSync(out, 'utf8')).toBe('third\n');
  });

  it('does not care whether a hook reads its stdin', () => {
    expect(() => runHooks('poststop', [{ path: '/bin/true' }], state)).not.toThrow();
    expect(() => runHooks('poststop', [{ path: '/nonexistent' }], state)).toThrow(/could not run: ENOENT/);
  });
});
