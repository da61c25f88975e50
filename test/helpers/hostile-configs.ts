// The hostile-config generator: bundles a careless or malicious user could hand a
// runtime running as root. Each case edits the reference runtime's default config
// (or replaces config.json, or plays tricks with the bundle's files) and says what a
// runtime must do: refuse, with one line naming the field (`refuse`: a pattern the
// error must match), or accept, where the config is in fact valid.
//
// Families: wrong types, missing REQUIRED fields, out-of-range numbers, relative and
// ".." paths, what config.json is (a symlink, /dev/zero, a FIFO, null, deep nesting,
// huge), container ids, settings that would change the host (hostname, sysctls,
// mounts in its namespaces), magic links, and a few the runtime must refuse for its
// own reasons. The test (test/runtime/hostile.test.ts) runs each through `create`
// and `conform validate`.
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

// any: configs here are deliberately of any shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface HostileCase {
  name: string;
  /** Edits the default config; a returned value replaces it. */
  edit?: (c: Json, ctx: BundleContext) => Json;
  /** Writes config.json itself (a FIFO, a symlink, raw text…), after `edit` made `config` the value. */
  write?: (file: string, config: Json, ctx: BundleContext) => void;
  /** Other tricks with the bundle or the rootfs (a copy of the rootfs in bundle/rootfs is theirs to change). */
  prepare?: (ctx: BundleContext) => void;
  /** The container id, when the id is what is hostile. */
  id?: string;
  /** Refuse, naming what to fix (matched against the error line), or accept. */
  expect: RegExp | 'accept';
  /** Never to be tried on another runtime: it could change the host there (as runc would). */
  referenceOnly?: boolean;
}

export interface BundleContext {
  bundle: string;
  /** The bundle's own rootfs, for cases that change it (otherwise root.path points at the shared one). */
  ownRootfs: () => string;
  /** A directory outside the bundle that nothing may touch: symlinks point there. */
  hostDir: string;
  /** This test process's pid: /proc/PID/ns/* are the runtime's own namespaces. */
  pid: number;
}

/** Sets `path` (a.b[0].c) in `c`, creating objects on the way; `undefined` deletes. */
export function setPath(c: Json, path: string, value: unknown): void {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let o = c;
  for (const k of keys.slice(0, -1)) {
    if (o[k] === undefined || o[k] === null || typeof o[k] !== 'object') o[k] = {};
    o = o[k];
  }
  const last = keys.at(-1)!;
  if (value === undefined) {
    if (Array.isArray(o)) o.splice(Number(last), 1);
    else delete o[last];
  } else {
    o[last] = value;
  }
}

const esc = (s: string): string => s.replace(/[.[\]()]/g, (m) => `\\${m}`);
/** The error must name `field` (escaped for the pattern). */
const field = (f: string): RegExp => new RegExp(esc(f));

const set = (path: string, value: unknown) => (c: Json) => setPath(c, path, value);
const edits =
  (...fs: Array<(c: Json) => unknown>) =>
  (c: Json) => {
    for (const f of fs) f(c);
  };
const ns = (c: Json, ...types: string[]) => {
  c.linux.namespaces = c.linux.namespaces.filter((n: Json) => !types.includes(n.type));
};
const dropNs =
  (...types: string[]) =>
  (c: Json) =>
    ns(c, ...types);
const tmpfsAt = (destination: string) => (c: Json) => {
  c.mounts.push({ destination, type: 'tmpfs', source: 'tmpfs' });
};

