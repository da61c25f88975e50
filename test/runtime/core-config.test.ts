import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../runtime/config/validate.js';
import { planNamespaces, CLONE_FLAGS, idMapText } from '../../runtime/namespaces.js';

const base = () => ({
  ociVersion: '1.2.0',
  root: { path: 'rootfs' },
  process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 } },
  linux: { namespaces: [{ type: 'mount' }, { type: 'pid' }] },
});

// any: the edits reach anywhere in a test config, valid or not.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function errorOf(edit: (c: any) => void): string {
  const c = base();
  edit(c);
  try {
    checkConfig(c, { requireProcess: true });
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('checkConfig: one line naming the field', () => {
  it('accepts a minimal config', () => expect(errorOf(() => {})).toBe('no error'));
  it('cwd', () =>
    expect(
      errorOf((c) => {
        c.process.cwd = 'tmp';
      }),
    ).toBe('config.json: process.cwd must be an absolute path'));
  it('args', () =>
    expect(
      errorOf((c) => {
        c.process.args = [];
      }),
    ).toBe('config.json: process.args must be a non-empty array of strings'));
  it('ociVersion', () =>
    expect(
      errorOf((c) => {
        c.ociVersion = '2.0.0';
      }),
    ).toMatch(/^config\.json: ociVersion 2\.0\.0 is not supported by this runtime/));
  it("ociVersion: features' ociVersionMin to ociVersionMax and its patch releases", () => {
    for (const v of ['1.0.0', '1.0.2-dev', '1.2.1', '1.3.0', '1.3.7', '1.3.0+build'])
      expect(
        errorOf((c) => {
          c.ociVersion = v;
        }),
        v,
      ).toBe('no error');
    for (const v of ['1.4.0', '1.4.0-rc.1', '0.5.0', '1.0.0-rc.5'])
      expect(
        errorOf((c) => {
          c.ociVersion = v;
        }),
        v,
      ).toMatch(/is not supported by this runtime/);
    expect(
      errorOf((c) => {
        c.ociVersion = '1.0';
      }),
    ).toMatch(/^config\.json: ociVersion must be a SemVer 2\.0\.0 version/);
  });
  it('unknown properties of process.capabilities are ignored', () =>
    expect(
      errorOf((c) => {
        c.process.capabilities = { bounding: [], future: 'x' };
      }),
    ).toBe('no error'));
  it('root', () =>
    expect(
      errorOf((c) => {
        delete c.root;
      }),
    ).toBe('config.json: root is required on Linux'));
  it('process when starting', () =>
    expect(
      errorOf((c) => {
        delete c.process;
      }),
    ).toBe('config.json: process is required to run the container'));
  it('unknown namespace', () =>
    expect(
      errorOf((c) => {
        c.linux.namespaces.push({ type: 'foo' });
      }),
    ).toMatch(/^config\.json: linux\.namespaces\[2\]\.type "foo" is not a namespace type/));
  it('duplicate namespace', () =>
    expect(
      errorOf((c) => {
        c.linux.namespaces.push({ type: 'pid' });
      }),
    ).toBe('config.json: linux.namespaces[2].type pid is given twice'));
  it('duplicate rlimit', () =>
    expect(
      errorOf((c) => {
        c.process.rlimits = [
          { type: 'RLIMIT_NOFILE', soft: 1, hard: 2 },
          { type: 'RLIMIT_NOFILE', soft: 1, hard: 2 },
        ];
      }),
    ).toBe('config.json: process.rlimits[1].type RLIMIT_NOFILE is given twice'));
  it('unknown rlimit', () =>
    expect(
      errorOf((c) => {
        c.process.rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 2 }];
      }),
    ).toMatch(/RLIMIT_FOO is not a Linux resource limit/));
  it('hook path', () =>
    expect(
      errorOf((c) => {
        c.hooks = { prestart: [{ path: 'rel' }] };
      }),
    ).toBe('config.json: hooks.prestart[0].path must be an absolute path'));
  it('hook timeout', () =>
    expect(
      errorOf((c) => {
        c.hooks = { poststop: [{ path: '/x', timeout: 0 }] };
      }),
    ).toBe('config.json: hooks.poststop[0].timeout must be an integer greater than zero'));
  it('maps without a user namespace', () =>
    expect(
      errorOf((c) => {
        c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      }),
    ).toBe('config.json: linux.uidMappings needs a user namespace in linux.namespaces'));
  it('ids: (uid_t)-1 never passes (it would mean "no change": root)', () => {
    expect(
      errorOf((c) => {
        c.process.user.uid = 4294967295;
      }),
    ).toMatch(/^config\.json: process\.user\.uid must be from 0 to 4294967294/);
    expect(
      errorOf((c) => {
        c.process.user.gid = 4294967295;
      }),
    ).toMatch(/^config\.json: process\.user\.gid must be from 0 to 4294967294/);
    expect(
      errorOf((c) => {
        c.process.user.additionalGids = [3, 4294967295];
      }),
    ).toMatch(/^config\.json: process\.user\.additionalGids\[1\] must be from 0/);
    expect(
      errorOf((c) => {
        c.process.user.uid = 4294967294;
      }),
    ).toBe('no error');
  });
  it('ids must be mapped in a new user namespace', () =>
    expect(
      errorOf((c) => {
        c.linux.namespaces.push({ type: 'user' });
        c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 10 }];
        c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 10 }];
        c.process.user.uid = 10;
      }),
    ).toBe("config.json: process.user.uid 10 is not mapped in the container's user namespace (linux.uidMappings)"));
  it('env entries are NAME=value (runc refuses the rest too)', () => {
    expect(
      errorOf((c) => {
        c.process.env = ['PATH=/bin', 'JUNK'];
      }),
    ).toBe('config.json: process.env[1] "JUNK" must be NAME=value');
    expect(
      errorOf((c) => {
        c.process.env = ['=x'];
      }),
    ).toBe('config.json: process.env[0] must have a name before "="');
    expect(
      errorOf((c) => {
        c.hooks = { poststop: [{ path: '/x', env: ['A=b\u0000'] }] };
      }),
    ).toBe('config.json: hooks.poststop[0].env[0] must not contain a NUL byte');
  });
  it('what the kernel cannot take: long host names, umask bits, device numbers, time offsets, sysctl names', () => {
    expect(
      errorOf((c) => {
        c.hostname = 'h'.repeat(65);
      }),
    ).toBe('config.json: hostname must be at most 64 bytes (HOST_NAME_MAX)');
    expect(
      errorOf((c) => {
        c.process.user.umask = 0o1022;
      }),
    ).toMatch(/^config\.json: process\.user\.umask must be an integer from 0 to 511/);
    expect(
      errorOf((c) => {
        c.linux.devices = [{ path: '/dev/x', type: 'c', major: 4096, minor: 0 }];
      }),
    ).toMatch(/^config\.json: linux\.devices\[0\] major must be from 0 to 4095/);
    expect(
      errorOf((c) => {
        c.linux.namespaces.push({ type: 'time' });
        c.linux.timeOffsets = { boottime: { secs: 1, nanosecs: 1e9 } };
      }),
    ).toMatch(/^config\.json: linux\.timeOffsets\.boottime\.nanosecs must be an integer from 0 to 999999999/);
    expect(
      errorOf((c) => {
        c.linux.sysctl = { 'net/../../../etc/passwd': 'x' };
      }),
    ).toMatch(/^config\.json: linux\.sysctl\.net\/\.\.\/\.\.\/\.\.\/etc\/passwd is not a sysctl name/);
  });
  it('a config that is not an object is one line saying what it is', () => {
    expect(() => checkConfig(null, { requireProcess: true })).toThrow('config.json: must be a JSON object, not null');
    expect(() => checkConfig([], { requireProcess: true })).toThrow('config.json: must be a JSON object, not an array');
  });
  it('ignores unknown properties', () =>
    expect(
      errorOf((c) => {
        c.foo = 1;
        c.process.bar = {};
      }),
    ).toBe('no error'));
});

