// Root-only: runs the built runtime (npm run build) on a busybox bundle in a temp dir.
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libc } from '../../runtime/syscalls-libc.js';
import { makeBusyboxRootfs } from '../helpers/busybox-rootfs.js';
import { processesMounting } from '../helpers/leftovers.js';
import { cannotRunContainers } from '../helpers/runtime-cli.js';

const repo = join(import.meta.dirname, '../..');
const bin = join(repo, 'bin/conform-runtime.js');
const canRun = cannotRunContainers() === undefined;

let dir: string;
let root: string;
let rootfs: string;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let calls = 0;
/** A test that runs many creates: each is a Node boot or two, which a loaded machine stretches. */
const SEVERAL_CREATES_MS = 300_000;

/**
 * One runtime call. `create` hands its stdio to the container, so its stdout and
 * stderr go to files (a pipe would stay open as long as the container runs).
 */
function rt(args: string[], stdio?: { out: string }): Result {
  const toFiles = args[0] === 'create' || args[0] === 'run';
  const out = stdio?.out ?? join(dir, `call-${++calls}.out`);
  const errFile = join(dir, `call-${calls}.err`);
  const fds = toFiles ? [openSync(out, 'a'), openSync(errFile, 'w+')] : [];
  try {
    const r = spawnSync(process.execPath, [bin, '--root', root, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
      stdio: ['ignore', fds[0] ?? 'pipe', fds[1] ?? 'pipe'],
    });
    const stderr = toFiles ? readFileSync(errFile, 'utf8') : (r.stderr ?? '');
    return { code: r.status, stdout: r.stdout ?? '', stderr };
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test edits reach anywhere
function bundle(name: string, edit: (c: Record<string, any>) => void = () => {}): string {
  const b = join(dir, name);
  mkdirSync(b);
  const r = spawnSync(process.execPath, [bin, 'spec', '--bundle', b], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  const c = JSON.parse(readFileSync(join(b, 'config.json'), 'utf8'));
  c.root = { path: rootfs, readonly: true };
  delete c.linux.resources;
  c.process.args = ['sh', '-c', 'echo hello from $(hostname)'];
  edit(c);
  writeFileSync(join(b, 'config.json'), JSON.stringify(c));
  return b;
}

async function until(what: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const status = (id: string): string => {
  const r = rt(['state', id]);
  return r.code === 0 ? (JSON.parse(r.stdout) as { status: string }).status : 'absent';
};

/** Processes that hold our directory in their mounts: a leaked container. */
const leftovers = (): string[] => processesMounting(dir);

describe.skipIf(!canRun)('conform-runtime on a busybox bundle (root)', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'core-it-'));
    chmodSync(dir, 0o755); // a container root in a user namespace is another host uid
    root = join(dir, 'state');
    rootfs = join(dir, 'rootfs');
    makeBusyboxRootfs(rootfs);
  });
  afterAll(() => {
    for (const id of existsSync(root) ? readdirSync(root) : []) rt(['delete', '--force', id]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('create → created, start runs the process, stopped, delete removes it', async () => {
    const b = bundle('life');
    const out = join(dir, 'life.out');
    const c = rt(['create', '--bundle', b, '--pid-file', join(dir, 'life.pid'), 'life'], { out });
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    const st = JSON.parse(rt(['state', 'life']).stdout) as Record<string, unknown>;
    expect(st).toMatchObject({ ociVersion: '1.3.0', id: 'life', status: 'created', bundle: b });
    expect(readFileSync(join(dir, 'life.pid'), 'utf8')).toBe(String(st.pid));
    expect(readFileSync(out, 'utf8')).toBe(''); // nothing runs before start
    expect(rt(['start', 'life']).code).toBe(0);
    await until(() => status('life') === 'stopped');
    expect(readFileSync(out, 'utf8')).toBe('hello from conform\n');
    expect(rt(['start', 'life']).code).toBe(1);
    expect(rt(['delete', 'life']).code).toBe(0);
    expect(status('life')).toBe('absent');
    expect(existsSync(join(root, 'life'))).toBe(false);
  });

  it('a relative --root names a directory below the working directory, as runc takes it', () => {
    const b = bundle('relroot');
    const call = (args: string[]): Result => {
      const err = join(dir, `call-${++calls}.err`);
      const fd = openSync(err, 'w+');
      try {
        const r = spawnSync(process.execPath, [bin, '--root', 'rel-state', ...args], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 20_000,
          stdio: ['ignore', 'pipe', fd],
        });
        return { code: r.status, stdout: r.stdout ?? '', stderr: readFileSync(err, 'utf8') };
      } finally {
        closeSync(fd);
      }
    };
    const c = call(['create', '--bundle', b, 'relroot']);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    expect(existsSync(join(dir, 'rel-state', 'relroot', 'state.json'))).toBe(true);
    expect(JSON.parse(call(['state', 'relroot']).stdout)).toMatchObject({ id: 'relroot', status: 'created' });
    expect(call(['delete', '--force', 'relroot']).code).toBe(0);
    expect(existsSync(join(dir, 'rel-state', 'relroot'))).toBe(false);
  });

  it('a config without process is created (process is OPTIONAL until start); start refuses it and changes nothing', async () => {
    const b = bundle('np', (c) => {
      delete c.process;
    });
    expect(rt(['create', '-b', b, 'np']).code).toBe(0);
    expect(status('np')).toBe('created');
    const s = rt(['start', 'np']);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/^conform-runtime: .*no process in its config.json/);
    expect(status('np')).toBe('created');
    expect(rt(['delete', 'np']).code).toBe(1); // not stopped
    expect(rt(['kill', 'np', 'KILL']).code).toBe(0);
    await until(() => status('np') === 'stopped');
    expect(rt(['delete', 'np']).code).toBe(0);
    expect(leftovers()).toEqual([]);
  });

  it(
    'kill delivers signals; delete refuses a running container unless --force',
    async () => {
      const b = bundle('k', (c) => {
        c.process.args = ['sleep', '1000'];
      });
      expect(rt(['create', '-b', b, 'k']).code).toBe(0);
      expect(rt(['kill', 'k', 'TERM']).code).toBe(0); // a created init ends on SIGTERM, as runc's does
      await until(() => status('k') === 'stopped');
      expect(rt(['kill', 'k', 'KILL']).code).toBe(1);
      expect(rt(['delete', 'k']).code).toBe(0);

      expect(rt(['create', '-b', b, 'k2']).code).toBe(0);
      expect(rt(['start', 'k2']).code).toBe(0);
      expect(status('k2')).toBe('running');
      expect(rt(['kill', 'k2', 'NOSUCHSIG']).stderr).toMatch(/^conform-runtime: kill k2: invalid signal/);
      const d = rt(['delete', 'k2']);
      expect(d.code).toBe(1);
      expect(d.stderr).toMatch(/^conform-runtime: delete k2: container k2 is running/);
      expect(status('k2')).toBe('running');
      expect(rt(['kill', 'k2', '9']).code).toBe(0);
      await until(() => status('k2') === 'stopped');
      expect(rt(['delete', 'k2']).code).toBe(0);
      expect(rt(['create', '-b', b, 'k3']).code).toBe(0);
      expect(rt(['delete', '--force', 'k3']).code).toBe(0);
      expect(status('k3')).toBe('absent');
    },
    SEVERAL_CREATES_MS,
  );

  it('runs the hooks at their points with the state on stdin', async () => {
    const log = join(dir, 'hooks.log');
    const hook = join(dir, 'hook.sh');
    writeFileSync(hook, `#!/bin/sh\necho "$1 $(cat)" >> ${log}\n`);
    chmodSync(hook, 0o755);
    const names = ['prestart', 'createRuntime', 'createContainer', 'poststart', 'poststop'];
    const b = bundle('h', (c) => {
      c.hooks = Object.fromEntries(names.map((n) => [n, [{ path: hook, args: ['hook.sh', n] }]]));
    });
    expect(rt(['create', '-b', b, 'h']).code).toBe(0);
    expect(rt(['start', 'h']).code).toBe(0);
    await until(() => status('h') === 'stopped');
    expect(rt(['delete', 'h']).code).toBe(0);
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const [name, ...json] = l.split(' ');
        return [name, (JSON.parse(json.join(' ')) as { status: string }).status];
      });
    expect(lines).toEqual([
      ['prestart', 'creating'],
      ['createRuntime', 'creating'],
      ['createContainer', 'creating'],
      ['poststart', 'running'],
      ['poststop', 'stopped'],
    ]);
  });

  it(
    'bad input: one line on stderr, exit 1, nothing left behind',
    () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test edits
      const cases: Array<[string, (c: Record<string, any>) => void, RegExp]> = [
        [
          'cwd',
          (c) => {
            c.process.cwd = 'rel';
          },
          /config\.json: process\.cwd must be an absolute path/,
        ],
        [
          'ns',
          (c) => {
            c.linux.namespaces.push({ type: 'bogus' });
          },
          /linux\.namespaces\[\d\]\.type "bogus"/,
        ],
        [
          'rootfs',
          (c) => {
            c.root.path = join(dir, 'nope');
          },
          /root\.path .* does not exist/,
        ],
        [
          'prog',
          (c) => {
            c.process.args = ['no-such-program'];
          },
          /process\.args\[0\]: no-such-program was not found/,
        ],
        [
          'hook',
          (c) => {
            c.hooks = { createRuntime: [{ path: '/bin/false' }] };
          },
          /hooks\.createRuntime\[0\]: \/bin\/false exited with status 1/,
        ],
        [
          'hang',
          (c) => {
            c.hooks = { prestart: [{ path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }] };
          },
          /timed out after 1s/,
        ],
        [
          'schema',
          (c) => {
            c.process.apparmorProfile = 5;
          },
          /config\.json: process\.apparmorProfile/,
        ],
        [
          'cgroup',
          (c) => {
            c.linux.resources = { pids: { limit: 'x' } };
          },
          /linux\.resources\.pids\.limit/,
        ],
        [
          'rlimit',
          (c) => {
            c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2 ** 30, hard: 2 ** 30 }];
          },
          /process\.rlimits: cannot set RLIMIT_NOFILE/,
        ],
        [
          'apparmor',
          (c) => {
            c.process.apparmorProfile = 'unconfined';
          },
          /config\.json: process\.apparmorProfile cannot be applied/,
        ],
        [
          'selinux',
          (c) => {
            c.linux.mountLabel = 'system_u:object_r:container_file_t:s0';
          },
          /config\.json: linux\.mountLabel cannot be applied/,
        ],
        [
          'vm',
          (c) => {
            c.vm = { hypervisor: { path: '/usr/bin/qemu' }, kernel: { path: '/boot/k' } };
          },
          /config\.json: vm cannot be applied/,
        ],
        [
          'tty',
          (c) => {
            c.process.terminal = true;
          },
          /process\.terminal is true: give --console-socket/,
        ],
        [
          'sched',
          (c) => {
            c.process.scheduler = { policy: 'SCHED_FIFO', priority: 50 };
          },
          /config\.json: process\.scheduler cannot be applied: .*EPERM/,
        ],
        [
          'version',
          (c) => {
            c.ociVersion = '1.4.0';
          },
          /config\.json: ociVersion 1\.4\.0 is not supported/,
        ],
      ];
      for (const [name, edit, message] of cases) {
        const b = bundle(`bad-${name}`, edit);
        const r = rt(['create', '-b', b, `bad-${name}`]);
        expect(r.code, name).toBe(1);
        expect(r.stderr.trim().split('\n'), name).toHaveLength(1);
        expect(r.stderr, name).toMatch(message);
        expect(existsSync(join(root, `bad-${name}`)), name).toBe(false);
      }
      expect(rt(['create', '-b', join(dir, 'missing'), 'x']).stderr).toMatch(/bundle .* does not exist/);
      const dup = bundle('dup', (c) => {
        c.process.args = ['sleep', '100'];
      });
      expect(rt(['create', '-b', dup, 'dup']).code).toBe(0);
      const again = rt(['create', '-b', dup, 'dup']);
      expect(again.stderr).toBe('conform-runtime: create dup: container dup already exists\n');
      expect(rt(['delete', '--force', 'dup']).code).toBe(0);
      // Other work on this machine may mount things meanwhile: only ours count.
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(dir);
      expect(leftovers()).toEqual([]);
      expect(existsSync('/sys/fs/cgroup/pids/conform/bad-hook')).toBe(false);
    },
    SEVERAL_CREATES_MS,
  );

  it('exec runs a process inside; run waits and returns the status', () => {
    const b = bundle('ex', (c) => {
      c.process.args = ['sleep', '1000'];
    });
    expect(rt(['create', '-b', b, 'ex']).code).toBe(0);
    expect(rt(['start', 'ex']).code).toBe(0);
    const r = rt(['exec', 'ex', 'sh', '-c', 'hostname; echo $$; exit 4']);
    expect(r.code).toBe(4);
    expect(r.stdout.split('\n').slice(0, 1)).toEqual(['conform']);
    expect(Number(r.stdout.split('\n')[1])).toBeGreaterThan(1); // a pid in the container's namespace
    expect(rt(['delete', '--force', 'ex']).code).toBe(0);
    const rb = bundle('runme', (c) => {
      c.process.args = ['sh', '-c', 'exit 3'];
    });
    expect(rt(['run', '-b', rb, 'runme']).code).toBe(3);
    expect(status('runme')).toBe('absent');
  });

  it('with a pids limit nsexec joins the cgroups before it forks: pids.limit 0 is refused at create, every time', () => {
    // Joined while its Node boots (as without a pids limit), the init could be refused a
    // thread after the join and hang; before the fork, the limit refuses nsexec's fork.
    const b = bundle('pids-zero', (c) => {
      c.linux.resources = { pids: { limit: 0 } };
      // A new cgroup namespace has nsexec join first too: without one, the limit alone decides.
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'cgroup');
    });
    for (let i = 0; i < 5; i++) {
      const r = rt(['create', '--bundle', b, `pids-zero-${i}`]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/nsexec: fork: Resource temporarily unavailable/);
      expect(status(`pids-zero-${i}`)).toBe('absent');
    }
  });

  it('a user namespace with id maps', () => {
    const b = bundle('userns', (c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
      c.process.args = ['sh', '-c', 'id -u; cat /proc/self/uid_map'];
    });
    const out = join(dir, 'userns.out');
    expect(rt(['run', '-b', b, 'userns'], { out }).code).toBe(0);
    expect(readFileSync(out, 'utf8').split('\n')[0]).toBe('0');
    expect(readFileSync(out, 'utf8')).toMatch(/^\s*0\s+200000\s+65536$/m);
  });

  it('process.terminal: the pty master arrives over --console-socket; the slave is the stdio, controlling terminal and /dev/console', async () => {
    const path = join(dir, 'console.sock');
    const conns: Socket[] = [];
    const server = createServer({ pauseOnConnect: true }, (c) => conns.push(c));
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const b = bundle('tty', (c) => {
        c.process.terminal = true;
        c.process.consoleSize = { height: 33, width: 111 };
        c.process.args = ['sh', '-c', 'stty size; tty; stat -L -c %t:%T /dev/console /proc/self/fd/0; cut -d" " -f7 /proc/self/stat'];
      });
      const out = join(dir, 'tty.out');
      const c = rt(['create', '-b', b, '--console-socket', path, 'tty'], { out });
      expect(c.stderr).toBe('');
      expect(c.code).toBe(0);
      await until(() => conns.length > 0);
      // Node has no API for an accepted socket's descriptor, nor for SCM_RIGHTS: the runtime's own syscall layer receives.
      const sock = (conns[0] as unknown as { _handle: { fd: number } })._handle.fd;
      const sys = libc();
      const msg = sys.recvFd(sock);
      expect(msg.data).toBe('/dev/ptmx');
      const master = msg.fd!;
      expect(master).toBeGreaterThan(2);
      try {
        expect(sys.getWinsize(master)).toEqual({ rows: 33, cols: 111 });
        expect(rt(['start', 'tty']).code).toBe(0);
        sys.setNonblocking(master, true);
        let text = '';
        const buf = Buffer.alloc(4096);
        const end = Date.now() + 10_000;
        for (;;) {
          let n = -1;
          try {
            n = readSync(master, buf);
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') break; // EIO: the slave's last holder exited
          }
          if (n === 0 || Date.now() > end) break;
          if (n > 0) text += buf.toString('utf8', 0, n);
          else await new Promise((r) => setTimeout(r, 10));
        }
        const [size, name, consoleNumbers, stdinNumbers, ttyNr] = text.split('\r\n');
        expect(size).toBe('33 111');
        expect(name).toMatch(/^\/dev\/pts\/\d+$/);
        expect(consoleNumbers).toBe(stdinNumbers);
        expect(parseInt(consoleNumbers!.split(':')[0]!, 16)).toBe(136);
        const minor = Number(name!.split('/').pop());
        expect(Number(ttyNr)).toBe((136 << 8) | minor); // the controlling terminal
        expect(readFileSync(out, 'utf8')).toBe(''); // nothing went to create's stdio
      } finally {
        closeSync(master);
      }
      await until(() => status('tty') === 'stopped');
      expect(rt(['delete', 'tty']).code).toBe(0);
      expect(rt(['create', '-b', bundle('tty-no-term'), '--console-socket', path, 'tty-no-term']).code).toBe(1);
    } finally {
      for (const c of conns) c.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('scheduler, ioPriority, personality, memoryPolicy and RLIM_INFINITY reach the process', () => {
    const b = bundle('attrs', (c) => {
      c.ociVersion = '1.3.0';
      c.process.scheduler = { policy: 'SCHED_BATCH', nice: 5 };
      c.process.ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 7 };
      // eslint-disable-next-line no-loss-of-precision -- RLIM_INFINITY as a config writes it; the file's digits are put back below
      c.process.rlimits = [{ type: 'RLIMIT_CPU', soft: 1234, hard: 18446744073709551615 }];
      c.linux.personality = { domain: 'LINUX32' };
      c.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' };
      c.process.args = [
        'sh',
        '-c',
        'uname -m; cut -d" " -f19,41 /proc/self/stat; ionice -p $$; grep -m1 -o "bind:[0-9]*" /proc/self/numa_maps; grep "Max cpu time" /proc/self/limits',
      ];
    });
    // JSON.stringify wrote RLIM_INFINITY as 18446744073709552000: put back the digits a config has.
    const file = join(b, 'config.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('18446744073709552000', '18446744073709551615'));
    const out = join(dir, 'attrs.out');
    const r = rt(['run', '-b', b, 'attrs'], { out });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines.slice(0, 4)).toEqual(['i686', '5 3', 'idle', 'bind:0']);
    expect(lines[4]).toMatch(/^Max cpu time\s+1234\s+unlimited\s+seconds/);
  });

  it("exec: execCPUAffinity.final and the scheduler apply to the exec'd process", () => {
    const b = bundle('aff', (c) => {
      c.process.args = ['sleep', '1000'];
    });
    expect(rt(['create', '-b', b, 'aff']).code).toBe(0);
    expect(rt(['start', 'aff']).code).toBe(0);
    const p = join(dir, 'aff-process.json');
    writeFileSync(
      p,
      JSON.stringify({
        args: ['sh', '-c', 'grep Cpus_allowed_list /proc/self/status; cut -d" " -f41 /proc/self/stat'],
        cwd: '/',
        user: { uid: 0, gid: 0 },
        env: ['PATH=/bin'],
        execCPUAffinity: { initial: '0', final: '0' },
        scheduler: { policy: 'SCHED_IDLE' },
      }),
    );
    const r = rt(['exec', '--process', p, 'aff']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^Cpus_allowed_list:\s+0$/), '5']);
    expect(rt(['delete', '--force', 'aff']).code).toBe(0);
  });

  it('start fails when the init has died', async () => {
    const b = bundle('dead', (c) => {
      c.process.args = ['true'];
    });
    expect(rt(['create', '-b', b, 'dead']).code).toBe(0);
    const pid = (JSON.parse(rt(['state', 'dead']).stdout) as { pid: number }).pid;
    process.kill(pid, 'SIGKILL');
    await until(() => status('dead') === 'stopped');
    const r = rt(['start', 'dead']);
    expect(r.code).toBe(1);
    expect(rt(['delete', 'dead']).code).toBe(0);
  });
});