const wrongTypes: Array<[string, unknown[]]> = [
  ['ociVersion', [1, null, ['1.0.0'], '']],
  ['root', ['rootfs', []]],
  ['root.path', [5, null, '']],
  ['root.readonly', ['yes']],
  ['process', ['sh', []]],
  ['process.terminal', ['no']],
  ['process.cwd', [5, null]],
  ['process.args', ['sh', [1], []]],
  ['process.env', ['A=1', [1], {}]],
  ['process.user', [0]],
  ['process.user.uid', ['0', 1.5, null]],
  ['process.user.gid', ['0', 2.5]],
  ['process.user.umask', ['022', 1.5]],
  ['process.user.additionalGids', [5, ['1']]],
  ['process.capabilities', ['all']],
  ['process.capabilities.bounding', ['CAP_KILL']],
  ['process.rlimits', [{}, [5]]],
  ['process.rlimits[0].type', [5]],
  ['process.noNewPrivileges', ['true']],
  ['process.oomScoreAdj', ['5', 1.5]],
  ['process.scheduler', ['x']],
  ['process.ioPriority', [{ class: 5 }]],
  ['hostname', [5, []]],
  ['domainname', [5]],
  ['mounts', [{}, [5]]],
  ['mounts[0].destination', [5]],
  ['mounts[0].options', ['ro']],
  ['mounts[0].type', [5]],
  ['mounts[0].source', [5]],
  ['hooks', [[]]],
  ['hooks.prestart', [{}, [5]]],
  ['hooks.createRuntime', [[{ path: 5 }]]],
  ['hooks.poststart', [[{ path: '/bin/true', args: 'x' }]]],
  ['hooks.poststop', [[{ path: '/bin/true', timeout: 'x' }]]],
  ['annotations', [[], { 'com.example.a': 5 }]],
  ['linux', [[], 'x']],
  ['linux.namespaces', [{}, [5], [{ type: 5 }], [{ type: 'mount', path: 5 }]]],
  ['linux.uidMappings', [{}]],
  ['linux.devices', [{}, [5], [{ path: 5, type: 'c', major: 1, minor: 3 }], [{ path: '/dev/x', type: 'c', major: '1', minor: 3 }]]],
  ['linux.sysctl', [[], { 'net.core.somaxconn': 5 }]],
  ['linux.resources', [[], { memory: 5 }, { memory: { limit: 'x' } }, { pids: { limit: 'x' } }, { cpu: { shares: 'x' } }]],
  ['linux.cgroupsPath', [5]],
  ['linux.maskedPaths', ['x', [5]]],
  ['linux.readonlyPaths', [{}]],
  ['linux.rootfsPropagation', [5]],
  ['linux.seccomp', ['x', { defaultAction: 5 }, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: {} }]],
  ['linux.timeOffsets', [[]]],
  ['linux.personality', ['x']],
];

/** The field a wrong value of `path` must be reported under (a value whose own fields are wrong names the deeper one). */
const wrongTypeField = (path: string, v: unknown): RegExp => {
  if (path === 'hooks.createRuntime') return field('hooks.createRuntime[0].path');
  if (path === 'hooks.poststart') return field('hooks.poststart[0].args');
  if (path === 'hooks.poststop') return field('hooks.poststop[0].timeout');
  if (path === 'process.ioPriority') return field('process.ioPriority.class');
  if (path === 'annotations' && !Array.isArray(v)) return field('annotations');
  if (path === 'linux.namespaces' && Array.isArray(v) && v[0] && typeof v[0] === 'object') return /linux\.namespaces\[0\]/;
  if (path === 'linux.devices' && Array.isArray(v) && v[0] && typeof v[0] === 'object') return /linux\.devices\[0\]/;
  if (path === 'linux.resources' && v && typeof v === 'object' && !Array.isArray(v)) return /linux\.resources\./;
  if (path === 'linux.seccomp' && v && typeof v === 'object') return /linux\.seccomp/;
  if (path === 'process.user.uid' && v === null) return field('process.user.uid');
  return field(path);
};