describe('planNamespaces', () => {
  it('unshares new namespaces and joins paths', () => {
    const p = planNamespaces({ namespaces: [{ type: 'mount' }, { type: 'pid' }, { type: 'network', path: '/run/netns/a' }, { type: 'uts' }] });
    expect(p.args).toEqual(['-j', 'net:/run/netns/a', '-u', String(CLONE_FLAGS.mount | CLONE_FLAGS.pid | CLONE_FLAGS.uts)]);
    expect(p.mount).toBe('new');
    expect(p.newUserns).toBe(false);
    expect(p.newCgroupns).toBe(false);
    expect(planNamespaces({ namespaces: [{ type: 'mount' }, { type: 'cgroup' }] }).newCgroupns).toBe(true);
    expect(planNamespaces({ namespaces: [{ type: 'mount' }, { type: 'cgroup', path: '/proc/1/ns/cgroup' }] }).newCgroupns).toBe(false);
  });

  it('leaves a mount namespace path to the init', () => {
    const p = planNamespaces({ namespaces: [{ type: 'mount', path: '/proc/1/ns/mnt' }] });
    expect(p.mount).toEqual({ path: '/proc/1/ns/mnt' });
    expect(p.args).toEqual([]);
  });

  it('requires a mount namespace and id maps for a new user namespace', () => {
    expect(() => planNamespaces({ namespaces: [{ type: 'pid' }] })).toThrow(/linux\.namespaces needs a mount namespace/);
    expect(() => planNamespaces({ namespaces: [{ type: 'mount' }, { type: 'user' }] })).toThrow(/linux\.uidMappings/);
  });

  it('passes time offsets', () => {
    const p = planNamespaces({
      namespaces: [{ type: 'mount' }, { type: 'time' }],
      timeOffsets: { monotonic: { secs: 10 }, boottime: { secs: 1, nanosecs: 5 } },
    });
    expect(p.args.slice(-2)).toEqual(['-t', 'monotonic 10 0\nboottime 1 5']);
  });

  it('writes id maps in /proc/PID/uid_map form', () => {
    expect(
      idMapText([
        { containerID: 0, hostID: 1000, size: 10 },
        { containerID: 10, hostID: 5000, size: 1 },
      ]),
    ).toBe('0 1000 10\n10 5000 1\n');
  });
});

describe('checkSchema: warnings that matter reach the normal log', () => {
  it('an unknown capability (config.md: MUST be logged) at warning level, style only with --debug', async () => {
    const { checkSchema } = await import('../../runtime/config/schema-check.js');
    const { Logger } = await import('../../runtime/log.js');
    const seen: string[] = [];
    const log = new Logger();
    log.warn = (m: string) => void seen.push(`warn ${m}`);
    log.debug = (m: string) => void seen.push(`debug ${m}`);
    const config = {
      ociVersion: '1.3.0',
      root: { path: '/nonexistent-root-for-the-check' }, // not the conventional rootfs: style
      process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 }, capabilities: { bounding: ['CAP_NOT_A_CAP'] } },
      linux: { namespaces: [{ type: 'mount' }] },
    };
    checkSchema(JSON.stringify(config), undefined, log);
    expect(seen).toContainEqual(expect.stringMatching(/^warn config\.json: process\.capabilities\.bounding\[0\] CAP_NOT_A_CAP is not a capability/));
    expect(seen).toContainEqual(expect.stringMatching(/^debug config\.json: root\.path should be the conventional rootfs/));
  });
});
