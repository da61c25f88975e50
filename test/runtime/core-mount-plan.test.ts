import { mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../runtime/errors.js';
import { createDevices, DEFAULT_DEVICES, finishRootfs, mountAll, pivotRoot, prepareRoot, type RootfsContext } from '../../runtime/mount/apply.js';
import { MS } from '../../runtime/mount/options.js';
import { planMounts } from '../../runtime/mount/plan.js';
import { secureJoin } from '../../runtime/mount/paths.js';
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
    const plan = planMounts([
      { destination: '/sys', type: 'sysfs', source: 'sysfs' },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro'] },
    ], '/b', { userns: false });
    expect(plan.map((m) => [m.index, m.kind])).toEqual([[0, 'fs'], [1, 'cgroup']]);
  });

  it('names the field when something is missing', () => {
    expect(() => planMounts([{ destination: '/x', options: ['bind'] }], '/b', { userns: false })).toThrow(new ConfigError('mounts[0].source', 'is required for a bind mount'));
    expect(() => planMounts([{ destination: '/x', source: 'x' }], '/b', { userns: false })).toThrow(/mounts\[0\]\.type/);
  });

  it('plans id-mapped binds (the container\'s own mapping when none is given), and refuses those that cannot be, naming the mount', () => {
    const maps = { uidMappings: [{ containerID: 0, hostID: 100000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 10 }] };
    const plan = (m: Record<string, unknown>, userns = false) => planMounts([{ destination: '/x', source: '/y', ...m }], '/b', { userns })[0]!;
    expect(plan({ options: ['rbind', 'ridmap'], ...maps }).idmap).toEqual({ recursive: true, ...maps });
    expect(plan({ options: ['bind'], ...maps }).idmap).toEqual({ recursive: false, ...maps });
    expect(plan({ options: ['bind'] }).idmap).toBeUndefined();
    expect(() => plan({ options: ['bind', 'idmap'] })).toThrow(/mounts\[0\] "idmap" needs uidMappings and gidMappings when the container has no user namespace/);
    expect(plan({ options: ['bind', 'idmap'] }, true).idmap).toEqual({ recursive: false });
    expect(plan({ options: ['bind', 'idmap'], ...maps }, true).idmap).toEqual({ recursive: false, ...maps });
    expect(() => plan({ type: 'tmpfs', options: ['idmap'], ...maps })).toThrow(/mounts\[0\]\.options .*need a bind mount/);
  });
});