const missing: Array<[string, RegExp, ((c: Json) => void)?]> = [
  ['ociVersion', field('ociVersion')],
  ['root', field('root')],
  ['root.path', field('root.path')],
  ['process.cwd', field('process.cwd')],
  ['process.args', field('process.args')],
  ['process.user', field('process.user')],
  ['process.user.uid', field('process.user.uid')],
  ['process.user.gid', field('process.user.gid')],
  ['mounts[0].destination', field('mounts[0].destination')],
  ['linux.namespaces[0].type', field('linux.namespaces[0].type')],
  ['process.rlimits[0].type', field('process.rlimits[0]')],
  ['process.rlimits[0].soft', field('process.rlimits[0]')],
  ['process.rlimits[0].hard', field('process.rlimits[0]')],
  ['hooks.prestart[0].path', field('hooks.prestart[0].path'), set('hooks', { prestart: [{ args: ['x'] }] })],
  ['linux.devices[0].path', field('linux.devices[0].path'), set('linux.devices', [{ type: 'c', major: 1, minor: 3 }])],
  ['linux.devices[0].type', field('linux.devices[0].type'), set('linux.devices', [{ path: '/dev/x', major: 1, minor: 3 }])],
  ['linux.devices[0].major', field('linux.devices[0]'), set('linux.devices', [{ path: '/dev/x', type: 'c', minor: 3 }])],
  [
    'linux.uidMappings[0].size',
    field('linux.uidMappings[0]'),
    edits(
      set('linux.namespaces[6]', { type: 'user' }),
      set('linux.uidMappings', [{ containerID: 0, hostID: 100000 }]),
      set('linux.gidMappings', [{ containerID: 0, hostID: 100000, size: 65536 }]),
    ),
  ],
  [
    'linux.uidMappings',
    field('linux.uidMappings'),
    edits(set('linux.namespaces[6]', { type: 'user' }), set('linux.gidMappings', [{ containerID: 0, hostID: 100000, size: 65536 }])),
  ],
  ['linux.seccomp.defaultAction', field('linux.seccomp.defaultAction'), set('linux.seccomp', { syscalls: [] })],
  [
    'linux.seccomp.syscalls[0].names',
    field('linux.seccomp.syscalls[0].names'),
    set('linux.seccomp', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_ERRNO' }] }),
  ],
  ['mounts[0].type', field('mounts[0].type'), set('mounts', [{ destination: '/x', source: 'tmpfs' }])],
];

const outOfRange: Array<[string, (c: Json) => unknown, RegExp]> = [
  ['uid -1', set('process.user.uid', -1), field('process.user.uid')],
  ['uid 4294967295 ((uid_t)-1: root stays root)', set('process.user.uid', 4294967295), field('process.user.uid')],
  ['uid 4294967296', set('process.user.uid', 4294967296), field('process.user.uid')],
  ['uid 2^53', set('process.user.uid', 2 ** 53), field('process.user.uid')],
  ['gid 4294967295', set('process.user.gid', 4294967295), field('process.user.gid')],
  ['gid -1', set('process.user.gid', -1), field('process.user.gid')],
  ['additionalGids 4294967295', set('process.user.additionalGids', [5, 4294967295]), field('process.user.additionalGids')],
  ['additionalGids -1', set('process.user.additionalGids', [-1]), field('process.user.additionalGids')],
  ['umask 4096', set('process.user.umask', 4096), field('process.user.umask')],
  ['umask -1', set('process.user.umask', -1), field('process.user.umask')],
  ['oomScoreAdj 1001', set('process.oomScoreAdj', 1001), field('process.oomScoreAdj')],
  ['oomScoreAdj -1001', set('process.oomScoreAdj', -1001), field('process.oomScoreAdj')],
  ['rlimit soft above hard', set('process.rlimits', [{ type: 'RLIMIT_NOFILE', soft: 2048, hard: 1024 }]), field('process.rlimits[0]')],
  ['rlimit -1', set('process.rlimits', [{ type: 'RLIMIT_NOFILE', soft: -1, hard: 1024 }]), field('process.rlimits[0]')],
  ['rlimit unknown type', set('process.rlimits', [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }]), field('process.rlimits[0].type')],
  [
    'rlimit twice',
    set('process.rlimits', [
      { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 },
      { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 },
    ]),
    field('process.rlimits[1].type'),
  ],
  ['consoleSize negative', edits(set('process.consoleSize', { height: -1, width: 80 })), field('process.consoleSize')],
  ['hook timeout 0', set('hooks', { poststop: [{ path: '/bin/true', timeout: 0 }] }), field('hooks.poststop[0].timeout')],
  ['hook timeout -5', set('hooks', { prestart: [{ path: '/bin/true', timeout: -5 }] }), field('hooks.prestart[0].timeout')],
  ['device major -1', set('linux.devices', [{ path: '/dev/x', type: 'c', major: -1, minor: 0 }]), field('linux.devices[0]')],
  ['device fileMode 2^40', set('linux.devices', [{ path: '/dev/x', type: 'c', major: 1, minor: 3, fileMode: 2 ** 40 }]), field('linux.devices[0].fileMode')],
  ['device uid 4294967296', set('linux.devices', [{ path: '/dev/x', type: 'c', major: 1, minor: 3, uid: 4294967296 }]), field('linux.devices[0].uid')],
  [
    'uidMappings hostID 4294967296',
    edits(
      set('linux.namespaces[6]', { type: 'user' }),
      set('linux.uidMappings', [{ containerID: 0, hostID: 4294967296, size: 1 }]),
      set('linux.gidMappings', [{ containerID: 0, hostID: 0, size: 1 }]),
    ),
    field('linux.uidMappings[0]'),
  ],
  [
    'uidMappings overlapping',
    edits(
      set('linux.namespaces[6]', { type: 'user' }),
      set('linux.uidMappings', [
        { containerID: 0, hostID: 100000, size: 100 },
        { containerID: 50, hostID: 200000, size: 100 },
      ]),
      set('linux.gidMappings', [{ containerID: 0, hostID: 100000, size: 100 }]),
    ),
    field('linux.uidMappings'),
  ],
  [
    'uid not mapped in the new user namespace',
    edits(
      set('linux.namespaces[6]', { type: 'user' }),
      set('linux.uidMappings', [{ containerID: 0, hostID: 100000, size: 10 }]),
      set('linux.gidMappings', [{ containerID: 0, hostID: 100000, size: 10 }]),
      set('process.user.uid', 500),
    ),
    field('process.user.uid'),
  ],
  ['memory limit -5', set('linux.resources', { memory: { limit: -5 } }), field('linux.resources.memory.limit')],
  ['cpu shares 2^40', set('linux.resources', { cpu: { shares: 2 ** 40 } }), field('linux.resources.cpu.shares')],
  // 0, not 5: below both kernels' ranges (CFQ's blkio.weight 10-1000, BFQ's blkio.bfq.weight 1-1000); 5 is valid where BFQ serves the weight.
  ['blkio weight 0', set('linux.resources', { blockIO: { weight: 0 } }), field('linux.resources.blockIO.weight')],
  ['blkio weight 1001', set('linux.resources', { blockIO: { weight: 1001 } }), field('linux.resources.blockIO.weight')],
  ['pids limit 1.5', set('linux.resources', { pids: { limit: 1.5 } }), field('linux.resources.pids.limit')],
  ['cpus "abc"', set('linux.resources', { cpu: { cpus: 'abc' } }), field('linux.resources.cpu.cpus')],
  ['scheduler nice 20', set('process.scheduler', { policy: 'SCHED_OTHER', nice: 20 }), field('process.scheduler.nice')],
  ['scheduler priority 100', set('process.scheduler', { policy: 'SCHED_FIFO', priority: 100 }), field('process.scheduler.priority')],
  ['scheduler policy bogus', set('process.scheduler', { policy: 'SCHED_BOGUS' }), field('process.scheduler.policy')],
  ['ioPriority priority 8', set('process.ioPriority', { class: 'IOPRIO_CLASS_BE', priority: 8 }), field('process.ioPriority.priority')],
  [
    'timeOffsets nanosecs 1e9',
    edits(set('linux.namespaces[6]', { type: 'time' }), set('linux.timeOffsets', { monotonic: { secs: 1, nanosecs: 1e9 } })),
    field('linux.timeOffsets.monotonic'),
  ],
  ['timeOffsets without a time namespace', set('linux.timeOffsets', { monotonic: { secs: 1 } }), field('linux.timeOffsets')],
  ['personality domain bogus', set('linux.personality', { domain: 'BOGUS' }), field('linux.personality.domain')],
  ['uint64 past 2^64', set('process.rlimits', [{ type: 'RLIMIT_NOFILE', soft: 1, hard: 18446744073709552000 }]), field('process.rlimits[0]')],
  ['namespace twice', set('linux.namespaces[6]', { type: 'pid' }), field('linux.namespaces[6].type')],
  ['namespace unknown', set('linux.namespaces[6]', { type: 'bogus' }), field('linux.namespaces[6].type')],
  ['hostname of 65 bytes', set('hostname', 'h'.repeat(65)), field('hostname')],
  ['domainname of 65 bytes', set('domainname', 'd'.repeat(65)), field('domainname')],
  ['cgroupsPath with ..', set('linux.cgroupsPath', '/hostile/../../etc'), field('linux.cgroupsPath')],
  ['cgroupsPath the root', set('linux.cgroupsPath', '/'), field('linux.cgroupsPath')],
];

