// Root-only: the runc commands engines call (pause, resume, ps, update, events,
// exec's flags, checkpoint/restore), errors in --log, and the engines' own inputs
// (podman's default seccomp profile, a bundle umoci unpacked), on the built runtime.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cannotRunContainers, RuntimeCli, runtimeBin, until } from '../helpers/runtime-cli.js';

const why = cannotRunContainers();
// Container ids name cgroups (/conform/<id>) shared by every --root: unique per run.
const ID = (name: string): string => `rte-${process.pid}-${name}`;

// Each runtime call is a Node boot; on a loaded two-core machine a test makes many.
describe.skipIf(why !== undefined)(`runc's extra commands on the reference runtime${why ? ` (skipped: ${why})` : ''}`, { timeout: 180_000 }, () => {
  let rt: RuntimeCli;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- config edits
  const sleeper = (name: string, edit: (c: Record<string, any>) => void = () => {}): string => {
    const id = ID(name);
    const b = rt.bundle(name, (c) => {
      c.process.args = ['sleep', '1000'];
      c.linux.resources = { pids: { limit: 100 } };
      edit(c);
    });
    const r = rt.call(['create', '--bundle', b, id]);
    expect(r.stderr).toBe('');
    expect(rt.call(['start', id]).code).toBe(0);
    return id;
  };

  beforeAll(() => {
    rt = new RuntimeCli('conform-rtengines');
  });
  afterAll(() => rt.cleanUp());

  it('pause freezes the container (state: paused), resume thaws it; each refuses the wrong state', async () => {
    const id = sleeper('pause');
    expect(rt.call(['pause', id]).code).toBe(0);
    expect(rt.status(id)).toBe('paused');
    const pid = rt.stored(id).pid;
    // The kernel agrees: the process is frozen (v1 freezer.state or v2 cgroup.events).
    const fz = rt.cgroupDir(id, 'freezer');
    if (fz) expect(readFileSync(join(fz, 'freezer.state'), 'utf8').trim()).toBe('FROZEN');
    expect(rt.call(['pause', id]).code).not.toBe(0);
    expect(rt.call(['exec', id, 'true']).code).not.toBe(0);
    expect(JSON.parse(rt.call(['list', '--format', 'json']).stdout).find((c: { id: string }) => c.id === id)).toMatchObject({ status: 'paused', pid });
    expect(rt.call(['resume', id]).code).toBe(0);
    expect(rt.status(id)).toBe('running');
    expect(rt.call(['resume', id]).code).not.toBe(0);
    expect(rt.call(['exec', id, 'true']).code).toBe(0);
    // A paused container dies of SIGKILL (kill --all thaws it for that) and deletes.
    expect(rt.call(['pause', id]).code).toBe(0);
    expect(rt.call(['kill', id, 'TERM']).code).toBe(0);
    expect(rt.status(id)).toBe('paused');
    expect(rt.call(['kill', id, 'KILL']).code).toBe(0);
    await until(() => rt.status(id) === 'stopped');
    expect(rt.call(['delete', id]).code).toBe(0);
  });

  it('kill of a stopped container: runc\'s "container not running", except --all (what the containerd shim relies on)', async () => {
    const id = ID('kill-stopped');
    const b = rt.bundle('kill-stopped', (c) => {
      c.process.args = ['true'];
    });
    expect(rt.call(['create', '--bundle', b, id]).code).toBe(0);
    expect(rt.call(['start', id]).code).toBe(0);
    await until(() => rt.status(id) === 'stopped');
    const r = rt.call(['kill', id, 'KILL']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/container not running/);
    expect(rt.call(['kill', '--all', id, 'KILL']).code).toBe(0);
    expect(rt.call(['delete', id]).code).toBe(0);
    expect(rt.call(['kill', id, 'KILL']).stderr).toMatch(/does not exist/);
  });

  it('delete --force removes a paused container', async () => {
    const id = sleeper('pause-del');
    expect(rt.call(['pause', id]).code).toBe(0);
    expect(rt.call(['delete', '--force', id]).code).toBe(0);
    expect(rt.status(id)).toBe('absent');
  });

  it('ps: pids as JSON, the ps(1) table cut to the container, ps options passed through', () => {
    const id = sleeper('ps');
    const pid = rt.stored(id).pid;
    expect(JSON.parse(rt.call(['ps', '--format', 'json', id]).stdout)).toEqual([pid]);
    const table = rt.call(['ps', id]).stdout.trim().split('\n');
    expect(table[0]).toMatch(/\bPID\b/);
    expect(table.slice(1).map((l) => l.trim().split(/\s+/)[1])).toEqual([String(pid)]);
    const custom = rt.call(['ps', id, '-o', 'pid,comm']).stdout.trim().split('\n');
    expect(custom.slice(1).map((l) => l.trim())).toEqual([`${pid} sleep`]);
    expect(rt.call(['delete', '--force', id]).code).toBe(0);
  });

  it("update: runc's flags, --resources FILE and - (stdin); the saved config follows", () => {
    const id = sleeper('update');
    const pidsDir = rt.cgroupDir(id, 'pids');
    expect(pidsDir).toBeDefined();
    const max = (): string => readFileSync(join(pidsDir!, 'pids.max'), 'utf8').trim();
    expect(max()).toBe('100');
    expect(rt.call(['update', '--pids-limit', '50', id]).code).toBe(0);
    expect(max()).toBe('50');
    const file = join(rt.dir, 'resources.json');
    writeFileSync(file, JSON.stringify({ pids: { limit: 60 } }));
    expect(rt.call(['update', '--resources', file, id]).code).toBe(0);
    expect(max()).toBe('60');
    expect(rt.call(['update', '-r', '-', id], { input: '{"pids":{"limit":70}}' }).code).toBe(0);
    expect(max()).toBe('70');
    const saved = JSON.parse(readFileSync(join(rt.root, id, 'config.json'), 'utf8'));
    expect(saved.linux.resources.pids.limit).toBe(70);
    const bad = rt.call(['update', '--pids-limit', 'many', id]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(max()).toBe('70');
    expect(rt.call(['delete', '--force', id]).code).toBe(0);
  });

  it("events --stats prints one stats event in runc's shape", () => {
    const id = sleeper('events');
    const r = rt.call(['events', '--stats', id]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const e = JSON.parse(lines[0]!);
    expect(e).toMatchObject({ type: 'stats', id });
    expect(Object.keys(e.data).sort()).toEqual(['blkio', 'cpu', 'cpuset', 'hugetlb', 'intel_rdt', 'memory', 'network_interfaces', 'pids'].sort());
    expect(e.data.pids).toEqual({ current: 1, limit: 100 });
    expect(e.data.cpu.usage.total).toBeGreaterThan(0);
    expect(rt.call(['delete', '--force', id]).code).toBe(0);
    expect(rt.call(['events', '--stats', id]).code).not.toBe(0);
  });

  it('events without --stats streams stats events until the container is gone', async () => {
    const id = sleeper('events-stream');
    const child = spawn(process.execPath, [runtimeBin, '--root', rt.root, 'events', '--interval', '200ms', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => out.split('\n').filter(Boolean).length >= 2, 60_000);
      for (const line of out.trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ type: 'stats', id, data: { pids: { current: 1 } } });
      expect(rt.call(['delete', '--force', id]).code).toBe(0);
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it("exec takes runc's flags: --cap, --no-new-privs, -g, --user, --env, --cwd, --preserve-fds", () => {
    const id = sleeper('exec', (c) => {
      c.process.capabilities = { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] };
      c.process.noNewPrivileges = false;
    });
    const status = (args: string[]): Record<string, string> => {
      const r = rt.call(['exec', ...args, id, 'cat', '/proc/self/status']);
      expect(r.stderr).toBe('');
      return Object.fromEntries(
        r.stdout
          .split('\n')
          .map((l) => l.split(':\t'))
          .filter((f) => f.length === 2)
          .map(([k, v]) => [k!, v!.trim()]),
      );
    };
    const plain = status([]);
    const CAP_NET_ADMIN = 1n << 12n;
    expect(BigInt(`0x${plain.CapEff}`) & CAP_NET_ADMIN).toBe(0n);
    expect(plain.NoNewPrivs).toBe('0');
    const more = status(['--cap', 'CAP_NET_ADMIN', '--no-new-privs', '-g', '5', '--additional-gids', '7']);
    expect(BigInt(`0x${more.CapEff}`) & CAP_NET_ADMIN).toBe(CAP_NET_ADMIN);
    expect(BigInt(`0x${more.CapBnd}`) & CAP_NET_ADMIN).toBe(CAP_NET_ADMIN);
    expect(more.NoNewPrivs).toBe('1');
    expect(more.Groups?.split(/\s+/)).toEqual(expect.arrayContaining(['5', '7']));
    expect(status(['--user', '1000:1001']).Uid?.split(/\s+/)[0]).toBe('1000');

    const env = rt.call(['exec', '--env', 'FOO=bar', '--cwd', '/tmp', id, 'sh', '-c', 'echo $FOO; pwd']);
    expect(env.stdout).toBe('bar\n/tmp\n');

    const file = join(rt.dir, 'fd4.txt');
    writeFileSync(file, 'through fd 4\n');
    const fd3 = openSync('/dev/null', 'r');
    const fd4 = openSync(file, 'r');
    try {
      const r = rt.call(['exec', '--preserve-fds', '2', id, 'sh', '-c', 'cat <&4; ls /proc/self/fd'], { fds: [fd3, fd4] });
      expect(r.stderr).toBe('');
      const [first, ...fds] = r.stdout.trim().split('\n');
      expect(first).toBe('through fd 4');
      // 0-2, the two preserved, and ls's own directory fd: nothing of the runtime's.
      expect(fds.map(Number).filter((n) => n > 2 && n < 5)).toEqual([3, 4]);
    } finally {
      closeSync(fd3);
      closeSync(fd4);
    }
    for (const refused of [
      ['--apparmor', 'p'],
      ['--process-label', 'l'],
      ['--cap', 'CAP_FLY'],
    ]) {
      const r = rt.call(['exec', ...refused, id, 'true']);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(rt.call(['delete', '--force', id]).code).toBe(0);
  });

  it('exec --process FILE --detach --pid-file, as conmon and the containerd shim call it', async () => {
    const id = sleeper('exec-process', (c) => {
      c.root.readonly = false;
    });
    const proc = join(rt.dir, 'process.json');
    const name = `${id}.out`;
    writeFileSync(proc, JSON.stringify({ args: ['sh', '-c', `echo detached > /tmp/${name}`], cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin'] }));
    const pidFile = join(rt.dir, 'exec.pid');
    const r = rt.call(['exec', '--process', proc, '--detach', '--pid-file', pidFile, id]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Number(readFileSync(pidFile, 'utf8'))).toBeGreaterThan(0);
    const out = join(rt.rootfs, 'tmp', name);
    await until(() => existsSync(out) && readFileSync(out, 'utf8') === 'detached\n');
    expect(rt.call(['delete', '--force', id]).code).toBe(0);
  });

  it("every error reaches --log in the format asked for (runc's: level, msg, time)", () => {
    const json = join(rt.dir, 'log.json');
    for (const args of [['pause', 'no-such-container'], ['frobnicate'], ['checkpoint', 'x'], ['restore', 'x']]) {
      const r = rt.call(args, { globals: ['--log', json, '--log-format', 'json'] });
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const lines = readFileSync(json, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines).toHaveLength(4);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(['level', 'msg', 'time']);
      expect(l.level).toBe('error');
    }
    expect(lines[0]!.msg).toMatch(/no-such-container/);
    expect(lines[1]!.msg).toMatch(/frobnicate/);
    expect(lines[2]!.msg).toMatch(/checkpoint.*not supported/);
    const text = join(rt.dir, 'log.txt');
    rt.call(['resume', 'no-such-container'], { globals: ['--log', text, '--log-format', 'text'] });
    expect(readFileSync(text, 'utf8')).toMatch(/^time="[^"]+" level=error msg=".*no-such-container.*"\n$/);
  });

  it("features lists the commands that work, which are the CLI's but checkpoint and restore", () => {
    const f = JSON.parse(rt.call(['features']).stdout) as { annotations: Record<string, string> };
    const listed = f.annotations['org.opencontainers.conform.runtime.commands']!.split(',').sort();
    const help = rt.call(['--help']).stdout;
    const cli = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}(\w+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(listed).toEqual(cli.filter((c) => c !== 'checkpoint' && c !== 'restore').sort());
    expect(cli).toEqual(expect.arrayContaining(['checkpoint', 'restore']));
  });

  it("runs under podman 4.3's default seccomp profile, names it skips noted in --log only", async () => {
    // Recorded from podman itself (fixtures/engine-configs/README.md).
    const profile = (JSON.parse(readFileSync(new URL('../../fixtures/engine-configs/podman.json', import.meta.url), 'utf8')) as { linux: { seccomp: unknown } })
      .linux.seccomp;
    const id = ID('podman-seccomp');
    const b = rt.bundle('podman-seccomp', (c) => {
      c.process.args = ['sh', '-c', 'grep Seccomp: /proc/self/status; mkdir /tmp/ok && echo mkdir-ok'];
      c.root.readonly = false;
      c.linux.seccomp = profile;
    });
    const log = join(rt.dir, 'seccomp.log');
    const r = rt.call(['run', '--bundle', b, id], { globals: ['--log', log, '--log-format', 'json'] });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Seccomp:\t2\nmkdir-ok\n');
    const warnings = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(warnings).toEqual([expect.objectContaining({ level: 'warning', msg: expect.stringMatching(/skipped syscall names.*pciconfig_iobase/) })]);
  });

  it('runs a bundle as umoci unpacks it (image-spec conversion annotations, its own mounts)', () => {
    const umoci = JSON.parse(readFileSync(new URL('../../fixtures/bundles/umoci/config.json', import.meta.url), 'utf8'));
    const id = ID('umoci');
    const b = rt.bundle('umoci', (c) => {
      for (const k of Object.keys(c)) delete c[k];
      Object.assign(c, umoci, { root: { path: rt.rootfs } });
      c.process.terminal = false;
      c.process.args = ['sh', '-c', 'echo umoci-ok'];
    });
    const r = rt.call(['run', '--bundle', b, id]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('umoci-ok\n');
    expect(r.code).toBe(0);
  });
});