describe('applying mounts (recording fake)', () => {
  let dir: string;
  let ctx: RootfsContext;
  let sys: FakeSyscalls;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'core-mount-'));
    mkdirSync(join(dir, 'rootfs/bin'), { recursive: true });
    mkdirSync(join(dir, 'vol'));
    writeFileSync(join(dir, 'file'), 'x');
    sys = new FakeSyscalls();
    ctx = { sys, rootfs: join(dir, 'rootfs'), scratch: join(dir, 'state'), cgroupSources: [{ name: 'cpu', hostPath: '/sys/fs/cgroup/cpu/c1' }] };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('moves the id-mapped tree the runtime made into place, then remounts', () => {
    const maps = { uidMappings: [{ containerID: 0, hostID: 100000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 200000, size: 10 }] };
    const plan = planMounts([{ destination: '/data', source: join(dir, 'vol'), options: ['rbind', 'ridmap', 'ro'], ...maps }], dir, { userns: false });
    const asked: number[] = [];
    // A real fd, as the runtime's would be: apply closes it.
    mountAll({ ...ctx, idmappedTree: (m) => (asked.push(m.index), openSync('/dev/null', 'r')) }, plan);
    expect(asked).toEqual([0]);
    expect(sys.calls.map((c) => [c.name, ...c.args.slice(1, 4)])).toEqual([
      ['moveMount', `${ctx.rootfs}/data`],
      ['mount', `${ctx.rootfs}/data`, null, MS.REMOUNT | MS.BIND | MS.REC | MS.RDONLY],
    ]);
    expect(() => mountAll(ctx, plan)).toThrow(/mounts\[0\] \(\/data\): id-mapped mounts need the runtime to make them/);
  });

  it('makes / a slave tree, then binds the rootfs to itself', () => {
    prepareRoot(ctx);
    expect(sys.calls).toEqual([
      { name: 'mount', args: [null, '/', null, MS.SLAVE | MS.REC, null] },
      { name: 'mount', args: [ctx.rootfs, ctx.rootfs, null, MS.BIND | MS.REC, null] },
    ]);
  });

  it('mounts in order, creating missing destinations (a file for a file bind)', () => {
    mountAll(ctx, planMounts([
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/data', source: join(dir, 'vol'), options: ['bind', 'ro'] },
      { destination: '/etc/hosts', source: join(dir, 'file'), options: ['bind'] },
      { destination: '/mnt', type: 'tmpfs', source: 'tmpfs', options: ['rprivate', 'rnosuid'] },
    ], dir, { userns: false }));
    const r = ctx.rootfs;
    expect(sys.calls.map((c) => [c.name, ...c.args.slice(0, 4)])).toEqual([
      ['mount', 'proc', `${r}/proc`, 'proc', 0],
      ['mount', join(dir, 'vol'), `${r}/data`, null, MS.BIND],
      ['mount', null, `${r}/data`, null, MS.REMOUNT | MS.BIND | MS.RDONLY],
      ['mount', join(dir, 'file'), `${r}/etc/hosts`, null, MS.BIND],
      ['mount', 'tmpfs', `${r}/mnt`, 'tmpfs', 0],
      ['mount', null, `${r}/mnt`, null, MS.PRIVATE | MS.REC],
      ['mountSetattr', `${r}/mnt`, true, { attrSet: 2n, attrClr: 0n, propagation: 0n }],
    ]);
    expect(existsSync(`${r}/etc/hosts`)).toBe(true);
    expect(existsSync(`${r}/proc`)).toBe(true);
  });

  it('follows symlinks inside the rootfs, never out of it', () => {
    symlinkSync('/../../../../etc', join(ctx.rootfs, 'evil'));
    expect(secureJoin(ctx.rootfs, '/evil/passwd')).toBe(join(ctx.rootfs, 'etc/passwd'));
    symlinkSync('bin', join(ctx.rootfs, 'usrbin'));
    expect(secureJoin(ctx.rootfs, '/usrbin/../../x')).toBe(join(ctx.rootfs, 'x'));
  });

  it('reports a missing bind source with the mount named', () => {
    expect(() => mountAll(ctx, planMounts([{ destination: '/d', source: '/nonexistent-x', options: ['bind'] }], dir, { userns: false })))
      .toThrow('mounts[0] (/d): bind source /nonexistent-x does not exist');
  });

  it('emulates a v1 cgroup mount with a tmpfs and read-only binds', () => {
    mountAll(ctx, planMounts([{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'ro'] }], dir, { userns: false }));
    const d = `${ctx.rootfs}/sys/fs/cgroup`;
    expect(sys.calls.map((c) => c.args.slice(0, 4))).toEqual([
      ['tmpfs', d, 'tmpfs', MS.NOSUID],
      ['/sys/fs/cgroup/cpu/c1', `${d}/cpu`, null, MS.BIND | MS.REC],
      [null, `${d}/cpu`, null, MS.REMOUNT | MS.BIND | MS.REC | MS.NOSUID | MS.RDONLY],
    ]);
  });

  it('creates the default devices with mknod, umask 0, and chown', () => {
    createDevices(ctx, DEFAULT_DEVICES, false);
    const names = sys.names();
    expect(names[0]).toBe('umask');
    expect(names.at(-1)).toBe('umask');
    const mknods = sys.calls.filter((c) => c.name === 'mknod').map((c) => c.args);
    expect(mknods).toContainEqual([`${ctx.rootfs}/dev/null`, 0o020666, 1, 3]);
    expect(mknods).toContainEqual([`${ctx.rootfs}/dev/tty`, 0o020666, 5, 0]);
    expect(mknods).toHaveLength(6);
  });

  it('binds host devices instead in a user namespace', () => {
    createDevices(ctx, DEFAULT_DEVICES.slice(0, 1), true);
    expect(sys.calls.filter((c) => c.name === 'mount').map((c) => c.args.slice(0, 4))).toEqual([['/dev/null', `${ctx.rootfs}/dev/null`, null, MS.BIND]]);
  });

  it('refuses a different file where a device should be', () => {
    mkdirSync(join(ctx.rootfs, 'dev'));
    writeFileSync(join(ctx.rootfs, 'dev/fuse'), '');
    expect(() => createDevices(ctx, [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 }], false))
      .toThrow('device /dev/fuse: a different file already exists there');
  });

  it('pivots the runc way and detaches the old root', () => {
    pivotRoot(ctx);
    expect(sys.names()).toEqual(['fchdir', 'pivotRoot', 'fchdir', 'mount', 'umount2', 'chdir']);
    expect(sys.calls[1]!.args).toEqual(['.', '.']);
    expect(sys.calls[3]!.args).toEqual([null, '.', null, MS.SLAVE | MS.REC, null]);
  });

  it('after pivot: propagation, read-only paths, masked paths, read-only root', () => {
    finishRootfs(sys, { rootfsPropagation: 'shared', readonlyPaths: [dir, '/nonexistent-ro'], maskedPaths: [join(dir, 'vol'), join(dir, 'file'), '/nonexistent-m'], readonlyRoot: true });
    expect(sys.calls.map((c) => [c.args[0], c.args[1], c.args[2]])).toEqual([
      [null, '/', null],
      [dir, dir, null],
      [null, dir, null],
      ['tmpfs', join(dir, 'vol'), 'tmpfs'],
      ['/dev/null', join(dir, 'file'), null],
      [null, '/', null],
    ]);
    expect(sys.calls[0]!.args[3]).toBe(MS.SHARED);
    expect((sys.calls[2]!.args[3] as number) & MS.RDONLY).toBe(MS.RDONLY);
    expect((sys.calls[5]!.args[3] as number) & (MS.RDONLY | MS.REMOUNT | MS.BIND)).toBe(MS.RDONLY | MS.REMOUNT | MS.BIND);
  });
});