const paths: Array<[string, (c: Json) => unknown, RegExp | 'accept', ((x: BundleContext) => void)?]> = [
  ['cwd relative', set('process.cwd', 'rel'), field('process.cwd')],
  ['cwd empty', set('process.cwd', ''), field('process.cwd')],
  ['cwd ../x', set('process.cwd', '../x'), field('process.cwd')],
  ['cwd /../../etc (clean: /etc)', set('process.cwd', '/../../etc'), 'accept'],
  ['cwd /x/../../y', set('process.cwd', '/x/../../y'), 'accept'],
  ['cwd /proc/self/fd/30 (hung create)', set('process.cwd', '/proc/self/fd/30'), field('process.cwd')],
  ['cwd /proc/self/cwd (a magic link)', set('process.cwd', '/proc/self/cwd'), field('process.cwd')],
  ['cwd /proc/1/root/etc (a magic link)', set('process.cwd', '/proc/1/root/etc'), field('process.cwd')],
  ['cwd a file', set('process.cwd', '/bin/busybox'), field('process.cwd')],
  ['cwd below a file', set('process.cwd', '/bin/busybox/x'), field('process.cwd')],
  ['mount destination relative (deprecated: from /)', tmpfsAt('rel'), 'accept'],
  ['mount destination ../../x (from /)', tmpfsAt('../../hostile-x'), 'accept'],
  ['mount destination /../../../tmp (clean: /tmp)', tmpfsAt('/../../../tmp'), 'accept'],
  ['mount destination below a file', tmpfsAt('/bin/busybox/x'), field('mounts[')],
  ['mount destination through a magic link', tmpfsAt('/proc/self/fd/0/x'), field('mounts[')],
  ['mount destination through /proc/self/root', tmpfsAt('/proc/self/root/hostile-y'), field('mounts[')],
  ['mount destination through a symlink out of the rootfs', tmpfsAt('/escape/x'), 'accept', (x) => symlinkSync(x.hostDir, join(x.ownRootfs(), 'escape'))],
  ['mount destination through a ../ symlink', tmpfsAt('/up/x'), 'accept', (x) => symlinkSync('../../../../../../..', join(x.ownRootfs(), 'up'))],
  ['mount destination through a dangling symlink', tmpfsAt('/dangling/x'), 'accept', (x) => symlinkSync('/nowhere/deeper', join(x.ownRootfs(), 'dangling'))],
  [
    'mount destination through a symlink loop',
    tmpfsAt('/loop/x'),
    field('mounts['),
    (x) => {
      symlinkSync('loop2', join(x.ownRootfs(), 'loop'));
      symlinkSync('loop', join(x.ownRootfs(), 'loop2'));
    },
  ],
  [
    'bind source missing',
    (c) => {
      c.mounts.push({ destination: '/b', source: '/nonexistent-hostile', options: ['bind'] });
    },
    field('mounts['),
  ],
  [
    'bind source relative to the bundle, ../..',
    (c) => {
      c.mounts.push({ destination: '/b', source: '../..', options: ['rbind', 'ro'] });
    },
    'accept',
  ],
  ['hook path relative', set('hooks', { prestart: [{ path: 'bin/true' }] }), field('hooks.prestart[0].path')],
  ['hook path missing', set('hooks', { createRuntime: [{ path: '/nonexistent-hook' }] }), field('hooks.createRuntime[0]')],
  ['maskedPaths relative', set('linux.maskedPaths', ['proc/kcore']), field('linux.maskedPaths[0]')],
  ['maskedPaths through a magic link', set('linux.maskedPaths', ['/proc/self/fd/0']), field('linux.maskedPaths[0]')],
  ['readonlyPaths ../../etc', set('linux.readonlyPaths', ['../../etc']), field('linux.readonlyPaths[0]')],
  ['readonlyPaths /../../etc (clean: /etc)', set('linux.readonlyPaths', ['/../../etc']), 'accept'],
  [
    'readonlyPaths through a symlink out of the rootfs',
    set('linux.readonlyPaths', ['/escape']),
    'accept',
    (x) => symlinkSync(x.hostDir, join(x.ownRootfs(), 'escape')),
  ],
  [
    'maskedPaths through a symlink out of the rootfs',
    set('linux.maskedPaths', ['/escape']),
    'accept',
    (x) => symlinkSync(x.hostDir, join(x.ownRootfs(), 'escape')),
  ],
  ['device path relative', set('linux.devices', [{ path: 'dev/x', type: 'c', major: 1, minor: 3 }]), field('linux.devices[0].path')],
  [
    'device path /dev/../../etc/hostile (clean: /etc/hostile)',
    set('linux.devices', [{ path: '/dev/../../etc/hostile', type: 'c', major: 1, minor: 3 }]),
    'accept',
  ],
  ['device over a file', set('linux.devices', [{ path: '/bin/busybox', type: 'c', major: 1, minor: 3 }]), field('linux.devices[0]')],
  ['device below a file', set('linux.devices', [{ path: '/bin/busybox/x', type: 'c', major: 1, minor: 3 }]), field('linux.devices[0]')],
  [
    'device through a symlink out of the rootfs',
    set('linux.devices', [{ path: '/escape/null2', type: 'c', major: 1, minor: 3 }]),
    'accept',
    (x) => symlinkSync(x.hostDir, join(x.ownRootfs(), 'escape')),
  ],
  [
    '/dev a symlink out of the rootfs',
    (c) => {
      c.mounts = c.mounts.filter((m: Json) => m.destination !== '/dev' && !m.destination.startsWith('/dev/'));
    },
    'accept',
    (x) => {
      rmSync(join(x.ownRootfs(), 'dev'), { recursive: true, force: true });
      symlinkSync(x.hostDir, join(x.ownRootfs(), 'dev'));
    },
  ],
  ['namespace path relative', set('linux.namespaces[6]', { type: 'time', path: 'proc/1/ns/time' }), field('linux.namespaces[6].path')],
  ['namespace path missing', set('linux.namespaces[1]', { type: 'network', path: '/nonexistent-ns' }), /linux\.namespaces/],
  ['root.path ../x missing', set('root.path', '../nonexistent-rootfs'), field('root.path')],
  ['root.path a file', set('root.path', '/bin/busybox'), field('root.path')],
];

