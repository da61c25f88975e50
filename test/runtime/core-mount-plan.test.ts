import { existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/errors.js';
import { createDevices, DEFAULT_DEVICES, devSymlinks, finishRootfs, mountAll, pivotRoot, prepareRoot, type RootfsContext } from '../../runtime/mount/apply.js';
import { RootDir } from '../../runtime/mount/inroot.js';
import { MOUNT_ATTR, MS } from '../../runtime/mount/options.js';
import { planMounts } from '../../runtime/mount/plan.js';
import { FakeSyscalls } from '../../runtime/syscalls-fake.js';

describe('planMounts', () => {
  it('plans a filesystem mount with its flags and data', () => {
    const [m] = planMounts([{ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755'] }], '/b', { userns: false });
    expect(m).toMatchObject({ kind: 'fs', destination: '/dev', source: 'tmpfs', fstype: 'tmpfs', flags: MS.NOSUID | MS.STRICTATIME, data: 'mode=755' });
    expect(m!.remountFlags).toBeUndefined();
  });

  it('plans a bind mount as bind then remount with the other flags, source relative to the bundle', () => {
    const [m] = planMounts([{ destination: 'data', source: 'vol', options: ['rbind', 'ro', 'nosuid'] }], '/b', { userns: false });
    expect(m).toMatchObject({ kind: 'bind', destination: '/data', source: '/b/vol', flags: MS.BIND | MS.REC });
    expect(m!.remountFlags).toBe(MS.REMOUNT | MS.BIND | MS.REC | MS.RDONLY | MS.NOSUID);
  });

  it('keeps the listed order and marks cgroup mounts', () => {
    const plan = planMounts(
      [
        { destination: '/sys', type: 'sysfs', source: 'sysfs' },
        { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] },
      ],
      '/b',
      { userns: false },
    );
    expect(plan.map((m) => [m.index, m.kind])).toEqual([
      [0, 'fs'],
      [1, 'cgroup'],
    ]);
  });

  it('names the field when something is missing', () => {
    expect(() => planMounts([{ destination: '/x', options: ['bind'] }], '/b', { userns: false })).toThrow(
      new ConfigError('mounts[0].source', 'is required for a bind mount'),
    );
    expect(() => planMounts([{ destination: '/x', source: 'x' }], '/b', { userns: false })).toThrow(/mounts\[0\]\.type/);
  });

  it("plans id-mapped binds (the container's own mapping when none is given), and refuses those that cannot be, naming the mount", () => {
    const maps = { uidMappings: [{ containerID: 0, hostID: 100000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 10 }] };
    const plan = (m: Record<string, unknown>, userns = false) => planMounts([{ destination: '/x', source: '/y', ...m }], '/b', { userns })[0]!;
    expect(plan({ options: ['rbind', 'ridmap'], ...maps }).idmap).toEqual({ recursive: true, ...maps });
    expect(plan({ options: ['bind'], ...maps }).idmap).toEqual({ recursive: false, ...maps });
    expect(plan({ options: ['bind'] }).idmap).toBeUndefined();
    expect(() => plan({ options: ['bind', 'idmap'] })).toThrow(
      /mounts\[0\] "idmap" needs uidMappings and gidMappings when the container has no user namespace/,
    );
    expect(plan({ options: ['bind', 'idmap'] }, true).idmap).toEqual({ recursive: false });
    expect(plan({ options: ['bind', 'idmap'], ...maps }, true).idmap).toEqual({ recursive: false, ...maps });
    expect(() => plan({ type: 'tmpfs', options: ['idmap'], ...maps })).toThrow(/mounts\[0\]\.options .*need a bind mount/);
  });
});

describe('applying mounts (recording fake: mounts recorded, file work real)', () => {
  let dir: string;
  let r: string;
  let ctx: RootfsContext;
  let sys: FakeSyscalls;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'core-mount-'));
    r = join(dir, 'rootfs');
    mkdirSync(join(r, 'bin'), { recursive: true });
    mkdirSync(join(dir, 'vol'));
    writeFileSync(join(dir, 'file'), 'x');
    sys = new FakeSyscalls();
    ctx = { sys, root: RootDir.open(sys, r), scratch: join(dir, 'state'), cgroupSources: [{ name: 'cpu', hostPath: '/sys/fs/cgroup/cpu/c1' }] };
    sys.calls.length = 0;
  });
  afterEach(() => {
    ctx.root.close();
    rmSync(dir, { recursive: true, force: true });
  });
  /** The mount-related calls, each fd argument shown as the path it named. */
  const mounts = (names = ['mount', 'moveMount', 'mountSetattr', 'cloneTree', 'newTmpfs', 'mknodat', 'fchownat', 'symlinkat', 'unlinkat']) =>
    sys.resolved().filter((c) => names.includes(c[0]));

  it('moves the id-mapped tree the runtime made into place, then remounts it', () => {
    const maps = { uidMappings: [{ containerID: 0, hostID: 100000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 10 }] };
    const plan = planMounts([{ destination: '/data', source: join(dir, 'vol'), options: ['rbind', 'ridmap', 'ro'], ...maps }], dir, { userns: false });
    const asked: number[] = [];
    // A real fd, as the runtime's would be: apply closes it.
    mountAll({ ...ctx, idmappedTree: (m) => (asked.push(m.index), openSync('/dev/null', 'r')) }, plan);
    expect(asked).toEqual([0]);
    expect(mounts().map((c) => c.slice(0, 5))).toEqual([
      ['moveMount', '/dev/null', `${r}/data`],
      ['mount', null, `${r}/data`, null, MS.REMOUNT | MS.BIND | MS.REC | MS.RDONLY],
    ]);
    expect(() => mountAll(ctx, plan)).toThrow(/mounts\[0\] \(\/data\): id-mapped mounts need the runtime to make them/);
  });

  it('makes / a slave tree, then binds the rootfs to itself and opens it', () => {
    prepareRoot(sys, r).close();
    expect(sys.calls.slice(0, 2)).toEqual([
      { name: 'mount', args: [null, '/', null, MS.SLAVE | MS.REC, null] },
      { name: 'mount', args: [r, r, null, MS.BIND | MS.REC, null] },
    ]);
    expect(sys.names()[2]).toBe('openat2');
  });

  it('mounts in order onto fds of the destinations, creating missing ones (a file for a file bind)', () => {
    mountAll(
      ctx,
      planMounts(
        [
          { destination: '/proc', type: 'proc', source: 'proc' },
          { destination: '/data', source: join(dir, 'vol'), options: ['bind', 'ro'] },
          { destination: '/etc/hosts', source: join(dir, 'file'), options: ['bind'] },
          { destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['rprivate', 'rnosuid'] },
        ],
        dir,
        { userns: false },
      ),
    );
    expect(mounts().map((c) => c.slice(0, 5))).toEqual([
      ['mount', 'proc', `${r}/proc`, 'proc', 0],
      ['mount', join(dir, 'vol'), `${r}/data`, null, MS.BIND],
      ['mount', null, `${r}/data`, null, MS.REMOUNT | MS.BIND | MS.RDONLY],
      ['mount', join(dir, 'file'), `${r}/etc/hosts`, null, MS.BIND],
      ['mount', 'tmpfs', `${r}/mnt`, 'tmpfs', 0],
      ['mount', null, `${r}/mnt`, null, MS.PRIVATE | MS.REC],
      ['mountSetattr', `${r}/mnt`, true, { attrSet: 2n, attrClr: 0n, propagation: 0n }],
    ]);
    // Every target is a /proc/self/fd link (or an fd), never a path string the rootfs could redirect.
    for (const c of sys.calls.filter((x) => x.name === 'mount' && x.args[1] !== '/')) expect(c.args[1]).toMatch(/^\/proc\/self\/fd\/\d+$/);
    expect(lstatSync(`${r}/etc/hosts`).isFile()).toBe(true);
    expect(lstatSync(`${r}/proc`).isDirectory()).toBe(true);
  });

  it('resolves destinations inside the rootfs: symlinks out of it land inside it', () => {
    // Absolute, and "..", and a chain: each one, followed on the host, would leave the rootfs.
    symlinkSync(join(dir, 'vol'), join(r, 'hostpath'));
    symlinkSync('../../../../..', join(r, 'up'));
    symlinkSync('/up/hostpath', join(r, 'chain'));
    mountAll(
      ctx,
      planMounts(
        [
          { destination: '/hostpath/a', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/up/b', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/chain/c', type: 'tmpfs', source: 'tmpfs' },
        ],
        dir,
        { userns: false },
      ),
    );
    expect(mounts().map((c) => c[2])).toEqual([`${r}${dir}/vol/a`, `${r}/b`, `${r}${dir}/vol/c`]);
    expect(existsSync(join(dir, 'vol/a'))).toBe(false);
  });

  it('refuses a destination through a magic link (/proc/self/fd/N), naming the mount', () => {
    mkdirSync(join(r, 'proc/self'), { recursive: true });
    symlinkSync(`/proc/${process.pid}/fd/${ctx.root.fd}`, join(r, 'proc/self/magic'));
    // The link points at a path that does not exist in the rootfs: followed in root it is made there, not on the host.
    mountAll(ctx, planMounts([{ destination: '/proc/self/magic/x', type: 'tmpfs', source: 'tmpfs' }], dir, { userns: false }));
    expect(mounts()[0]![2]).toBe(`${r}/proc/${process.pid}/fd/${ctx.root.fd}/x`);
  });

  it('reports a missing bind source, and a destination it cannot make, with the mount named', () => {
    expect(() => mountAll(ctx, planMounts([{ destination: '/d', source: '/nonexistent-x', options: ['bind'] }], dir, { userns: false }))).toThrow(
      'mounts[0] (/d): bind source /nonexistent-x does not exist',
    );
    writeFileSync(join(r, 'bin/busybox'), '');
    expect(() => mountAll(ctx, planMounts([{ destination: '/bin/busybox/x', type: 'tmpfs', source: 'tmpfs' }], dir, { userns: false }))).toThrow(
      /^mounts\[0\] \(\/bin\/busybox\/x\): .*not a directory$/,
    );
  });

  it('emulates a v1 cgroup mount with a tmpfs and read-only binds', () => {
    mountAll(ctx, planMounts([{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'ro'] }], dir, { userns: false }));
    const d = `${r}/sys/fs/cgroup`;
    expect(mounts().map((c) => c.slice(1, 5))).toEqual([
      ['tmpfs', d, 'tmpfs', MS.NOSUID],
      ['/sys/fs/cgroup/cpu/c1', `${d}/cpu`, null, MS.BIND | MS.REC],
      [null, `${d}/cpu`, null, MS.REMOUNT | MS.BIND | MS.REC | MS.NOSUID | MS.RDONLY],
    ]);
  });

  it('repeats the locked flags when a bind remount is refused (user namespaces)', () => {
    sys.failWith('mount', 'EPERM', (a) => a[3] === (MS.REMOUNT | MS.BIND | MS.RDONLY));
    sys.mountFlags = 2 | 4 | 4096; // ST_NOSUID | ST_NODEV | ST_RELATIME
    mountAll(ctx, planMounts([{ destination: '/data', source: join(dir, 'vol'), options: ['bind', 'ro'] }], dir, { userns: false }));
    expect(mounts().at(-1)!.slice(1, 5)).toEqual([null, `${r}/data`, null, MS.REMOUNT | MS.BIND | MS.RDONLY | MS.NOSUID | MS.NODEV | MS.RELATIME]);
  });

  it('creates the default devices with mknodat, umask 0, and chown, in the rootfs', () => {
    createDevices(ctx, DEFAULT_DEVICES, false);
    const names = sys.names();
    expect(names[0]).toBe('umask');
    expect(names.at(-1)).toBe('umask');
    const mknods = mounts(['mknodat']).map((c) => c.slice(1));
    expect(mknods).toContainEqual([`${r}/dev`, 'null', 0o020666, 1, 3]);
    expect(mknods).toContainEqual([`${r}/dev`, 'tty', 0o020666, 5, 0]);
    expect(mknods).toHaveLength(6);
    expect(mounts(['fchownat'])).toHaveLength(6);
  });

  it('puts devices inside the rootfs when /dev is a symlink out of it', () => {
    symlinkSync(join(dir, 'vol'), join(r, 'dev'));
    createDevices(ctx, DEFAULT_DEVICES.slice(0, 1), false);
    expect(mounts(['mknodat'])[0]!.slice(1, 3)).toEqual([`${r}${dir}/vol`, 'null']);
  });

  it('binds host devices instead in a user namespace', () => {
    createDevices(ctx, DEFAULT_DEVICES.slice(0, 1), true);
    expect(mounts(['mount']).map((c) => c.slice(1, 5))).toEqual([['/dev/null', `${r}/dev/null`, null, MS.BIND]]);
  });

  it('refuses a different file where a device should be, and a symlink there, naming the field', () => {
    mkdirSync(join(r, 'dev'));
    writeFileSync(join(r, 'dev/fuse'), '');
    const fuse = { path: '/dev/fuse', type: 'c' as const, major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0, field: 'linux.devices[0]' };
    expect(() => createDevices(ctx, [fuse], false)).toThrow('linux.devices[0] (/dev/fuse): a different file already exists there');
    symlinkSync('/dev/null', join(r, 'dev/null'));
    expect(() => createDevices(ctx, DEFAULT_DEVICES.slice(0, 1), false)).toThrow('the default device /dev/null: a different file already exists there');
  });

  it('makes /dev/ptmx and the /dev/fd links relative to the /dev it resolved', () => {
    mkdirSync(join(r, 'dev/pts'), { recursive: true });
    writeFileSync(join(r, 'dev/pts/ptmx'), '');
    mkdirSync(join(r, 'proc/self/fd'), { recursive: true });
    devSymlinks(ctx);
    expect(readlinkSync(join(r, 'dev/ptmx'))).toBe('pts/ptmx');
    expect(readlinkSync(join(r, 'dev/stderr'))).toBe('/proc/self/fd/2');
  });

  it('pivots the runc way into the rootfs fd and detaches the old root', () => {
    pivotRoot(ctx);
    expect(sys.names()).toEqual(['fchdir', 'pivotRoot', 'fchdir', 'mount', 'umount2', 'chdir']);
    expect(sys.resolved()[0]).toEqual(['fchdir', r]);
    expect(sys.calls[1]!.args).toEqual(['.', '.']);
    expect(sys.calls[3]!.args).toEqual([null, '.', null, MS.SLAVE | MS.REC, null]);
  });

  it('after pivot: propagation, read-only paths and masked paths onto fds, read-only root', () => {
    finishRootfs(sys, {
      rootfsPropagation: 'shared',
      readonlyPaths: [dir, '/nonexistent-ro'],
      maskedPaths: [join(dir, 'vol'), join(dir, 'file'), '/nonexistent-m'],
      readonlyRoot: true,
    });
    expect(mounts().map((c) => c.slice(0, 3))).toEqual([
      ['mount', null, '/'],
      ['cloneTree', dir, ''],
      ['mountSetattr', '/dev/null', false],
      ['moveMount', '/dev/null', dir],
      ['newTmpfs', true],
      ['moveMount', '/dev/null', join(dir, 'vol')],
      ['cloneTree', '/dev/null', ''],
      ['moveMount', '/dev/null', join(dir, 'file')],
      ['mount', null, '/'],
    ]);
    expect(sys.calls[0]!.args[3]).toBe(MS.SHARED);
    expect(mounts(['mountSetattr'])[0]![3]).toEqual({ attrSet: MOUNT_ATTR.RDONLY, attrClr: 0n, propagation: 0n });
    expect((sys.calls.at(-1)!.args[3] as number) & (MS.RDONLY | MS.REMOUNT | MS.BIND)).toBe(MS.RDONLY | MS.REMOUNT | MS.BIND);
  });
});