/** A value deep enough that a recursive validator overflows the stack. */
const deepArrays = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

const files: Array<[string, HostileCase['write'] | undefined, HostileCase['prepare'] | undefined, RegExp | 'accept', ((c: Json) => Json)?]> = [
  [
    'rootfs a symlink',
    undefined,
    (x) => {
      const own = x.ownRootfs();
      renameSync(own, `${own}.real`);
      symlinkSync(`${own}.real`, own);
    },
    field('root.path'),
  ],
  [
    'rootfs below a symlinked directory',
    undefined,
    (x) => {
      const own = x.ownRootfs();
      mkdirSync(join(x.bundle, 'real'));
      renameSync(own, join(x.bundle, 'real/rootfs'));
      symlinkSync('real', join(x.bundle, 'via'));
    },
    field('root.path'),
    (c) => {
      c.root.path = 'via/rootfs';
      return c;
    },
  ],
  [
    'config.json a symlink to a valid config',
    (f, c, x) => {
      writeFileSync(join(x.hostDir, `${x.bundle.split('/').pop()}.json`), JSON.stringify(c));
      symlinkSync(join(x.hostDir, `${x.bundle.split('/').pop()}.json`), f);
    },
    undefined,
    'accept',
  ],
  ['config.json a symlink to /dev/zero', (f) => symlinkSync('/dev/zero', f), undefined, /config\.json/],
  ['config.json /dev/zero itself', (f) => execFileSync('mknod', [f, 'c', '1', '5']), undefined, /config\.json/],
  ['config.json a FIFO', (f) => execFileSync('mkfifo', [f]), undefined, /config\.json/],
  ['config.json a directory', (f) => mkdirSync(f), undefined, /config\.json/],
  ['config.json empty', (f) => writeFileSync(f, ''), undefined, /config\.json/],
  ['config.json null', (f) => writeFileSync(f, 'null'), undefined, /config\.json/],
  ['config.json an array', (f) => writeFileSync(f, '[]'), undefined, /config\.json/],
  ['config.json a string', (f) => writeFileSync(f, '"config"'), undefined, /config\.json/],
  ['config.json a number', (f) => writeFileSync(f, '42'), undefined, /config\.json/],
  ['config.json true', (f) => writeFileSync(f, 'true'), undefined, /config\.json/],
  ['config.json 100,000 nested arrays', (f) => writeFileSync(f, deepArrays(100_000)), undefined, /config\.json/],
  [
    'config.json nested 300 deep in an unknown field',
    (f, c) => writeFileSync(f, JSON.stringify(c).replace(/}$/, `,"com.example.deep":${deepArrays(300)}}`)),
    undefined,
    /config\.json/,
  ],
  [
    'config.json nested 100 deep in an unknown field (allowed)',
    (f, c) => writeFileSync(f, JSON.stringify(c).replace(/}$/, `,"com.example.deep":${deepArrays(100)}}`)),
    undefined,
    'accept',
  ],
  ['config.json of 17 MB', (f, c) => writeFileSync(f, JSON.stringify(c) + ' '.repeat(17 * 1024 * 1024)), undefined, /config\.json/],
  ['config.json not JSON (trailing comma)', (f, c) => writeFileSync(f, JSON.stringify(c).replace(/}$/, ',}')), undefined, /config\.json/],
  ['config.json binary garbage', (f) => writeFileSync(f, Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x01])), undefined, /config\.json/],
  ['config.json with a BOM', (f, c) => writeFileSync(f, `\ufeff${JSON.stringify(c)}`), undefined, /config\.json/],
  ['config.json with duplicate keys (the last wins)', (f, c) => writeFileSync(f, JSON.stringify(c).replace(/^{/, '{"hostname":"first",')), undefined, 'accept'],
];

const ids: Array<[string, string]> = [
  ['id of 300 characters', 'h'.repeat(300)],
  ['id with a slash', 'hostile/../x'],
  ['id ..', '..'],
  ['id .', '.'],
  ['id with a space', 'hostile x'],
  ['id not ASCII', 'hostile-é'],
  ['id with a newline', 'hostile\nx'],
];

const hostChanges: Array<[string, (c: Json, x: BundleContext) => unknown, RegExp | 'accept']> = [
  ['hostname without a uts namespace', edits(dropNs('uts')), field('hostname')],
  ['domainname without a uts namespace', edits(dropNs('uts'), set('hostname', undefined), set('domainname', 'hostile.example')), field('domainname')],
  [
    "hostname in the runtime's own uts namespace (by path)",
    (c, x) => {
      ns(c, 'uts');
      c.linux.namespaces.push({ type: 'uts', path: `/proc/${x.pid}/ns/uts` });
    },
    field('hostname'),
  ],
  [
    'sysctl kernel.printk_ratelimit_burst (no namespace has it)',
    set('linux.sysctl', { 'kernel.printk_ratelimit_burst': '77' }),
    field('linux.sysctl.kernel.printk_ratelimit_burst'),
  ],
  ['sysctl vm.swappiness', set('linux.sysctl', { 'vm.swappiness': '7' }), field('linux.sysctl.vm.swappiness')],
  ['sysctl kernel.pid_max', set('linux.sysctl', { 'kernel.pid_max': '70000' }), field('linux.sysctl.kernel.pid_max')],
  [
    'sysctl net.core.somaxconn without a network namespace',
    edits(dropNs('network'), set('linux.sysctl', { 'net.core.somaxconn': '77' })),
    field('linux.sysctl.net.core.somaxconn'),
  ],
  [
    'sysctl net/core/somaxconn (slashes) without a network namespace',
    edits(dropNs('network'), set('linux.sysctl', { 'net/core/somaxconn': '77' })),
    field('linux.sysctl.net/core/somaxconn'),
  ],
  [
    "sysctl net.ipv4.ip_forward in the runtime's own network namespace (by path)",
    (c, x) => {
      ns(c, 'network');
      c.linux.namespaces.push({ type: 'network', path: `/proc/${x.pid}/ns/net` });
      c.linux.sysctl = { 'net.ipv4.ip_forward': '0' };
    },
    field('linux.sysctl.net.ipv4.ip_forward'),
  ],
  [
    'sysctl kernel.shmmax without an ipc namespace',
    edits(dropNs('ipc'), set('linux.sysctl', { 'kernel.shmmax': '77777' })),
    field('linux.sysctl.kernel.shmmax'),
  ],
  [
    'sysctl fs.mqueue.msg_max without an ipc namespace',
    edits(dropNs('ipc'), set('linux.sysctl', { 'fs.mqueue.msg_max': '17' })),
    field('linux.sysctl.fs.mqueue.msg_max'),
  ],
  [
    'sysctl kernel.domainname without a uts namespace',
    edits(dropNs('uts'), set('hostname', undefined), set('linux.sysctl', { 'kernel.domainname': 'hostile' })),
    field('linux.sysctl.kernel.domainname'),
  ],
  ['sysctl kernel.hostname (use hostname)', set('linux.sysctl', { 'kernel.hostname': 'hostile' }), field('linux.sysctl.kernel.hostname')],
  ['sysctl name climbing out of /proc/sys', set('linux.sysctl', { 'net/../../../etc/passwd': 'x' }), /linux\.sysctl/],
  [
    "mount namespace: the runtime's own (by path)",
    (c, x) => {
      ns(c, 'mount');
      c.linux.namespaces.push({ type: 'mount', path: `/proc/${x.pid}/ns/mnt` });
    },
    /linux\.namespaces\[\d\]\.path/,
  ],
  ['sysctl net.core.somaxconn in a network namespace', set('linux.sysctl', { 'net.core.somaxconn': '77' }), 'accept'],
  ['sysctl kernel.shmmax in an ipc namespace', set('linux.sysctl', { 'kernel.shmmax': '77777' }), 'accept'],
  ['sysctl fs.mqueue.msg_max in an ipc namespace', set('linux.sysctl', { 'fs.mqueue.msg_max': '17' }), 'accept'],
  ['sysctl kernel.domainname in a uts namespace', set('linux.sysctl', { 'kernel.domainname': 'hostile' }), 'accept'],
  ['domainname in a uts namespace', set('domainname', 'hostile.example'), 'accept'],
];

const misc: Array<[string, (c: Json) => unknown, RegExp | 'accept']> = [
  ['env entry without =', set('process.env', ['PATH=/bin', 'HOSTILE']), field('process.env[1]')],
  ['env entry with an empty name', set('process.env', ['=x']), field('process.env[0]')],
  ['env entry with a NUL', set('process.env', ['A=b\u0000c']), field('process.env[0]')],
  ['hook env entry without =', set('hooks', { poststop: [{ path: '/bin/true', env: ['X'] }] }), field('hooks.poststop[0].env[0]')],
  ['unknown capability (a warning, not an error)', set('process.capabilities.bounding', ['CAP_HOSTILE']), 'accept'],
  ['args[0] missing in the rootfs', set('process.args', ['/nonexistent-program']), field('process.args[0]')],
  ['args[0] empty', set('process.args', ['']), field('process.args[0]')],
  ['apparmorProfile (not implemented)', set('process.apparmorProfile', 'unconfined'), field('process.apparmorProfile')],
  ['intelRdt (not implemented)', set('linux.intelRdt', { closID: 'x' }), field('linux.intelRdt')],
  ['rootfsPropagation sideways', set('linux.rootfsPropagation', 'sideways'), field('linux.rootfsPropagation')],
  ['seccomp unknown action', set('linux.seccomp', { defaultAction: 'SCMP_ACT_HOSTILE' }), field('linux.seccomp.defaultAction')],
  [
    'seccomp args index 9',
    set('linux.seccomp', {
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['read'], action: 'SCMP_ACT_ERRNO', args: [{ index: 9, value: 1, op: 'SCMP_CMP_EQ' }] }],
    }),
    /linux\.seccomp\.syscalls\[0\]\.args\[0\]\.index/,
  ],
  ['terminal without a console socket', set('process.terminal', true), field('process.terminal')],
  ['annotation key empty', set('annotations', { '': 'x' }), /annotations/],
  ['annotation reserved key (a warning: unknown keys are ignored)', set('annotations', { 'org.opencontainers.hostile': 'x' }), 'accept'],
  ['ociVersion 2.0.0', set('ociVersion', '2.0.0'), field('ociVersion')],
  ['ociVersion not SemVer', set('ociVersion', 'latest'), field('ociVersion')],
  ['uidMappings without a user namespace', set('linux.uidMappings', [{ containerID: 0, hostID: 1000, size: 1 }]), field('linux.uidMappings')],
  ['a new user namespace without mappings', set('linux.namespaces[6]', { type: 'user' }), /linux\.(uid|gid)Mappings/],
  ['no mount namespace', dropNs('mount'), /linux\.namespaces/],
  ['cgroupsPath relative (allowed)', set('linux.cgroupsPath', 'hostile-rel'), 'accept'],
  ['memory limit too low for the init', set('linux.resources', { memory: { limit: 4096 } }), field('linux.resources.memory.limit')],
  ['a valid config', () => undefined, 'accept'],
];

export function hostileCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const [path, values] of wrongTypes) {
    for (const v of values) out.push({ name: `wrong type: ${path} = ${JSON.stringify(v)}`, edit: set(path, v), expect: wrongTypeField(path, v) });
  }
  for (const [path, expect, before] of missing) {
    out.push({ name: `missing: ${path}`, edit: edits(before ?? (() => undefined), set(path, undefined)), expect });
  }
  for (const [name, edit, expect] of outOfRange) out.push({ name: `range: ${name}`, edit, expect });
  for (const [name, edit, expect, prepare] of paths) out.push({ name: `path: ${name}`, edit, expect, ...(prepare ? { prepare } : {}) });
  for (const [name, write, prepare, expect, edit] of files) {
    out.push({ name: `file: ${name}`, expect, ...(write ? { write } : {}), ...(prepare ? { prepare } : {}), ...(edit ? { edit } : {}) });
  }
  for (const [name, id] of ids) out.push({ name: `id: ${name}`, id, expect: /container id|invalid|id/ });
  // Joining the runtime's own namespaces: runc would set the host's hostname there, or pivot_root the host.
  const hostNamespace = (name: string) => name.includes("runtime's own uts") || name.startsWith('mount namespace');
  for (const [name, edit, expect] of hostChanges) out.push({ name: `host: ${name}`, expect, edit, ...(hostNamespace(name) ? { referenceOnly: true } : {}) });
  for (const [name, edit, expect] of misc) out.push({ name: `misc: ${name}`, edit, expect });
  return out;
}
